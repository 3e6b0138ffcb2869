"""The ``request`` mapping of a service's ``x-swarmsim``: what one request costs (the
draws themselves are :mod:`swarmsim.workload.costs`)."""

from __future__ import annotations

import math
from collections.abc import Mapping

from swarmsim.foundation import units
from swarmsim.foundation.errors import InputError
from swarmsim.input.specs import RequestSpec

DISTS = ("constant", "exponential", "lognormal")
_REQUEST_KEYS = ("cost", "dist", "cv", "workers", "queue")


def parse_request(value: object, keys: tuple[str, ...]) -> RequestSpec:
    """Validate the ``request`` mapping of a service's ``x-swarmsim``.

    Args:
        value: the value under ``services.<name>.x-swarmsim.request``.
        keys: the key path of that value (for error messages and line lookup).

    Raises:
        InputError: in docker's schema style, e.g. ``services.web.x-swarmsim.request.cost
            Does not match format 'duration'``.
    """
    where = ".".join(keys)
    if not isinstance(value, Mapping):
        raise InputError(f"{where} must be a mapping", keys=keys)
    unknown = sorted(str(k) for k in value if k not in _REQUEST_KEYS)
    if unknown:
        raise InputError(f"{where} Additional property {unknown[0]} is not allowed", keys=keys)
    spec = RequestSpec()
    cost = spec.cost_s
    if "cost" in value:
        raw = value["cost"]
        at = (*keys, "cost")
        if not isinstance(raw, str):
            raise InputError(f"{where}.cost must be a string", keys=at)
        if not units.is_duration(raw):
            raise InputError(f"{where}.cost Does not match format 'duration'", keys=at)
        cost = units.parse_duration(raw)
        if cost < 0:
            raise InputError(f"{where}.cost Must be greater than or equal to 0", keys=at)
    dist = value.get("dist", spec.dist)
    if dist not in DISTS:
        choices = ", ".join(f'"{d}"' for d in DISTS)
        raise InputError(f"{where}.dist must be one of the following: {choices}",
                         keys=(*keys, "dist"))
    cv = spec.cv
    if "cv" in value:
        raw = value["cv"]
        if dist != "lognormal":
            raise InputError(f"{where}.cv only goes with dist: lognormal", keys=(*keys, "cv"))
        if isinstance(raw, bool) or not isinstance(raw, int | float):
            raise InputError(f"{where}.cv must be a number", keys=(*keys, "cv"))
        if not raw > 0 or not math.isfinite(raw):
            raise InputError(f"{where}.cv Must be greater than 0", keys=(*keys, "cv"))
        cv = float(raw)
    workers = _integer(value, "workers", spec.workers, 1, keys)
    queue = _integer(value, "queue", spec.queue, 0, keys)
    return RequestSpec(cost_s=cost, dist=str(dist), cv=cv, workers=workers, queue=queue)


def _integer(value: Mapping[str, object], key: str, default: int, minimum: int,
             keys: tuple[str, ...]) -> int:
    if key not in value:
        return default
    raw = value[key]
    at = (*keys, key)
    where = ".".join(at)
    if isinstance(raw, bool) or not (
        isinstance(raw, int) or (isinstance(raw, float) and raw.is_integer())
    ):
        raise InputError(f"{where} must be a integer", keys=at)
    if raw < minimum:
        raise InputError(f"{where} Must be greater than or equal to {minimum}", keys=at)
    return int(raw)
