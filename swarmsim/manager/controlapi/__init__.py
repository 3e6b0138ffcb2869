"""The control API: what the docker CLI asks of a swarm, and the daemon's answers.

SwarmKit's ``manager/controlapi`` and the engine's ``daemon/cluster`` checks: every
change a docker command makes goes through here, is refused with docker's own message
(a :class:`~swarmsim.foundation.errors.CommandError`) or is applied through
:class:`~swarmsim.cluster.state.ClusterState`, where the orchestrators, the updater and
the scheduler take over.  Membership (init, join, leave) is in :mod:`.membership`,
node requests in :mod:`.nodes`; this module adds services and stacks.

Layer: simulation.  May import: the cluster state, the compose checks, the foundation.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace

from swarmsim.cluster.state import ClusterState, ServiceRecord
from swarmsim.compose import imageref, validate_for_daemon
from swarmsim.compose.daemon import daemon_error
from swarmsim.compose.gostr import quote
from swarmsim.foundation import defaults
from swarmsim.foundation.errors import CommandError, InputError
from swarmsim.foundation.limits import over
from swarmsim.foundation.refs import find_one
from swarmsim.foundation.rng import IdFactory
from swarmsim.input.specs import NodeSpec, Platform, PortConfig, ServiceSpec, Stack
from swarmsim.manager.controlapi.errors import DAEMON, grpc, lookup_error
from swarmsim.manager.controlapi.membership import Membership, leave_refusal, parse_join_token
from swarmsim.manager.controlapi.nodes import NodeAPI, can_remove_member
from swarmsim.manager.leadership import Leadership
from swarmsim.manager.quorum import Quorum
from swarmsim.manager.updater import Updater
from swarmsim.simulation.images import Images, registry_of

__all__ = [
    "ControlAPI",
    "Membership",
    "can_remove_member",
    "leave_refusal",
    "parse_join_token",
    "tagged_image",
]

#: network names every engine has, which a stack may declare external without creating
_BUILTIN_NETWORKS = frozenset({"default", "bridge", "host", "none", "ingress"})
_SAME_NAME = re.compile(r"service '([^']*)' \(\1\)")


class ControlAPI(NodeAPI):
    """The swarm's API as ``docker node|service|stack|swarm`` commands use it.

    Args:
        state: the cluster state the API reads and changes.
        leadership, quorum, machines, ids: as for :class:`Membership`.
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
        self.networks: dict[str, str] = {}  # stack network -> its stack
        self.secrets: dict[str, str] = {}
        self.configs: dict[str, str] = {}
        self._dynamic: dict[str, set[tuple[str, int, int]]] = {}  # (protocol, target, port)
        self._next_port: dict[str, int] = {}

    def _wipe(self) -> None:
        super()._wipe()
        for store in (self.networks, self.secrets, self.configs, self._dynamic):
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

    # --- stacks ------------------------------------------------------------------------
    def deploy_stack(self, stack: Stack, *, prune: bool = False,
                     auth_from: str | None = None) -> list[str]:
        """``docker stack deploy``: create or update the stack's networks and services.

        Unchanged services are left alone; a changed one gets its new spec (a rolling
        update where tasks are out of date).  Ingress ports published as 0 get a port
        from 30000-32767, and keep it on later deploys.  ``auth_from``: the machine
        whose registry credentials ``--with-registry-auth`` sends with each service
        (without it, an existing service keeps the credentials it had).

        Returns:
            docker's stdout lines: ``Creating network x``, ``Creating service x``,
            ``Updating service x (id: <id>)``.

        Raises:
            CommandError: docker's message; ``output`` holds the lines printed before
                (networks and services created before a failure stay).
        """
        self.need_leader()
        self._check_size(stack.services)
        out: list[str] = []
        try:
            if prune:
                keep = {s.name for s in stack.services}
                for svc in self._stack_services(stack.name):
                    if svc.name not in keep:
                        out.extend(self.remove_service(svc.name, announce=True))
            for net in stack.networks:
                if net.external and net.name not in self.networks and (
                    net.name not in _BUILTIN_NETWORKS
                ):
                    raise CommandError(
                        f"network {quote(net.name)} is declared as external, but could not be "
                        "found. You need to create a swarm-scoped network before the stack "
                        "is deployed"
                    )
            for net in stack.networks:
                if not net.external and net.name not in self.networks:
                    out.append(f"Creating network {net.name}")
                    self.networks[net.name] = stack.name
            for kind, names, store in (
                ("secret", stack.secrets, self.secrets),
                ("config", stack.configs, self.configs),
            ):
                for name in names:
                    if name not in store:
                        out.append(f"Creating {kind} {name}")
                        store[name] = stack.name
            for service, kind, name in stack.external_refs:  # docker/cli ParseSecrets
                if name not in (self.secrets if kind == "secret" else self.configs):
                    raise CommandError(f"service {service}: {kind} not found: {name}")
            for spec in stack.services:
                self._deploy_service(stack, spec, out, auth_from)
        except CommandError as err:
            raise err.with_output(out) from None
        return out

    def _deploy_service(self, stack: Stack, spec: ServiceSpec, out: list[str],
                        auth_from: str | None = None) -> None:
        spec = replace(spec, image=tagged_image(spec.image))
        old = self.state.services.get(spec.name)
        spec = replace(spec, registry_auth=self._registry_auth(spec, old, auth_from))
        if old is not None:
            out.append(f"Updating service {spec.name} (id: {old.id})")
            # a stack has no --force: the deploy keeps the service's ForceUpdate
            spec = replace(spec, force_update=old.spec.force_update)
        else:
            out.append(f"Creating service {spec.name}")
        spec, dynamic = self._allocate(spec, old)
        self._validate(stack, spec)
        if old is None:
            self.state.create_service(spec)
        elif spec != old.spec:
            self.state.update_service(spec.name, spec)
        self._dynamic[spec.name] = dynamic

    def _registry_auth(self, spec: ServiceSpec, old: ServiceRecord | None,
                       auth_from: str | None) -> bool:
        """Whether the service carries credentials for its image's registry."""
        if auth_from is None:
            return old.spec.registry_auth if old is not None else False
        return bool(self.images.has_login(auth_from, registry_of(spec.image)))

    def _validate(self, stack: Stack, spec: ServiceSpec) -> None:
        current = sorted(self.state.services.values(), key=lambda s: s.name)
        try:
            validate_for_daemon(
                replace(stack, services=(spec,)), existing=[s.spec for s in current]
            )
        except InputError as err:
            ids = {s.name: s.id for s in current}
            message = _SAME_NAME.sub(
                lambda m: f"service '{m.group(1)}' ({ids.get(m.group(1), m.group(1))})",
                err.message,
            )
            raise CommandError(message) from None

    def stack_exists(self, name: str) -> bool:
        """True when some service, network, secret or config carries the stack's label."""
        return bool(self._stack_services(name)) or any(
            name in store.values() for store in (self.networks, self.secrets, self.configs)
        )

    def remove_stack(self, name: str) -> list[str]:
        """``docker stack rm``: services (by name), secrets, configs, then networks.

        Returns:
            docker's lines; ``["Nothing found in stack: x"]`` (docker's stderr) when
            nothing carries the stack's label.
        """
        self.need_leader()
        if not self.stack_exists(name):
            return [f"Nothing found in stack: {name}"]
        out: list[str] = []
        for svc in self._stack_services(name):
            out.extend(self.remove_service(svc.name, announce=True))
        for kind, store in (("secret", self.secrets), ("config", self.configs),
                            ("network", self.networks)):
            for item in sorted(k for k, v in store.items() if v == name):
                out.append(f"Removing {kind} {item}")
                del store[item]
        return out

    def _stack_services(self, name: str) -> list[ServiceRecord]:
        found = [s for s in self.state.services.values() if s.spec.stack == name]
        return sorted(found, key=lambda s: s.name)

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
        self._dynamic[spec.name] = dynamic
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
        self._dynamic[spec.name] = dynamic
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
        self._dynamic.pop(svc.name, None)
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
    ) -> tuple[ServiceSpec, set[tuple[str, int, int]]]:
        """Give ingress ports published as 0 a port from the dynamic range; a service
        being updated keeps the ports it was given (SwarmKit's port allocator)."""
        if not any(p.mode == "ingress" and p.published == 0 for p in spec.ports):
            return spec, set()
        reusable = sorted(self._dynamic.get(spec.name, set())) if old is not None else []
        used = {
            (p.protocol, p.published)
            for s in self.state.services.values()
            if s.name != spec.name
            for p in s.spec.ports
            if p.mode == "ingress" and p.published
        }
        used |= {(p.protocol, p.published) for p in spec.ports if p.published}
        ports: list[PortConfig] = []
        given: set[tuple[str, int, int]] = set()
        for p in spec.ports:
            if p.mode == "ingress" and p.published == 0:
                mine = [r for r in reusable if r[:2] == (p.protocol, p.target)
                        and (p.protocol, r[2]) not in used]
                if mine:
                    reusable.remove(mine[0])
                    number = mine[0][2]
                else:
                    number = self._next_free(p.protocol, used)
                used.add((p.protocol, number))
                given.add((p.protocol, p.target, number))
                p = replace(p, published=number)
            ports.append(p)
        return replace(spec, ports=tuple(ports)), given

    def _next_free(self, protocol: str, used: set[tuple[str, int]]) -> int:
        """The next free port after the last one handed out (SwarmKit allocates serially)."""
        first, last = defaults.DYNAMIC_PORT_START, defaults.DYNAMIC_PORT_END
        size = last - first + 1
        start = self._next_port.get(protocol, first)
        for step in range(size):
            port = first + (start - first + step) % size
            if (protocol, port) not in used:
                self._next_port[protocol] = first + (port - first + 1) % size
                return port
        raise CommandError(f"{DAEMON}could not find an available port in the dynamic range")

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

