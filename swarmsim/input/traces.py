"""Workload traces: services arriving and departing, read from a CSV file.

A scenario lists its trace files under ``traces:`` (relative to the scenario file)::

    traces: [jobs.csv]

A trace file is CSV with a header row naming at least these columns (any order; extra
columns are ignored, so converted cluster traces may keep theirs)::

    time,service,replicas,cpu,memory,duration
    0s,web,2,0.5,256M,2m
    30,batch,4,0.25,128M,
    45s,cache,1,1,1G,90

* ``time``: when the service arrives (a duration such as ``30s`` or plain seconds);
* ``service``: its name; the service is ``<file stem>_<service>`` (a stack named after
  the trace file), unique within a file;
* ``replicas``: its replica count (a non-negative integer);
* ``cpu``: CPUs reserved per task (``0.5``; empty: none);
* ``memory``: memory reserved per task (compose syntax ``256M`` or bytes; empty: none);
* ``duration``: how long after arriving it is removed (empty: it stays).

Arrival creates the replicated service with those reservations, as ``docker stack
deploy`` of a one-service stack would; departure removes it, as ``docker service rm``.
Everything else of the service is docker's default (image :data:`TRACE_IMAGE`).
The replay on a simulation's clock is :mod:`swarmsim.workload.traces`.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from swarmsim.foundation.errors import InputError
from swarmsim.foundation.inputfile import read_limited, utf8_text
from swarmsim.foundation.limits import over
from swarmsim.foundation.units import parse_bytes, parse_cpus, parse_duration
from swarmsim.input.specs import ResourceRequirements, Resources, ServiceSpec

COLUMNS = ("time", "service", "replicas", "cpu", "memory", "duration")
TRACE_IMAGE = "swarmsim/trace:latest"


@dataclass(frozen=True, slots=True)
class TraceRow:
    """One service of a trace.

    Attributes:
        time: arrival, simulated seconds.
        stack: the stack it belongs to (the trace file's stem).
        service: the name in the trace; the swarm service is ``<stack>_<service>``.
        replicas: replica count.
        nano_cpus: CPU reservation per task (nano-CPUs).
        memory_bytes: memory reservation per task.
        duration: seconds until it is removed (None: never).
        line: the CSV line it came from.
    """

    time: float
    stack: str
    service: str
    replicas: int
    nano_cpus: int = 0
    memory_bytes: int = 0
    duration: float | None = None
    line: int = 0

    @property
    def name(self) -> str:
        """The swarm service's name."""
        return f"{self.stack}_{self.service}"


def parse_traces(raw: Any, base: Path) -> tuple[TraceRow, ...]:
    """Validate a scenario's ``traces:`` list and read its files.

    Args:
        raw: the YAML value (None: no traces).
        base: the scenario's directory.

    Returns:
        Every row of every file, sorted by arrival time (file order on ties).

    Raises:
        InputError: at ``traces.<i>`` for the list, or at the CSV file and line.
    """
    if raw is None:
        return ()
    if isinstance(raw, str):
        raw = [raw]
    if not isinstance(raw, list):
        raise InputError("traces must be a list", keys=("traces",))
    rows: list[TraceRow] = []
    origin: dict[int, tuple[str, int]] = {}  # id(row) -> (file, index in traces)
    stacks: set[str] = set()
    for i, given in enumerate(raw):
        if not isinstance(given, str) or not given:
            raise InputError(f"traces.{i} must be a string", keys=("traces", i))
        path = Path(given) if Path(given).is_absolute() else base / given
        try:
            data = read_limited(path, given, "DATA_FILE")
        except InputError as err:
            raise InputError(f"traces.{i} {err.message}", keys=("traces", i)) from None
        try:
            text = utf8_text(data, given)
        except InputError as err:
            raise InputError(err.message, file=given, line=err.line,
                             keys=("traces", i)) from None
        if path.stem in stacks:
            raise InputError(f"traces.{i} duplicate trace name {path.stem!r}",
                             keys=("traces", i))
        stacks.add(path.stem)
        read = read_trace(text, path.stem, given, i)
        origin.update((id(row), (given, i)) for row in read)
        rows.extend(read)
    rows.sort(key=lambda r: r.time)
    _check_tasks(rows, origin)
    return tuple(rows)


def _check_tasks(rows: list[TraceRow], origin: dict[int, tuple[str, int]]) -> None:
    """The most tasks the traces ask for at one time must be within the tasks limit
    (a departure at the same instant as an arrival frees its tasks first)."""
    changes = [(r.time, 1, r.replicas, r) for r in rows]
    changes += [(r.time + r.duration, 0, -r.replicas, r) for r in rows if r.duration is not None]
    changes.sort(key=lambda c: (c[0], c[1]))
    alive = 0
    for _, _, delta, row in changes:
        alive += delta
        problem = over("TASKS", alive, "tasks at once")
        if problem:
            file, index = origin[id(row)]
            raise InputError(f"replicas: {problem}", file=file, line=row.line,
                             keys=("traces", index, "replicas"))


def read_trace(text: str, stack: str, file: str = "", index: int = 0) -> list[TraceRow]:
    """Parse one trace file's text.

    Raises:
        InputError: naming the file, its line and the column at fault.
    """
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if header is None:
        raise InputError("missing header row", file=file, line=1, keys=("traces", index))
    header = [h.strip() for h in header]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise InputError(f"missing column(s): {', '.join(missing)}", file=file, line=1,
                         keys=("traces", index))
    col = {c: header.index(c) for c in COLUMNS}
    out: list[TraceRow] = []
    seen: set[str] = set()
    for row in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in row):
            continue

        def cell(name: str, row: list[str] = row) -> str:
            return row[col[name]].strip() if col[name] < len(row) else ""

        def bad(name: str, problem: str, line: int = line) -> InputError:
            return InputError(f"{name}: {problem}", file=file, line=line,
                              keys=("traces", index, name))

        service = cell("service")
        if not service or not all(ch.isalnum() or ch in "-_." for ch in service):
            raise bad("service", f"invalid service name {service!r}")
        if service in seen:
            raise bad("service", f"duplicate service {service!r}")
        seen.add(service)
        time = _seconds(cell("time"), bad, "time")
        if time is None:
            raise bad("time", "is required")
        replicas = cell("replicas")
        if not (replicas.isascii() and replicas.isdigit()):
            raise bad("replicas", f"invalid replica count {replicas!r}")
        problem = over("REPLICAS", int(replicas[-30:]) if len(replicas) <= 30 else 10**30,
                       "replicas")
        if problem:
            raise bad("replicas", problem)
        try:
            cpus = parse_cpus(cell("cpu")) if cell("cpu") else 0
        except ValueError as exc:
            raise bad("cpu", str(exc)) from None
        try:
            memory = parse_bytes(cell("memory")) if cell("memory") else 0
        except ValueError as exc:
            raise bad("memory", str(exc)) from None
        out.append(TraceRow(time, stack, service, int(replicas), cpus, memory,
                            _seconds(cell("duration"), bad, "duration"), line))
    return out


