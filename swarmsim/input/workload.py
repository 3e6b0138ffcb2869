"""The scenario's ``workload:`` list: who sends requests, where, and when.

::

    workload:
      - name: browse
        port: 4000            # an ingress (or host) published port; or
        # service: getstartedlab_web   # internal traffic to a service name
        entry: all            # nodes clients connect to: all (spread evenly) or a list
        rate: 50              # requests per second, Poisson; or
        # arrivals: {kind: constant|poisson|diurnal|trace, ...}
        start: 0s
        stop: 10m             # default: the end of the run
        timeout: 5s           # client timeout

Problems are :class:`~swarmsim.foundation.errors.InputError` with the key path, in the style of
the rest of the scenario file.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from swarmsim.foundation.errors import InputError, dotted
from swarmsim.foundation.inputfile import read_limited, utf8_text
from swarmsim.foundation.limits import over
from swarmsim.input.checks import duration, key_error

#: client timeout when a workload gives none
DEFAULT_TIMEOUT_S = 5.0
#: diurnal arrivals: defaults of the daily cycle
DEFAULT_PERIOD_S = 86_400.0
DEFAULT_PEAK_S = 43_200.0
DEFAULT_AMPLITUDE = 0.5

ARRIVAL_KINDS = ("constant", "poisson", "diurnal", "trace")
_KEYS = ("name", "port", "service", "entry", "rate", "arrivals", "start", "stop", "timeout")
_ARRIVAL_KEYS = {
    "constant": ("kind", "rate"),
    "poisson": ("kind", "rate"),
    "diurnal": ("kind", "rate", "amplitude", "period", "peak"),
    "trace": ("kind", "times", "file"),
}


@dataclass(frozen=True, slots=True)
class ArrivalSpec:
    """When requests are sent.

    Attributes:
        kind: ``constant`` (every ``1/rate`` s), ``poisson`` (rate ``rate``),
            ``diurnal`` (Poisson with rate ``rate * (1 + amplitude * cos(2 pi (t - peak)
            / period))``, so ``rate`` is the mean) or ``trace`` (the given times).
        rate: requests per second (mean rate for ``diurnal``).
        amplitude: ``diurnal`` relative swing, 0 to 1.
        period_s: ``diurnal`` cycle length.
        peak_s: ``diurnal`` time of the highest rate (seconds of simulated time, modulo
            the period).
        times: ``trace`` send times in seconds after the workload's ``start``, sorted.
    """

    kind: str = "poisson"
    rate: float = 0.0
    amplitude: float = DEFAULT_AMPLITUDE
    period_s: float = DEFAULT_PERIOD_S
    peak_s: float = DEFAULT_PEAK_S
    times: tuple[float, ...] = ()


@dataclass(frozen=True, slots=True)
class WorkloadSpec:
    """One entry of ``workload:``.

    Attributes:
        name: the workload's name (keys the ``requests`` JSON object).
        port: the published port clients connect to (None: internal traffic).
        service: the service name internal clients resolve (None: a port).
        entry: machines clients connect to (None: every node of the swarm).
        arrivals: when requests are sent.
        start_s: first possible send time.
        stop_s: no request is sent at or after this time (None: never stops).
        timeout_s: the client gives up after this long.
    """

    name: str
    port: int | None = None
    service: str | None = None
    entry: tuple[str, ...] | None = None
    arrivals: ArrivalSpec = ArrivalSpec()
    start_s: float = 0.0
    stop_s: float | None = None
    timeout_s: float = DEFAULT_TIMEOUT_S

    def to_dict(self) -> dict[str, Any]:
        """The workload as JSON-ready data (``scenario.json``)."""
        a = self.arrivals
        arrivals: dict[str, Any] = {"kind": a.kind}
        if a.kind == "trace":
            arrivals["times"] = list(a.times)
        else:
            arrivals["rate"] = a.rate
        if a.kind == "diurnal":
            arrivals.update(amplitude=a.amplitude, period=a.period_s, peak=a.peak_s)
        target = {"port": self.port} if self.port is not None else {"service": self.service}
        return {"name": self.name, **target,
                "entry": "all" if self.entry is None else list(self.entry),
                "arrivals": arrivals, "start": self.start_s, "stop": self.stop_s,
                "timeout": self.timeout_s}


_err = key_error


def _extra(key: object, *at: str | int) -> InputError:
    return InputError(f"{dotted(at)} Additional property {key} is not allowed",
                      keys=(*at, str(key)), path=dotted(at))


def parse_workloads(raw: Any, machines: set[str], base: Path) -> tuple[WorkloadSpec, ...]:
    """Validate a scenario's ``workload:`` list.

    Args:
        raw: the YAML value (None: no workload).
        machines: hostnames of the scenario's machines (for ``entry``).
        base: the scenario's directory (trace files are relative to it).
    """
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise _err("must be a list", "workload")
    out: list[WorkloadSpec] = []
    seen: set[str] = set()
    for i, entry in enumerate(raw):
        spec = _workload(entry, i, machines, base)
        if spec.name in seen:
            raise _err(f"duplicate workload name {spec.name!r}", "workload", i, "name")
        seen.add(spec.name)
        out.append(spec)
    return tuple(out)


def _workload(entry: Any, i: int, machines: set[str], base: Path) -> WorkloadSpec:
    at: tuple[str | int, ...] = ("workload", i)
    if not isinstance(entry, Mapping):
        raise _err("must be a mapping", *at)
    for key in entry:
        if key not in _KEYS:
            raise _extra(key, *at)
    name = entry.get("name")
    if "name" not in entry:
        raise _err("name is required", *at)
    if not isinstance(name, str) or not name.strip():
        raise _err("must be a string", *at, "name")
    port = service = None
    if ("port" in entry) == ("service" in entry):
        raise _err("must have exactly one of: port, service", *at)
    if "port" in entry:
        port = entry["port"]
        if isinstance(port, bool) or not isinstance(port, int) or not 1 <= port <= 65535:
            raise _err("must be an integer from 1 to 65535", *at, "port")
    else:
        service = entry["service"]
        if not isinstance(service, str) or not service.strip():
            raise _err("must be a string", *at, "service")
    entry_nodes = _entry(entry.get("entry", "all"), machines, (*at, "entry"))
    if ("rate" in entry) == ("arrivals" in entry):
        raise _err("must have exactly one of: rate, arrivals", *at)
    if "rate" in entry:
        arrivals = ArrivalSpec("poisson", _positive(entry["rate"], *at, "rate"))
    else:
        arrivals = _arrivals(entry["arrivals"], (*at, "arrivals"), base)
    start = _duration(entry.get("start", "0s"), *at, "start")
    stop = None
    if "stop" in entry:
        stop = _duration(entry["stop"], *at, "stop")
        if stop <= start:
            raise _err("must be later than start", *at, "stop")
    timeout = _duration(entry.get("timeout", "5s"), *at, "timeout")
    if timeout <= 0:
        raise _err("must be greater than 0", *at, "timeout")
    return WorkloadSpec(name=name, port=port, service=service, entry=entry_nodes,
                        arrivals=arrivals, start_s=start, stop_s=stop, timeout_s=timeout)


def expected_requests(spec: WorkloadSpec, until: float) -> float:
    """How many requests ``spec`` sends in a run that ends at ``until`` (the mean, for
    Poisson and diurnal arrivals)."""
    end = min(until, spec.stop_s) if spec.stop_s is not None else until
    a = spec.arrivals
    if a.kind == "trace":
        return float(sum(1 for t in a.times if spec.start_s + t < end))
    return a.rate * max(0.0, end - spec.start_s)


def check_requests(specs: tuple[WorkloadSpec, ...], until: float) -> None:
    """The requests of a run that ends at ``until`` must be within swarmsim's limit: the
    simulator keeps a record of each one.

    Raises:
        InputError: at the workload that crosses the limit (``workload.0.rate
            300,000,000 requests is over swarmsim's limit of 10,000,000 ...``).
    """
    total = 0.0
    for i, spec in enumerate(specs):
        total += expected_requests(spec, until)
        problem = over("REQUESTS", round(total), "requests in the run")
        if problem:
            key = "rate" if spec.arrivals.kind != "trace" else "arrivals"
            raise _err(problem, "workload", i, key)


def _entry(value: Any, machines: set[str], at: tuple[str | int, ...]) -> tuple[str, ...] | None:
    if value == "all":
        return None
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value:
        raise _err('must be "all" or a list of machines', *at)
    for j, name in enumerate(value):
        if not isinstance(name, str) or name not in machines:
            raise _err(f"no such machine: {name}", *at, j)
    return tuple(value)


def _arrivals(value: Any, at: tuple[str | int, ...], base: Path) -> ArrivalSpec:
    if not isinstance(value, Mapping):
        raise _err("must be a mapping", *at)
    kind = value.get("kind")
    if kind not in ARRIVAL_KINDS:
        choices = ", ".join(f'"{k}"' for k in ARRIVAL_KINDS)
        raise _err(f"must be one of the following: {choices}", *at, "kind")
    for key in value:
        if key not in _ARRIVAL_KEYS[kind]:
            raise _extra(key, *at)
    if kind == "trace":
        return ArrivalSpec("trace", times=_trace(value, at, base))
    rate = _positive(value.get("rate"), *at, "rate")
    if kind != "diurnal":
        return ArrivalSpec(kind, rate)
    amplitude = value.get("amplitude", DEFAULT_AMPLITUDE)
    if isinstance(amplitude, bool) or not isinstance(amplitude, int | float) or not (
        0 <= amplitude <= 1
    ):
        raise _err("must be a number from 0 to 1", *at, "amplitude")
    period = DEFAULT_PERIOD_S
    if "period" in value:
        period = _duration(value["period"], *at, "period")
        if period <= 0:
            raise _err("must be greater than 0", *at, "period")
    peak = _duration(value["peak"], *at, "peak") if "peak" in value else DEFAULT_PEAK_S
    return ArrivalSpec("diurnal", rate, float(amplitude), period, peak)


def _trace(value: Mapping[str, Any], at: tuple[str | int, ...], base: Path) -> tuple[float, ...]:
    if ("times" in value) == ("file" in value):
        raise _err("must have exactly one of: times, file", *at)
    times: list[float] = []
    if "times" in value:
        raw = value["times"]
        if not isinstance(raw, list):
            raise _err("must be a list", *at, "times")
        for j, item in enumerate(raw):
            if isinstance(item, str):
                times.append(_duration(item, *at, "times", j))
            elif isinstance(item, int | float) and not isinstance(item, bool):
                times.append(float(item))
            else:
                raise _err("must be a duration string or a number of seconds",
                           *at, "times", j)
    else:
        name = value["file"]
        if not isinstance(name, str):
            raise _err("must be a string", *at, "file")
        path = Path(name) if Path(name).is_absolute() else base / name
        try:
            text = utf8_text(read_limited(path, name, "DATA_FILE"), name)
        except InputError as err:
            where = f"{name}:{err.line}: " if err.line is not None else ""
            raise _err(where + err.message, *at, "file") from None
        for lineno, line in enumerate(text.splitlines(), 1):
            cell = line.split("#", 1)[0].split(",", 1)[0].strip()
            if not cell:
                continue
            try:
                times.append(float(cell))
            except ValueError:
                raise _err(f"{name}:{lineno}: {cell!r} is not a number of seconds",
                           *at, "file") from None
    for t in times:
        if not math.isfinite(t) or t < 0:
            raise _err("times must be non-negative", *at)
    if times != sorted(times):
        raise _err("times must be in increasing order", *at)
    return tuple(times)


def _positive(value: Any, *keys: str | int) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _err("must be a number", *keys)
    if not value > 0 or not math.isfinite(value):
        raise _err("must be greater than 0", *keys)
    return float(value)


_duration = duration
