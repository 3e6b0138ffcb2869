"""Plots over time: node utilisation, replicas per service, tasks per node.

Every function draws on the Axes it is given and returns it; none touches pyplot's
global state, shows or saves anything. Past a few dozen nodes or services they switch
to a heatmap, an aggregate or a sample, and say so in the title.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from swarmsim.metrics.series import value_at
from swarmsim.report.data import RunData
from swarmsim.report.heatmap import draw_heatmap
from swarmsim.report.style import natural_key, short_service

#: what plot_utilisation can show: metric -> (capacity index or None, label)
UTILISATION = {
    "used_cpus": (0, "CPU used, % of node"),
    "reserved_cpus": (0, "CPU reserved, % of node"),
    "used_memory": (1, "memory used, % of node"),
    "reserved_memory": (1, "memory reserved, % of node"),
    "traffic_cpus": (0, "CPU spent serving requests (estimate per time bin), % of node"),
    "containers": (None, "containers running per node"),
    "tasks": (None, "tasks per node (assigned to running)"),
}
FAILURES = frozenset({"exit", "oom", "unhealthy", "node_down", "rejected"})


def pick_utilisation(data: RunData) -> str:
    """The most telling utilisation metric of a run: CPU used (``x-swarmsim.cpu_used`` or
    reservations); with traffic and no such figure, CPU spent serving requests; else CPU
    reserved, memory used or reserved; else the number of running containers."""
    for metric in ("used_cpus", "reserved_cpus", "used_memory", "reserved_memory"):
        _t, values = data.series.get("cluster", metric)
        if any(values):
            return "traffic_cpus" if metric != "used_cpus" and _traffic(data) else metric
    return "traffic_cpus" if _traffic(data) else "containers"


def _traffic(data: RunData) -> bool:
    return any(m == "traffic_cpus" and v > 0 for _t, _e, m, v in data.requests)


def _tally(data: RunData, entity: str, metric: str) -> tuple[list[float], list[float]]:
    pts = sorted((t, v) for t, e, m, v in data.requests if e == entity and m == metric)
    if pts:
        pts.append((data.end, pts[-1][1]))
    return [p[0] for p in pts], [p[1] for p in pts]


def _node_values(data: RunData, node: str, metric: str) -> tuple[list[float], list[float]]:
    if metric == "traffic_cpus":
        times, values = _tally(data, f"node:{node}", metric)
    else:
        times, values = data.series.get(f"node:{node}", metric)
    cap_index, _label = UTILISATION[metric]
    if cap_index is None:
        return list(times), list(values)
    cap = data.capacity(node)[cap_index]
    return list(times), [100.0 * v / cap if cap else 0.0 for v in values]


def _ydata(line: Line2D) -> Sequence[float]:
    """A line's y values (matplotlib types them as any array-like)."""
    return cast("Sequence[float]", line.get_ydata())


def plot_utilisation(data: RunData, *, ax: Axes, metric: str = "used_cpus",
                     max_lines: int = 12, bins: int = 120) -> Axes:
    """Utilisation of every node over time.

    Up to ``max_lines`` nodes: one step line per node plus the cluster as a whole
    (thick black). More nodes: a heatmap, one row per node, each cell the
    time-weighted mean over its time bin.
    """
    cap_index, label = UTILISATION[metric]
    nodes = data.node_names()
    if len(nodes) <= max_lines:
        for i, node in enumerate(nodes):  # earlier lines wider: coinciding lines stay visible
            t, v = _node_values(data, node, metric)
            if t:
                width = 1.3 + 3.0 * (len(nodes) - 1 - i) / max(len(nodes) - 1, 1)
                ax.step(t, v, where="post", label=node, linewidth=width)
        if cap_index is not None:
            cap_metric = "cpus" if cap_index == 0 else "memory"
            tot_t, tot_v = data.series.get("cluster", metric)
            if metric == "traffic_cpus":
                per_bin: dict[float, float] = {}
                for node in nodes:
                    for x, y in zip(*_tally(data, f"node:{node}", metric), strict=True):
                        per_bin[x] = per_bin.get(x, 0.0) + y
                tot_t, tot_v = sorted(per_bin), [per_bin[x] for x in sorted(per_bin)]
            cap_t, cap_v = data.series.get("cluster", cap_metric)
            times = sorted(set(tot_t) | set(cap_t))
            pct = []
            for x in times:
                cap = value_at(cap_t, cap_v, x)
                pct.append(100.0 * value_at(tot_t, tot_v, x) / cap if cap else 0.0)
            if times:
                ax.step(times, pct, where="post", color="black", linewidth=2.6,
                        label="cluster", alpha=0.8)
        for k, (a, b) in enumerate(sorted({s for n in nodes for s in data.down_periods(n)})):
            ax.axvspan(a, b, color="0.6", alpha=0.25, hatch="//",
                       label="a machine down" if k == 0 else None)
        ax.set_title(f"{label} over time")
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=7, frameon=False)
        ax.set_ylabel("%" if cap_index is not None else "count")
        if cap_index is not None:
            ax.set_ylim(bottom=0, top=max(100.0, ax.get_ylim()[1]))
        else:
            ax.yaxis.set_major_locator(MaxNLocator(integer=True))
            ax.set_ylim(bottom=0)
    else:
        draw_heatmap(data, nodes, lambda n: _node_values(data, n, metric), ax=ax, label=label,
                     vmax=100 if cap_index is not None else None, bins=bins)
        ax.set_title(f"{label}: {len(nodes)} nodes x {bins} time bins (mean while up)",
                     loc="left", fontsize=10)
    ax.set_xlabel("simulated time (s)")
    ax.set_xlim(data.start, data.end)
    return ax



