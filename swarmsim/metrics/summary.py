"""The run summary: pure reductions of the series, the task rows and the disturbances.

Every figure is defined in ``docs/metrics.md``; the functions here take plain data
(series as ``(times, values)`` lists, :class:`TaskRow` lists) and return JSON-ready data.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from swarmsim.metrics.records import Disturbance, TaskRow
from swarmsim.metrics.series import SeriesSet, cv, ratio, segments, time_max, time_mean, value_at

Series = tuple[Sequence[float], Sequence[float]]


def entities(series: SeriesSet, kind: str) -> list[str]:
    """Names of the ``kind`` entities (``node``, ``service``) that have series, sorted."""
    prefix = f"{kind}:"
    return sorted({e[len(prefix):] for e, _m in series.keys() if e.startswith(prefix)})


def availability(running: Series, desired: Series, end: float) -> dict[str, float | None]:
    """Availability of one service.

    The window starts when the service first has ``running >= desired`` (its deployment
    time, ``deployed_after``, is counted from its first sample) and ends at ``end``;
    ``availability`` is the fraction of the window with ``running >= desired`` and
    ``downtime`` the seconds without.
    """
    times = sorted(set(running[0]) | set(desired[0]))
    times = [t for t in times if t <= end]
    if not times:
        return {"availability": None, "downtime": None, "deployed_after": None}
    created = times[0]
    ok = [value_at(*running, t) >= value_at(*desired, t) for t in times]
    if True not in ok:
        return {"availability": 0.0, "downtime": end - created, "deployed_after": None}
    first = ok.index(True)
    start = times[first]
    down = 0.0
    for i in range(first, len(times)):
        stop = times[i + 1] if i + 1 < len(times) else end
        if not ok[i]:
            down += max(0.0, min(stop, end) - times[i])
    span = end - start
    return {
        "availability": 1.0 - down / span if span > 0 else 1.0,
        "downtime": down,
        "deployed_after": start - created,
    }


def converge_times(series: SeriesSet, disturbances: Sequence[Disturbance],
                   end: float) -> list[Disturbance]:
    """Each disturbance with ``converged_after`` filled in.

    A disturbance concerns its own service (deploy, scale, update, remove, a task that
    failed or was killed) or every service (node and machine events). For each service
    it concerns, its window runs from its time to the next later disturbance concerning
    that service (or ``end``); the service was disturbed if its ``converged`` series
    changes in that window (a disturbance of one service always disturbs it).
    ``converged_after`` is the time from the disturbance to the moment the last disturbed
    service settled for good in its window (0 if none was disturbed), or None if one is
    still unsettled when its window ends.
    """
    services = entities(series, "service")
    concern: dict[str, list[float]] = {name: [] for name in services}
    for d in disturbances:
        for name in [d.service] if d.service else services:
            concern.setdefault(name, []).append(d.time)
    for times in concern.values():
        times.sort()
    out = []
    for d in disturbances:
        worst: float | None = 0.0
        for name in [d.service] if d.service else services:
            times = concern[name]
            k = bisect_right(times, d.time)
            stop = times[k] if k < len(times) else end
            st, sv = series.get(f"service:{name}", "converged")
            lo, hi = bisect_left(st, d.time), bisect_left(st, stop)
            if lo == hi:
                if d.service and hi and not sv[hi - 1]:  # its own service never settled
                    worst = None
                    break
                continue
            if not sv[hi - 1]:
                worst = None
                break
            worst = max(worst or 0.0, st[hi - 1] - d.time)
        out.append(replace(d, converged_after=worst))
    return out


def pending_stats(rows: Sequence[TaskRow], still: set[str] | None = None) -> dict[str, Any]:
    """Time tasks spent ``pending``: mean, max, how many tasks were, how many still are."""
    times = [r.pending_time for r in rows if r.pending_at is not None]
    still_pending = sum(1 for r in rows if still and r.task_id in still)
    return {
        "tasks": len(times),
        "mean": sum(times) / len(times) if times else None,
        "max": max(times) if times else None,
        "still_pending": still_pending,
    }


def restarts(rows: Sequence[TaskRow]) -> dict[str, int]:
    """Replacement tasks by the cause that ended the task they replaced, sorted."""
    by_id = {r.task_id: r for r in rows}
    out: dict[str, int] = {}
    for r in rows:
        if r.restart_of and r.restart_of in by_id:
            cause = by_id[r.restart_of].ended_because
            out[cause] = out.get(cause, 0) + 1
    return dict(sorted(out.items()))


def placement(series: SeriesSet, start: float, end: float) -> dict[str, Any]:
    """Placement imbalance at the end (over nodes that are ready and active) and over
    the run (time-weighted mean of the cluster's coefficients of variation)."""
    tasks, cpus = [], []
    for name in entities(series, "node"):
        entity = f"node:{name}"
        if value_at(*series.get(entity, "ready"), end) and value_at(
                *series.get(entity, "active"), end):
            tasks.append(value_at(*series.get(entity, "tasks"), end))
            cpus.append(value_at(*series.get(entity, "reserved_cpus"), end))
    in_use = series.get("cluster", "nodes_in_use")
    means = {}
    for name in ("tasks", "reserved_cpus"):
        ever = time_max(*series.get("cluster", name), start, end)
        means[name] = time_mean(*series.get("cluster", f"cv_{name}"), start, end) if ever else None
    return {
        "nodes": len(tasks),
        "cv_tasks": cv(tasks),
        "cv_reserved_cpus": cv(cpus),
        "cv_tasks_mean": means["tasks"],
        "cv_reserved_cpus_mean": means["reserved_cpus"],
        "nodes_in_use": int(value_at(*in_use, end)),
        "nodes_in_use_max": int(time_max(*in_use, start, end) or 0),
    }


#: utilisation figures: (summary name, series, capacity series)
_UTILISATION = (
    ("cpu_used", "used_cpus", "cpus"),
    ("cpu_demanded", "demanded_cpus", "cpus"),
    ("cpu_throttled", "throttled_cpus", "cpus"),
    ("cpu_reserved", "reserved_cpus", "cpus"),
    ("cpu_limit", "limit_cpus", "cpus"),
    ("memory_used", "used_memory", "memory"),
    ("memory_reserved", "reserved_memory", "memory"),
    ("memory_limit", "limit_memory", "memory"),
)


def _level(s: Series, start: float, end: float) -> dict[str, float | None]:
    return {"mean": time_mean(*s, start, end), "peak": time_max(*s, start, end)}


def utilisation(series: SeriesSet, capacity: Mapping[str, tuple[float, int]], start: float,
                end: float) -> dict[str, Any]:
    """Mean and peak utilisation (fractions of capacity) of the cluster (of the nodes
    that are up) and of each node: CPU used, demanded, throttled, reserved and the sum
    of limits; memory used, reserved and the sum of limits."""
    cluster = {}
    for name, metric, cap in _UTILISATION:
        cluster[name] = _level(ratio(series.get("cluster", metric), series.get("cluster", cap)),
                               start, end)
    nodes = {}
    for node in entities(series, "node"):
        cpus, memory = capacity.get(node, (0.0, 0))
        entity = f"node:{node}"
        nodes[node] = {
            name: _level(_scaled(series.get(entity, metric), cap), start, end)
            for name, metric, cap in (
                (n, m, cpus if c == "cpus" else memory) for n, m, c in _UTILISATION)
        }
    return {"cluster": cluster, "nodes": nodes}


def _scaled(s: Series, cap: float) -> Series:
    return list(s[0]), [v / cap if cap else 0.0 for v in s[1]]


def time_in(s: Series, start: float, end: float, pred: Any) -> float:
    """Seconds in ``[start, end]`` during which ``pred(value)`` holds."""
    return sum(b - a for a, b, v in segments(*s, start, end) if pred(v))


def summarize(series: SeriesSet, rows: Sequence[TaskRow], disturbances: Sequence[Disturbance],
              capacity: Mapping[str, tuple[float, int]], start: float, end: float,
              still_pending: set[str] | None = None,
              modes: Mapping[str, str] | None = None,
              converged: Sequence[Disturbance] | None = None) -> dict[str, Any]:
    """The whole summary of a run (``summary.json`` without request figures).

    ``converged``: the disturbances with their ``converged_after``, when the caller has
    them already (:func:`converge_times`; computed here otherwise)."""
    modes = modes or {}
    services: dict[str, Any] = {}
    by_service: dict[str, list[TaskRow]] = {}  # one pass over the rows, not one per service
    for r in rows:
        by_service.setdefault(r.service, []).append(r)
    for name in entities(series, "service"):
        entity = f"service:{name}"
        running, desired = series.get(entity, "running"), series.get(entity, "desired")
        mine = by_service.get(name, [])
        mode = modes.get(name, "")
        avail = availability(running, desired, end)
        if mode.endswith("-job"):
            avail = {"availability": None, "downtime": None, "deployed_after": None}
        services[name] = {
            "mode": mode,
            "desired": int(value_at(*desired, end)),
            "running": int(value_at(*running, end)),
            **avail,
            "pending_time": pending_stats(mine, still_pending),
            "restarts": restarts(mine),
        }
    done = converge_times(series, disturbances, end) if converged is None else converged
    times = [d.converged_after for d in done if d.converged_after is not None]
    counted = restarts(rows)
    return {
        "start": start,
        "end": end,
        "services": services,
        "disturbances": [
            {"time": d.time, "kind": d.kind, "target": d.target, "detail": d.detail,
             "service": d.service, "converged_after": d.converged_after}
            for d in done
        ],
        "convergence": {
            "disturbances": len(done),
            "mean": sum(times) / len(times) if times else None,
            "max": max(times) if times else None,
            "not_converged": sum(1 for d in done if d.converged_after is None),
        },
        "pending_time": pending_stats(rows, still_pending),
        "restarts": {"total": sum(counted.values()), "by_cause": counted},
        "placement": placement(series, start, end),
        "utilisation": utilisation(series, capacity, start, end),
    }
