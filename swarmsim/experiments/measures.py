"""The per-run numbers experiments compare: a flat row taken from the run's metrics."""

from __future__ import annotations

import math
from typing import Any

#: metric columns of a replication record, in table order
METRICS: tuple[str, ...] = (
    "nodes_in_use",
    "nodes_in_use_max",
    "cv_tasks_mean",
    "availability",
    "downtime",
    "lost_per_crash",
    "lost_per_crash_max",
    "restarts",
    "convergence_mean",
    "pending_still",
    "error_rate",
    "latency_p95",
)

#: what each metric means, for tables and docs
DESCRIPTIONS: dict[str, str] = {
    "nodes_in_use": "nodes running tasks at the end",
    "nodes_in_use_max": "most nodes running tasks at once",
    "cv_tasks_mean": "time-mean coefficient of variation of tasks per node",
    "availability": "mean over services of the time fraction with all replicas running",
    "downtime": "seconds with a service short of replicas, summed over services",
    "lost_per_crash": "running replicas on a node when it crashed, mean over crashes",
    "lost_per_crash_max": "running replicas on a node when it crashed, worst crash",
    "restarts": "replacement tasks started",
    "convergence_mean": "mean seconds to converge after a disturbance",
    "pending_still": "tasks still pending at the end",
    "error_rate": "failed / all requests",
    "latency_p95": "95th percentile request latency (s)",
}


def _num(value: Any) -> float:
    if value is None or isinstance(value, bool):
        return math.nan
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan


def measure(metrics: Any) -> dict[str, float]:
    """The :data:`METRICS` of one run (NaN where the run has no such number).

    Args:
        metrics: a :class:`swarmsim.metrics.RunMetrics`.
    """
    summary = metrics.summary
    services = summary.get("services") or {}
    placement = summary.get("placement") or {}
    requests = summary.get("requests") or {}
    avail = [_num(s.get("availability")) for _, s in sorted(services.items())]
    avail = [a for a in avail if math.isfinite(a)]
    down = [_num(s.get("downtime")) for _, s in sorted(services.items())]
    lost = []
    for d in metrics.disturbances:
        if d.kind != "crash":
            continue
        lost.append(sum(
            1 for t in metrics.tasks
            if t.node == d.target and t.running_at is not None and t.running_at <= d.time
            and (t.stopped_at is None or t.stopped_at >= d.time)
        ))
    return {
        "nodes_in_use": _num(placement.get("nodes_in_use")),
        "nodes_in_use_max": _num(placement.get("nodes_in_use_max")),
        "cv_tasks_mean": _num(placement.get("cv_tasks_mean")),
        "availability": sum(avail) / len(avail) if avail else math.nan,
        "downtime": math.fsum(d for d in down if math.isfinite(d)) if down else math.nan,
        "lost_per_crash": sum(lost) / len(lost) if lost else math.nan,
        "lost_per_crash_max": float(max(lost)) if lost else math.nan,
        "restarts": _num((summary.get("restarts") or {}).get("total")),
        "convergence_mean": _num((summary.get("convergence") or {}).get("mean")),
        "pending_still": _num((summary.get("pending_time") or {}).get("still_pending")),
        "error_rate": _num(requests.get("error_rate")),
        "latency_p95": _num(requests.get("latency_p95")),
    }