def _worst_services(data: RunData, k: int) -> list[str]:
    services = data.summary.get("services", {})

    def key(name: str) -> tuple[float, list[object]]:
        avail = services.get(name, {}).get("availability")
        return (1.0 if avail is None else avail, natural_key(name))

    return sorted(data.service_names(), key=key)[:k]


def plot_replicas(data: RunData, *, ax: Axes, max_services: int = 6,
                  max_labels: int = 14) -> Axes:
    """Running (solid) against desired (dashed) replicas per service, with the
    disturbances marked: a dotted vertical line per operator or fault step (labelled
    while there are at most ``max_labels``), a red tick at the bottom per task failure.

    With more than ``max_services`` services, running as a percentage of desired for
    all services together (black) and for the ``max_services - 1`` least available.
    """
    colors = data.colors()
    names = data.service_names()
    stacks = data.stacks()
    aggregate = len(names) > max_services
    shown = _worst_services(data, max_services - 1) if aggregate else names
    if aggregate:
        title = (f"Replicas running as % of desired: all {len(names)} services (black) and "
                 f"the {len(shown)} least available")
        for entity, color, width, label in [("cluster", "black", 2.4, "all services")] + [
                (f"service:{n}", colors.get(n, "grey"), 1.5, short_service(n, stacks))
                for n in shown]:
            t, v = _percent(data.series.get(entity, "running"), data.series.get(entity, "desired"))
            if t:
                ax.step(t, v, where="post", color=color, linewidth=width, label=label)
        ax.set_ylabel("% of desired")
    else:
        title = "Replicas running (solid) vs desired (dashed)"
        for name in shown:
            color = colors.get(name, "grey")
            label = short_service(name, stacks)
            for metric, style in (("running", "-"), ("desired", "--")):
                t, v = data.series.get(f"service:{name}", metric)
                if t:
                    ax.step(t, v, where="post", color=color, linestyle=style, linewidth=1.6,
                            label=f"{label} {metric}")
        ax.set_ylabel("tasks")
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    dist = data.summary.get("disturbances", [])
    failures = [d["time"] for d in dist if d["kind"] == "task_failed"]
    steps = [d for d in dist if d["kind"] != "task_failed"
             and not (d["kind"] == "deploy" and d["time"] <= data.start)]
    by_time: dict[float, list[str]] = {}
    for d in steps:
        by_time.setdefault(d["time"], []).append(
            f"{d['kind']} {short_service(d['target'], stacks)}")
    if by_time:
        ax.vlines(sorted(by_time), 0, 1, transform=ax.get_xaxis_transform(), colors="0.35",
                  linestyles="dotted", linewidth=1, label="timeline step (operator or fault)")
    labelled = len(by_time) <= max_labels
    texts = {t: ", ".join(what[:3]) + (f" +{len(what) - 3}" if len(what) > 3 else "")
             for t, what in by_time.items()} if labelled else {}
    placed = label_rows(ax, data.start, data.end, texts)
    for at, (row, right) in placed.items():
        ax.annotate(texts[at], xy=(at, 1.0), xycoords=("data", "axes fraction"),
                    xytext=(-2 if right else 2, -4 - 10 * row), textcoords="offset points",
                    fontsize=LABEL_PT, va="top", ha="right" if right else "left",
                    color="0.2")
    if labelled and len(placed) < len(texts):
        title += f" ({len(texts) - len(placed)} close disturbance times unlabelled)"
    if failures:
        ax.vlines(failures, 0, 0.04, transform=ax.get_xaxis_transform(), colors="red",
                  linewidth=0.8, label=f"task failures ({len(failures)})")
    if not labelled:
        title += f" ({len(by_time)} disturbance times marked, unlabelled)"
    ax.set_title(title, fontsize=10)
    ax.set_xlabel("simulated time (s)")
    ax.set_xlim(data.start, data.end)
    if aggregate:
        _zoom_percent(ax)
    else:
        top = max([1.0] + [max(_ydata(ln), default=0) for ln in ax.lines])
        ax.set_ylim(0, top * 1.3 + 0.5)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=7, frameon=False)
    return ax


