"""One-way latencies between machines under a scenario's network (the ``network:`` key,
read by :mod:`swarmsim.input.network`): a table the traffic model looks up in bulk.

A machine talking to itself pays nothing; two machines of one rack pay two
``node_link``; further apart, ``node_link`` + the racks' shortest path + ``node_link``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from swarmsim.input.network import NetworkModel, model_graph


@dataclass(frozen=True, slots=True)
class LatencyTable:
    """One-way latencies between machines, by machine index.

    Attributes:
        offset: each machine's latency to its attachment point.
        place: each machine's attachment point (its rack; 0 for a flat LAN).
        between: one-way latency between attachment points.
        flat: each machine's latency to the others' common switch when they all have the
            same (a flat LAN), else None.
    """

    offset: np.ndarray
    place: np.ndarray
    between: np.ndarray
    flat: float | None = None

    def one_way(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """Latency from machines ``a`` to machines ``b`` (elementwise; 0 when equal)."""
        a = np.asarray(a)
        b = np.asarray(b)
        if self.flat is not None:
            lan: np.ndarray = (a != b) * (2 * self.flat)
            return lan
        if len(self.between) == 1 and len(self.offset) and np.all(self.offset == self.offset[0]):
            flat: np.ndarray = (a != b) * (2 * float(self.offset[0]))  # a flat LAN
            return flat
        lat = self.offset[a] + self.between[self.place[a], self.place[b]] + self.offset[b]
        return np.where(a == b, 0.0, lat)


def latency_table(model: NetworkModel, machines: Sequence[str]) -> LatencyTable:
    """The latency table of ``machines`` (in this order) under ``model``."""
    n = len(machines)
    if not model.racks:
        half = np.full(n, model.latency_s / 2)
        return LatencyTable(half, np.zeros(n, dtype=np.intp), np.zeros((1, 1)),
                            flat=float(model.latency_s / 2))
    import networkx as nx  # deferred: slow to import (~1 s), only rack models use it

    graph = model_graph(model)
    racks = [r for r, _ in model.racks]
    between = np.zeros((len(racks), len(racks)))
    for i, rack in enumerate(racks):
        dist = nx.single_source_dijkstra_path_length(graph, ("place", rack), weight="latency")
        for j, other in enumerate(racks):
            between[i, j] = dist.get(("place", other), np.inf)
    rack_of = {m: i for i, (_, members) in enumerate(model.racks) for m in members}
    place = np.array([rack_of[m] for m in machines], dtype=np.intp)
    return LatencyTable(np.full(n, model.node_link_s), place, between)
