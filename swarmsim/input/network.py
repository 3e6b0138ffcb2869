"""The scenario's ``network:`` key: the network between the machines.

Either one flat LAN::

    network: {latency: 0.2ms}      # one-way latency between any two machines (the default)

or racks and zones, joined into a graph (built with networkx) whose shortest paths give
the one-way latency between two machines::

    network:
      racks:                       # every machine in exactly one rack
        r1: [myvm1, myvm2]
        r2: [myvm3]
      zones:                       # optional; without zones every rack hangs off one core
        z1: [r1]
        z2: [r2]
      node_link: 0.05ms            # machine <-> its rack switch (default)
      rack_link: 0.1ms             # rack switch <-> its zone (or the core) (default)
      links:                       # more links, between racks or zones
        - {between: [z1, z2], latency: 1ms}

A machine talking to itself pays nothing; two machines of one rack pay two
``node_link``; further apart, ``node_link`` + the racks' shortest path + ``node_link``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from swarmsim.foundation.errors import InputError, dotted
from swarmsim.input.checks import duration, key_error

if TYPE_CHECKING:
    import networkx as nx

#: one-way latency between two machines of the default flat LAN: a switched gigabit
#: LAN's round trip is typically 0.2-0.5 ms, of which the wire and switch take half
DEFAULT_LATENCY_S = 0.0002
DEFAULT_NODE_LINK_S = 0.00005
DEFAULT_RACK_LINK_S = 0.0001
_KEYS = ("latency", "racks", "zones", "node_link", "rack_link", "links")
_CORE = "core"

Groups = tuple[tuple[str, tuple[str, ...]], ...]


@dataclass(frozen=True, slots=True)
class NetworkModel:
    """The validated ``network:`` key.

    Attributes:
        latency_s: one-way latency of the flat LAN (used when there are no racks).
        racks: ``(rack, machines)`` pairs; empty for a flat LAN.
        zones: ``(zone, racks)`` pairs; empty means one core joins every rack.
        node_link_s: one-way latency between a machine and its rack switch.
        rack_link_s: one-way latency between a rack switch and its zone (or the core).
        links: more ``(place, place, latency)`` links between racks or zones.
    """

    latency_s: float = DEFAULT_LATENCY_S
    racks: Groups = ()
    zones: Groups = ()
    node_link_s: float = DEFAULT_NODE_LINK_S
    rack_link_s: float = DEFAULT_RACK_LINK_S
    links: tuple[tuple[str, str, float], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """The model as JSON-ready data (``scenario.json``)."""
        if not self.racks:
            return {"latency": self.latency_s}
        return {
            "racks": {r: list(m) for r, m in self.racks},
            "zones": {z: list(r) for z, r in self.zones},
            "node_link": self.node_link_s,
            "rack_link": self.rack_link_s,
            "links": [{"between": [a, b], "latency": t} for a, b, t in self.links],
        }


def model_graph(model: NetworkModel) -> nx.Graph[tuple[str, str]]:
    import networkx as nx  # deferred: slow to import (~1 s), only rack models use it

    graph: nx.Graph[tuple[str, str]] = nx.Graph()
    for rack, _ in model.racks:
        graph.add_node(("place", rack))
    zone_of = {r: z for z, racks in model.zones for r in racks}
    for rack, _ in model.racks:
        zone = zone_of.get(rack, _CORE) if model.zones else _CORE
        graph.add_edge(("place", rack), ("place", zone), latency=model.rack_link_s)
    for a, b, t in model.links:
        graph.add_edge(("place", a), ("place", b), latency=t)
    return graph


_err = key_error


def parse_network(raw: Any, machines: Sequence[str]) -> NetworkModel:
    """Validate a scenario's ``network:`` key.

    Args:
        raw: the YAML value (None: the default flat LAN).
        machines: hostnames of the scenario's machines.
    """
    if raw is None:
        return NetworkModel()
    if not isinstance(raw, Mapping):
        raise _err("must be a mapping", "network")
    for key in raw:
        if key not in _KEYS:
            raise InputError(f"network Additional property {key} is not allowed",
                             keys=("network", str(key)), path="network")
    if "racks" not in raw:
        for key in ("zones", "node_link", "rack_link", "links"):
            if key in raw:
                raise _err("only goes with racks", "network", key)
        return NetworkModel(latency_s=_latency(raw.get("latency", "0.2ms"), "network", "latency"))
    if "latency" in raw:
        raise _err("only goes with a flat network (no racks); use node_link, rack_link "
                   "and links", "network", "latency")
    racks = _groups(raw["racks"], "racks", set(machines), "machine")
    placed = [m for _, members in racks for m in members]
    for name in machines:
        if name not in placed:
            raise _err(f"machine {name} is in no rack", "network", "racks")
    rack_names = {r for r, _ in racks}
    zones = _groups(raw.get("zones"), "zones", rack_names, "rack") if "zones" in raw else ()
    if zones:
        zoned = {r for _, rs in zones for r in rs}
        for rack, _ in racks:
            if rack not in zoned:
                raise _err(f"rack {rack} is in no zone", "network", "zones")
        clash = sorted(rack_names & {z for z, _ in zones})
        if clash:
            raise _err(f"{clash[0]} is both a rack and a zone", "network", "zones")
    places = rack_names | {z for z, _ in zones}
    model = NetworkModel(
        racks=racks,
        zones=zones,
        node_link_s=_latency(raw.get("node_link", "0.05ms"), "network", "node_link"),
        rack_link_s=_latency(raw.get("rack_link", "0.1ms"), "network", "rack_link"),
        links=_links(raw.get("links"), places),
    )
    import networkx as nx  # deferred: slow to import (~1 s), only rack models use it

    graph = model_graph(model)
    first = ("place", racks[0][0])
    for rack, _ in racks[1:]:
        if not nx.has_path(graph, first, ("place", rack)):
            raise _err(f"racks {racks[0][0]} and {rack} are not connected: add a link",
                       "network", "links")
    return model


def _groups(raw: Any, key: str, allowed: set[str], what: str) -> Groups:
    if not isinstance(raw, Mapping) or not raw:
        raise _err("must be a non-empty mapping", "network", key)
    out: list[tuple[str, tuple[str, ...]]] = []
    seen: dict[str, str] = {}
    for group, members in raw.items():
        name = str(group)
        if not isinstance(members, list) or not members:
            raise _err("must be a non-empty list", "network", key, name)
        for j, member in enumerate(members):
            if not isinstance(member, str) or member not in allowed:
                raise _err(f"no such {what}: {member}", "network", key, name, j)
            if member in seen:
                raise _err(f"{member} is already in {seen[member]}", "network", key, name, j)
            seen[member] = name
        out.append((name, tuple(members)))
    return tuple(out)


def _links(raw: Any, places: set[str]) -> tuple[tuple[str, str, float], ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise _err("must be a list", "network", "links")
    out = []
    for i, link in enumerate(raw):
        at = ("network", "links", i)
        if not isinstance(link, Mapping):
            raise _err("must be a mapping", *at)
        for key in link:
            if key not in ("between", "latency"):
                raise InputError(f"{dotted(at)} Additional property {key} is not allowed",
                                 keys=(*at, str(key)), path=dotted(at))
        ends = link.get("between")
        if not isinstance(ends, list) or len(ends) != 2:
            raise _err("must be a list of two racks or zones", *at, "between")
        for j, end in enumerate(ends):
            if not isinstance(end, str) or end not in places:
                raise _err(f"no such rack or zone: {end}", *at, "between", j)
        if "latency" not in link:
            raise _err("latency is required", *at)
        out.append((ends[0], ends[1], _latency(link["latency"], *at, "latency")))
    return tuple(out)


_latency = duration