LABEL_PT = 7.0  # font size of the disturbance labels
_CHAR_EM = 0.62  # a generous mean character width of the sans-serif font, in ems


def label_rows(ax: Axes, start: float, end: float, texts: dict[float, str],
               rows: int = 3) -> dict[float, tuple[int, bool]]:
    """Rows for labels at times ``texts`` so that none overlaps another: each label
    goes in the first of ``rows`` rows where it clears the previous one, written to the
    left of its line near the right edge; a label with no room is left out.

    Returns:
        time -> (row, written leftwards), for the labels placed.
    """
    fig = cast("Figure", ax.figure)  # the figure the Axes was made in (no subfigures)
    # the axes' width once laid out; taken small so that distances are underestimated
    width = 0.8 * ax.get_position().width * fig.get_size_inches()[0] * 72.0
    span = (end - start) or 1.0
    ends = [-np.inf] * rows
    out: dict[float, tuple[int, bool]] = {}
    for t in sorted(texts):
        x = (t - start) / span * width
        w = len(texts[t]) * LABEL_PT * _CHAR_EM + 4.0
        right = x + w > width
        lo = x - w if right else x
        for row in range(rows):
            if ends[row] + 2.0 <= lo and lo >= 0:
                ends[row] = x if right else x + w
                out[t] = (row, right)
                break
    return out


def _zoom_percent(ax: Axes) -> None:
    """Zoom a percentage plot on what happens once every service first had all its
    replicas (the initial deployment ramp then runs off the bottom)."""
    low = 100.0
    for line in ax.lines:
        ys = np.asarray(line.get_ydata(), float)
        full = np.nonzero(ys >= 100.0)[0]
        if full.size:
            low = min(low, float(ys[full[0]:].min()))
    floor = max(0.0, low - max(2.0, (100.0 - low) * 0.3))
    ax.set_ylim(floor, 100.0 + max(1.0, (100.0 - floor) * 0.35))
    if floor > 0:
        ax.set_ylabel("% of desired (axis starts after the first deployment)")


def _percent(running: tuple[list[float], list[float]],
             desired: tuple[list[float], list[float]]) -> tuple[list[float], list[float]]:
    times = sorted(set(running[0]) | set(desired[0]))
    out = []
    for t in times:
        d = value_at(*desired, t)
        out.append(100.0 * value_at(*running, t) / d if d else 100.0)
    return times, out


def lanes(spans: list[tuple[float, float, int]]) -> tuple[dict[int, int], int]:
    """Greedy lanes for intervals ``(start, stop, key)`` so that overlapping ones never
    share a lane; returns (lane by key, number of lanes)."""
    ends: list[float] = []
    out: dict[int, int] = {}
    for start, stop, key in sorted(spans):
        for lane, free_at in enumerate(ends):
            if free_at <= start:
                ends[lane] = stop
                out[key] = lane
                break
        else:
            out[key] = len(ends)
            ends.append(stop)
    return out, max(len(ends), 1)


def _bars(data: RunData) -> dict[str, list[tuple[float, float, int]]]:
    """Container lives per node: (start, stop, index into data.tasks)."""
    out: dict[str, list[tuple[float, float, int]]] = {}
    for i, r in enumerate(data.tasks):
        if r.node and r.container_start is not None:
            stop = r.container_end if r.container_end is not None else data.end
            out.setdefault(r.node, []).append((r.container_start, max(stop, r.container_start), i))
    return out


