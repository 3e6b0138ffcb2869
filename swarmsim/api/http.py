"""The HTTP layer the routes share: a request as a handler sees it (:class:`Call`, with
the server's :class:`~swarmsim.api.view.View`), :func:`route`, JSON answers, errors.

One asyncio event loop serves every client.  Before each request the live clock moves
the simulation forward; the handler then reads or changes it without yielding, so
each call sees (and leaves) one consistent instant.  Streams (``/events``, ``logs
-f``) wait on the loop and never hold it.  Paths come with or without the
``/v1.NN`` prefix (moby's ``middleware/version.go`` rules).
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from swarmsim.api.errors import ApiError, bad_request, from_command
from swarmsim.api.view import View
from swarmsim.foundation.errors import CommandError

#: the Engine API versions served (the docker CLI negotiates down to MAX_VERSION)
MIN_VERSION = "1.24"
MAX_VERSION = "1.47"
#: the largest request body accepted (moby has no limit; compose specs are a few kB)
MAX_BODY = 1 << 20
VIEW: web.AppKey[View] = web.AppKey("view", View)
#: the wall-clock seconds one read (or tick) may spend moving the simulation forward;
#: the rest of the way is left to the next ones, so no client waits long for it
ADVANCE_BUDGET = 0.004
#: reads within this many wall-clock seconds of the last advance see its state
ADVANCE_EVERY = 0.01
_VERSION = re.compile(r"^/v(\d+)\.(\d+)(/.*)$")


def _vtuple(text: str) -> tuple[int, int]:
    major, _, minor = text.partition(".")
    return int(major), int(minor)


@dataclass
class Call:
    """One request as a handler sees it."""

    view: View
    request: web.Request
    body: bytes
    version: str

    @property
    def query(self) -> Any:
        return self.request.query

    def arg(self, name: str) -> str:
        return self.request.match_info[name]

    def json(self) -> Any:
        """The body decoded as moby's ``httputils.ReadJSON`` does."""
        if not self.body.strip():
            return None
        ctype = self.request.headers.get("Content-Type", "")
        if ctype and not ctype.startswith("application/json"):
            raise bad_request(f"unsupported Content-Type header ({ctype}): must be "
                              "'application/json'")
        text = self.body.decode("utf-8", "replace")
        try:
            value, end = json.JSONDecoder().raw_decode(text.lstrip())
        except json.JSONDecodeError as err:
            raise bad_request("invalid JSON: " + go_json_error(err)) from None
        if text.lstrip()[end:].strip():
            raise bad_request("unexpected content after JSON")
        return value

    def flag(self, name: str) -> bool:
        return self.query.get(name, "").lower() in ("1", "true")


_GO_SYNTAX = {
    "Expecting value": "looking for beginning of value",
    "Expecting property name enclosed in double quotes": "looking for beginning of object "
    "key string",
    "Expecting ':' delimiter": "after object key",
    "Expecting ',' delimiter": "after object key:value pair",
}


def go_json_error(err: json.JSONDecodeError) -> str:
    """Python's JSON syntax error in the words of Go's decoder (``encoding/json``):
    ``invalid character 'x' looking for beginning of value``, ``unexpected EOF``."""
    if err.pos >= len(err.doc.rstrip()):
        return "unexpected EOF"
    char = err.doc[err.pos]
    what = _GO_SYNTAX.get(err.msg, "looking for beginning of value")
    if err.msg == "Expecting ',' delimiter" and err.doc.lstrip().startswith("["):
        what = "after array element"
    return f"invalid character {char!r} {what}"


Handler = Callable[[Call], Any]
AsyncHandler = Callable[[Call], Awaitable[web.StreamResponse]]


def dumps(value: Any) -> bytes:
    """JSON as Go's ``encoding/json`` writes it (moby's answers): compact, no spaces."""
    return json.dumps(value, separators=(",", ":")).encode()


def json_response(value: Any, status: int = 200) -> web.Response:
    """A JSON answer with moby's exact ``Content-Type`` (the docker client reads
    error bodies only when it is ``application/json``, without a charset)."""
    return web.Response(body=dumps(value) + b"\n", status=status,
                        headers={"Content-Type": "application/json", **_headers()})


