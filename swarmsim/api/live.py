"""The visualizer's live mode: ``visualizer.html`` (the page ``swarmsim run --out``
writes) polls a running ``swarmsim serve`` for ``live.json``, the swarm now, and draws
it as dockersamples/visualizer does (nodes as columns, the tasks each node should run
as boxes).

``swarmsim serve --visualizer PORT`` serves the page in live mode on its own loopback
port, beside the API, from the same event loop: ``/`` is the page, ``/live.json`` the
swarm now.  The API port answers ``/live.json`` too, so any ``visualizer.html`` opened
with ``?live=http://127.0.0.1:API_PORT`` follows the served swarm.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from swarmsim.api.view import View
from swarmsim.cluster.tasks import LABELS, TaskState
from swarmsim.foundation.text import natural_key

VIEW: web.AppKey[View] = web.AppKey("live-view", View)
#: a page opened from disk (``visualizer.html?live=...``) may read the snapshot, which is
#: read-only; nothing else of the server is open to other origins
LIVE_HEADERS = {"Cache-Control": "no-store", "Access-Control-Allow-Origin": "*"}


def live_state(view: View) -> dict[str, Any]:
    """What the page draws: the nodes in the node list, each with the tasks whose
    desired state is running (the tasks the real visualizer shows), and the services'
    colours."""
    # the report package loads matplotlib: only `serve --visualizer` pays for it
    from swarmsim.report.style import service_colors

    state = view.sim.state
    nodes = sorted(state.nodes.values(), key=lambda n: natural_key(n.name))
    boxes: dict[str, list[dict[str, str]]] = {n.id: [] for n in nodes}
    pending = 0
    for t in sorted(state.tasks.values(), key=lambda t: natural_key(t.name)):
        if t.desired != TaskState.RUNNING:
            continue
        if t.node_id in boxes:
            boxes[t.node_id].append({"id": t.id, "name": t.name, "service": t.service,
                                     "state": LABELS[t.state]})
        elif t.node_id is None:
            pending += 1
    colors = service_colors(sorted(state.services))
    return {
        "name": view.sim.scenario.name,
        "time": view.sim.now,
        "services": [{"name": s, "color": colors[s]} for s in sorted(state.services)],
        "nodes": [{"name": n.name, "role": n.spec.role, "status": n.spec.status,
                   "alive": n.alive,
                   "availability": n.spec.availability, "cpus": n.spec.nano_cpus / 1e9,
                   "memory": n.spec.memory_bytes, "tasks": boxes[n.id]} for n in nodes],
        "pending": pending,
    }


def make_live_app(view: View) -> web.Application:
    """The visualizer's application."""
    # the report package loads matplotlib: only a server asked for the page pays for it
    from swarmsim.report.visualizer import live_page

    app = web.Application()
    app[VIEW] = view
    text = live_page(view.sim.scenario.name)

    async def index(request: web.Request) -> web.Response:
        return web.Response(text=text, content_type="text/html")

    state = snapshot_handler(view)

    app.router.add_get("/", index)
    app.router.add_get("/visualizer.html", index)
    app.router.add_get("/live.json", state)
    return app


def snapshot_handler(view: View) -> Callable[[web.Request], Awaitable[web.Response]]:
    """``GET /live.json``: the swarm now (after the clock's advance)."""

    async def state(request: web.Request) -> web.Response:
        view.clock.advance()
        view.sync()
        return web.json_response(live_state(view), headers=LIVE_HEADERS)

    return state