def timeline_nodes(data: RunData, max_nodes: int = 40, max_lanes: int = 120) -> list[str]:
    """The nodes a task timeline shows: all of them, or (beyond ``max_nodes`` nodes or
    ``max_lanes`` lanes in all) those with failures first, most first, then evenly
    spaced others, in hostname order."""
    nodes = data.node_names()
    bars = _bars(data)
    count = {n: lanes(bars.get(n, []))[1] for n in nodes}
    if len(nodes) <= max_nodes and sum(count.values()) <= max_lanes:
        return nodes
    fails: dict[str, int] = {}
    for r in data.tasks:
        if r.node and r.ended_because in FAILURES:
            fails[r.node] = fails.get(r.node, 0) + 1
    failing = sorted(fails, key=lambda n: (-fails[n], natural_key(n)))[: max_nodes // 2]
    rest = [n for n in nodes if n not in set(failing)]
    room = max_nodes - len(failing)
    spaced = []
    if rest and room > 0:
        idx = np.linspace(0, len(rest) - 1, min(room, len(rest))).round().astype(int)
        spaced = [rest[i] for i in dict.fromkeys(idx.tolist())]
    chosen: list[str] = []
    used = 0
    for n in failing + spaced:
        if chosen and used + count[n] > max_lanes:
            continue
        chosen.append(n)
        used += count[n]
    return sorted(chosen, key=natural_key)


def plot_task_timeline(data: RunData, *, ax: Axes, max_nodes: int = 40,
                       max_lanes: int = 120) -> Axes:
    """Gantt chart of containers: one band per node, split into lanes so that
    containers alive at the same time sit side by side; one bar per container's life
    coloured by service (one collection per service), a red cross where a task failed,
    hatched grey where the machine was off."""
    colors = data.colors()
    nodes = timeline_nodes(data, max_nodes, max_lanes)
    bars = _bars(data)
    verts: dict[str, list[list[tuple[float, float]]]] = {}
    fail_x: list[float] = []
    fail_y: list[float] = []
    for row, node in enumerate(nodes):
        lane_of, n_lanes = lanes(bars.get(node, []))
        height = 0.8 / n_lanes
        off = [(a, b - a) for a, b in data.down_periods(node)]
        if off:
            ax.broken_barh(off, (row + 0.05, 0.9), facecolors="0.85", hatch="//",
                           edgecolor="0.6", linewidth=0)
        for start, stop, i in bars.get(node, []):
            r = data.tasks[i]
            y0 = row + 0.1 + lane_of[i] * height
            y1 = y0 + height * 0.85
            verts.setdefault(r.service, []).append(
                [(start, y0), (stop, y0), (stop, y1), (start, y1)])
            if r.ended_because in FAILURES:
                fail_x.append(stop)
                fail_y.append((y0 + y1) / 2)
    for service in sorted(verts, key=natural_key):
        ax.add_collection(PolyCollection(verts[service], facecolors=colors.get(service, "grey"),
                                         edgecolors="none", label=service))
    if fail_x:
        ax.scatter(fail_x, fail_y, marker="x", color="red", s=24, zorder=5, linewidths=1.2)
    ax.set_yticks([i + 0.5 for i in range(len(nodes))])
    ax.set_yticklabels(nodes, fontsize=8 if len(nodes) <= 30 else 6)
    ax.set_ylim(len(nodes), 0)
    ax.set_xlim(data.start, data.end)
    ax.set_xlabel("simulated time (s)")
    total = len(data.node_names())
    title = ("Containers per node over time (a bar per container, coloured by service; "
             "x: failure; hatched: machine off)")
    if len(nodes) < total:
        title += (f"\nshowing {len(nodes)} of {total} nodes: those with failures first, then "
                  "evenly spaced")
    ax.set_title(title, fontsize=10)
    stacks = data.stacks()
    services = sorted(verts, key=natural_key)
    handles: list[Artist] = [Patch(color=colors.get(s, "grey"), label=short_service(s, stacks))
                             for s in services[:16]]
    if fail_x:
        handles.append(Line2D([], [], marker="x", color="red", linestyle="none",
                              label="task failed (its container ended)"))
    if any(data.down_periods(n) for n in nodes):
        handles.append(Patch(facecolor="0.85", hatch="//", edgecolor="0.6",
                             label="machine off"))
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=7,
              frameon=False, title="service" if len(services) <= 16 else
              f"service (16 of {len(services)})", title_fontsize=7)
    return ax
