"""``docker service logs`` and ``docker logs`` / ``docker container logs`` on the
get-started app: what its Flask development server writes.

Each app container logs ``* Running on http://0.0.0.0:80/ (Press CTRL+C to quit)`` when it
starts, then one werkzeug access line per request ``curl`` sent it, from the ingress
network address of the node that received the request (``10.0.0.<n>``), or from the
bridge gateway for a ``docker run -p`` container.

docker/cli's ``cli/command/service/logs.go`` prefixes each line with
``<service>.<slot>.<task id>@<node>`` padded to the width of the replica count, then
``    | `` (``--no-task-ids``, ``--no-trunc``, ``--no-resolve`` change the prefix,
``--raw`` drops it); ``--details`` adds the log attributes the CLI did not use (none
here: an empty field and its space).  The daemon puts ``--timestamps`` first, in
``RFC3339NanoFixed`` (moby ``daemon/server/httputils/logstream/logstream.go``), and
reads ``--since``/``--until`` as a Go duration back from now, an RFC 3339 date or a
Unix time (moby ``client/internal/timestamp/timestamp.go``).  ``--tail N`` keeps each
task's last N lines.  Times are the simulated clock's, on the simulated calendar.
Flask's development server writes these lines to stderr, and the CLI copies each
stream to its own (``stdcopy``): they come out on stderr, as with docker (so ``docker
logs ... | grep`` sees none of them).  Other images' logs are not simulated; the command
says so in one line.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from swarmsim.commands import control_api
from swarmsim.commands.getstarted import (
    AppLogs,
    Entry,
    is_get_started,
    last_per_source,
    started_entries,
)
from swarmsim.commands.inspect import wall
from swarmsim.commands.run import checked_parse
from swarmsim.foundation import defaults
from swarmsim.foundation.errors import CommandError
from swarmsim.foundation.text import rfc3339_nano_fixed

if TYPE_CHECKING:
    from swarmsim.simulation.engine import Simulation

_DURATION = re.compile(r"^[-+]?(?:(?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|ms|s|m|h))+$")
_UNIT = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}


def fixed_stamp(at: float) -> str:
    """``RFC3339NanoFixed`` of a simulated instant: nine digits of fraction, ``Z``."""
    return rfc3339_nano_fixed(wall(at))


def go_duration(text: str) -> float | None:
    """Go's ``time.ParseDuration`` in seconds (None: not a duration)."""
    if text == "0":
        return None  # GetTimestamp reads "0" as a Unix time
    if not _DURATION.match(text):
        return None
    sign = -1.0 if text.startswith("-") else 1.0
    total = sum(float(n) * _UNIT[u] for n, u in
                re.findall(r"(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)", text))
    return sign * total


def sim_instant(value: str, now: float, flag: str) -> float:
    """The simulated instant a ``--since``/``--until`` value names.

    Raises:
        ValueError: the client's message (``invalid value for "since": ...``).
    """
    d = go_duration(value)
    if d is not None:
        return now - d
    epoch = datetime.fromisoformat(defaults.SIM_EPOCH)
    if "-" in value:
        text = value.replace("z", "Z").replace("Z", "+00:00")
        try:
            at = datetime.fromisoformat(text)
        except ValueError:
            raise ValueError(f'invalid value for "{flag}": parsing time "{value}": cannot '
                             "parse it as RFC 3339") from None
        if at.tzinfo is None:
            at = at.replace(tzinfo=UTC)
        return (at - epoch).total_seconds()
    if re.fullmatch(r"\d+(?:\.\d{1,9})?", value):
        return float(value) - epoch.timestamp()
    raise ValueError(f'invalid value for "{flag}": failed to parse value as time or duration: '
                     f'"{value}"')


@dataclass(frozen=True)
class LogOptions:
    """The options both logs commands share."""

    timestamps: bool = False
    since: float | None = None
    until: float | None = None
    tail: int = -1  # -1: all
    details: bool = False


def log_options(values: dict[str, object], now: float) -> LogOptions:
    """Read the parsed flags.

    Raises:
        ValueError: docker's message for a bad value.
    """
    tail = str(values.get("tail") or "all")
    keep = -1
    if tail != "all":
        try:
            keep = int(tail)
        except ValueError:
            raise ValueError('tail value must be a positive integer or "all"') from None
        if keep < 0:
            raise ValueError("negative tail values not supported")
    since = str(values.get("since") or "")
    until = str(values.get("until") or "")
    return LogOptions(bool(values.get("timestamps")),
                      sim_instant(since, now, "since") if since else None,
                      sim_instant(until, now, "until") if until else None,
                      keep, bool(values.get("details")))


