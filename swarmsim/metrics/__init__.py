"""Metrics of a run: level series sampled at change points, task and node tables, and a
summary (availability, convergence, pending time, restarts, placement, utilisation,
requests). The core never imports pandas; ``docs/metrics.md`` shows the one-call loads.

::

    result = run_scenario(load_scenario("scenarios/crash.yaml"))
    m = collect(result)
    m.summary["services"]["getstartedlab_web"]["availability"]

Layer: interfaces and outputs.  May import: the simulation (the recorder attaches to
it), the model, the input layer and the foundation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from swarmsim.metrics.recorder import Recorder
from swarmsim.metrics.records import Disturbance, NodeRow, TaskRow
from swarmsim.metrics.replay import replay
from swarmsim.metrics.requests import (
    RequestTable,
    binned_rows,
    empty,
    figures,
    find_requests,
    request_codes,
    traffic_cpu_rows,
)
from swarmsim.metrics.series import SeriesSet, time_mean, value_at
from swarmsim.metrics.summary import converge_times, summarize
from swarmsim.metrics.usage import add_usage_series, energy_figures, resource_figures
from swarmsim.metrics.views import machines_of
from swarmsim.resources.model import MODEL_NAME

if TYPE_CHECKING:
    from swarmsim.app.run import RunResult

__all__ = [
    "Disturbance",
    "NodeRow",
    "Recorder",
    "RequestTable",
    "RunMetrics",
    "SeriesSet",
    "TaskRow",
    "collect",
    "find_requests",
    "run_summary",
]


@dataclass(frozen=True)
class RunMetrics:
    """Everything measured in one run.

    Attributes:
        start: first simulated second (0).
        end: last simulated second.
        series: level series by (entity, metric); see ``docs/metrics.md``.
        tasks: one row per task, in creation order.
        nodes: one row per node change.
        disturbances: what disturbed the cluster, with ``converged_after``.
        requests: finished requests (empty without traffic).
        request_rows: binned request tallies as ``(time, entity, metric, value)``.
        summary: the ``summary.json`` document.
    """

    start: float
    end: float
    series: SeriesSet
    tasks: tuple[TaskRow, ...]
    nodes: tuple[NodeRow, ...]
    disturbances: tuple[Disturbance, ...]
    requests: RequestTable = field(default_factory=empty)
    request_rows: tuple[tuple[float, str, str, float], ...] = ()
    summary: dict[str, Any] = field(default_factory=dict)

    def rows(self) -> list[tuple[float, str, str, float]]:
        """Every ``metrics.csv`` row (levels, then request tallies merged in time order)."""
        rows = list(self.series.rows())  # in that order already
        if self.request_rows:
            rows += self.request_rows
            rows.sort(key=lambda r: (r[0], r[1], r[2]))
        return rows


def collect(result: RunResult) -> RunMetrics:
    """Measure a finished run (computed once per result, then cached on its recorder).

    Raises:
        ValueError: if the run was not made by :func:`swarmsim.app.run.run_scenario` (it
            has no recorder).
    """
    rec = _recorder(result)
    cached = rec.cache.get("metrics")
    if cached is not None and cached[0] == len(result.sim.events):
        return cached[1]  # type: ignore[no-any-return]
    sim = result.sim
    start, end = 0.0, float(sim.now)
    r, rows, summary, converged = _levels(result, start, end)
    codes = request_codes(sim)
    table = codes.table()
    summary["requests"] = None
    request_rows: list[tuple[float, str, str, float]] = []
    if len(table):
        summary["requests"] = figures(table, start, end)
        request_rows += binned_rows(table, "requests", start, end)
        for name in sorted({str(s) for s in table.service if s}):
            mine = table.where(table.service == name)
            if name in summary["services"]:
                summary["services"][name]["requests"] = figures(mine, start, end)
            request_rows += binned_rows(mine, f"requests:{name}", start, end)
        cpu_rows = traffic_cpu_rows(codes, start, end)
        request_rows += cpu_rows
        summary["utilisation"]["cluster"]["cpu_requests"] = _request_cpu(r.series, cpu_rows,
                                                                         start, end)
    metrics = RunMetrics(
        start=start,
        end=end,
        series=r.series,
        tasks=rows,
        nodes=tuple(r.node_rows),
        disturbances=tuple(converged),
        requests=table,
        request_rows=tuple(request_rows),
        summary=summary,
    )
    rec.cache["metrics"] = (len(sim.events), metrics)
    return metrics


def run_summary(result: RunResult) -> dict[str, Any]:
    """The ``summary.json`` document of a finished run alone: the same document as
    ``collect(result).summary``, computed without the ``metrics.csv`` rows, the request
    bins and a name per request (what ``swarmsim run --json`` prints).

    Raises:
        ValueError: if the run has no recorder (see :func:`collect`).
    """
    rec = _recorder(result)
    cached = rec.cache.get("metrics")
    if cached is not None and cached[0] == len(result.sim.events):
        return cached[1].summary  # type: ignore[no-any-return]
    sim = result.sim
    start, end = 0.0, float(sim.now)
    r, _rows, summary, _converged = _levels(result, start, end)
    codes = request_codes(sim)
    summary["requests"] = None
    if len(codes):
        summary["requests"] = every = figures(codes, start, end)
        for name, code in codes.named("service"):
            mine = codes.service == code
            if name in summary["services"]:  # all the requests: the same figures
                summary["services"][name]["requests"] = figures(codes, start, end, mine) \
                    if not mine.all() else {**every, "latency_cdf": [
                        list(p) for p in every["latency_cdf"]]}
        cpu_rows = traffic_cpu_rows(codes, start, end)
        summary["utilisation"]["cluster"]["cpu_requests"] = _request_cpu(r.series, cpu_rows,
                                                                         start, end)
    return summary


def _recorder(result: RunResult) -> Recorder:
    rec = result.recorder
    if rec is None:
        raise ValueError("this run has no recorder: use swarmsim.app.run.run_scenario")
    return rec  # type: ignore[no-any-return]


def _levels(result: RunResult, start: float, end: float) -> tuple[
        Any, tuple[TaskRow, ...], dict[str, Any], list[Disturbance]]:
    """The replay, the task rows, the summary without its request figures and the
    disturbances with their ``converged_after`` (computed once for both)."""
    sim = result.sim
    r = replay(sim.events, _recorder(result).records, machines_of(sim.scenario.nodes), end)
    resources = getattr(sim, "resources", None)
    if resources is not None:
        add_usage_series(r.series, resources.samples, [n.name for n in sim.scenario.nodes],
                         end)
    rows = tuple(r.task_rows())
    still = r.still_pending()
    capacity = {name: (cpu / 1e9, mem) for name, (cpu, mem) in r.machines.items()}
    modes = {name: s.mode for name, s in r.services.items()}
    converged = converge_times(r.series, r.disturbances, end)
    summary = summarize(r.series, rows, r.disturbances, capacity, start, end, still, modes,
                        converged)
    if resources is not None:
        summary["resources"] = resource_figures(r.series, rows, start, end, MODEL_NAME)
        summary["energy"] = energy_figures(r.series, sim.scenario.nodes, start, end)
    return r, rows, summary, converged


def _request_cpu(series: SeriesSet, rows: list[tuple[float, str, str, float]], start: float,
                 end: float) -> dict[str, float | None]:
    """Mean and peak share of the cluster's CPU (of the nodes up) spent on requests."""
    per_bin: dict[float, float] = {}
    for t, _e, _m, v in rows:
        per_bin[t] = per_bin.get(t, 0.0) + v
    cap = series.get("cluster", "cpus")
    shares = [v / c for t, v in sorted(per_bin.items()) if (c := value_at(*cap, t))]
    mean_cap = time_mean(*cap, start, end)
    total = sum(per_bin.values()) / len(per_bin) if per_bin else 0.0
    return {"mean": float(total / mean_cap) if mean_cap else None,
            "peak": float(max(shares)) if shares else None}
