"""Background usage profiles: one step function per container and resource.

A :class:`Cursor` follows one profile from a container's start: ``value`` holds until
``next_at`` (absolute simulated seconds; ``inf`` for never), then :meth:`Cursor.advance`
moves it on. ``steps`` and ``trace`` count from the container's start; ``diurnal``
follows the run's clock (sampled on a grid of ``step`` from 0); a ``random_walk`` takes
one normal step of ``sigma`` every ``step`` from the start, kept within its bounds,
drawn from the container's own generator.
"""

from __future__ import annotations

import bisect
import math

import numpy as np

from swarmsim.input.specs import UsageProfile

#: diurnal values by (profile identity, step index): every container of a service shares
#: its profile object, and the value depends on the clock only (a pure cache)
_DIURNAL: dict[tuple[int, int], tuple[UsageProfile, float]] = {}


class Cursor:
    """One profile's current value and when it changes next."""

    __slots__ = ("_k", "_rng", "_start", "next_at", "profile", "value")

    def __init__(self, profile: UsageProfile, start: float, rng: np.random.Generator | None
                 ) -> None:
        self.profile = profile
        self._start = start
        self._rng = rng
        self._k = 0
        self.value = 0.0
        self.next_at = math.inf
        self._at(start)

    def advance(self) -> None:
        """Move to the value from :attr:`next_at` on."""
        self._at(self.next_at)

    def _at(self, now: float) -> None:
        p = self.profile
        kind = p.kind
        if kind == "constant":
            self.value, self.next_at = p.value, math.inf
        elif kind in ("steps", "trace"):
            self._steps(now)
        elif kind == "diurnal":  # a function of the run's clock: shared by every cursor
            k = math.floor(now / p.step + 1e-9)
            key = (id(p), k)
            hit = _DIURNAL.get(key)
            if hit is None or hit[0] is not p:  # the entry keeps p alive: ids stay unique
                if len(_DIURNAL) > 100_000:
                    _DIURNAL.clear()
                t = k * p.step
                hit = _DIURNAL[key] = (p, max(0.0, p.mean + p.amplitude * math.cos(
                    2 * math.pi * (t - p.peak) / p.period)))
            self.value = hit[1]
            self.next_at = (k + 1) * p.step
        else:  # random_walk
            if self._k == 0:
                self.value = p.value
            else:
                step = float(self._rng.normal(0.0, p.sigma)) if self._rng is not None else 0.0
                self.value = min(max(self.value + step, p.low), p.high)
            self._k += 1
            self.next_at = self._start + self._k * p.step

    def _steps(self, now: float) -> None:
        p = self.profile
        times = [t for t, _ in p.points]
        since = now - self._start
        base = 0.0
        if p.period:
            cycles = math.floor(since / p.period + 1e-9)
            base = cycles * p.period
            since -= base
        i = bisect.bisect_right(times, since + 1e-9) - 1
        if i >= 0:
            self.value = p.points[i][1]
        else:  # before the first step: nothing, or the last step of the previous cycle
            self.value = p.points[-1][1] if base > 0 else 0.0
        if i + 1 < len(times):
            self.next_at = self._start + base + times[i + 1]
        elif p.period:
            self.next_at = self._start + base + p.period + times[0]
        else:
            self.next_at = math.inf
