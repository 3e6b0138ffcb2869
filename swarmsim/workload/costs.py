"""What one request costs: service-time draws (the ``x-swarmsim.request`` mapping is
read by :mod:`swarmsim.compose.request`).

A request needs ``cost`` seconds of CPU on one full core, on average; its actual cost is
``cost`` times a factor of mean 1 drawn from ``dist``:

* ``constant``: always 1;
* ``exponential``: a standard exponential draw (coefficient of variation 1);
* ``lognormal``: ``exp(sigma Z - sigma^2 / 2)`` with ``sigma^2 = ln(1 + cv^2)``, ``Z``
  standard normal, so its mean is 1 and its coefficient of variation ``cv``.

Every request carries both a standard exponential and a standard normal draw, made
when it is generated, so the draws do not depend on which task serves it.
"""

from __future__ import annotations

import math

import numpy as np


def cost_factors(dist: str, cv: float, expo: np.ndarray, normal: np.ndarray) -> np.ndarray:
    """Cost multipliers of mean 1 for requests with the given standard draws.

    Args:
        dist: ``constant``, ``exponential`` or ``lognormal``.
        cv: the lognormal's coefficient of variation (ignored otherwise).
        expo: one standard exponential draw per request.
        normal: one standard normal draw per request.
    """
    if dist == "constant":
        return np.ones(len(expo))
    if dist == "exponential":
        return np.asarray(expo, dtype=float)
    sigma2 = math.log1p(cv * cv)
    return np.exp(math.sqrt(sigma2) * np.asarray(normal, dtype=float) - sigma2 / 2)


def cost_moments(dist: str, cv: float) -> tuple[float, float]:
    """Mean and squared coefficient of variation of a cost factor (the mean is 1)."""
    return 1.0, {"constant": 0.0, "exponential": 1.0}.get(dist, cv * cv)
