"""The visualizer's live mode: a page that polls a running ``swarmsim serve`` and draws
its swarm as dockersamples/visualizer does (nodes as columns, the tasks each node
should run as boxes), with the replay page's style.

``swarmsim serve --visualizer PORT`` serves it on its own loopback port, beside the
API, from the same event loop: ``/`` is the page, ``/live.json`` the swarm now.
"""

from __future__ import annotations

import html
from importlib import resources
from typing import Any

from aiohttp import web

from swarmsim.api.view import View
from swarmsim.cluster.tasks import LABELS, TaskState
from swarmsim.foundation.text import natural_key

VIEW: web.AppKey[View] = web.AppKey("live-view", View)
POLL_MS = 500


def live_state(view: View) -> dict[str, Any]:
    """What the page draws: the nodes in the node list, each with the tasks whose
    desired state is running (the tasks the real visualizer shows), and the services'
    colours."""
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
        "time": view.sim.now,
        "services": [{"name": s, "color": colors[s]} for s in sorted(state.services)],
        "nodes": [{"name": n.name, "role": n.spec.role, "status": n.spec.status,
                   "availability": n.spec.availability, "cpus": n.spec.nano_cpus / 1e9,
                   "memory": n.spec.memory_bytes, "tasks": boxes[n.id]} for n in nodes],
        "pending": pending,
    }


def page(title: str) -> str:
    """The live page (style and script inline)."""
    css = resources.files("swarmsim.report").joinpath("assets", "visualizer.css")
    js = resources.files("swarmsim.api").joinpath("assets", "live.js")
    title = html.escape(title)
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        f"<link rel=\"icon\" href=\"data:,\"><title>{title}</title>"
        f"<style>{css.read_text(encoding='utf-8')}</style></head>\n"
        f"<body data-period=\"{POLL_MS}\"><header><h1>{title}</h1><div id=\"controls\">"
        "<span id=\"clock\">live</span></div><div id=\"legend\"></div></header>\n"
        "<main id=\"cluster\"></main><footer id=\"pending\"></footer>\n"
        f"<script>{js.read_text(encoding='utf-8')}</script>\n</body></html>\n"
    )


def make_live_app(view: View) -> web.Application:
    """The visualizer's application."""
    app = web.Application()
    app[VIEW] = view
    text = page(f"swarmsim visualizer (live): {view.sim.scenario.name}")

    async def index(request: web.Request) -> web.Response:
        return web.Response(text=text, content_type="text/html")

    async def state(request: web.Request) -> web.Response:
        view.clock.advance()
        view.sync()
        return web.json_response(live_state(view),
                                 headers={"Cache-Control": "no-store"})

    app.router.add_get("/", index)
    app.router.add_get("/visualizer.html", index)
    app.router.add_get("/live.json", state)
    return app