def _seconds(text: str, bad: Any, name: str) -> float | None:
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        try:
            value = parse_duration(text)
        except ValueError:
            raise bad(name, f"invalid duration {text!r}") from None
    if value < 0 or value != value:
        raise bad(name, "must not be negative")
    if value == float("inf"):
        raise bad(name, f"invalid duration {text!r}")
    return value


def trace_service(row: TraceRow) -> ServiceSpec:
    """The service spec a row deploys."""
    return ServiceSpec(
        name=row.name, image=TRACE_IMAGE, stack=row.stack, short_name=row.service,
        replicas=row.replicas,
        labels=(("com.docker.stack.namespace", row.stack),),
        resources=ResourceRequirements(
            reservations=Resources(nano_cpus=row.nano_cpus, memory_bytes=row.memory_bytes)),
    )


def generate_trace(
    n: int,
    *,
    seed: int = 0,
    rate: float = 0.1,
    mean_duration: float = 300.0,
    max_replicas: int = 4,
    cpus: Sequence[float] = (0.25, 0.5, 1.0),
    memory_mb: Sequence[int] = (128, 256, 512),
) -> str:
    """A synthetic trace: ``n`` services arriving as a Poisson process.

    Args:
        n: services.
        seed: the numpy generator's seed (same seed, same trace).
        rate: arrivals per second (exponential gaps).
        mean_duration: mean lifetime in seconds (exponential).
        max_replicas: replicas are uniform on 1..max_replicas.
        cpus: CPU reservations drawn from, uniformly.
        memory_mb: memory reservations (MiB) drawn from, uniformly.

    Returns:
        The CSV text, header included (times and durations in whole milliseconds).
    """
    rng = np.random.default_rng(seed)
    arrivals = np.cumsum(rng.exponential(1.0 / rate, n))
    lines = [",".join(COLUMNS)]
    for i in range(n):
        replicas = int(rng.integers(1, max_replicas + 1))
        cpu = cpus[int(rng.integers(len(cpus)))]
        mem = memory_mb[int(rng.integers(len(memory_mb)))]
        life = float(rng.exponential(mean_duration))
        lines.append(f"{arrivals[i]:.3f},svc{i + 1},{replicas},{cpu:g},{mem}M,{life:.3f}")
    return "\n".join(lines) + "\n"
