"""Node heatmaps: one row per node, one column per time bin, down time in grey.

Every node is named on the y axis while the rows are tall enough to read a name
(:data:`MIN_ROW_PT`); past that the rows are grouped, by the node label that splits
them into the fewest groups (2 to :data:`MAX_GROUPS`), else by role, else by hostname
stem, and each group is named once ("zone=b (40 nodes)") between separator lines, the
axis saying so.  A cell is the time-weighted mean over the part of its bin the machine
was up; a cell where it was down for most of the bin is grey, with a legend entry.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import cast

import numpy as np
from matplotlib import colormaps
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from swarmsim.report.data import RunData, binned_means
from swarmsim.report.style import natural_key

#: the smallest row height (points) at which every node is named
MIN_ROW_PT = 6.5
#: the most groups a grouping may have
MAX_GROUPS = 12
DOWN_COLOR = "0.72"

Series = Callable[[str], tuple[list[float], list[float]]]


def up_series(data: RunData, node: str) -> tuple[list[float], list[float]]:
    """1 while the node's machine is up, 0 while down (from its ``up`` series, else its
    recorded down periods)."""
    times, values = data.series.get(f"node:{node}", "up")
    if times:
        return list(times), [1.0 if v else 0.0 for v in values]
    out_t, out_v = [data.start], [1.0]
    for a, b in data.down_periods(node):
        out_t += [a, b]
        out_v += [0.0, 1.0]
    return out_t, out_v


def _step_product(a: tuple[list[float], list[float]], b: tuple[list[float], list[float]]
                  ) -> tuple[list[float], list[float]]:
    times = sorted(set(a[0]) | set(b[0]))
    ia = np.clip(np.searchsorted(a[0], times, side="right") - 1, 0, None)
    ib = np.clip(np.searchsorted(b[0], times, side="right") - 1, 0, None)
    va = np.where(np.searchsorted(a[0], times, side="right") > 0, np.asarray(a[1])[ia], 0.0)
    vb = np.where(np.searchsorted(b[0], times, side="right") > 0, np.asarray(b[1])[ib], 0.0)
    return times, list(va * vb)


def node_grid(data: RunData, nodes: Sequence[str], series: Series, bins: int) -> np.ndarray:
    """Rows of per-bin means over the up time; NaN where the node was down for more
    than half the bin or has no value yet."""
    edges = np.linspace(data.start, data.end, bins + 1)
    rows = []
    for node in nodes:
        values = series(node)
        up = up_series(data, node)
        if not values[0]:
            rows.append(np.full(bins, np.nan))
            continue
        clean = (values[0], [0.0 if np.isnan(v) else v for v in values[1]])
        up_share = binned_means(*up, edges)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = binned_means(*_step_product(clean, up), edges) / up_share
        rows.append(np.where(np.nan_to_num(up_share) > 0.5, mean, np.nan))
    return np.vstack(rows) if rows else np.zeros((0, bins))


def _node_labels(data: RunData) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for spec in data.scenario.get("nodes", []) or []:
        if isinstance(spec, dict) and "name" in spec:
            labels = spec.get("labels") or {}
            out[str(spec["name"])] = {str(k): str(v) for k, v in labels.items()}
    return out


def grouping(data: RunData, nodes: Sequence[str]) -> tuple[str, dict[str, str]]:
    """What to group ``nodes`` by, and each node's group: the node label every node has
    with the fewest values (at least 2, at most :data:`MAX_GROUPS`), else the role,
    else the hostname stem (the name without its trailing number), else blocks of
    consecutive hostnames."""
    labels = _node_labels(data)
    keys = sorted({k for n in nodes for k in labels.get(n, {})})
    best: tuple[int, str] | None = None
    for key in keys:
        values = {labels.get(n, {}).get(key) for n in nodes}
        if None not in values and 2 <= len(values) <= MAX_GROUPS:
            if best is None or len(values) < best[0]:
                best = (len(values), key)
    if best is not None:
        return f"node label {best[1]}", {n: f"{best[1]}={labels[n][best[1]]}" for n in nodes}
    roles = {}
    for n in nodes:
        rows = data.node_rows(n)  # its first row: the role it joined with
        roles[n] = rows[0].role if rows else "?"
    if 2 <= len(set(roles.values())) <= MAX_GROUPS:
        return "role", roles
    stems = {n: re.sub(r"[-_]?\d+$", "", n) or n for n in nodes}
    if 2 <= len(set(stems.values())) <= MAX_GROUPS:
        return "hostname", stems
    ordered = sorted(nodes, key=natural_key)
    size = -(-len(ordered) // MAX_GROUPS)
    blocks = {}
    for i in range(0, len(ordered), size):
        block = ordered[i:i + size]
        for n in block:
            blocks[n] = f"{block[0]} .. {block[-1]}"
    return "consecutive hostnames", blocks


def panel_height(nodes: int) -> float:
    """Inches for one per-node panel: line plots up to 12 nodes; a heatmap naming every
    node up to 40 (9 points a row); a grouped heatmap beyond."""
    if nodes <= 12:
        return 4.2
    if nodes <= 40:
        return 1.6 + nodes * 9 / 72
    return 4.6


def row_height_pt(ax: Axes, rows: int) -> float:
    """The height (points) of one of ``rows`` rows filling ``ax``."""
    fig = cast("Figure", ax.figure)  # the figure the Axes was made in (no subfigures)
    height_in = float(ax.get_position().height * fig.get_size_inches()[1])
    return 72.0 * height_in * 0.85 / max(rows, 1)  # 0.85: room the layout takes later


def draw_heatmap(data: RunData, nodes: Sequence[str], series: Series, *, ax: Axes,
                 label: str, vmax: float | None, bins: int = 120) -> Axes:
    """The heatmap of ``series`` (a node -> step series function) on ``ax``."""
    named = row_height_pt(ax, len(nodes)) >= MIN_ROW_PT
    groups: list[tuple[str, int, int]] = []
    order = list(nodes)
    by = ""
    if not named:
        by, of = grouping(data, nodes)
        order = sorted(nodes, key=lambda n: (natural_key(of[n]), natural_key(n)))
        for i, n in enumerate(order):
            if groups and groups[-1][0] == of[n]:
                groups[-1] = (of[n], groups[-1][1], i + 1)
            else:
                groups.append((of[n], i, i + 1))
    grid = node_grid(data, order, series, bins)
    cmap = colormaps["viridis"].with_extremes(bad=DOWN_COLOR)
    image = ax.imshow(np.ma.masked_invalid(grid), aspect="auto", interpolation="nearest",
                      extent=(data.start, data.end, len(order), 0), cmap=cmap, vmin=0,
                      vmax=vmax)
    if named:
        size = max(5.0, min(8.0, 0.8 * row_height_pt(ax, len(order))))
        ax.set_yticks([i + 0.5 for i in range(len(order))])
        ax.set_yticklabels(order, fontsize=size)
        ax.set_ylabel(f"node ({len(order)})")
    else:
        ax.set_yticks([(a + b) / 2 for _g, a, b in groups])
        ax.set_yticklabels([f"{g}\n({b - a} nodes)" for g, a, b in groups], fontsize=7)
        for _g, a, _b in groups[1:]:
            ax.axhline(a, color="white", linewidth=1.2)
        ax.set_ylabel(f"{len(order)} nodes grouped by {by}\n(too many rows to name each)",
                      fontsize=8)
    ax.figure.colorbar(image, ax=ax, label=label, fraction=0.04, pad=0.01)
    ax.legend(handles=[Patch(facecolor=DOWN_COLOR, edgecolor="0.4",
                             label="machine down (most of the bin)")],
              loc="lower right", bbox_to_anchor=(1.0, 1.0), fontsize=7, frameon=False,
              borderaxespad=0.2)
    return ax

