"""A machine's power model (the scenario's ``nodes[].power``): linear in its CPU use.

``power: {idle: 100W, max: 250W}``: while the machine is up it draws ``idle + (max -
idle) * used cores / cores`` watts (the linear model of CloudSim Plus's
``PowerModelHostSimple`` and EdgeSimPy's linear server model); nothing while it is down.
Values are watts, as numbers or with a ``W`` suffix.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from swarmsim.foundation import defaults
from swarmsim.input.checks import key_error

DEFAULT = (defaults.NODE_POWER_IDLE_W, defaults.NODE_POWER_MAX_W)


def parse_power(value: Any, at: tuple[str | int, ...]) -> tuple[float, float]:
    """``(idle watts, max watts)`` of a node entry's ``power`` (default
    :data:`DEFAULT`)."""
    if value is None:
        return DEFAULT
    here = (*at, "power")
    if not isinstance(value, Mapping):
        raise key_error("must be a mapping such as {idle: 100W, max: 250W}", *here)
    for key in value:
        if key not in ("idle", "max"):
            raise key_error(f"Additional property {key} is not allowed", *here)
    idle = _watts(value.get("idle", DEFAULT[0]), (*here, "idle"))
    peak = _watts(value.get("max", max(DEFAULT[1], idle)), (*here, "max"))
    if peak < idle:
        raise key_error("must not be less than idle", *here, "max")
    return idle, peak


def _watts(value: Any, at: tuple[str | int, ...]) -> float:
    if isinstance(value, str) and value.strip().endswith(("W", "w")):
        value = value.strip()[:-1]
        try:
            value = float(value)
        except ValueError:
            raise key_error("must be a number of watts such as 100W", *at) from None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(
            value) or value < 0:
        raise key_error("must be a number of watts such as 100W", *at)
    return float(value)


def node_power(idle: float, peak: float, used_cores: float, cores: float) -> float:
    """Watts a machine that is up draws while using ``used_cores`` of ``cores``."""
    share = min(max(used_cores / cores, 0.0), 1.0) if cores > 0 else 0.0
    return idle + (peak - idle) * share
