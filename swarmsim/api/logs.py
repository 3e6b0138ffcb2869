"""``GET /services/{id}/logs`` and ``GET /tasks/{id}/logs``: what the get-started app's
containers wrote, as the engine streams it.

The lines are the app model's (:mod:`swarmsim.commands.getstarted`): ``* Running on
...`` when a container starts, then one werkzeug access line per request it served.
Flask's development server writes them to stderr, so they travel as stderr frames.
Other images' output is not simulated: their streams carry no line.

The stream follows moby: ``daemon/server/httputils/logstream/logstream.go`` frames each
line with ``stdcopy`` (8 bytes: the stream, three zeros, the payload's length, big
endian) when the service has no TTY, puts the RFC 3339 timestamp (nanoseconds, fixed
width) first with ``timestamps``, then with ``details`` the sorted, URL-escaped
``key=value`` pairs the CLI reads the task's context from (``com.docker.swarm.node.id``,
``.service.id``, ``.task.id``: ``daemon/cluster/services.go`` ``ServiceLogs``).
``tail`` counts per task, as SwarmKit's agents apply it to each container.
"""

from __future__ import annotations

import asyncio
import struct
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from urllib.parse import quote_plus

from aiohttp import web

from swarmsim.api import http
from swarmsim.api.errors import ApiError, bad_request
from swarmsim.api.view import View
from swarmsim.cluster.tasks import Task
from swarmsim.commands.curl import mesh_of
from swarmsim.commands.getstarted import Entry, is_get_started, last_per_source, started_entries
from swarmsim.foundation.text import rfc3339_nano_fixed

STDERR = 2
POLL_S = 0.1


def frame(stream: int, payload: bytes) -> bytes:
    """One ``stdcopy`` frame."""
    return struct.pack(">BxxxI", stream, len(payload)) + payload


def _timestamp(unix: float) -> str:
    """docker's log timestamp of a Unix instant (to the microsecond a float holds)."""
    return rfc3339_nano_fixed(datetime.fromtimestamp(unix, tz=UTC))


def _tail(raw: str) -> int | None:
    """``tail``: None for all lines, else how many of each task's last lines."""
    if raw in ("", "all"):
        return None
    try:
        n = int(raw)
    except ValueError:
        raise ApiError(500, 'tail value must be a positive integer or "all"') from None
    if n < 0:
        raise ApiError(500, "negative tail values not supported")
    return n


def _since(raw: str) -> float | None:
    """``since``: Unix seconds (``SECONDS[.NANOS]``, as the client sends it)."""
    if not raw:
        return None
    try:
        return float(raw)
    except ValueError:
        raise bad_request(f"invalid value for since: {raw}") from None


class Source:
    """The log entries of a set of tasks, read from where the model keeps them (the
    task events and the app's request log), each read once."""

    def __init__(self, view: View, tasks: Callable[[], Iterable[Task]]) -> None:
        self.view = view
        self.tasks = tasks
        self._events = 0
        self._lines = 0

    def new(self) -> list[Entry]:
        """The entries written since the last call, in time order."""
        sim = self.view.sim
        ids = {t.id for t in self.tasks() if is_get_started(t.spec.image)}
        events, self._events = sim.events[self._events:], len(sim.events)
        logs = mesh_of(sim).logs.lines
        lines, self._lines = logs[self._lines:], len(logs)
        out = started_entries(events, ids) + [e for e in lines if e[1] in ids]
        return sorted(out)


def _keep(entries: list[Entry], tail: int | None, since: float | None,
          unix: Callable[[float], float]) -> list[Entry]:
    if since is not None:
        entries = [e for e in entries if unix(e[0]) >= since]
    return last_per_source(entries, tail)


async def stream(call: http.Call, tasks: Callable[[], Iterable[Task]],
                 alive: Callable[[], bool]) -> web.StreamResponse:
    """Answer a logs request for the tasks ``tasks()`` names; with ``follow``, keep
    sending new lines while ``alive()`` and the client stays."""
    if not (call.flag("stdout") or call.flag("stderr")):
        raise bad_request("Bad parameters: you must choose at least one stream")
    tail, since = _tail(call.query.get("tail", "")), _since(call.query.get("since", ""))
    view = call.view
    muxed = http._vtuple(call.version) >= (1, 42)
    resp = web.StreamResponse(headers={
        "Content-Type": "application/vnd.docker.multiplexed-stream" if muxed
        else "application/vnd.docker.raw-stream", **http._headers()})
    await resp.prepare(call.request)
    source = Source(view, tasks)
    services = {s.name: s.id for s in view.sim.state.services.values()}

    def payload(entry: Entry) -> bytes:
        at, task_id, line = entry
        text = line + "\n"
        if call.flag("details"):
            task = view.sim.state.tasks.get(task_id)
            node_id = service_id = ""
            if task is not None:
                node_id = task.node_id or ""
                service_id = (services.get(task.service)
                              or view.removed_service_id(task.service))
            attrs = (("com.docker.swarm.node.id", node_id),
                     ("com.docker.swarm.service.id", service_id),
                     ("com.docker.swarm.task.id", task_id))
            text = ",".join(f"{quote_plus(k)}={quote_plus(v)}" for k, v in attrs) + " " + text
        if call.flag("timestamps"):
            text = _timestamp(view.clock.unix(at)) + " " + text
        return frame(STDERR, text.encode())

    entries = _keep(source.new(), tail, since, view.clock.unix)
    try:
        while True:
            if call.flag("stderr") and entries:
                await resp.write(b"".join(payload(e) for e in entries))
            if not (call.flag("follow") and alive()):
                break
            await asyncio.sleep(POLL_S)
            services.update({s.name: s.id for s in view.sim.state.services.values()})
            entries = _keep(source.new(), None, since, view.clock.unix)
    except ConnectionResetError:  # the client went: nothing more to do
        return resp
    await resp.write_eof()
    return resp
