"""Stack requests: ``docker stack deploy`` and ``docker stack rm``, with the networks,
secrets and configs a stack creates; :class:`ControlAPI` is the whole control API."""

from __future__ import annotations

import re
from dataclasses import replace

from swarmsim.cluster.state import ServiceRecord
from swarmsim.compose import validate_for_daemon
from swarmsim.compose.gostr import quote
from swarmsim.foundation.errors import CommandError, InputError
from swarmsim.input.specs import ServiceSpec, Stack
from swarmsim.manager.controlapi.services import ServiceAPI, tagged_image
from swarmsim.simulation.images import registry_of

#: network names every engine has, which a stack may declare external without creating
_BUILTIN_NETWORKS = frozenset({"default", "bridge", "host", "none", "ingress"})
_SAME_NAME = re.compile(r"service '([^']*)' \(\1\)")


class ControlAPI(ServiceAPI):
    """The swarm's API as ``docker node|service|stack|swarm`` commands use it: the
    service requests (:class:`~swarmsim.manager.controlapi.services.ServiceAPI`) plus
    stacks.  Constructed as a :class:`~swarmsim.manager.controlapi.services.ServiceAPI`.
    """

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
        self.ports.keep(spec.name, dynamic)

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
