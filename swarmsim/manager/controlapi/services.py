"""Service requests: ``docker service create|update|scale|rollback|rm`` and the daemon's
service lookup, checked as SwarmKit's ``controlapi/service.go`` and the engine's
``daemon/cluster`` check them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from swarmsim.cluster.state import ClusterState, ServiceRecord
from swarmsim.compose import imageref
from swarmsim.compose.daemon import daemon_error
from swarmsim.compose.gostr import quote
from swarmsim.foundation.errors import CommandError
from swarmsim.foundation.limits import over
from swarmsim.foundation.refs import find_one
from swarmsim.foundation.rng import IdFactory
from swarmsim.input.specs import NodeSpec, Platform, ServiceSpec
from swarmsim.manager.controlapi.errors import DAEMON, grpc, lookup_error
from swarmsim.manager.controlapi.nodes import NodeAPI
from swarmsim.manager.controlapi.ports import Given, PortAllocator
from swarmsim.manager.leadership import Leadership
from swarmsim.manager.quorum import Quorum
from swarmsim.manager.updater import Updater
from swarmsim.simulation.images import Images


class ServiceAPI(NodeAPI):
    """Membership, node requests and the service requests of SwarmKit's control API.

    Args:
        state, leadership, quorum, machines, ids: as for
            :class:`~swarmsim.manager.controlapi.membership.Membership`.
        images: the image stores and registry logins (``--with-registry-auth``).
        updater: the rolling updater (``docker service rollback``).
    """

    def __init__(
        self,
        state: ClusterState,
        leadership: Leadership,
        quorum: Quorum,
        machines: Mapping[str, NodeSpec],
        ids: IdFactory,
        images: Images,
        updater: Updater,
    ) -> None:
        super().__init__(state, leadership, quorum, machines, ids)
        self.images = images
        self.updater = updater
        self.ports = PortAllocator()
        # the swarm's networks, secrets and configs, each with the stack that made it
        self.networks: dict[str, str] = {}
        self.secrets: dict[str, str] = {}
        self.configs: dict[str, str] = {}

    def _wipe(self) -> None:
        super()._wipe()
        for store in (self.networks, self.secrets, self.configs, self.ports.given):
            store.clear()

    # --- lookups (the daemon's getService) ---------------------------------------------
    def find_service(self, ref: str) -> ServiceRecord:
        """The service with this id, name or unique id prefix.

        Raises:
            CommandError: ``service x not found`` / ``service x is ambiguous (n matches
                found)``.
        """
        services = sorted(self.state.services.values(), key=lambda s: s.id)
        return find_one("service", ref, services, lambda s: s.id, lambda s: s.name,
                        lookup_error)

    # --- services ----------------------------------------------------------------------
    def create_service(self, spec: ServiceSpec) -> ServiceRecord:
        """A service from a whole spec, as the Engine API's ``POST /services/create``
        gives it: SwarmKit's name check, then ports allocated and the daemon's checks.

        Raises:
            CommandError: ``rpc error: code = AlreadyExists desc = ...`` or the
                daemon's objection to the spec.
        """
        self.need_leader()
        if spec.name in self.state.services:
            raise CommandError(DAEMON + grpc(
                "AlreadyExists",
                f"name conflicts with an existing object: service {spec.name} already exists"))
        self._check_size((spec,), named=False)
        spec, dynamic = self._allocate(spec, None)
        self._check(spec, None)
        svc = self.state.create_service(spec)
        self.ports.keep(spec.name, dynamic)
        return svc

    def replace_spec(self, ref: str, spec: ServiceSpec) -> ServiceRecord:
        """A service's whole spec replaced (``POST /services/{id}/update``); SwarmKit
        refuses a rename or a mode change (``controlapi/service.go``).

        Raises:
            CommandError: docker's message.
        """
        self.need_leader()
        svc = self.find_service(ref)
        if spec.name != svc.name:
            raise CommandError(DAEMON + grpc("Unimplemented",
                                             "renaming services is not supported"))
        if spec.mode != svc.spec.mode:
            raise CommandError(DAEMON + grpc("Unimplemented",
                                             "service mode change is not allowed"))
        self._check_size((spec,), named=False)
        spec, dynamic = self._allocate(spec, svc)
        self._check(spec, svc)
        self.ports.keep(spec.name, dynamic)
        return self.state.update_service(svc.name, spec)

    def _check(self, spec: ServiceSpec, old: ServiceRecord | None) -> None:
        others = [s.spec for s in self.state.services.values() if s.name != spec.name]
        problem = daemon_error(spec, others, old.spec if old is not None else None)
        if problem is not None:
            raise CommandError(DAEMON + problem[0])

    def scale(self, name: str, replicas: int) -> ServiceRecord:
        """``docker service scale name=n`` (replicated services and replicated jobs).

        Raises:
            CommandError: ``scale can only be used with replicated or replicated-job
                mode``, or the daemon's lookup errors.
        """
        self.need_leader()
        svc = self.find_service(name)
        if svc.spec.mode not in ("replicated", "replicated-job"):
            raise CommandError("scale can only be used with replicated or replicated-job mode")
        return self._update(svc, replace(svc.spec, replicas=replicas))

    def update_service(
        self,
        name: str,
        *,
        image: str | None = None,
        force: bool = False,
        replicas: int | None = None,
        rollback: bool = False,
        platforms: tuple[Platform, ...] | None = None,
    ) -> ServiceRecord:
        """``docker service update``: a new spec (``--image``, ``--replicas``), a forced
        redeploy of every task (``--force``) or a rollback (``--rollback``).
        ``platforms``, when given, are the placement platforms the client resolved.

        Raises:
            CommandError: docker's message.
        """
        self.need_leader()
        svc = self.find_service(name)
        if rollback:
            if image is not None or force or replicas is not None:
                raise CommandError("other flags may not be combined with --rollback")
            return self.rollback(svc.id)
        spec = svc.spec
        if replicas is not None:
            if spec.mode != "replicated":
                raise CommandError("replicas can only be used with replicated mode")
            spec = replace(spec, replicas=replicas)
        if force:
            spec = replace(spec, force_update=spec.force_update + 1)
        if image is not None:
            if not image:
                raise CommandError(DAEMON + grpc(
                    "InvalidArgument", "ContainerSpec: image reference must be provided"))
            try:
                imageref.parse(image)
            except imageref.ReferenceError:
                message = f"ContainerSpec: {quote(image)} is not a valid repository/tag"
                raise CommandError(DAEMON + grpc("InvalidArgument", message)) from None
            spec = replace(spec, image=tagged_image(image))
        if platforms is not None:
            spec = replace(spec, placement=replace(spec.placement, platforms=platforms))
        return self._update(svc, spec)

    def rollback(self, name: str) -> ServiceRecord:
        """``docker service rollback``: back to the previous spec, with the rollback
        config.

        Raises:
            CommandError: ``service <id> does not have a previous spec``.
        """
        self.need_leader()
        svc = self.find_service(name)
        try:
            return self.updater.rollback(svc.name)
        except ValueError as err:
            raise CommandError(DAEMON + grpc("FailedPrecondition", str(err))) from None

    def remove_service(self, name: str, *, announce: bool = False) -> list[str]:
        """``docker service rm``: the service goes; its tasks are shut down and removed.

        Returns:
            ``["Removing service <name>"]`` when ``announce`` (stack rm), else ``[]``.
        """
        self.need_leader()
        svc = self.find_service(name)
        self.state.remove_service(svc.name)
        self.ports.release(svc.name)
        return [f"Removing service {svc.name}"] if announce else []

    def _update(self, svc: ServiceRecord, spec: ServiceSpec) -> ServiceRecord:
        self._check_size((spec,), named=False)
        return self.state.update_service(svc.name, spec)

    def _check_size(self, specs: tuple[ServiceSpec, ...], *, named: bool = True) -> None:
        """swarmsim's limits on replicas per service and on tasks in all, checked before
        any of ``specs`` is created or changed (docker has no such limit).

        Raises:
            CommandError: ``st_web: 1,000,000,000 replicas is over swarmsim's limit of
                200,000 (SWARMSIM_MAX_REPLICAS raises it)`` (the service named unless
                ``named`` is false) or the same for tasks.
        """
        nodes = len(self.state.nodes)

        def tasks(spec: ServiceSpec) -> int:
            return nodes if spec.is_global else spec.replicas

        for spec in specs:
            problem = None if spec.is_global else over("REPLICAS", spec.replicas, "replicas")
            if problem:
                raise CommandError(f"{spec.name}: {problem}" if named else problem)
        changed = {spec.name for spec in specs}
        total = sum(tasks(s.spec) for s in self.state.services.values() if s.name not in changed)
        problem = over("TASKS", total + sum(tasks(spec) for spec in specs), "tasks")
        if problem:
            raise CommandError(problem)

    def _allocate(
        self, spec: ServiceSpec, old: ServiceRecord | None
    ) -> tuple[ServiceSpec, set[Given]]:
        """Ingress ports published as 0 given a port (:mod:`.ports`)."""
        return self.ports.allocate(spec, old is not None, self.state.services.values())


def tagged_image(image: str) -> str:
    """The image as the docker client sends it: ``:latest`` added to a bare name,
    written in its familiar form (``docker.io/library/redis`` -> ``redis:latest``)."""
    try:
        ref = imageref.parse(image)
    except imageref.ReferenceError:
        return image
    if not ref.tag and not ref.digest:
        ref = replace(ref, tag="latest")
    return ref.familiar()