def error_response(status: int, message: str) -> web.Response:
    return json_response({"message": message}, status)


@web.middleware
async def answer_errors(request: web.Request,
                  handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
                  ) -> web.StreamResponse:
    try:
        return await handler(request)
    except ApiError as err:
        return error_response(err.status, err.message)
    except CommandError as err:
        api = from_command(err)
        return error_response(api.status, api.message)
    except web.HTTPRequestEntityTooLarge:
        return error_response(413, f"request body is larger than {MAX_BODY} bytes")
    except web.HTTPNotFound:
        return error_response(404, "page not found")
    except web.HTTPMethodNotAllowed:
        return error_response(405, "method not allowed")


def _version_of(request: web.Request) -> str:
    m = _VERSION.match(request.path)
    if not m:
        return MAX_VERSION
    version = f"{int(m.group(1))}.{int(m.group(2))}"
    if _vtuple(version) > _vtuple(MAX_VERSION):
        raise bad_request(f"client version {version} is too new. Maximum supported API "
                          f"version is {MAX_VERSION}")
    if _vtuple(version) < _vtuple(MIN_VERSION):
        raise bad_request(f"client version {version} is too old. Minimum supported API "
                          f"version is {MIN_VERSION}, please upgrade your client to a "
                          "newer version")
    return version


def _headers() -> dict[str, str]:
    return {"Api-Version": MAX_VERSION, "Docker-Experimental": "false",
            "Ostype": "linux", "Server": "Docker/swarmsim (linux)"}


def _json_body(data: bytes, status: int, started: float) -> web.Response:
    """A JSON answer, with the time the server spent on it (``Server-Timing``, ms)."""
    spent = (time.perf_counter() - started) * 1000
    return web.Response(body=data, status=status, headers={
        "Content-Type": "application/json", "Server-Timing": f"app;dur={spent:.3f}",
        **_headers()})


def route(app: web.Application, method: str, path: str, fn: Handler | AsyncHandler, *,
          stream: bool = False, cached: bool = False) -> None:
    """Serve ``fn`` at ``path`` and ``/v1.NN/path``.  A plain handler returns a JSON
    value (200), ``(status, value)``, or a ready response; a ``stream`` handler is a
    coroutine that writes its own response.  A ``cached`` list answers a repeated
    request from the last body while nothing changed (the store index, the clock's
    anchor and the machine's standing are the same, whatever the path's version prefix
    and the order of its query): polling clients cost little.  A handler may also
    return JSON already encoded as bytes."""

    async def handle(request: web.Request) -> web.StreamResponse:
        version = _version_of(request)
        view = request.app[VIEW]
        body = await request.read() if request.can_read_body else b""
        started = time.perf_counter()
        if request.method in ("GET", "HEAD"):
            view.clock.advance(budget=ADVANCE_BUDGET, every=ADVANCE_EVERY)
        else:  # a change lands at the present instant, whatever it takes to get there
            view.clock.advance()
        view.sync()
        call = Call(view, request, body, version)
        if stream:
            return await fn(call)
        key: Any = None
        if cached:
            key = (view.generation, view.clock.anchor(), view.sim.has_leader)
            where = (path, tuple(sorted(request.query.items())))
            hit = view.responses.get(where)
            if hit is not None and hit[0] == key:
                return _json_body(hit[1], 200, started)
        result = fn(call)
        if request.method not in ("GET", "HEAD"):
            view.clock.settle()
        if cached and isinstance(result, list):
            result = dumps(result)
        if isinstance(result, bytes):
            data = result + b"\n"
            if cached:
                if len(view.responses) > 256:
                    view.responses.clear()
                view.responses[where] = (key, data)
            return _json_body(data, 200, started)
        if isinstance(result, web.StreamResponse):
            result.headers.update(_headers())
            return result
        status = 200
        if isinstance(result, tuple):
            status, result = result
        if result is None:
            return web.Response(status=status, headers=_headers())
        return _json_body(dumps(result) + b"\n", status, started)

    app.router.add_route(method, path, handle)
    app.router.add_route(method, r"/v{version:[0-9]+\.[0-9]+}" + path, handle)