def unix_of(at: float) -> str:
    """A simulated instant as the Unix time ``--since`` accepts."""
    return f"{datetime.fromisoformat(defaults.SIM_EPOCH).timestamp() + at:.6f}"


def after_words(words: list[str], now: float) -> list[str]:
    """A following ``logs`` line's words for what comes after ``now``: without
    ``-f``, ``--tail`` and ``--since``, with ``--since`` just after ``now``."""
    out: list[str] = []
    skip = False
    for w in words:
        if skip:
            skip = False
        elif w in ("-f", "--follow"):
            continue
        elif w in ("-n", "--tail", "--since"):
            skip = True
        elif not w.startswith(("--tail=", "--since=", "-n")):
            out.append(w)
    return [*out, "--since", unix_of(now + 1e-3)]


def select(entries: list[Entry], opts: LogOptions) -> list[Entry]:
    """The entries in the time window, each source's last ``tail`` ones."""
    chosen = sorted(e for e in entries
                    if (opts.since is None or e[0] >= opts.since)
                    and (opts.until is None or e[0] <= opts.until))
    return last_per_source(chosen, None if opts.tail < 0 else opts.tail)


def task_entries(sim: Simulation, logs: AppLogs, task_ids: set[str]) -> list[Entry]:
    """What the tasks' containers wrote."""
    return started_entries(sim.events, task_ids) + [e for e in logs.lines if e[1] in task_ids]


def service_logs(sim: Simulation, logs: AppLogs, words: list[str], machine: str
                 ) -> tuple[str, str, int]:
    """``docker service logs`` (the whole line's words) on ``machine``: stdout, stderr
    (the log lines, or the error), exit status."""
    api = control_api(sim)
    try:
        parsed = checked_parse(words)
        api.check_manager(machine)
    except CommandError as err:
        return "".join(f"{o}\n" for o in err.output), err.message + "\n", err.exit_code
    ref = parsed.args[0]
    v = parsed.values
    try:
        service = api.find_service(ref)
        tasks = list(sim.state.tasks_of(service.name))
        width = len(str(service.spec.replicas)) if service.spec.mode == "replicated" else 1
    except CommandError:  # a task (cli/command/service/logs.go: then TaskInspect)
        tasks = [t for t in sim.state.tasks.values() if t.id == ref] or [
            t for t in sim.state.tasks.values() if f"{t.name}.{t.id}" == ref] or [
            t for t in sim.state.tasks.values() if t.id.startswith(ref)]
        if len(tasks) != 1:
            return "", f"no such task or service: {ref}\n", 1
        service = sim.state.services.get(tasks[0].service)  # type: ignore[assignment]
        width = len(str(tasks[0].slot))
    if service is None or not is_get_started(service.spec.image):
        image = service.spec.image if service is not None else ref
        return "", f"swarmsim: the logs of {image} are not simulated\n", 1
    try:
        opts = log_options(v, sim.now)
    except ValueError as err:
        return "", f"Error response from daemon: {err}\n" if "tail" in str(err) else f"{err}\n", 1
    entries = select(task_entries(sim, logs, {t.id for t in tasks}), opts)
    out = []
    for at, task_id, line in entries:
        task = sim.state.tasks[task_id]
        stamp = fixed_stamp(at) + " " if opts.timestamps else ""
        if v["raw"]:
            attrs = (f"com.docker.swarm.node.id={task.node_id},com.docker.swarm.service.id="
                     f"{service.id},com.docker.swarm.task.id={task.id} ") if opts.details else ""
            out.append(f"{stamp}{attrs}{line}")
            continue
        node = sim.state.nodes.get(task.node_id or "")
        node_name = task.node_id if v["no-resolve"] or node is None else node.spec.name
        name = f"{service.id if v['no-resolve'] else service.name}.{task.slot}"
        if not v["no-task-ids"]:
            name += "." + (task.id if v["no-trunc"] else task.id[:12])
        pad = " " * max(width - len(str(task.slot)), 0)
        details = " " if opts.details else ""
        out.append(f"{stamp}{name}@{node_name}{pad}    | {details}{line}")
    return "", "".join(f"{ln}\n" for ln in out), 0  # Flask writes to stderr


def container_logs(entries: Callable[[], list[Entry]], values: dict[str, object],
                   now: float) -> tuple[str, str, int]:
    """``docker logs`` of one container: its lines, as the daemon sends them."""
    try:
        opts = log_options(values, now)
    except ValueError as err:
        return "", f"{err}\n", 1
    out = []
    for at, _source, line in select(entries(), opts):
        stamp = fixed_stamp(at) + " " if opts.timestamps else ""
        out.append(f"{stamp}{' ' if opts.details else ''}{line}")
    return "", "".join(f"{ln}\n" for ln in out), 0  # Flask writes to stderr
