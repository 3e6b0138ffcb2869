"""``visualizer.html``: a self-contained page that replays a run in the style of
dockersamples/visualizer: nodes as columns, tasks as boxes that appear, change state and
vanish, with a time slider, a play button and each node's status.

The page holds the run's data as JSON and its script and style inline, so it opens from
disk with no network. It shows the tasks the real visualizer shows: those on a node
whose desired state is ``running``.
"""

from __future__ import annotations

import html
import json
from importlib import resources
from typing import Any

from swarmsim.report.data import RunData
from swarmsim.report.snapshot import task_label
from swarmsim.report.style import natural_key, short_service

#: task states in the order the page's codes refer to them
STATES = ("new", "pending", "assigned", "accepted", "preparing", "ready", "starting",
          "running", "complete", "shutdown", "failed", "rejected", "remove", "orphaned")


def page_data(data: RunData) -> dict[str, Any]:
    """The JSON the page replays: nodes with their status changes, tasks with their
    state changes (node index, state code, desired code, container alive) and the
    disturbances as slider marks."""
    nodes = data.node_names()
    node_index = {n: i for i, n in enumerate(nodes)}
    code = {s: i for i, s in enumerate(STATES)}
    colors = data.colors()
    services = sorted(colors, key=natural_key)
    service_index = {s: i for i, s in enumerate(services)}
    stacks = data.stacks()
    node_list = []
    for n in nodes:
        rows = data.node_rows(n)
        node_list.append({
            "name": n,
            "cpus": rows[0].cpus,
            "memory": rows[0].memory,
            "changes": [[r.time, r.role, r.status, r.availability, int(r.alive),
                         int(r.in_swarm)] for r in rows],
        })
    rows_by_id = {r.task_id: r for r in data.tasks}
    tasks = []
    for tid, changes in data.task_changes().items():
        row = rows_by_id.get(tid)
        if row is None:
            continue
        out, node = [], -1
        for c in changes:
            if c.node is not None:
                node = node_index.get(c.node, -1)
            out.append([c.time, node, code[c.state], code[c.desired], int(c.actual)])
        tasks.append({
            "id": tid,
            "name": task_label(row.name, stacks),
            "service": service_index.get(row.service, 0),
            "deleted": row.deleted_at,
            "changes": out,
        })
    return {
        "name": data.scenario.get("name", ""),
        "start": data.start,
        "end": data.end,
        "states": list(STATES),
        "services": [{"name": short_service(s, stacks), "color": colors[s]} for s in services],
        "nodes": node_list,
        "tasks": tasks,
        "marks": [[d["time"], f"{d['kind']} {short_service(d['target'], stacks)}"]
                  for d in data.summary.get("disturbances", [])],
    }


def _asset(name: str) -> str:
    return resources.files("swarmsim.report").joinpath("assets", name).read_text(encoding="utf-8")


def render_page(data: RunData, note: str = "") -> str:
    """The whole ``visualizer.html`` document (``note``: a line shown under the
    controls)."""
    return _document(page_data(data), f"swarmsim visualizer: {data.scenario.get('name', '')}",
                     note)


def live_page(name: str) -> str:
    """The same page in its live mode, as ``swarmsim serve --visualizer`` serves it: no
    run inside; it polls ``live.json`` next to itself.  (Any ``visualizer.html`` opened
    with ``?live=ADDRESS`` polls ``ADDRESS/live.json`` instead of replaying its run.)"""
    empty = {"name": name, "start": 0.0, "end": 0.0, "states": list(STATES),
             "services": [], "nodes": [], "tasks": [], "marks": [], "live": "."}
    return _document(empty, f"swarmsim visualizer (live): {name}")


def _document(payload_data: dict[str, Any], title_text: str, note: str = "") -> str:
    payload = json.dumps(payload_data, separators=(",", ":"))
    payload = payload.replace("</", "<\\/")  # never close the script element early
    title = html.escape(title_text)
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        "<link rel=\"icon\" href=\"data:,\">"
        f"<title>{title}</title><style>{_asset('visualizer.css')}</style></head>\n<body>"
        f"<header><h1>{title}</h1><div id=\"controls\">"
        "<button id=\"play\" type=\"button\">Play</button>"
        "<button id=\"prev\" type=\"button\" title=\"previous disturbance\">&#9664;</button>"
        "<input id=\"time\" type=\"range\" step=\"any\" aria-label=\"simulated time\">"
        "<button id=\"next\" type=\"button\" title=\"next disturbance\">&#9654;</button>"
        "<span id=\"clock\"></span><label>speed <select id=\"speed\">"
        "<option value=\"1\">1x</option><option value=\"5\">5x</option>"
        "<option value=\"10\" selected>10x</option><option value=\"30\">30x</option>"
        "<option value=\"100\">100x</option></select></label>"
        "<label><input id=\"compact\" type=\"checkbox\"> compact</label></div>"
        "<div id=\"mark\"></div><div id=\"legend\"></div>"
        + (f"<p id=\"note\">{html.escape(note)}</p>" if note else "") + "</header>\n"
        "<main id=\"cluster\"></main><footer id=\"pending\"></footer>\n"
        f"<script id=\"run-data\" type=\"application/json\">{payload}</script>\n"
        f"<script>{_asset('visualizer.js')}</script>\n</body></html>\n"
    )
