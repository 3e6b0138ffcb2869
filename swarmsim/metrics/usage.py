"""The resource model's figures as series: what containers used, wanted and were
denied, per node and for the cluster.

The model (:mod:`swarmsim.resources.model`) notes a node's figures whenever they change;
here they become the ``node:<hostname>`` series ``used_cpus``, ``demanded_cpus``,
``throttled_cpus``, ``used_memory`` and their sums over the nodes as ``cluster`` series.
A dead machine's containers are gone, so its figures are 0 while it is down, as its
capacity is out of the cluster's.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

from swarmsim.input.power import node_power
from swarmsim.metrics.series import SeriesSet, segments, value_at

#: the resource model's metrics, in the order of a sample's fields after ``node``
USAGE_METRICS = ("used_cpus", "demanded_cpus", "throttled_cpus", "used_memory")


def add_usage_series(series: SeriesSet, samples: Sequence[Any], nodes: Sequence[str],
                     end: float) -> None:
    """Add the node and cluster series of the model's ``samples`` (in time order) to
    ``series``; every node of ``nodes`` starts at 0 at time 0."""
    last: dict[str, tuple[float, ...]] = {}
    total = [0.0] * len(USAGE_METRICS)
    for name in nodes:
        for metric in USAGE_METRICS:
            series.set(f"node:{name}", metric, 0.0, 0.0)
    for metric in USAGE_METRICS:
        series.set("cluster", metric, 0.0, 0.0)
    for s in samples:
        values = (s.used_cpus, s.demanded_cpus, s.throttled_cpus, s.used_memory)
        before = last.get(s.node, (0.0,) * len(USAGE_METRICS))
        last[s.node] = values
        entity = f"node:{s.node}"
        for i, metric in enumerate(USAGE_METRICS):
            series.set(entity, metric, s.time, values[i])
            total[i] += values[i] - before[i]
            # sums of floats drift: a figure that should be 0 is snapped to 0
            series.set("cluster", metric, s.time, total[i] if abs(total[i]) > 1e-9 else 0.0)
    series.close(end)


def integral(series: SeriesSet, entity: str, metric: str, start: float, end: float) -> float:
    """The area under a level series over ``[start, end]`` (e.g. core-seconds)."""
    return float(sum((b - a) * v for a, b, v in segments(*series.get(entity, metric),
                                                            start, end)))


def resource_figures(series: SeriesSet, rows: Sequence[Any], start: float, end: float,
                     model: str) -> dict[str, Any]:
    """The ``resources`` object of ``summary.json``: which usage model made the figures,
    OOM kills, and the cluster's CPU used, demanded and throttled in core-seconds."""
    return {
        "model": model,
        "oom_kills": sum(1 for r in rows if r.ended_because == "oom"),
        "cpu_used_core_seconds": integral(series, "cluster", "used_cpus", start, end),
        "cpu_demanded_core_seconds": integral(series, "cluster", "demanded_cpus", start, end),
        "cpu_throttled_core_seconds": integral(series, "cluster", "throttled_cpus", start,
                                               end),
    }


def energy_figures(series: SeriesSet, nodes: Sequence[Any], start: float, end: float
                   ) -> dict[str, Any]:
    """The ``energy`` object of ``summary.json``: watt-hours per node and in all, by the
    linear power model of each node's ``power`` (``swarmsim.input.power``), counted while the
    machine is up and in the swarm."""
    per_node = {}
    for spec in nodes:
        entity = f"node:{spec.name}"
        used, up = series.get(entity, "used_cpus"), series.get(entity, "up")
        points = sorted({start, end, *used[0], *up[0]})
        joules = 0.0
        cores = spec.nano_cpus / 1e9
        for a, b in itertools.pairwise(points):
            a, b = max(a, start), min(b, end)
            if b <= a or not value_at(*up, a):
                continue
            idle, peak = spec.power
            joules += (b - a) * node_power(idle, peak, value_at(*used, a), cores)
        per_node[spec.name] = joules / 3600.0
    return {"model": "linear", "total_wh": sum(per_node.values()), "nodes": per_node}
