"""Published ports of the ingress mode given as 0: a port from the dynamic range, kept
across updates (SwarmKit's ``manager/allocator/portallocator.go``)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from swarmsim.cluster.state import ServiceRecord
from swarmsim.foundation import defaults
from swarmsim.foundation.errors import CommandError
from swarmsim.input.specs import PortConfig, ServiceSpec
from swarmsim.manager.controlapi.errors import DAEMON

#: a port handed out: (protocol, target port, published port)
Given = tuple[str, int, int]


class PortAllocator:
    """The dynamic ports each service was given, and where the next search starts."""

    def __init__(self) -> None:
        self.given: dict[str, set[Given]] = {}  # service name -> its dynamic ports
        self._next_port: dict[str, int] = {}

    def allocate(self, spec: ServiceSpec, updating: bool,
                 services: Iterable[ServiceRecord]) -> tuple[ServiceSpec, set[Given]]:
        """Give ingress ports published as 0 a port from the dynamic range; a service
        being updated (``updating``) keeps the ports it was given.  ``services``: the
        swarm's services (their published ports are taken).  The ports are the
        service's only once :meth:`keep` records them."""
        if not any(p.mode == "ingress" and p.published == 0 for p in spec.ports):
            return spec, set()
        reusable = sorted(self.given.get(spec.name, set())) if updating else []
        used = {
            (p.protocol, p.published)
            for s in services
            if s.name != spec.name
            for p in s.spec.ports
            if p.mode == "ingress" and p.published
        }
        used |= {(p.protocol, p.published) for p in spec.ports if p.published}
        ports: list[PortConfig] = []
        given: set[Given] = set()
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

    def keep(self, name: str, given: set[Given]) -> None:
        """The service now holds ``given`` (its earlier dynamic ports are freed)."""
        self.given[name] = given

    def release(self, name: str) -> None:
        """The service is gone: its dynamic ports are free."""
        self.given.pop(name, None)

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
