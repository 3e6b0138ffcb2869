"""Measures: the numbers a replication contributes to a comparison.

A measure is a function of a finished run returning named floats::

    def my_measure(run: RunView) -> dict[str, float]:
        return {"running_at_end": float(run.value("cluster", "running", run.end))}

``compare --measure module:function`` (or ``file.py:function``) and ``measures:`` in a
sweep file name them; the built-ins (:mod:`swarmsim.experiments.builtin_measures`) are
written the same way and named by their short name (``availability``, ``requests``,
...).  A :class:`RunView` computes what a measure asks for on first use (the replay of
the run's events, the task rows, the request columns) and nothing else, so a
comparison pays only for the measures it chose.  Every measure sees the window
``[start, end]``: ``start`` is the warm-up (``--warmup``) cut from every run.
"""

from __future__ import annotations

import importlib
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np

from swarmsim.experiments.builtin_measures import BUILTIN, COLUMNS
from swarmsim.input.policy import import_user_module
from swarmsim.metrics.replay import replay
from swarmsim.metrics.requests import find_requests
from swarmsim.metrics.series import value_at
from swarmsim.metrics.summary import converge_times, entities
from swarmsim.metrics.usage import USAGE_METRICS, add_usage_series
from swarmsim.metrics.views import machines_of

Measure = Callable[["RunView"], Mapping[str, float]]

#: the measures a comparison takes when none is chosen
DEFAULT_MEASURES: tuple[str, ...] = (
    "placement", "availability", "failures", "convergence", "pending", "requests")


@dataclass(frozen=True)
class Requests:
    """Finished requests sent inside the window, as columns.

    Attributes:
        send: send times (s).
        latency: latencies (s) of the answered requests (NaN for failed ones).
        ok: whether each was answered.
    """

    send: np.ndarray
    latency: np.ndarray
    ok: np.ndarray

    def __len__(self) -> int:
        return len(self.send)


class RunView:
    """A finished run as a measure sees it; each part is computed on first use.

    Attributes:
        result: the :class:`swarmsim.app.run.RunResult`.
        start: the window's start (the warm-up cut; 0 without one).
        end: the run's last simulated second.
        slo: the latency objective in seconds (``--slo``), or None.
    """

    def __init__(self, result: Any, *, warmup: float = 0.0, slo: float | None = None) -> None:
        self.result = result
        self.sim = result.sim
        self.end = float(self.sim.now)
        self.start = min(max(0.0, float(warmup)), self.end)
        self.slo = slo

    @cached_property
    def replay(self) -> Any:
        """The replay of the run's events (:mod:`swarmsim.metrics.replay`)."""
        rec = self.result.recorder
        records = rec.records if rec is not None else []
        return replay(self.sim.events, records, machines_of(self.sim.scenario.nodes), self.end)

    @property
    def series(self) -> Any:
        """Every level series (:class:`swarmsim.metrics.series.SeriesSet`)."""
        return self.replay.series

    def get(self, entity: str, metric: str) -> tuple[list[float], list[float]]:
        """One series as ``(times, values)`` (the resource model's ``used_cpus``,
        ``demanded_cpus``, ``throttled_cpus`` and ``used_memory`` are added on first
        use)."""
        if metric in USAGE_METRICS:
            self.add_usage()
        return self.series.get(entity, metric)  # type: ignore[no-any-return]

    @cached_property
    def _usage_added(self) -> bool:
        resources = getattr(self.sim, "resources", None)
        if resources is None:
            return False
        add_usage_series(self.series, resources.samples,
                         [n.name for n in self.sim.scenario.nodes], self.end)
        return True

    def add_usage(self) -> None:
        """Put the resource model's series (what the containers used, wanted and were
        denied; :mod:`swarmsim.metrics.usage`) into :attr:`series`, once."""
        self._usage_added  # noqa: B018 - computed once, on first use

    def value(self, entity: str, metric: str, t: float) -> float:
        """A series' level at time ``t``."""
        return value_at(*self.get(entity, metric), t)

    @cached_property
    def tasks(self) -> tuple[Any, ...]:
        """One :class:`swarmsim.metrics.records.TaskRow` per task."""
        return tuple(self.replay.task_rows())

    @cached_property
    def still_pending(self) -> set[str]:
        """Ids of the tasks still pending at the end."""
        return self.replay.still_pending()  # type: ignore[no-any-return]

    @cached_property
    def disturbances(self) -> tuple[Any, ...]:
        """Every disturbance with ``converged_after`` filled in."""
        return tuple(converge_times(self.series, self.replay.disturbances, self.end))

    @cached_property
    def services(self) -> dict[str, str]:
        """Service name -> mode, for the services with series."""
        modes = {name: s.mode for name, s in self.replay.services.items()}
        return {name: modes.get(name, "") for name in entities(self.series, "service")}

    @cached_property
    def requests(self) -> Requests:
        """The finished requests sent in ``[start, end]``."""
        traffic = getattr(self.sim, "traffic", None)
        if traffic is not None and getattr(traffic, "workloads", None) and hasattr(
                traffic, "records"):
            cols = traffic.records()
            send = np.asarray(cols.send, dtype=float)
            keep = (np.asarray(cols.end) <= self.end) & (send >= self.start)
            ok = np.asarray(cols.outcome)[keep] == 0
            latency = np.where(ok, np.asarray(cols.latency, dtype=float)[keep], np.nan)
            return Requests(send[keep], latency, ok)

        table = find_requests(self.sim)
        keep = table.time >= self.start
        return Requests(table.time[keep], table.latency[keep], table.ok[keep])


