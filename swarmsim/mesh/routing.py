"""Where a connection goes: the target of a workload and the backend of each request.

* A port published in **ingress** mode answers on every node of the swarm, tasks or
  not: the receiving node's IPVS picks a backend by round robin.
* A port published in **host** mode answers only on nodes that run a task of the
  service: that task serves it; any other node refuses the connection.
* Internal traffic to a **service name** goes through the service's VIP (IPVS round
  robin in the client node's load balancer) or, with ``endpoint_mode: dnsrr``, to the
  first address of the DNS answer, which docker's embedded DNS server shuffles for
  every query (so: a uniformly random backend).  ``tasks.<service>`` always resolves
  to the task addresses (DNS round robin).
* No backend in the balancer, or no service behind the port or name: refused.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np

from swarmsim.mesh.balancer import Backend, Balancer

if TYPE_CHECKING:
    from swarmsim.cluster.state import ServiceRecord
    from swarmsim.input.workload import WorkloadSpec

REFUSED = -1


def resolve_target(spec: WorkloadSpec,
                   services: Mapping[str, ServiceRecord]) -> tuple[str | None, str]:
    """The service a workload's requests reach now, and how.

    Returns:
        ``(service name, kind)`` with kind ``ingress``, ``host``, ``vip`` or ``dnsrr``;
        ``(None, "none")`` when nothing answers (no service publishes the port, no
        service has the name).
    """
    if spec.port is not None:
        found: list[tuple[int, str, str]] = []
        for name in sorted(services):
            for port in services[name].spec.ports:
                if port.published == spec.port:
                    rank = (port.protocol != "tcp") * 2 + (port.mode != "ingress")
                    found.append((rank, name, port.mode))
        if not found:
            return None, "none"
        _, name, mode = min(found)
        return name, "host" if mode == "host" else "ingress"
    name = spec.service or ""
    if name in services:
        return name, "dnsrr" if services[name].spec.endpoint_mode == "dnsrr" else "vip"
    if name.startswith("tasks.") and name[len("tasks."):] in services:
        return name[len("tasks."):], "dnsrr"
    return None, "none"


def route(kind: str, balancer: Balancer | None, entries: np.ndarray, u_pick: np.ndarray,
          backends: Sequence[Backend]) -> np.ndarray:
    """The backend of each connection (``REFUSED`` where nothing answers).

    Args:
        kind: ``ingress``, ``host``, ``vip`` or ``dnsrr``.
        balancer: the service's balancer (None: no task ever joined).
        entries: the receiving (or client) machine of each connection, in send order.
        u_pick: a uniform draw per connection (the DNS shuffle of ``dnsrr``).
        backends: every backend, by index.
    """
    n = len(entries)
    out = np.full(n, REFUSED, dtype=np.intp)
    if balancer is None or not balancer.members or n == 0:
        return out
    members = np.asarray(balancer.members, dtype=np.intp)
    if kind == "dnsrr":
        pick = np.minimum((u_pick * len(members)).astype(np.intp), len(members) - 1)
        return members[pick]
    if kind == "host":
        on_node: dict[int, int] = {}
        for b in balancer.members:  # newest first: the newest task bound on a node wins
            on_node.setdefault(backends[b].node, b)
        lookup = np.full(int(entries.max()) + 1, REFUSED, dtype=np.intp)
        for node, b in on_node.items():
            if node < len(lookup):
                lookup[node] = b
        found: np.ndarray = lookup[entries]
        return found
    if entries[0] == entries[-1] and np.all(entries == entries[0]):  # one receiving node
        return balancer.round_robin(kind, int(entries[0]), n)
    order = np.argsort(entries, kind="stable")
    sorted_entries = entries[order]
    cuts = np.flatnonzero(np.diff(sorted_entries)) + 1
    for lo, hi in zip(np.r_[0, cuts], np.r_[cuts, n], strict=True):
        node = int(sorted_entries[lo])
        out[order[lo:hi]] = balancer.round_robin(kind, node, int(hi - lo))
    return out
