"""Docker's get-started app (image ``.../get-started``, ``friendlyhello`` or the
tutorial's ``username/repo``): what it answers, what it counts, what it logs.

The app answers ``GET /`` with the container's hostname (its id, 12 characters) and the
visit count it keeps in the ``redis`` service of its stack.  redis keeps the counter in
memory and in ``/data``.  With a bind mount (or volume) on ``/data``, the data belong to
the node's directory: a new redis task on the same node finds the count again.  Without
one, the data die with the task's container.  Each app container logs ``* Running on
http://0.0.0.0:80/ (Press CTRL+C to quit)`` when it starts, then one werkzeug access line
per request, from the ingress network address of the node that received the request
(``10.0.0.<n>``).
"""

from __future__ import annotations

from collections.abc import Container, Iterable
from dataclasses import dataclass, field
from typing import Any

from swarmsim.cluster.tasks import Task
from swarmsim.commands.inspect import wall
from swarmsim.compose import imageref

Entry = tuple[float, str, str]  # a log entry: (time, task or container id, line)

NO_REDIS = "<i>cannot connect to Redis, counter disabled</i>"
STARTED = " * Running on http://0.0.0.0:80/ (Press CTRL+C to quit)"
_APP_IMAGES = ("get-started", "friendlyhello", "username/repo")


def is_get_started(image: str) -> bool:
    """True for the tutorial's app image: its repository is ``get-started`` (e.g.
    ``gordon/get-started:part2``), ``friendlyhello`` or ``username/repo``."""
    try:
        path = imageref.parse(image).path
    except imageref.ReferenceError:
        return False
    return path in _APP_IMAGES or path.rsplit("/", 1)[-1] in _APP_IMAGES[:2]


def app_page(hostname: str, visits: str, name: str = "World") -> str:
    """The page app.py returns."""
    return f"<h3>Hello {name}!</h3><b>Hostname:</b> {hostname}<br/><b>Visits:</b> {visits}"


def data_key(task: Task, node_name: str) -> tuple[str, ...]:
    """Where a redis task keeps its data: ``(node, mount source)`` when ``/data`` is
    mounted from the node, else the task itself."""
    for mount in task.spec.mounts:
        if mount.target.rstrip("/") == "/data" and mount.type in ("bind", "volume"):
            return ("node", node_name, mount.type, mount.source)
    return ("task", task.id)


@dataclass
class VisitCounter:
    """``INCR counter`` on each redis data store."""

    counts: dict[tuple[str, ...], int] = field(default_factory=dict)

    def incr(self, key: tuple[str, ...]) -> int:
        """Add one visit; the new count (1 on a fresh store)."""
        self.counts[key] = self.counts.get(key, 0) + 1
        return self.counts[key]


def access_line(at: float, client: str) -> str:
    """werkzeug's access log line for ``GET /``."""
    stamp = wall(at).strftime("%d/%b/%Y %H:%M:%S")
    return f'{client} - - [{stamp}] "GET / HTTP/1.1" 200 -'


@dataclass
class AppLogs:
    """The request lines the app's containers wrote: (time, task id, line)."""

    lines: list[tuple[float, str, str]] = field(default_factory=list)

    def request(self, at: float, task: Task, client: str) -> None:
        """A request ``task`` served."""
        self.lines.append((at, task.id, access_line(at, client)))

    def served(self, at: float, container_id: str, client: str) -> None:
        """A request a standalone container (``docker run``) served."""
        self.lines.append((at, container_id, access_line(at, client)))


def started_entries(events: Iterable[Any], ids: Container[str]) -> list[Entry]:
    """The start line each container of a task in ``ids`` wrote, one per start, from the
    run's recorded task events."""
    return [(ev.time, ev.id, STARTED) for ev in events
            if getattr(ev, "kind", "") == "task" and ev.id in ids and ev.state == "running"]


def last_per_source(entries: list[Entry], tail: int | None) -> list[Entry]:
    """docker's ``--tail N`` over time-ordered ``entries``: each task's (container's)
    last ``tail`` entries, in time order; ``None`` keeps them all.  SwarmKit's agents
    apply the tail per task, so a service's logs hold N lines of each of its tasks."""
    if tail is None:
        return entries
    per: dict[str, list[Entry]] = {}
    for e in entries:
        per.setdefault(e[1], []).append(e)
    return sorted(e for group in per.values() for e in (group[len(group) - tail:] if tail else ()))
