"""Level series sampled at change points, and their time-weighted reductions.

A series is a step function: each sample ``(t, v)`` holds from ``t`` until the next
sample. Only changes are kept; several changes at one instant collapse into the value
after the last of them. The reductions are pure functions of ``(times, values)``.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence

Key = tuple[str, str]  # (entity, metric)


class SeriesSet:
    """Every (entity, metric) series of a run, built sample by sample."""

    def __init__(self) -> None:
        self._data: dict[Key, tuple[list[float], list[float]]] = {}

    def set(self, entity: str, metric: str, t: float, value: float) -> None:
        """The level of ``metric`` of ``entity`` is ``value`` from time ``t`` on."""
        key = (entity, metric)
        series = self._data.get(key)
        if series is None:
            self._data[key] = ([t], [value])
            return
        times, values = series
        if times[-1] == t:
            values[-1] = value
            if len(values) > 1 and values[-2] == value:
                times.pop()
                values.pop()
            return
        if values[-1] != value:
            times.append(t)
            values.append(value)

    def close(self, end: float) -> None:
        """End every series with a sample at ``end`` (its last value)."""
        for times, values in self._data.values():
            if times[-1] < end:
                times.append(end)
                values.append(values[-1])

    def get(self, entity: str, metric: str) -> tuple[list[float], list[float]]:
        """The samples of one series (empty lists if it has none)."""
        return self._data.get((entity, metric), ([], []))

    def keys(self) -> list[Key]:
        """Every (entity, metric) pair, sorted."""
        return sorted(self._data)

    def rows(self) -> Iterator[tuple[float, str, str, float]]:
        """``(time, entity, metric, value)`` rows ordered by time, then entity, metric."""
        rows = [
            (t, entity, metric, v)
            for (entity, metric), (times, values) in self._data.items()
            for t, v in zip(times, values, strict=True)
        ]
        rows.sort()  # (time, entity, metric) is unique: the value never decides
        return iter(rows)

    @classmethod
    def from_rows(cls, rows: Sequence[tuple[float, str, str, float]]) -> SeriesSet:
        """Rebuild a set from ``(time, entity, metric, value)`` rows in time order."""
        out = cls()
        for t, entity, metric, v in rows:
            times, values = out._data.setdefault((entity, metric), ([], []))
            times.append(t)
            values.append(v)
        return out


def value_at(times: Sequence[float], values: Sequence[float], t: float,
             default: float = 0.0) -> float:
    """The level at time ``t`` (after every change at ``t``)."""
    lo, hi = 0, len(times)
    while lo < hi:
        mid = (lo + hi) // 2
        if times[mid] <= t:
            lo = mid + 1
        else:
            hi = mid
    return values[lo - 1] if lo else default


def segments(times: Sequence[float], values: Sequence[float], start: float,
             end: float) -> Iterator[tuple[float, float, float]]:
    """``(from, to, value)`` pieces of the step function inside ``[start, end]``;
    before its first sample a series has no value (nothing is yielded there)."""
    n = len(times)
    for i in range(n):
        a = max(times[i], start)
        b = min(times[i + 1] if i + 1 < n else end, end)
        if b > a:
            yield a, b, values[i]


def time_mean(times: Sequence[float], values: Sequence[float], start: float,
              end: float) -> float | None:
    """Time-weighted mean over ``[start, end]`` where the series has values."""
    total = weight = 0.0
    for a, b, v in segments(times, values, start, end):
        total += (b - a) * v
        weight += b - a
    return total / weight if weight > 0 else None


def time_max(times: Sequence[float], values: Sequence[float], start: float,
             end: float) -> float | None:
    """Largest level held for a positive time in ``[start, end]``."""
    found = [v for _a, _b, v in segments(times, values, start, end)]
    return max(found) if found else None


def ratio(num: tuple[Sequence[float], Sequence[float]],
          den: tuple[Sequence[float], Sequence[float]]) -> tuple[list[float], list[float]]:
    """The step function ``num / den`` on the union of their change points (0 where
    ``den`` is 0 or not yet defined)."""
    times = sorted(set(num[0]) | set(den[0]))
    out_t: list[float] = []
    out_v: list[float] = []
    for t in times:
        d = value_at(den[0], den[1], t)
        v = value_at(num[0], num[1], t) / d if d else 0.0
        if not out_v or out_v[-1] != v:
            out_t.append(t)
            out_v.append(v)
    return out_t, out_v


def cv(values: Sequence[float]) -> float | None:
    """Coefficient of variation (population standard deviation / mean); None when the
    mean is 0 or there are no values."""
    n = len(values)
    if not n:
        return None
    mean = sum(values) / n
    if mean == 0:
        return None
    var = sum((v - mean) ** 2 for v in values) / n
    return math.sqrt(var) / mean
