"""``x-swarmsim.usage``: what a container uses in the background, as profiles.

::

    x-swarmsim:
      usage:
        cpu: 0.3                 # cores, constant
        memory: 120M             # working set, constant
    x-swarmsim:
      usage:
        cpu: {kind: steps, steps: [{at: 0s, value: 0.2}, {at: 5m, value: 1.5}], period: 10m}
        cpu: {kind: trace, step: 10s, values: [0.1, 0.4, 0.2], repeat: true}
        cpu: {kind: diurnal, mean: 0.5, amplitude: 0.4, period: 24h, peak: 14h, step: 5m}
        cpu: {kind: random_walk, start: 0.5, sigma: 0.05, step: 1m, min: 0, max: 2}
        memory: {kind: steps, steps: [{at: 0s, value: 100M}, {at: 2m, value: 300M}]}

CPU values are cores (numbers or strings as compose's ``cpus`` takes them), memory values
byte sizes (``120M``). Mistakes are reported in docker's schema style with their key path.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping
from typing import Any

from swarmsim.foundation import units
from swarmsim.foundation.errors import InputError
from swarmsim.input.specs import UsageProfile, UsageSpec

KINDS = ("constant", "steps", "trace", "diurnal", "random_walk")
_KEYS: dict[str, tuple[str, ...]] = {
    "constant": ("kind", "value"),
    "steps": ("kind", "steps", "period"),
    "trace": ("kind", "step", "values", "repeat"),
    "diurnal": ("kind", "mean", "amplitude", "period", "peak", "step"),
    "random_walk": ("kind", "start", "sigma", "step", "min", "max"),
}
#: what a profile samples at when it gives no ``step`` (diurnal, random walk, trace)
DEFAULT_STEP_S = 60.0


def parse_usage(value: object, keys: tuple[str, ...]) -> UsageSpec:
    """Validate ``x-swarmsim.usage`` (``keys`` is its key path)."""
    if not isinstance(value, Mapping):
        raise InputError(f"{_dotted(keys)} must be a mapping", keys=keys)
    unknown = sorted(str(k) for k in value if k not in ("cpu", "memory"))
    if unknown:
        raise InputError(f"{_dotted(keys)} Additional property {unknown[0]} is not allowed",
                         keys=keys)
    cpu = _profile(value["cpu"], (*keys, "cpu"), _cores) if "cpu" in value else None
    mem = _profile(value["memory"], (*keys, "memory"), _bytes) if "memory" in value else None
    return UsageSpec(cpu=cpu, memory=mem)


def _profile(raw: object, keys: tuple[str, ...], amount: Any) -> UsageProfile:
    where = _dotted(keys)
    if not isinstance(raw, Mapping):
        return UsageProfile(value=amount(raw, keys))
    kind = raw.get("kind", "constant")
    if kind not in KINDS:
        choices = ", ".join(f'"{k}"' for k in KINDS)
        raise InputError(f"{where}.kind must be one of the following: {choices}",
                         keys=(*keys, "kind"))
    unknown = sorted(str(k) for k in raw if k not in _KEYS[kind])
    if unknown:
        raise InputError(f"{where} Additional property {unknown[0]} is not allowed", keys=keys)

    def need(key: str) -> object:
        if key not in raw:
            raise InputError(f"{where} {key} is required", keys=keys)
        return raw[key]

    if kind == "constant":
        return UsageProfile(value=amount(need("value"), (*keys, "value")))
    if kind == "steps":
        steps = need("steps")
        at = (*keys, "steps")
        if not isinstance(steps, list) or not steps:
            raise InputError(f"{where}.steps must be a non-empty list", keys=at)
        points = []
        for i, item in enumerate(steps):
            here = (*at, str(i))
            if not isinstance(item, Mapping) or set(item) != {"at", "value"}:
                raise InputError(f"{_dotted(here)} must be a mapping with at and value",
                                 keys=here)
            points.append((_duration(item["at"], (*here, "at")),
                           amount(item["value"], (*here, "value"))))
        if any(b[0] <= a[0] for a, b in itertools.pairwise(points)):
            raise InputError(f"{where}.steps must be in increasing order of at", keys=at)
        period = _duration(raw["period"], (*keys, "period"), positive=True) if (
            "period" in raw) else 0.0
        if period and period <= points[-1][0]:
            raise InputError(f"{where}.period must be later than the last step", keys=keys)
        return UsageProfile(kind="steps", points=tuple(points), period=period)
    step = _duration(raw["step"], (*keys, "step"), positive=True) if "step" in raw else (
        DEFAULT_STEP_S)
    if kind == "trace":
        values = need("values")
        at = (*keys, "values")
        if not isinstance(values, list) or not values:
            raise InputError(f"{where}.values must be a non-empty list", keys=at)
        samples = tuple((i * step, amount(v, (*at, str(i)))) for i, v in enumerate(values))
        repeat = raw.get("repeat", False)
        if not isinstance(repeat, bool):
            raise InputError(f"{where}.repeat must be a boolean", keys=(*keys, "repeat"))
        return UsageProfile(kind="trace", points=samples, step=step,
                            period=len(samples) * step if repeat else 0.0)
    if kind == "diurnal":
        return UsageProfile(
            kind="diurnal", mean=amount(need("mean"), (*keys, "mean")),
            amplitude=amount(raw.get("amplitude", 0), (*keys, "amplitude")),
            period=_duration(raw.get("period", "24h"), (*keys, "period"), positive=True),
            peak=_duration(raw.get("peak", "0s"), (*keys, "peak")), step=step)
    low = amount(raw.get("min", 0), (*keys, "min"))
    high = amount(raw["max"], (*keys, "max")) if "max" in raw else math.inf
    start = amount(need("start"), (*keys, "start"))
    if not low <= start <= high:
        raise InputError(f"{where}.start must lie between min and max", keys=keys)
    return UsageProfile(kind="random_walk", value=start,
                        sigma=amount(raw.get("sigma", 0), (*keys, "sigma")), step=step,
                        low=low, high=high)


def _cores(raw: object, keys: tuple[str, ...]) -> float:
    return parse_cpus_value(raw, _dotted(keys), keys) / 1e9


def _bytes(raw: object, keys: tuple[str, ...]) -> float:
    where = _dotted(keys)
    if isinstance(raw, bool) or not isinstance(raw, str | int):
        raise InputError(f"{where} must be a string", keys=keys)
    try:
        return float(units.parse_bytes(str(raw)))
    except ValueError as err:
        raise InputError(f"{where} {err}", keys=keys) from None


def _duration(raw: object, keys: tuple[str, ...], *, positive: bool = False) -> float:
    where = _dotted(keys)
    if not isinstance(raw, str):
        raise InputError(f"{where} must be a string", keys=keys)
    if not units.is_duration(raw):
        raise InputError(f"{where} Does not match format 'duration'", keys=keys)
    seconds = units.parse_duration(raw)
    if seconds < 0 or (positive and seconds == 0):
        raise InputError(f"{where} Must be greater than 0", keys=keys)
    return seconds


def _dotted(keys: tuple[str, ...]) -> str:
    return ".".join(keys)


def parse_cpus_value(raw: object, where: str, keys: tuple[str, ...]) -> int:
    """A CPU amount as compose's ``cpus`` accepts it (``0.5`` or ``"0.5"``), in nano-CPUs."""
    if isinstance(raw, bool) or not isinstance(raw, str | int | float):
        raise InputError(f"{where} must be a string or number", keys=keys)
    try:
        nano = units.parse_cpus(str(raw))
    except ValueError as err:
        raise InputError(f"{where} {err}", keys=keys) from None
    if nano < 0:
        raise InputError(f"{where} Must be greater than or equal to 0", keys=keys)
    return nano
