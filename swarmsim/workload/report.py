"""Traffic as text and CSV: the summary ``swarmsim run`` prints and the files ``--out``
writes.

``requests.csv`` has one row per request (``time, workload, entry, service, task_id,
task, node, latency, outcome``; requests still in flight have outcome ``in_flight``
and no latency).  Above :data:`CSV_REQUEST_LIMIT` requests it would be too big to be
useful, so ``requests_by_time.csv`` is written instead: per time bucket (by send time)
and workload, the counts of each outcome and the latency figures of the ``ok``
requests, with buckets of :func:`bucket_width`.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path
from typing import Any

import numpy as np

from swarmsim.foundation.text import sim_clock, table
from swarmsim.workload.records import OK, OUTCOMES
from swarmsim.workload.summary import TrafficRun, latency_stats, traffic_document

#: above this many requests, ``--out`` writes time-bucketed aggregates, not requests
CSV_REQUEST_LIMIT = 200_000
#: the most buckets ``requests_by_time.csv`` has per workload
MAX_BUCKETS = 10_000
_COLUMNS = ("SENT", "OK", "TIMEOUT", "REFUSED", "REJECTED", "IN FLIGHT", "THROUGHPUT",
            "MEAN", "P50", "P95", "P99")


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value * 1000:.1f}ms"


def _cells(doc: dict[str, Any]) -> list[str]:
    lat = doc["latency"]
    return [str(doc["sent"]), str(doc["ok"]), str(doc["timeout"]), str(doc["refused"]),
            str(doc["rejected"]), str(doc["in_flight"]), f"{doc['throughput']:.1f}/s",
            _ms(lat["mean"]), _ms(lat["p50"]), _ms(lat["p95"]), _ms(lat["p99"])]


def error_rows(sim: TrafficRun) -> list[list[str]]:
    """Per workload and error cause: the count and the send times of the first and last
    failed request (``h:mm:ss.mmm``)."""
    traffic = sim.traffic
    cols = traffic.records()
    done = cols.end <= sim.now
    rows = []
    for w, spec in enumerate(traffic.workloads):
        mine = done & (cols.workload == w)
        for code, cause in enumerate(OUTCOMES):
            if code == OK:
                continue
            sent = cols.send[mine & (cols.outcome == code)]
            if len(sent):
                rows.append([spec.name, cause, str(len(sent)), sim_clock(float(sent.min())),
                             sim_clock(float(sent.max()))])
    return rows


def traffic_text(sim: TrafficRun) -> str:
    """The traffic summary of a run (a table per workload, per service, and of the
    errors by cause), or "" when the scenario has no workload."""
    doc = traffic_document(sim)
    if not doc:
        return ""
    workloads = {w.name: w for w in sim.traffic.workloads}
    rows = []
    for name, figures in doc["requests"].items():
        spec = workloads[name]
        target = f"port {spec.port}" if spec.port is not None else f"service {spec.service}"
        rows.append([name, target, *_cells(figures)])
    parts = [table(["WORKLOAD", "TARGET", *_COLUMNS], rows)]
    if doc["requests_by_service"]:
        parts.append(table(["SERVICE", *_COLUMNS],
                           [[name, *_cells(f)] for name, f in doc["requests_by_service"].items()]))
    errors = error_rows(sim)
    if errors:
        parts.append(table(["WORKLOAD", "ERROR", "COUNT", "FIRST SENT", "LAST SENT"], errors))
    return "\n\n".join(parts)


def bucket_width(span: float) -> float:
    """Bucket width for ``span`` seconds: 1 s, or the smallest of 1-2-5 x 10^k seconds
    that keeps the buckets within :data:`MAX_BUCKETS`."""
    width = 1.0
    while span / width > MAX_BUCKETS:
        exp = math.floor(math.log10(width))
        mant = round(width / 10**exp)
        width = {1: 2, 2: 5, 5: 10}[mant] * 10**exp
    return float(width)


def write_traffic_csv(sim: TrafficRun, out_dir: str | Path) -> list[Path]:
    """Write ``requests.csv`` (or ``requests_by_time.csv`` above the size limit) into
    ``out_dir``; returns the paths written (none without a workload)."""
    traffic = getattr(sim, "traffic", None)
    if traffic is None or not traffic.workloads:
        return []
    cols = traffic.records()
    out = Path(out_dir)
    if len(cols) > CSV_REQUEST_LIMIT:
        return [_write_buckets(sim, cols, out / "requests_by_time.csv")]
    path = out / "requests.csv"
    now = sim.now
    names = [w.name for w in traffic.workloads]
    machines = traffic.machines
    backends = traffic.backends
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["time", "workload", "entry", "service", "task_id", "task", "node",
                         "latency", "outcome"])
        for send, end, lat, w, e, s, t, n, o in zip(
            cols.send.tolist(), cols.end.tolist(), cols.latency.tolist(),
            cols.workload.tolist(), cols.entry.tolist(), cols.service.tolist(),
            cols.task.tolist(), cols.node.tolist(), cols.outcome.tolist(), strict=True,
        ):
            done = end <= now
            writer.writerow([
                repr(send), names[w], machines[e] if e >= 0 else "",
                traffic.services[s] if s >= 0 else "",
                backends[t].task_id if t >= 0 else "", backends[t].name if t >= 0 else "",
                machines[n] if n >= 0 else "",
                repr(lat) if done else "", OUTCOMES[o] if done else "in_flight",
            ])
    return [path]


def _write_buckets(sim: TrafficRun, cols: Any, path: Path) -> Path:
    traffic = sim.traffic
    now = sim.now
    width = bucket_width(now)
    bucket = np.floor(cols.send / width).astype(np.int64)
    done = cols.end <= now
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["time", "workload", "sent", *OUTCOMES, "in_flight",
                         "latency_mean", "latency_p50", "latency_p95", "latency_p99"])
        for w, spec in enumerate(traffic.workloads):
            rows = np.flatnonzero(cols.workload == w)
            if not len(rows):
                continue
            b = bucket[rows]
            cuts = np.flatnonzero(np.diff(b)) + 1
            for lo, hi in zip(np.r_[0, cuts], np.r_[cuts, len(rows)], strict=True):
                idx = rows[lo:hi]
                fin = done[idx]
                counts = np.bincount(cols.outcome[idx][fin], minlength=len(OUTCOMES))
                ok = idx[fin & (cols.outcome[idx] == OK)]
                stats = latency_stats(cols.latency[ok], in_place=True)  # a copy
                writer.writerow([
                    repr(float(b[lo] * width)), spec.name, hi - lo, *counts.tolist(),
                    int(np.count_nonzero(~fin)),
                    *("" if v is None else repr(v) for v in stats.values()),
                ])
    return path
