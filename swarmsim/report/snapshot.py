"""The cluster at one moment, drawn the way dockersamples/visualizer shows a swarm: a
column per node (hostname, role, resources, status) and a box per task, coloured by
service. The visualizer's filter applies: tasks on a node whose desired state is
``running``.
"""

from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes
from matplotlib.patches import FancyBboxPatch, Rectangle

from swarmsim.report.data import RunData
from swarmsim.report.style import fmt_bytes, fmt_clock, fmt_cpus, short_service

HEADER = 1.7  # height of a node's header, in task-box units
UNIT_IN = 0.42  # inches per task-box unit in the saved figure
STATE_COLORS = {"running": "#2e7d32", "starting": "#f9a825", "preparing": "#f9a825",
                "assigned": "#90a4ae", "accepted": "#90a4ae", "ready": "#f9a825",
                "pending": "#90a4ae"}


def snapshot_nodes(data: RunData, at: float, max_nodes: int) -> tuple[list[str], int]:
    """The nodes drawn at ``at``: those in the swarm, all of them or ``max_nodes``
    evenly spaced in hostname order; and how many there are in all."""
    present = [n for n in data.node_names() if (r := data.node_at(n, at)) and r.in_swarm]
    if len(present) <= max_nodes:
        return present, len(present)
    idx = np.linspace(0, len(present) - 1, max_nodes).round().astype(int)
    return [present[i] for i in sorted(set(idx.tolist()))], len(present)


def task_label(name: str, stacks: list[str]) -> str:
    """A task's box label: ``web.3``, or just the service for a global task (whose name
    ends with the 25-character node id)."""
    short = short_service(name, stacks)
    base, _, tail = short.rpartition(".")
    return abbreviate(base if base and len(tail) == 25 and not tail.isdigit() else short)


#: characters a box label holds at its font size
BOX_CHARS = 22


def abbreviate(text: str, width: int = BOX_CHARS) -> str:
    """``text`` cut to ``width`` characters in the middle, keeping its end (a task's
    slot): ``batch-processi….27``."""
    if len(text) <= width:
        return text
    _base, dot, tail = text.rpartition(".")
    keep = f"{dot}{tail}" if dot and len(tail) < width // 2 else ""
    return text[: width - len(keep) - 1] + "…" + keep


def snapshot_size(data: RunData, at: float | None = None, max_nodes: int = 12,
                  max_boxes: int = 12) -> tuple[float, float]:
    """A figure size (inches) that fits :func:`plot_snapshot`'s columns and boxes."""
    t = data.end if at is None else at
    nodes, _total = snapshot_nodes(data, t, max_nodes)
    visible = data.visible_at(t)
    rows = max([min(len(visible.get(n, [])), max_boxes) for n in nodes] + [1])
    return max(4.5, 1.55 * len(nodes) + 0.6), 0.9 + UNIT_IN * (HEADER + rows + 0.5)


