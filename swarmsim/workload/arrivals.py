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
from collections.abc import Iterator
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
        self._marks = np.empty((4, 0))
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

    def _draw_marks(self, n: int) -> np.ndarray:
        parts = [self._marks]
        have = self._marks.shape[1]
        rng = self._marks_rng
        while have < n:
            parts.append(np.stack([rng.random(BLOCK), rng.random(BLOCK),
                                   rng.standard_exponential(BLOCK), rng.standard_normal(BLOCK)]))
            have += BLOCK
        marks = np.concatenate(parts, axis=1) if len(parts) > 1 else self._marks
        taken, self._marks = marks[:, :n], marks[:, n:]
        return taken
