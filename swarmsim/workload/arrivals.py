"""Request arrivals: send times and per-request draws, block by block.

Each workload draws from two generators of its own (seeded from the simulation's
``workload`` stream): one for send times, one for the per-request "marks" (which entry
node, which DNS answer, the cost draws).  Both are drawn in fixed-size blocks, so the
requests a workload sends do not depend on when the simulation asks for them: two runs
of the same scenario and seed send the same requests at the same times whatever the
cluster does, which makes runs of different policies directly comparable.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from swarmsim.input.workload import ArrivalSpec, WorkloadSpec

#: requests drawn at a time
BLOCK = 1 << 16


@dataclass(frozen=True, slots=True)
class Sent:
    """Requests a workload sent in one interval (parallel arrays, by send time).

    Attributes:
        time: send times.
        u_entry: uniform draws choosing the entry node.
        u_pick: uniform draws choosing among DNS answers (``dnsrr``).
        expo: standard exponential draws (exponential costs).
        normal: standard normal draws (lognormal costs).
    """

    time: np.ndarray
    u_entry: np.ndarray
    u_pick: np.ndarray
    expo: np.ndarray
    normal: np.ndarray

    def __len__(self) -> int:
        return len(self.time)


def diurnal_rate(spec: ArrivalSpec, t: np.ndarray) -> np.ndarray:
    """The diurnal arrival rate at times ``t``."""
    phase = 2 * math.pi * (np.asarray(t, dtype=float) - spec.peak_s) / spec.period_s
    return spec.rate * (1 + spec.amplitude * np.cos(phase))


def arrival_blocks(spec: ArrivalSpec, start: float, rng: np.random.Generator,
                   block: int = BLOCK) -> Iterator[np.ndarray]:
    """Send times from ``start`` on, in increasing order, one block at a time (endless
    except for ``trace``)."""
    if spec.kind == "trace":
        yield start + np.asarray(spec.times, dtype=float)
        return
    if spec.kind == "constant":
        k = 0
        while True:
            yield start + np.arange(k, k + block, dtype=float) / spec.rate
            k += block
    peak_rate = spec.rate * (1 + spec.amplitude) if spec.kind == "diurnal" else spec.rate
    last = start
    while True:
        times = last + np.cumsum(rng.exponential(1 / peak_rate, block))
        last = float(times[-1])
        if spec.kind == "diurnal":  # thinning: keep each with probability rate(t)/peak
            keep = rng.random(block) * peak_rate < diurnal_rate(spec, times)
            times = times[keep]
        yield times


#: the most records :func:`expected_requests` makes room for ahead (8M: 330 MB)
RESERVE_LIMIT = 1 << 23


def expected_requests(workloads: Sequence[WorkloadSpec], until: float) -> int:
    """About how many requests ``workloads`` send by ``until`` (a little more than the
    mean, at most :data:`RESERVE_LIMIT`): room made for the records ahead of the run."""
    total = 0.0
    for w in workloads:
        a = w.arrivals
        if a.kind == "trace":
            total += len(a.times)
            continue
        stop = until if w.stop_s is None else min(w.stop_s, until)
        total += a.rate * max(0.0, stop - w.start_s)
    if not math.isfinite(total):
        return RESERVE_LIMIT
    return int(min(total * 1.05 + 1024, RESERVE_LIMIT))


class RequestSource:
    """The requests of one workload, handed out interval by interval.

    Args:
        spec: the workload.
        seed: its own seed (from the simulation's ``workload`` stream).
    """

    def __init__(self, spec: WorkloadSpec, seed: int) -> None:
        times_seq, marks_seq = np.random.SeedSequence(seed).spawn(2)
        self.spec = spec
        self._blocks = arrival_blocks(spec.arrivals, spec.start_s, np.random.default_rng(times_seq))
        self._marks_rng = np.random.default_rng(marks_seq)
        self._times = np.empty(0)
        self._mark_blocks: list[tuple[np.ndarray, ...]] = []  # drawn, not all taken
        self._mark_pos = 0  # marks taken from the first of them
        self._done = False
        self.sent = 0

    def take(self, until: float) -> Sent:
        """Requests sent before ``until`` and not taken yet."""
        stop = self.spec.stop_s if self.spec.stop_s is not None else math.inf
        horizon = min(until, stop)
        parts = [self._times]
        last = self._times[-1] if len(self._times) else -math.inf
        while not self._done and last < horizon:
            chunk = next(self._blocks, None)
            if chunk is None:
                self._done = True
                break
            if len(chunk) and chunk[-1] >= stop:
                chunk = chunk[chunk < stop]
                self._done = True
            parts.append(chunk)
            if len(chunk):
                last = chunk[-1]
        times = np.concatenate(parts) if len(parts) > 1 else self._times
        n = int(np.searchsorted(times, horizon, side="left"))
        taken, self._times = times[:n], times[n:]
        marks = self._draw_marks(n)
        self.sent += n
        return Sent(taken, marks[0], marks[1], marks[2], marks[3])

    def _draw_marks(self, n: int) -> list[np.ndarray]:
        """The next ``n`` marks, one array per kind (views into a block when they lie in
        one: no block is copied whole)."""
        parts: list[list[np.ndarray]] = [[], [], [], []]
        rng = self._marks_rng
        while n > 0:
            if not self._mark_blocks:
                self._mark_blocks.append((rng.random(BLOCK), rng.random(BLOCK),
                                          rng.standard_exponential(BLOCK),
                                          rng.standard_normal(BLOCK)))
            block, lo = self._mark_blocks[0], self._mark_pos
            hi = min(lo + n, BLOCK)
            for part, column in zip(parts, block, strict=True):
                part.append(column[lo:hi])
            n -= hi - lo
            self._mark_pos = hi
            if hi == BLOCK:
                self._mark_blocks.pop(0)
                self._mark_pos = 0
        return [p[0] if len(p) == 1 else np.concatenate(p) if p else np.empty(0)
                for p in parts]
