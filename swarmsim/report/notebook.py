"""The cluster at one moment as rich output in Jupyter, in the visualizer's style.

``ClusterView(result)`` (or :func:`show_cluster`) as the last expression of a cell shows
one column per node (hostname, role, status and availability; red when down or off,
orange when drained, purple when paused) and one box per task whose desired state is
``running``, coloured by service with the colours of the plots and ``visualizer.html``.
The HTML is self-contained: inline styles only, no script, no external file.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from typing import Any

from swarmsim.outputs.snapshot import snapshot
from swarmsim.report.data import RunData
from swarmsim.report.snapshot import task_label
from swarmsim.report.style import (
    fmt_bytes,
    fmt_clock,
    fmt_cpus,
    natural_key,
    service_colors,
    short_service,
)

__all__ = ["ClusterView", "NodeView", "TaskView", "show_cluster"]

# the visualizer's palette (swarmsim/report/assets/visualizer.css)
_BG = "#254356"
_NODE_BG = "#33586f"
_META_BG = {"ready": "#1e88c7", "down": "#b71c1c", "drain": "#ef6c00", "pause": "#8e7cc3"}
_TASK_BG = "#20394a"
_STATE_FG = {"running": "#81c784", "starting": "#ffd54f", "preparing": "#ffd54f"}


@dataclass(frozen=True, slots=True)
class TaskView:
    """One task box: its id, label (``web.3``), service, observed state and whether its
    container is really alive."""

    id: str
    label: str
    service: str
    state: str
    actual: bool


@dataclass(frozen=True, slots=True)
class NodeView:
    """One node column and the tasks it shows."""

    name: str
    role: str
    status: str
    availability: str
    alive: bool
    cpus: float
    memory: int
    tasks: tuple[TaskView, ...]


class ClusterView:
    """The swarm at one moment, shown as HTML in a notebook.

    Args:
        sim_or_result: a :func:`swarmsim.app.run.run_scenario` result, a
            :class:`~swarmsim.simulation.engine.Simulation`, or a :class:`RunData`.
        at: simulated time (seconds) of the view; default: the end of the run (the
            simulation's current time). A bare simulation has no recorded history, so
            it can only be shown at its current time.

    Raises:
        ValueError: if ``at`` is given for a bare simulation and is not its current time.
    """

    def __init__(self, sim_or_result: Any, at: float | None = None) -> None:
        if isinstance(sim_or_result, RunData):
            self._from_data(sim_or_result, at)
        elif getattr(sim_or_result, "recorder", None) is not None:
            self._from_data(RunData.from_result(sim_or_result), at)
        else:
            sim = getattr(sim_or_result, "sim", sim_or_result)
            if at is not None and float(at) != float(sim.now):
                raise ValueError("a simulation without a recorder can only be shown at its "
                                 "current time: use swarmsim.app.run.run_scenario")
            self._from_sim(sim)

    # --- building -----------------------------------------------------------------------
    def _from_data(self, data: RunData, at: float | None) -> None:
        t = data.end if at is None else min(max(float(at), data.start), data.end)
        stacks = data.stacks()
        visible = data.visible_at(t)
        nodes = []
        for name in data.node_names():
            row = data.node_at(name, t)
            if row is None or not row.in_swarm:
                continue
            tasks = tuple(TaskView(x.id, task_label(x.name, stacks), x.service, x.state,
                                   x.actual) for x in visible.get(name, []))
            nodes.append(NodeView(name, row.role, row.status, row.availability, row.alive,
                                  row.cpus, row.memory, tasks))
        self.time = t
        self.name = str(data.scenario.get("name", ""))
        self.stacks = stacks
        self.colors = data.colors()
        self.nodes = nodes

    def _from_sim(self, sim: Any) -> None:
        doc = snapshot(sim)
        stacks = sorted({s.spec.stack for s in sim.state.services.values() if s.spec.stack})
        by_node: dict[str, list[TaskView]] = {}
        for t in doc["tasks"]:
            if t["node"] is None or t["desired_state"] != "running":
                continue
            by_node.setdefault(t["node"], []).append(
                TaskView(t["id"], task_label(t["name"], stacks), t["service"], t["state"],
                         bool(t["actual"])))
        self.time = float(doc["time"])
        self.name = str(getattr(sim.scenario, "name", "") or "")
        self.stacks = stacks
        self.colors = service_colors([s["name"] for s in doc["services"]])
        self.nodes = [
            NodeView(n["name"], n["role"], n["status"], n["availability"], bool(n["alive"]),
                     float(n["cpus"]), int(n["memory"]),
                     tuple(sorted(by_node.get(n["name"], []),
                                  key=lambda x: natural_key(x.label))))
            for n in doc["nodes"]
        ]

    # --- display ------------------------------------------------------------------------
    def __repr__(self) -> str:
        tasks = sum(len(n.tasks) for n in self.nodes)
        return (f"<ClusterView {self.name or 'swarm'} at t={self.time:g} s: "
                f"{len(self.nodes)} nodes, {tasks} tasks>")

    def _repr_html_(self) -> str:
        parts = [f'<div class="swarmsim-cluster" style="background:{_BG};color:#fff;'
                 'font:13px/1.35 Helvetica Neue,Arial,sans-serif;padding:10px;'
                 'border-radius:4px">',
                 f'<div style="font-weight:600;margin-bottom:6px">{escape(self.name)} '
                 f'at t={fmt_clock(self.time)} ({self.time:g} s)</div>']
        legend = sorted({t.service for n in self.nodes for t in n.tasks}, key=natural_key)
        if legend:
            parts.append('<div style="margin-bottom:8px">')
            for svc in legend:
                parts.append(f'<span style="display:inline-block;margin:0 6px 0 0;'
                             f'padding:1px 6px;border-left:6px solid '
                             f'{self.colors.get(svc, "grey")};background:#2f5167">'
                             f'{escape(short_service(svc, self.stacks))}</span>')
            parts.append("</div>")
        parts.append('<div style="display:flex;flex-wrap:wrap;gap:10px;'
                     'align-items:flex-start">')
        for node in self.nodes:
            parts.append(self._node_html(node))
        parts.append("</div></div>")
        return "".join(parts)

    def _node_html(self, node: NodeView) -> str:
        if node.status == "down" or not node.alive:
            meta = _META_BG["down"]
        else:
            meta = _META_BG.get(node.availability, _META_BG["ready"])
        status = node.status if node.alive else f"{node.status}, machine off"
        out = [f'<div class="swarmsim-node" data-node="{escape(node.name)}" '
               f'style="width:170px;background:{_NODE_BG};border-radius:4px;overflow:hidden">',
               f'<div style="padding:6px 8px;background:{meta};font-size:12px">'
               f'<div style="font-weight:700;font-size:13px">{escape(node.name)}</div>'
               f'{escape(node.role)}<br>{escape(fmt_cpus(node.cpus))} '
               f'{escape(fmt_bytes(node.memory))}<br>'
               f'{escape(status)} / {escape(node.availability)}</div>',
               '<div style="padding:6px;min-height:30px">']
        for task in node.tasks:
            color = self.colors.get(task.service, "grey")
            dead = task.state == "running" and not task.actual
            style = "dashed" if dead else "solid"
            fade = ";opacity:0.7" if dead else ""
            out.append(f'<div class="swarmsim-task" data-task="{escape(task.id)}" '
                       f'title="{escape(task.id)}" style="margin:0 0 6px;padding:4px 6px;'
                       f'border:2px {style} {color};border-radius:3px;background:{_TASK_BG};'
                       f'font-size:11px{fade}">'
                       f'<div style="font-weight:700;font-size:12px">'
                       f'{escape(task.label)}</div>'
                       f'<span style="color:{_STATE_FG.get(task.state, "#cfd8dc")}">'
                       f'{escape(task.state)}</span></div>')
        out.append("</div></div>")
        return "".join(out)


def show_cluster(result: Any, at: float | None = None) -> ClusterView:
    """The cluster of a run at ``at`` (default: its end), for display in a notebook."""
    return ClusterView(result, at=at)
