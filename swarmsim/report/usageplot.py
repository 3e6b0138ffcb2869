"""The utilisation plot of the resource model: CPU or memory used per node and for the
cluster, with what was reserved and, for CPU, what was throttled.

A node's line breaks while its machine is down (down is not idle), and grey bands mark
the times some machine was down. Past ``max_lines`` nodes it is a heatmap whose down
cells are grey. The functions draw on the Axes they are given and return it.
"""

from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes

from swarmsim.metrics.series import value_at
from swarmsim.report.data import RunData
from swarmsim.report.heatmap import draw_heatmap

#: resource -> (capacity index, used metric, reserved metric, throttled metric or None)
PANELS = {
    "cpu": (0, "used_cpus", "reserved_cpus", "throttled_cpus", "CPU"),
    "memory": (1, "used_memory", "reserved_memory", None, "memory"),
}


def has_usage(data: RunData) -> bool:
    """The run has the resource model's series."""
    return bool(data.series.get("cluster", "used_cpus")[0])


def _down_spans(data: RunData, node: str) -> list[tuple[float, float]]:
    times, values = data.series.get(f"node:{node}", "up")
    spans = []
    for i, (t, v) in enumerate(zip(times, values, strict=True)):
        if not v:
            end = times[i + 1] if i + 1 < len(times) else data.end
            if end > t:
                spans.append((t, end))
    return spans


def _percent(data: RunData, node: str, metric: str, cap_index: int
             ) -> tuple[list[float], list[float]]:
    """A node's metric in % of its capacity, NaN while it is down."""
    times, values = data.series.get(f"node:{node}", metric)
    up_t, up_v = data.series.get(f"node:{node}", "up")
    cap = data.capacity(node)[cap_index]
    points = sorted(set(times) | set(up_t))
    out = []
    for t in points:
        up = value_at(up_t, up_v, t)
        v = value_at(times, values, t)
        out.append(100.0 * v / cap if up and cap else float("nan"))
    return points, out


def _cluster(data: RunData, metric: str, cap_index: int) -> tuple[list[float], list[float]]:
    tot_t, tot_v = data.series.get("cluster", metric)
    cap_t, cap_v = data.series.get("cluster", "cpus" if cap_index == 0 else "memory")
    times = sorted(set(tot_t) | set(cap_t))
    pct = []
    for x in times:
        cap = value_at(cap_t, cap_v, x)
        pct.append(100.0 * value_at(tot_t, tot_v, x) / cap if cap else float("nan"))
    return times, pct


def plot_usage(data: RunData, *, ax: Axes, resource: str = "cpu", max_lines: int = 12,
               bins: int = 120) -> Axes:
    """``resource`` (``cpu`` or ``memory``) used per node and for the cluster over time."""
    cap_index, used, reserved, throttled, label = PANELS[resource]
    nodes = data.node_names()
    down = [(n, s) for n in nodes for s in _down_spans(data, n)]
    if len(nodes) <= max_lines:
        for i, node in enumerate(nodes):
            t, v = _percent(data, node, used, cap_index)
            if t:
                width = 1.0 + 2.0 * (len(nodes) - 1 - i) / max(len(nodes) - 1, 1)
                ax.step(t, v, where="post", label=node, linewidth=width, alpha=0.85)
        ax.step(*_cluster(data, used, cap_index), where="post", color="black",
                linewidth=3.0, label=f"cluster {label} used")
        ax.step(*_cluster(data, reserved, cap_index), where="post", color="grey",
                linestyle="--", linewidth=1.5, label=f"cluster {label} reserved")
        if throttled is not None:
            ax.step(*_cluster(data, throttled, cap_index), where="post", color="red",
                    linestyle=":", linewidth=2.0, label="cluster CPU throttled")
        for k, (_node, (a, b)) in enumerate(down):
            ax.axvspan(a, b, color="0.6", alpha=0.25, hatch="//",
                       label="a machine down (its line breaks)" if k == 0 else None)
        ax.set_ylim(bottom=0, top=min(105.0, max(5.0, 1.2 * _peak(ax))))
        ax.set_ylabel("% of capacity")
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=7, frameon=False)
        ax.set_title(f"{label} used per node (% of the node) and for the cluster "
                     "(% of the machines up)")
    else:
        draw_heatmap(data, nodes, lambda n: _percent(data, n, used, cap_index), ax=ax,
                     label=f"{label} used, % of node", vmax=100, bins=bins)
        ax.set_title(f"{label} used: {len(nodes)} nodes x {bins} time bins (mean while up)",
                     loc="left", fontsize=10)
    ax.set_xlabel("simulated time (s)")
    ax.set_xlim(data.start, data.end)
    return ax


def _peak(ax: Axes) -> float:
    """The highest value the Axes' lines reach."""
    peaks = [float(np.nanmax(line.get_ydata())) for line in ax.get_lines()
             if np.size(line.get_ydata()) and not np.all(np.isnan(line.get_ydata()))]
    return max(peaks, default=0.0)

