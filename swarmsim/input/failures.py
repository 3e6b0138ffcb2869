"""The scenario's ``failures:``: machines failing and being repaired at random.

::

    failures:
      - {nodes: all, mtbf: 6h, mttr: 10m}            # every machine on its own
      - {nodes: "node.labels.rack == r1", mtbf: 1d, mttr: 30m, together: true}
      - {nodes: [worker1, worker2], mtbf: 2h, mttr: 5m, dist: weibull, shape: 1.5}

Each entry is an alternating renewal process: up for a time of mean ``mtbf``, down for a
time of mean ``mttr``, again and again, from ``start`` (default 0). ``dist`` is
``exponential`` (default) or ``weibull`` with ``shape`` k (both times, scaled to keep the
means). ``nodes`` is ``all``, a list of hostnames or one placement constraint on the
machines (``node.hostname``, ``node.role``, ``node.labels.*``, ...). With ``together:
true`` the selected machines fail and come back as one (a rack, a zone); otherwise each
has its own process. Durations are Go durations, days (``1d``) or seconds as numbers, so a
sweep can vary them (``grid: {failures.0.mtbf: [1h, 6h, 1d]}``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from swarmsim.foundation.units import parse_duration
from swarmsim.input.checks import key_error
from swarmsim.input.constraint import parse_constraints

DISTS = ("exponential", "weibull")
_KEYS = ("nodes", "mtbf", "mttr", "dist", "shape", "together", "start")
_CONSTRAINT = re.compile(r"\s*node\.[A-Za-z0-9_.\-]+\s*(==|!=)\s*\S.*")
_DAYS = re.compile(r"(\d+(?:\.\d+)?)d(.*)")


@dataclass(frozen=True, slots=True)
class FailureSpec:
    """One failure process of the scenario.

    Attributes:
        nodes: ``("all",)``, hostnames, or ``()`` with ``constraint`` set.
        constraint: a placement constraint choosing the machines ("" for none).
        mtbf_s: mean time between failures (up time), seconds.
        mttr_s: mean time to repair (down time), seconds.
        dist: ``exponential`` or ``weibull``.
        shape: the Weibull shape (1 is exponential).
        together: the selected machines fail and recover as one.
        start_s: no failure before this time.
    """

    nodes: tuple[str, ...]
    constraint: str
    mtbf_s: float
    mttr_s: float
    dist: str = "exponential"
    shape: float = 1.0
    together: bool = False
    start_s: float = 0.0

    def scale(self, mean: float) -> float:
        """The Weibull scale giving ``mean`` (the mean itself for exponential times)."""
        if self.dist == "exponential":
            return mean
        return mean / math.gamma(1.0 + 1.0 / self.shape)

    def to_dict(self) -> dict[str, Any]:
        """As JSON-ready data (``scenario.json``)."""
        nodes: Any = self.constraint or (
            "all" if self.nodes == ("all",) else list(self.nodes))
        return {"nodes": nodes, "mtbf": self.mtbf_s, "mttr": self.mttr_s, "dist": self.dist,
                "shape": self.shape, "together": self.together, "start": self.start_s}


def parse_failures(value: Any, hostnames: set[str]) -> tuple[FailureSpec, ...]:
    """Validate the scenario's ``failures`` list."""
    if value is None:
        return ()
    if not isinstance(value, list):
        raise key_error("must be a list", "failures")
    return tuple(_one(item, i, hostnames) for i, item in enumerate(value))


def _one(item: Any, i: int, hostnames: set[str]) -> FailureSpec:
    at = ("failures", i)
    if not isinstance(item, Mapping):
        raise key_error("must be a mapping", *at)
    for key in item:
        if key not in _KEYS:
            raise key_error(f"Additional property {key} is not allowed", *at)
    for key in ("nodes", "mtbf", "mttr"):
        if key not in item:
            raise key_error(f"{key} is required", *at)
    nodes: tuple[str, ...] = ()
    constraint = ""
    raw = item["nodes"]
    if raw == "all":
        nodes = ("all",)
    elif isinstance(raw, str):
        if not _CONSTRAINT.fullmatch(raw):
            raise key_error("must be all, a list of hostnames or a constraint such as"
                            " node.labels.rack == r1", *at, "nodes")
        try:
            parse_constraints([raw])
        except ValueError as err:
            raise key_error(str(err), *at, "nodes") from None
        constraint = raw.strip()
    elif isinstance(raw, list) and raw:
        for k, name in enumerate(raw):
            if name not in hostnames:
                raise key_error(f"no such machine: {name}", *at, "nodes", k)
        nodes = tuple(str(n) for n in raw)
    else:
        raise key_error("must be all, a list of hostnames or a constraint", *at, "nodes")
    dist = item.get("dist", "exponential")
    if dist not in DISTS:
        raise key_error('must be one of the following: "exponential", "weibull"',
                        *at, "dist")
    shape = item.get("shape", 1.0)
    if isinstance(shape, bool) or not isinstance(shape, int | float) or not (
            0 < shape < math.inf):
        raise key_error("must be a number greater than 0", *at, "shape")
    if "shape" in item and dist != "weibull":
        raise key_error("only goes with dist: weibull", *at, "shape")
    together = item.get("together", False)
    if not isinstance(together, bool):
        raise key_error("must be a boolean", *at, "together")
    return FailureSpec(
        nodes=nodes, constraint=constraint,
        mtbf_s=_seconds(item["mtbf"], *at, "mtbf"), mttr_s=_seconds(item["mttr"], *at, "mttr"),
        dist=str(dist), shape=float(shape), together=together,
        start_s=_seconds(item.get("start", 0), *at, "start", zero=True),
    )


def _seconds(value: Any, *keys: str | int, zero: bool = False) -> float:
    """A duration: a Go duration, days (``1d``, ``1d12h``) or a number of seconds."""
    if isinstance(value, bool):
        raise key_error("must be a duration", *keys)
    if isinstance(value, int | float):
        seconds = float(value)
    elif isinstance(value, str):
        text = value.strip()
        days = _DAYS.fullmatch(text)
        try:
            if days:
                seconds = float(days.group(1)) * 86400.0 + (
                    parse_duration(days.group(2)) if days.group(2) else 0.0)
            else:
                seconds = parse_duration(text)
        except ValueError:
            raise key_error("Does not match format 'duration'", *keys) from None
    else:
        raise key_error("must be a duration", *keys)
    if not math.isfinite(seconds) or seconds < 0 or (seconds == 0 and not zero):
        raise key_error("must be greater than 0", *keys)
    return seconds