def _load(ref: str) -> Any:
    """The object ``module:attr`` or ``file.py:attr`` names."""
    module_name, sep, attr = ref.rpartition(":")
    if not sep or not module_name or not attr.isidentifier():
        raise ValueError(f"measure {ref!r}: must be a built-in name or module:function")
    try:
        module = import_user_module(module_name) if module_name.endswith(".py") else \
            importlib.import_module(module_name)
    except ImportError as exc:
        raise ValueError(f"measure {ref!r}: {exc}") from None
    except ValueError as exc:
        raise ValueError(f"measure {ref!r}: {exc}") from None
    fn = getattr(module, attr, None)
    if not callable(fn):
        raise ValueError(f"measure {ref!r}: {module_name} has no function {attr}")
    return fn


def resolve(ref: str) -> Measure:
    """The measure a name stands for: a built-in's short name or ``module:function``.

    Raises:
        ValueError: if it names nothing callable.
    """
    if ref in BUILTIN:
        return BUILTIN[ref]
    if ":" not in ref:
        raise ValueError(f"measure {ref!r}: must be one of {', '.join(BUILTIN)} or "
                         "module:function")
    return _load(ref)  # type: ignore[no-any-return]


def measure(result: Any, measures: Sequence[str] = DEFAULT_MEASURES, *, warmup: float = 0.0,
            slo: float | None = None) -> dict[str, float]:
    """The named floats of every measure for one finished run, in measure order.

    Raises:
        ValueError: if a measure cannot be loaded or returns something other than a
            mapping of names to numbers.
    """
    view = RunView(result, warmup=warmup, slo=slo)
    out: dict[str, float] = {}
    for ref in measures:
        got = resolve(ref)(view)
        if not isinstance(got, Mapping):
            raise ValueError(f"measure {ref}: returned {type(got).__name__}, not a mapping "
                             "of names to numbers")
        for key, value in got.items():
            out[str(key)] = _number(ref, key, value)
    return out


def _number(ref: str, key: Any, value: Any) -> float:
    if value is None:
        return math.nan
    if isinstance(value, bool) or not isinstance(value, int | float | np.number):
        raise ValueError(f"measure {ref}: {key} is {type(value).__name__}, not a number")
    return float(value)


def columns(measures: Sequence[str] = DEFAULT_MEASURES) -> tuple[str, ...]:
    """The columns the built-in ``measures`` produce (user measures: unknown, skipped)."""
    return tuple(c for ref in measures for c in COLUMNS.get(ref, ()))


def point_label(record: Mapping[str, Any], keys: Sequence[str]) -> str:
    """A record's grid point as ``key=value,key=value``."""
    return ",".join(f"{k}={record[k]}" for k in keys)