def plot_snapshot(data: RunData, at: float | None = None, *, ax: Axes, max_nodes: int = 12,
                  max_boxes: int = 12) -> Axes:
    """The swarm at time ``at`` (default: the end of the run) in the visualizer's style.

    Each task box is a :class:`~matplotlib.patches.Rectangle` with ``gid`` set to the
    task id; a node with more than ``max_boxes`` tasks shows ``max_boxes - 1`` and a
    ``+N more`` line. Beyond ``max_nodes`` nodes, an even sample is drawn (the title
    says so).
    """
    t = data.end if at is None else at
    nodes, total = snapshot_nodes(data, t, max_nodes)
    visible = data.visible_at(t)
    colors = data.colors()
    stacks = data.stacks()
    rows = max([min(len(visible.get(n, [])), max_boxes) for n in nodes] + [1])
    height = HEADER + rows + 0.4
    for col, node in enumerate(nodes):
        r = data.node_at(node, t)
        assert r is not None
        down = r.status == "down" or not r.alive
        x = col + 0.05
        face = "#b71c1c" if down else ("#455a64" if r.availability == "active" else "#ef6c00")
        ax.add_patch(FancyBboxPatch((x, 0.05), 0.9, HEADER - 0.2, boxstyle="round,pad=0.02",
                                    facecolor=face, edgecolor="none"))
        status = r.status if r.alive else f"{r.status}, machine off"
        lines = [node, r.role, f"{fmt_cpus(r.cpus)}  {fmt_bytes(r.memory)}",
                 f"{status} / {r.availability}"]
        ax.text(col + 0.5, 0.15, "\n".join(abbreviate(x, 24) for x in lines), ha="center",
                va="top", color="white",
                fontsize=7, linespacing=1.25, clip_on=True)
        ax.add_patch(Rectangle((x, HEADER - 0.1), 0.9, rows + 0.4, facecolor="#eceff1",
                               edgecolor="#b0bec5", linewidth=0.6))
        tasks = visible.get(node, [])
        show = tasks if len(tasks) <= max_boxes else tasks[: max_boxes - 1]
        for k, task in enumerate(show):
            y = HEADER + k
            box = Rectangle((col + 0.1, y + 0.05), 0.8, 0.8,
                            facecolor=colors.get(task.service, "grey"),
                            edgecolor=STATE_COLORS.get(task.state, "black"), linewidth=1.6,
                            linestyle="-" if task.actual or task.state != "running" else "--",
                            alpha=0.9, gid=task.id)
            ax.add_patch(box)
            ax.text(col + 0.5, y + 0.45, f"{task_label(task.name, stacks)}\n{task.state}",
                    ha="center", va="center", fontsize=6.5, color="white", clip_on=True)
        if len(show) < len(tasks):
            ax.text(col + 0.5, HEADER + len(show) + 0.45, f"+{len(tasks) - len(show)} more",
                    ha="center", va="center", fontsize=7)
    ax.set_xlim(0, max(len(nodes), 1))
    ax.set_ylim(height, 0)
    ax.set_axis_off()
    title = f"Cluster at t={fmt_clock(t)} ({t:g} s), visualizer view"
    if len(nodes) < total:
        title += f": {len(nodes)} of {total} nodes, evenly spaced by hostname"
    pending = sum(1 for r in data.tasks if r.pending_at is not None and r.pending_at <= t
                  and (r.assigned_at is None or r.assigned_at > t)
                  and (r.ended_at is None or r.ended_at > t)
                  and (r.deleted_at is None or r.deleted_at > t))
    if pending:
        title += f"; {pending} task(s) pending, on no node"
    ax.set_title(title, fontsize=10)
    return ax


def plot_latency(data: RunData, *, ax: Axes) -> Axes:
    """Latency percentiles (p50, p95, p99) of all requests per time bin."""
    styles = {"latency_p50": "-", "latency_p95": "--", "latency_p99": ":"}
    for metric, style in styles.items():
        pts = sorted((t, v) for t, e, m, v in data.requests if e == "requests" and m == metric)
        if pts:
            ax.step([p[0] for p in pts], [1000 * p[1] for p in pts], where="post",
                    linestyle=style, linewidth=1.6, label=metric.replace("latency_", ""))
    if not ax.lines:
        ax.text(0.5, 0.5, "no traffic in this run", ha="center", va="center",
                transform=ax.transAxes)
    else:
        errors = sorted((t, v) for t, e, m, v in data.requests if e == "requests"
                        and m == "errors")
        handles = list(ax.lines)
        if any(v for _t, v in errors):
            twin = ax.twinx()
            (line,) = twin.step([p[0] for p in errors], [p[1] for p in errors], where="post",
                                color="red", alpha=0.6, linewidth=1.2,
                                label="failed requests/s (right)")
            twin.set_ylabel("failed requests per second", color="red")
            twin.set_ylim(bottom=0)
            handles.append(line)
        ax.legend(handles=handles, loc="upper left", fontsize=8)
    ax.set_title("Request latency percentiles per time bin (answered requests, all services)")
    ax.set_xlabel("simulated time (s)")
    ax.set_ylabel("latency (ms)")
    ax.set_xlim(data.start, data.end)
    return ax


def plot_latency_cdf(data: RunData, *, ax: Axes) -> Axes:
    """Latency CDF of all requests and of each service with traffic."""
    reqs = data.summary.get("requests") or {}
    colors = data.colors()
    stacks = data.stacks()
    if reqs.get("latency_cdf"):
        pts = reqs["latency_cdf"]
        ax.plot([1000 * p[0] for p in pts], [p[1] for p in pts], color="black", linewidth=2.2,
                label="all requests")
    for name, svc in sorted(data.summary.get("services", {}).items()):
        cdf = (svc.get("requests") or {}).get("latency_cdf")
        if cdf:
            ax.plot([1000 * p[0] for p in cdf], [p[1] for p in cdf], linewidth=1.3,
                    color=colors.get(name, "grey"), label=short_service(name, stacks))
    if not ax.lines:
        ax.text(0.5, 0.5, "no traffic in this run", ha="center", va="center",
                transform=ax.transAxes)
    else:
        ax.legend(loc="lower right", fontsize=8)
    ax.set_title("Request latency CDF")
    ax.set_xlabel("latency (ms)")
    ax.set_ylabel("fraction of requests")
    ax.set_ylim(0, 1.02)
    return ax
