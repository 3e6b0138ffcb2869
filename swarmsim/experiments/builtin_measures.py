"""The built-in measures, written as a user's measure is (``docs/research.md`` gives
every formula).  Each takes a :class:`Run` (what a
:class:`~swarmsim.experiments.measures.RunView` offers a measure) and returns named
floats over its window ``W = [start, end]`` (``start``: the warm-up); NaN where the run
has no such number.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any, Protocol

import numpy as np

from swarmsim.metrics.series import ratio, time_max, time_mean, value_at
from swarmsim.metrics.usage import energy_figures

NAN = math.nan


class Run(Protocol):
    """What a measure reads of a finished run; :class:`~swarmsim.experiments.measures.RunView`
    is the one implementation (the protocol keeps this module from importing it back)."""

    @property
    def start(self) -> float: ...
    @property
    def end(self) -> float: ...
    @property
    def slo(self) -> float | None: ...
    @property
    def sim(self) -> Any: ...
    @property
    def series(self) -> Any: ...
    @property
    def tasks(self) -> tuple[Any, ...]: ...
    @property
    def still_pending(self) -> set[str]: ...
    @property
    def disturbances(self) -> tuple[Any, ...]: ...
    @property
    def services(self) -> dict[str, str]: ...
    @property
    def requests(self) -> Any: ...
    def get(self, entity: str, metric: str) -> tuple[list[float], list[float]]: ...
    def add_usage(self) -> None: ...


def _or_nan(x: float | None) -> float:
    return NAN if x is None else float(x)


def placement(run: Run) -> dict[str, float]:
    """Nodes in use and the imbalance of tasks across nodes."""
    in_use = run.get("cluster", "nodes_in_use")
    return {
        "nodes_in_use": value_at(*in_use, run.end),
        "nodes_in_use_max": _or_nan(time_max(*in_use, run.start, run.end)),
        "cv_tasks_mean": _or_nan(time_mean(*run.get("cluster", "cv_tasks"), run.start,
                                           run.end)),
    }


def _pieces(change_points: tuple[list[float], ...], start: float,
            end: float) -> list[tuple[float, float, float]]:
    """``(t, a, b)``: the pieces ``[a, b]`` of ``[start, end]`` between the union of
    the change points, each with the change point ``t`` whose levels hold on it."""
    times = sorted(set().union(*change_points) | {start})
    out = []
    for i, t in enumerate(times):
        a, b = max(t, start), min(times[i + 1] if i + 1 < len(times) else end, end)
        if b > a:
            out.append((t, a, b))
    return out


def _service_window(run: Run, name: str) -> tuple[float, bool]:
    """Where a service's availability window starts: its deployment (first time it had
    ``running >= desired``) or the warm-up, whichever is later; and whether it was
    ever deployed (if not, the window starts at its creation)."""
    running, desired = run.get(f"service:{name}", "running"), run.get(f"service:{name}",
                                                                       "desired")
    times = sorted(set(running[0]) | set(desired[0]))
    for t in times:
        if value_at(*running, t) >= value_at(*desired, t):
            return max(t, run.start), True
    return max(times[0] if times else run.end, run.start), False


def availability(run: Run) -> dict[str, float]:
    """Replica availability, all-replicas availability and downtime, over services."""
    replica, whole, down = [], [], 0.0
    for name, mode in run.services.items():
        if mode.endswith("-job"):
            continue
        start, deployed = _service_window(run, name)
        running = run.get(f"service:{name}", "running")
        desired = run.get(f"service:{name}", "desired")
        want = have = ok = span = 0.0
        for t, a, b in _pieces((running[0], desired[0]), start, run.end):
            r, d = value_at(*running, t), value_at(*desired, t)
            want += d * (b - a)
            have += min(r, d) * (b - a)
            span += b - a
            if r >= d:
                ok += b - a
        if span <= 0:
            continue
        if want > 0:
            replica.append(have / want)
        whole.append(ok / span if deployed else 0.0)
        down += span - ok
    return {
        "replica_availability": sum(replica) / len(replica) if replica else NAN,
        "all_replicas_availability": sum(whole) / len(whole) if whole else NAN,
        "downtime": down if whole else NAN,
    }


def failures(run: Run) -> dict[str, float]:
    """What crashes cost: replicas lost, time to recover, reschedules, OOM kills."""
    lost, recover = [], []
    for d in run.disturbances:
        if d.kind != "crash" or not run.start <= d.time <= run.end:
            continue
        lost.append(sum(
            1 for t in run.tasks
            if t.node == d.target and t.running_at is not None and t.running_at <= d.time
            and (t.stopped_at is None or t.stopped_at >= d.time)))
        if d.converged_after is not None:
            recover.append(d.converged_after)
    in_window = [t for t in run.tasks if run.start <= t.created <= run.end]
    return {
        "lost_per_crash": sum(lost) / len(lost) if lost else NAN,
        "lost_per_crash_max": float(max(lost)) if lost else NAN,
        "time_to_recover": sum(recover) / len(recover) if recover else NAN,
        "reschedules": float(sum(1 for t in in_window if t.restart_of)),
        "oom_kills": float(sum(1 for t in run.tasks if t.ended_because == "oom"
                               and t.ended_at is not None and t.ended_at >= run.start)),
    }


def convergence(run: Run) -> dict[str, float]:
    """Mean seconds to settle after a disturbance in the window."""
    times = [d.converged_after for d in run.disturbances
             if run.start <= d.time <= run.end and d.converged_after is not None]
    return {"convergence_mean": sum(times) / len(times) if times else NAN}


def pending(run: Run) -> dict[str, float]:
    """Time tasks waited for a node, and tasks still waiting at the end."""
    waits = [t.pending_time for t in run.tasks
             if t.pending_at is not None and t.created >= run.start]
    return {
        "pending_time_mean": sum(waits) / len(waits) if waits else NAN,
        "pending_time_max": max(waits) if waits else NAN,
        "pending_still": float(sum(1 for t in run.tasks if t.task_id in run.still_pending)),
    }


def utilisation(run: Run) -> dict[str, float]:
    """Used, throttled and reserved CPU, used and reserved memory, as fractions of the
    capacity up, mean and peak; the imbalance of reserved CPU; capacity stranded while
    tasks wait."""
    out: dict[str, float] = {}
    for name, metric, cap in (("cpu_used", "used_cpus", "cpus"),
                              ("cpu_throttled", "throttled_cpus", "cpus"),
                              ("cpu_reserved", "reserved_cpus", "cpus"),
                              ("memory_used", "used_memory", "memory"),
                              ("memory_reserved", "reserved_memory", "memory")):
        s = ratio(run.get("cluster", metric), run.get("cluster", cap))
        out[f"{name}_mean"] = _or_nan(time_mean(*s, run.start, run.end))
        out[f"{name}_peak"] = _or_nan(time_max(*s, run.start, run.end))
    out["imbalance_cpu_reserved"] = _or_nan(time_mean(*run.get("cluster", "cv_reserved_cpus"),
                                                      run.start, run.end))
    span = run.end - run.start
    waiting = run.get("cluster", "pending")
    for name, metric, cap in (("cpu", "reserved_cpus", "cpus"),
                              ("memory", "reserved_memory", "memory")):
        reserved, up = run.get("cluster", metric), run.get("cluster", cap)
        total = 0.0
        for t, a, b in _pieces((reserved[0], up[0], waiting[0]), run.start, run.end):
            have = value_at(*up, t)
            if have > 0 and value_at(*waiting, t) > 0:
                total += (b - a) * max(0.0, 1.0 - value_at(*reserved, t) / have)
        out[f"stranded_{name}"] = total / span if span > 0 else NAN
    return out


def requests(run: Run) -> dict[str, float]:
    """Latency quantiles, throughput, errors and SLO violations of the requests."""
    req = run.requests
    n = len(req)
    span = run.end - run.start
    failed = int(np.count_nonzero(~req.ok))
    lat = req.latency[req.ok]
    q = np.quantile(lat, (0.5, 0.95, 0.99)) if lat.size else (NAN, NAN, NAN)
    out = {
        "throughput": (n - failed) / span if n and span > 0 else NAN,
        "errors": float(failed) if n else NAN,
        "error_rate": failed / n if n else NAN,
        "latency_p50": float(q[0]),
        "latency_p95": float(q[1]),
        "latency_p99": float(q[2]),
    }
    if run.slo is not None:
        slow = int(np.count_nonzero(lat > run.slo))
        out["slo_violations"] = (failed + slow) / n if n else NAN
    return out


def energy(run: Run) -> dict[str, float]:
    """Watt-hours the machines drew (the linear power model of ``nodes[].power``)."""
    run.add_usage()
    return {"energy_wh": float(energy_figures(run.series, run.sim.scenario.nodes, run.start,
                                              run.end)["total_wh"])}


#: built-in measures by short name
BUILTIN: dict[str, Callable[[Run], Mapping[str, float]]] = {
    "placement": placement,
    "availability": availability,
    "failures": failures,
    "convergence": convergence,
    "pending": pending,
    "utilisation": utilisation,
    "requests": requests,
    "energy": energy,
}

#: what each built-in column holds (the formulas are in docs/research.md)
DESCRIPTIONS: dict[str, str] = {
    "energy_wh": "watt-hours the machines drew (linear power model)",
    "nodes_in_use": "nodes running tasks at the end",
    "nodes_in_use_max": "most nodes running tasks at once",
    "cv_tasks_mean": "time-mean CV of tasks per node",
    "replica_availability": "time-weighted share of desired replicas running",
    "all_replicas_availability": "share of time with all replicas running",
    "downtime": "seconds short of replicas, summed over services",
    "lost_per_crash": "running replicas lost per crash (mean)",
    "lost_per_crash_max": "running replicas lost in the worst crash",
    "time_to_recover": "seconds from a crash to convergence (mean)",
    "reschedules": "replacement tasks created",
    "oom_kills": "tasks killed for exceeding their memory limit",
    "convergence_mean": "seconds to converge after a disturbance (mean)",
    "pending_time_mean": "seconds a task waited for a node (mean)",
    "pending_time_max": "longest wait for a node (s)",
    "pending_still": "tasks still pending at the end",
    "cpu_used_mean": "CPU used / CPU up (time mean)",
    "cpu_used_peak": "CPU used / CPU up (peak)",
    "cpu_throttled_mean": "CPU wanted, not got / CPU up (time mean)",
    "cpu_throttled_peak": "CPU wanted, not got / CPU up (peak)",
    "cpu_reserved_mean": "CPU reserved / CPU up (time mean)",
    "cpu_reserved_peak": "CPU reserved / CPU up (peak)",
    "memory_used_mean": "memory used / memory up (time mean)",
    "memory_used_peak": "memory used / memory up (peak)",
    "memory_reserved_mean": "memory reserved / memory up (time mean)",
    "memory_reserved_peak": "memory reserved / memory up (peak)",
    "imbalance_cpu_reserved": "time-mean CV of reserved CPU per node",
    "stranded_cpu": "free CPU share while tasks wait (time mean)",
    "stranded_memory": "free memory share while tasks wait (time mean)",
    "throughput": "answered requests per second",
    "errors": "failed requests",
    "error_rate": "failed / all requests",
    "latency_p50": "median request latency (s)",
    "latency_p95": "95th percentile request latency (s)",
    "latency_p99": "99th percentile request latency (s)",
    "slo_violations": "share of requests failed or slower than the SLO",
}

#: the columns each built-in returns, in order
COLUMNS: dict[str, tuple[str, ...]] = {
    "placement": ("nodes_in_use", "nodes_in_use_max", "cv_tasks_mean"),
    "availability": ("replica_availability", "all_replicas_availability", "downtime"),
    "failures": ("lost_per_crash", "lost_per_crash_max", "time_to_recover", "reschedules",
                 "oom_kills"),
    "convergence": ("convergence_mean",),
    "pending": ("pending_time_mean", "pending_time_max", "pending_still"),
    "utilisation": ("cpu_used_mean", "cpu_used_peak", "cpu_throttled_mean",
                    "cpu_throttled_peak", "cpu_reserved_mean",
                    "cpu_reserved_peak", "memory_used_mean", "memory_used_peak",
                    "memory_reserved_mean", "memory_reserved_peak", "imbalance_cpu_reserved",
                    "stranded_cpu", "stranded_memory"),
    "requests": ("throughput", "errors", "error_rate", "latency_p50", "latency_p95",
                 "latency_p99", "slo_violations"),
    "energy": ("energy_wh",),
}
