"""Traffic figures: what the users of the stack experienced.

Per workload (and per service), at the current time:

* ``sent``: requests sent so far;
* ``ok`` / ``timeout`` / ``refused`` / ``rejected``: requests whose client knows the
  outcome; ``in_flight``: the others, so ``sent = ok + timeout + refused + rejected +
  in_flight`` always;
* ``throughput``: ``ok`` per second of the workload's window (from its ``start`` to its
  ``stop`` or now, whichever is first); for a service, the sum over the workloads that
  reached it;
* ``latency``: mean and percentiles (numpy's linear interpolation) of the ``ok``
  requests' latencies in seconds, ``null`` when there are none.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from swarmsim.workload.records import OK, OUTCOMES, Columns

if TYPE_CHECKING:
    from swarmsim.input.workload import WorkloadSpec
    from swarmsim.workload.traffic import Traffic

PERCENTILES = (50, 95, 99)


class TrafficRun(Protocol):
    """What the traffic figures read of a run: its time and its traffic."""

    @property
    def now(self) -> float: ...

    @property
    def traffic(self) -> Traffic: ...


def window(spec: WorkloadSpec, now: float) -> float:
    """Seconds of the workload's window that have passed by ``now``."""
    stop = now if spec.stop_s is None else min(spec.stop_s, now)
    return max(0.0, stop - spec.start_s)


def figures(cols: Columns, rows: np.ndarray, now: float, seconds: float | None) -> dict[str, Any]:
    """The figures of the requests ``rows`` (a boolean mask or indexes) at ``now``.

    Args:
        cols: the request records.
        rows: which requests.
        now: the current time (requests ending later are in flight).
        seconds: the window throughput is computed over (None: leave ``throughput`` to
            the caller, set to 0.0).
    """
    mine = slice(None) if rows.dtype == bool and rows.all() else rows  # all: no copies
    outcome = cols.outcome[mine]
    done = cols.end[mine] <= now
    counts = np.bincount(outcome[done], minlength=len(OUTCOMES))
    out: dict[str, Any] = {"sent": len(outcome)}
    for code, name in enumerate(OUTCOMES):
        out[name] = int(counts[code])
    out["in_flight"] = int(np.count_nonzero(~done))
    out["throughput"] = out["ok"] / seconds if seconds else 0.0
    # a copy of the rows: sorted where it is
    out["latency"] = latency_stats(cols.latency[mine][done & (outcome == OK)], in_place=True)
    return out


def latency_stats(latency: np.ndarray, *, in_place: bool = False) -> dict[str, float | None]:
    """Mean, p50, p95 and p99 of latencies (seconds), None when empty.

    With ``in_place`` the caller's array is sorted where it is instead of a sorted copy
    (one copy of a million latencies less).
    """
    if not len(latency):
        return {"mean": None, **{f"p{p}": None for p in PERCENTILES}}
    if in_place:
        latency.sort()
    ordered = latency if in_place else np.sort(latency)
    out: dict[str, float | None] = {"mean": float(ordered.mean())}
    for p in PERCENTILES:  # numpy's default ("linear") percentile, from one sort
        pos = p / 100 * (len(ordered) - 1)
        lo = int(pos)
        hi = min(lo + 1, len(ordered) - 1)
        out[f"p{p}"] = float(ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo))
    return out


def traffic_document(sim: TrafficRun) -> dict[str, Any]:
    """``requests`` (by workload name) and ``requests_by_service`` (by service name) of
    a run, or ``{}`` when its scenario has no workload."""
    traffic = getattr(sim, "traffic", None)
    if traffic is None or not traffic.workloads:
        return {}
    cols = traffic.records()
    now = sim.now
    by_workload: dict[str, Any] = {}
    masks = []
    for w, spec in enumerate(traffic.workloads):
        masks.append(cols.workload == w)
        by_workload[spec.name] = figures(cols, masks[-1], now, window(spec, now))
    by_service: dict[str, Any] = {}
    for s, name in sorted(enumerate(traffic.services), key=lambda p: p[1]):
        rows = cols.service == s
        if not np.any(rows):
            continue
        same = [w for w, mask in enumerate(masks) if np.array_equal(mask, rows)]
        if same:  # the service's requests are exactly one workload's: its throughput
            by_service[name] = {**by_workload[traffic.workloads[same[0]].name]}
            continue
        doc = figures(cols, rows, now, None)
        rate = 0.0
        for w, spec in enumerate(traffic.workloads):
            seconds = window(spec, now)
            if seconds:
                mine = rows & (cols.workload == w) & (cols.outcome == OK) & (cols.end <= now)
                rate += int(np.count_nonzero(mine)) / seconds
        doc["throughput"] = rate
        by_service[name] = doc
    return {"requests": by_workload, "requests_by_service": by_service}
