"""Request figures, for runs with routing-mesh traffic.

Requests are read from the simulation's ``traffic`` component (``records()``: numpy
columns ``send``, ``end``, ``latency``, ``service``, ``node``, ``outcome``); requests
whose client does not know the outcome yet at the end of the run (in flight) are left
out. A run without that component, or whose scenario has no workload, has no request
figures. A few other shapes are accepted (records with ``time``/``latency``/``ok``
fields in a ``requests`` list or among ``sim.events`` with kind ``request``) so that
results of other traffic sources read the same way.

Latency is a tally (one value per request), not a level: it is summarised per time bin
and as quantiles, never time-weighted.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from swarmsim.input.specs import RequestSpec

QUANTILES = (0.5, 0.95, 0.99)
#: metrics of ``metrics.csv`` that are per-bin tallies, not levels
TALLY_METRICS = frozenset({"throughput", "errors", "latency_p50", "latency_p95",
                           "latency_p99", "traffic_cpus"})


@dataclass(frozen=True)
class RequestTable:
    """Requests as columns: send time, service name, node name ("" if none), latency
    (NaN when not answered), success, and the mean CPU cost (core-seconds) of serving
    one request of its service."""

    time: np.ndarray
    service: np.ndarray
    node: np.ndarray
    latency: np.ndarray
    ok: np.ndarray
    cost: np.ndarray

    def __len__(self) -> int:
        return len(self.time)

    def where(self, mask: np.ndarray) -> RequestTable:
        """The requests selected by a boolean mask."""
        return RequestTable(self.time[mask], self.service[mask], self.node[mask],
                            self.latency[mask], self.ok[mask], self.cost[mask])


def empty() -> RequestTable:
    """A table with no request."""
    z = np.zeros(0)
    return RequestTable(z, np.zeros(0, dtype=object), np.zeros(0, dtype=object), z,
                        np.zeros(0, dtype=bool), z)


def _request_cost(sim: Any, name: str) -> float:
    svc = sim.state.services.get(name) if name else None
    spec = getattr(svc.spec.sim, "request", None) if svc is not None else None
    return float((spec or RequestSpec()).cost_s)


@dataclass(frozen=True)
class RequestCodes:
    """Finished requests in send order, as :class:`RequestTable` but with each request's
    service and node as an integer code into ``services`` and ``nodes`` (names, ``""``
    for none): what the summary needs, without a name object per request."""

    time: np.ndarray
    service: np.ndarray
    node: np.ndarray
    latency: np.ndarray
    ok: np.ndarray
    cost: np.ndarray
    services: np.ndarray
    nodes: np.ndarray

    def __len__(self) -> int:
        return len(self.time)

    def table(self) -> RequestTable:
        """The same requests with names."""
        return RequestTable(self.time, self.services[self.service], self.nodes[self.node],
                            self.latency, self.ok, self.cost)

    def named(self, which: str) -> list[tuple[str, int]]:
        """``(name, code)`` of the services (``which="service"``) or nodes that some
        request has, sorted by name, leaving out the empty name."""
        names = self.services if which == "service" else self.nodes
        present = np.flatnonzero(np.bincount(getattr(self, which), minlength=len(names)))
        return sorted((str(names[c]), c) for c in present.tolist() if names[c])


def _from_traffic(sim: Any, traffic: Any) -> RequestCodes:
    cols = traffic.records()
    done = np.asarray(cols.end) <= sim.now
    if done.all():  # nothing in flight: the columns as they are
        done = slice(None)
    services = list(getattr(traffic, "services", []))
    machines = list(getattr(traffic, "machines", []))
    svc_names = np.array([*services, ""], dtype=object)
    node_names = np.array([*machines, ""], dtype=object)
    sidx = np.asarray(cols.service)[done]
    nidx = np.asarray(cols.node)[done]
    scode = np.where(sidx >= 0, sidx, len(services))
    ncode = np.where(nidx >= 0, nidx, len(machines))
    ok = np.asarray(cols.outcome)[done] == 0
    latency = np.where(ok, np.asarray(cols.latency, dtype=float)[done], np.nan)
    costs = np.array([_request_cost(sim, s) for s in services] + [0.0])
    send = np.asarray(cols.send, dtype=float)[done]
    if len(send) > 1 and not np.all(send[1:] >= send[:-1]):  # else already in send order
        order = np.argsort(send, kind="stable")
        send, scode, ncode, latency, ok = (send[order], scode[order], ncode[order],
                                           latency[order], ok[order])
    return RequestCodes(send, scode, ncode, latency, ok, costs[scode], svc_names, node_names)


def _codes_of(table: RequestTable) -> RequestCodes:
    services, scode = np.unique(table.service.astype(str), return_inverse=True)
    nodes, ncode = np.unique(table.node.astype(str), return_inverse=True)
    return RequestCodes(table.time, scode, ncode, table.latency, table.ok, table.cost,
                        services.astype(object), nodes.astype(object))


def _field(rec: Any, names: Sequence[str]) -> Any:
    for name in names:
        value = rec.get(name) if isinstance(rec, dict) else getattr(rec, name, None)
        if value is not None:
            return value
    return None


def _from_records(records: Sequence[Any]) -> RequestTable:
    rows = []
    for rec in records:
        t = _field(rec, ("time", "t", "send", "start"))
        if not isinstance(t, int | float):
            continue
        lat = _field(rec, ("latency", "latency_s", "response_time"))
        ok = _field(rec, ("ok", "success"))
        ok = (lat is not None) if ok is None else bool(ok)
        rows.append((float(t), str(_field(rec, ("service",)) or ""),
                     str(_field(rec, ("node",)) or ""),
                     float(lat) if ok and isinstance(lat, int | float) else np.nan, ok))
    if not rows:
        return empty()
    rows.sort(key=lambda r: r[0])
    return RequestTable(np.array([r[0] for r in rows]), np.array([r[1] for r in rows], object),
                        np.array([r[2] for r in rows], object), np.array([r[3] for r in rows]),
                        np.array([r[4] for r in rows], bool), np.zeros(len(rows)))


def find_requests(sim: Any) -> RequestTable:
    """Every finished request of a run (an empty table without traffic)."""
    traffic = getattr(sim, "traffic", None)
    if _has_traffic(traffic):
        return _from_traffic(sim, traffic).table()
    return _from_others(sim)


def request_codes(sim: Any) -> RequestCodes:
    """Every finished request of a run, with services and nodes as codes."""
    traffic = getattr(sim, "traffic", None)
    if _has_traffic(traffic):
        return _from_traffic(sim, traffic)
    return _codes_of(_from_others(sim))


def _has_traffic(traffic: Any) -> bool:
    return traffic is not None and bool(getattr(traffic, "workloads", None)) and hasattr(
        traffic, "records")


def _from_others(sim: Any) -> RequestTable:
    listed = getattr(sim, "requests", None)
    if isinstance(listed, list | tuple) and listed:
        return _from_records(listed)
    events = getattr(sim, "events", None) or []
    return _from_records([e for e in events if getattr(e, "kind", "") == "request"])


def figures(table: RequestTable | RequestCodes, start: float, end: float,
            mask: np.ndarray | None = None) -> dict[str, Any]:
    """Count, failures, throughput, latency mean/quantiles/max and a 101-point CDF (of
    the requests ``mask`` selects, or all)."""
    latency, ok = (table.latency, table.ok) if mask is None else (table.latency[mask],
                                                                  table.ok[mask])
    lat = latency[~np.isnan(latency)]
    n = len(latency)
    failed = int(np.count_nonzero(~ok))
    span = end - start
    out: dict[str, Any] = {
        "count": n,
        "failed": failed,
        "error_rate": failed / n if n else None,
        "throughput": (n - failed) / span if span > 0 else None,
        "latency_mean": float(lat.mean()) if lat.size else None,
        "latency_max": float(lat.max()) if lat.size else None,
    }
    # np.quantile's values, bit for bit, from one sort (test_metrics_run)
    qs = [*QUANTILES, *np.linspace(0, 1, 101).tolist()]
    lat.sort()  # a copy (of the answered requests): sorted where it is
    values = segment_quantiles(lat, [0], [lat.size], qs)[0].tolist() if lat.size else []
    for j, q in enumerate(QUANTILES):
        out[f"latency_p{round(q * 100)}"] = values[j] if lat.size else None
    out["latency_cdf"] = [[v, k / 100] for k, v in enumerate(values[len(QUANTILES):])]
    return out


def bin_width(start: float, end: float, bins: int = 60) -> float:
    """A round bin width giving about ``bins`` bins over the run."""
    raw = max((end - start) / bins, 1e-3)
    for step in (0.1, 0.25, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600):
        if step >= raw:
            return float(step)
    return float(3600 * int(np.ceil(raw / 3600)))


def _bins(table: RequestTable | RequestCodes, start: float,
          end: float) -> tuple[np.ndarray, np.ndarray, float]:
    width = bin_width(start, end)
    nbins = max(1, int(np.ceil((end - start) / width)))
    k = np.clip(((table.time - start) // width).astype(int), 0, nbins - 1)
    edges = start + width * np.arange(nbins + 1)
    return k, np.minimum(edges, end), width


def segment_quantiles(values: np.ndarray, starts: np.ndarray | Sequence[int],
                      ends: np.ndarray | Sequence[int],
                      qs: Sequence[float]) -> np.ndarray:
    """Quantiles of many segments at once, equal to ``np.quantile(values[s:e], q)`` (its
    default ``linear`` method, bit for bit) for every non-empty segment.

    Args:
        values: each segment ``values[s:e]`` sorted ascending.
        starts, ends: the segments' bounds (``ends > starts``).
        qs: the quantiles, in [0, 1].

    Returns:
        An array of shape ``(len(starts), len(qs))``.
    """
    starts = np.asarray(starts, dtype=np.intp)
    counts = np.asarray(ends, dtype=np.intp) - starts
    out = np.empty((len(starts), len(qs)))
    for j, q in enumerate(qs):
        # numpy's linear method: virtual index (n - 1) * q, its floor and the next one,
        # both the last element from n - 1 on; then its two-sided interpolation
        virtual = (counts - 1) * np.float64(q)
        below = np.floor(virtual)
        last = virtual >= counts - 1
        lo = np.where(last, counts - 1, below).astype(np.intp)
        hi = np.where(last, counts - 1, below + 1).astype(np.intp)
        gamma = np.where(last, virtual + 1, virtual - below)
        a, b = values[starts + lo], values[starts + hi]
        diff = b - a
        out[:, j] = np.where(gamma >= 0.5, b - diff * (1 - gamma), a + diff * gamma)
    return out


def binned_rows(table: RequestTable, entity: str, start: float,
                end: float) -> list[tuple[float, str, str, float]]:
    """``metrics.csv`` rows of request tallies per time bin (at each bin's start):
    ``throughput`` (answered) and ``errors`` (not answered) per second, and
    ``latency_p50/p95/p99`` in seconds (bins with answers only)."""
    k, edges, _w = _bins(table, start, end)
    nbins = len(edges) - 1
    answered = np.bincount(k[table.ok], minlength=nbins)
    unanswered = np.bincount(k[~table.ok], minlength=nbins)
    known = ~np.isnan(table.latency)
    order = np.lexsort((table.latency[known], k[known]))  # by bin, then latency
    latency = table.latency[known][order]
    bounds = np.searchsorted(k[known][order], np.arange(nbins + 1))
    filled = np.flatnonzero(bounds[1:] > bounds[:-1])
    quantiles = dict(zip(filled.tolist(), segment_quantiles(
        latency, bounds[filled], bounds[filled + 1], QUANTILES).tolist(), strict=True))
    names = [f"latency_p{round(q * 100)}" for q in QUANTILES]
    rows = []
    for b in range(nbins):
        span = float(edges[b + 1] - edges[b])
        if span <= 0:
            continue
        at = float(edges[b])
        rows.append((at, entity, "throughput", int(answered[b]) / span))
        rows.append((at, entity, "errors", int(unanswered[b]) / span))
        for name, value in zip(names, quantiles.get(b, ()), strict=False):
            rows.append((at, entity, name, value))
    return rows


def traffic_cpu_rows(codes: RequestCodes, start: float,
                     end: float) -> list[tuple[float, str, str, float]]:
    """Per node and time bin, the CPU (cores) spent serving requests, estimated as the
    requests answered there times their service's mean request cost, over the bin."""
    k, edges, _w = _bins(codes, start, end)
    rows = []
    for node, code in codes.named("node"):
        mask = (codes.node == code) & codes.ok
        mine = slice(None) if mask.all() else mask  # all of them: no copies
        spent = np.bincount(k[mine], weights=codes.cost[mine], minlength=len(edges) - 1)
        for b in range(len(edges) - 1):
            span = float(edges[b + 1] - edges[b])
            if span > 0:
                rows.append((float(edges[b]), f"node:{node}", "traffic_cpus",
                             float(spent[b]) / span))
    return rows
