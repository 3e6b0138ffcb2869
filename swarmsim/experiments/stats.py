"""Statistics of replications: mean, standard deviation, Student-t 95% intervals and
paired differences.  Pure functions on plain floats; no scipy."""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

# two-sided 95% Student-t quantiles t(0.975, df) for df = 1..30
_T975 = (
    12.7062, 4.3027, 3.1824, 2.7764, 2.5706, 2.4469, 2.3646, 2.3060, 2.2622, 2.2281,
    2.2010, 2.1788, 2.1604, 2.1448, 2.1314, 2.1199, 2.1098, 2.1009, 2.0930, 2.0860,
    2.0796, 2.0739, 2.0687, 2.0639, 2.0595, 2.0555, 2.0518, 2.0484, 2.0452, 2.0423,
)
# larger df: (df, quantile), interpolated linearly in 1/df; the limit is the normal's
_T975_TAIL = ((30, 2.0423), (40, 2.0211), (60, 2.0003), (120, 1.9799), (math.inf, 1.95996))


def t975(df: int) -> float:
    """The 0.975 quantile of Student's t with ``df`` degrees of freedom (4 decimals).

    Raises:
        ValueError: if ``df < 1``.
    """
    if df < 1:
        raise ValueError("degrees of freedom must be at least 1")
    if df <= 30:
        return _T975[df - 1]
    for (d0, q0), (d1, q1) in itertools.pairwise(_T975_TAIL):
        if d0 <= df <= d1:
            x0, x1, x = 1 / d0, (0.0 if d1 == math.inf else 1 / d1), 1 / df
            return q0 + (q1 - q0) * (x0 - x) / (x0 - x1)
    return _T975_TAIL[-1][1]  # pragma: no cover


@dataclass(frozen=True, slots=True)
class Estimate:
    """A sample's mean with its 95% confidence interval.

    Attributes:
        n: number of finite values used.
        mean: their mean (NaN if none).
        std: sample standard deviation (n - 1 denominator; NaN if n < 2).
        ci_low: lower end of the 95% t interval (NaN if n < 2).
        ci_high: upper end.
    """

    n: int
    mean: float
    std: float
    ci_low: float
    ci_high: float

    @property
    def half_width(self) -> float:
        """Half the interval's width."""
        return (self.ci_high - self.ci_low) / 2


def estimate(values: Sequence[float]) -> Estimate:
    """Mean, standard deviation and 95% Student-t interval of the finite ``values``."""
    xs = [float(v) for v in values if v is not None and math.isfinite(float(v))]
    n = len(xs)
    if n == 0:
        return Estimate(0, math.nan, math.nan, math.nan, math.nan)
    mean = math.fsum(xs) / n
    if n < 2:
        return Estimate(1, mean, math.nan, math.nan, math.nan)
    std = math.sqrt(math.fsum((x - mean) ** 2 for x in xs) / (n - 1))
    half = t975(n - 1) * std / math.sqrt(n)
    return Estimate(n, mean, std, mean - half, mean + half)


def paired_difference(values: Sequence[float], baseline: Sequence[float]) -> Estimate:
    """The estimate of ``values[i] - baseline[i]`` over the pairs where both are finite
    (same seed, two policies: common random numbers)."""
    diffs = []
    for a, b in zip(values, baseline, strict=True):
        if a is None or b is None:
            continue
        fa, fb = float(a), float(b)
        if math.isfinite(fa) and math.isfinite(fb):
            diffs.append(fa - fb)
    return estimate(diffs)
