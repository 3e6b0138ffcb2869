"""Comparison plots: per measured column, each group's runs (dots) with its mean and 95%
confidence interval, fit for a paper: a legend for every marker, labels wrapped (never
overlapping or clipped), PNG at 200 dpi or vector SVG/PDF.

Grid points and policies are labelled on two levels (policies under the plot, each
grid point above its run of policies), and long labels are wrapped.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from swarmsim.foundation.collector import paused_collector
from swarmsim.foundation.figures import DPI, FORMATS, figure_metadata

_WRAP = 14  # characters per line of a tick label


def _wrap(text: str, width: int = _WRAP) -> str:
    parts = text.replace(",", ", ").split()
    return "\n".join(textwrap.wrap(" ".join(parts), width, break_long_words=False)) or text


@dataclass(frozen=True)
class Group:
    """One group of an interval plot: its label, grid point, runs and estimate."""

    policy: str
    point: str
    n: int
    mean: float
    ci_low: float
    ci_high: float
    ys: tuple[float, ...]


@dataclass(frozen=True)
class IntervalFigure:
    """Everything an interval plot shows, as plain data: drawn without the records (by
    a process that has loaded the plotting library and nothing else)."""

    metric: str
    ylabel: str
    groups: tuple[Group, ...]
    with_points: bool


def figure_data(records: Sequence[Mapping[str, Any]], rows: Sequence[Any], metric: str,
                by: str = "policy", point: Sequence[str] = ()) -> IntervalFigure:
    """What :func:`interval_plot` draws for ``metric``: each group's runs and interval."""
    from swarmsim.experiments.builtin_measures import DESCRIPTIONS
    from swarmsim.experiments.measures import point_label

    groups = []
    for row in (r for r in rows if r.metric == metric):
        ys = [float(rec[metric]) for rec in records
              if str(rec[by]) == row.policy and point_label(rec, point) == row.point
              and math.isfinite(float(rec.get(metric, math.nan)))]
        groups.append(Group(row.policy, row.point, row.n, row.mean, row.ci_low,
                            row.ci_high, tuple(ys)))
    return IntervalFigure(metric, DESCRIPTIONS.get(metric, metric), tuple(groups),
                          bool(point))


def interval_plot(ax: Any, records: Sequence[Mapping[str, Any]], rows: Sequence[Any],
                  metric: str, by: str = "policy", point: Sequence[str] = ()) -> Any:
    """Draw ``metric`` per group on ``ax``: every run as a grey dot, the mean as a blue
    square with its 95% confidence interval; a legend says which is which. Returns
    ``ax``."""
    return draw_intervals(ax, figure_data(records, rows, metric, by, point))


def draw_intervals(ax: Any, data: IntervalFigure) -> Any:
    """Draw an :class:`IntervalFigure` on ``ax`` (see :func:`interval_plot`); ``ax``."""
    block = data.groups
    dots = bar = None
    for x, row in enumerate(block):
        ys = list(row.ys)
        if ys:
            dots = ax.plot([x - 0.12] * len(ys), ys, "o", alpha=0.45, color="tab:gray",
                           markersize=4, linestyle="none")[0]
        if row.n > 1:
            bar = ax.errorbar([x + 0.12], [row.mean], yerr=[[row.mean - row.ci_low],
                              [row.ci_high - row.mean]], fmt="s", color="tab:blue",
                              capsize=5, markersize=6)
        elif row.n == 1:
            bar = ax.plot([x + 0.12], [row.mean], "s", color="tab:blue", markersize=6)[0]
    ax.set_xticks(range(len(block)), [_wrap(r.policy) for r in block], fontsize=8)
    ax.set_xlim(-0.6, len(block) - 0.4)
    points = [r.point for r in block]
    if any(points):  # grid points on the top axis, over their run of policies
        centres, names, start = [], [], 0
        for i in range(1, len(block) + 1):
            if i == len(block) or points[i] != points[start]:
                centres.append((start + i - 1) / 2)
                names.append(_wrap(points[start], 24))
                if i < len(block):
                    ax.axvline(i - 0.5, color="lightgray", linewidth=0.8)
                start = i
        top = ax.secondary_xaxis("top")
        top.set_xticks(centres, names, fontsize=8, color="dimgray")
        top.tick_params(length=0)
    ax.set_title(data.metric, fontsize=10)
    ax.set_ylabel(_wrap(data.ylabel, 32), fontsize=8)
    ax.tick_params(axis="y", labelsize=8)
    ax.grid(axis="y", color="0.9", linewidth=0.6)
    pairs = [(h, text) for h, text in ((dots, "one replication"),
                                        (bar, "mean, 95% CI")) if h is not None]
    if pairs:
        handles, labels = zip(*pairs, strict=True)
        ax.legend(handles, labels, fontsize=7, loc="best", frameon=False)
    return ax


def plot_jobs(out: Path, records: Sequence[Mapping[str, Any]], rows: Sequence[Any],
              by: str = "policy", point: Sequence[str] = (),
              fmt: str = "png") -> list[tuple[Any, ...]]:
    """One argument tuple of :func:`save_one` per column with data (to render anywhere)."""
    jobs = []
    for metric in dict.fromkeys(r.metric for r in rows):
        block = [r for r in rows if r.metric == metric]
        if all(r.n == 0 for r in block):
            continue
        mine = [{k: rec[k] for k in (by, *point, metric) if k in rec} for rec in records]
        jobs.append((out / f"{metric}.{fmt}", mine, block, metric, by, tuple(point)))
    return jobs


def save_one(path: Path, records: Sequence[Mapping[str, Any]], rows: Sequence[Any],
             metric: str, by: str, point: Sequence[str]) -> Path:
    """Render one interval plot to ``path`` (its suffix is the format)."""
    return render(path, figure_data(records, rows, metric, by, point))


def figure_jobs(out: Path, records: Sequence[Mapping[str, Any]], rows: Sequence[Any],
                by: str = "policy", point: Sequence[str] = (),
                fmt: str = "png") -> list[tuple[Path, IntervalFigure]]:
    """:func:`plot_jobs` as plain data: one ``(path, figure)`` per column with data, for
    :func:`render` in any process."""
    return [(job[0], figure_data(*job[1:])) for job in plot_jobs(out, records, rows, by,
                                                                  point, fmt)]


def load_plotting(fmt: str = "png") -> None:
    """Import what :func:`render` needs to write ``fmt`` (done by the first call)."""
    with paused_collector():  # importing builds many objects and no garbage
        import matplotlib.figure

        if fmt == "png":
            import matplotlib.backends.backend_agg
        elif fmt == "svg":
            import matplotlib.backends.backend_svg
        elif fmt == "pdf":
            import matplotlib.backends.backend_pdf  # noqa: F401


def render(path: Path, data: IntervalFigure) -> Path:
    """Render an :class:`IntervalFigure` to ``path`` (its suffix is the format)."""
    # The collector is paused for the whole figure: drawing one makes some 12,000
    # objects, in cycles, which would otherwise set off collections partway through
    # (now and then a full one over every object the process holds, half a figure's
    # time); the figure's garbage goes in the first young collection after it.
    with paused_collector():  # the first call also imports the plotting library
        import matplotlib
        from matplotlib.figure import Figure

        width = min(12.0, max(3.6, 1.0 + 0.85 * len(data.groups)))
        fig = Figure(figsize=(width, 3.4 + (0.5 if data.with_points else 0.0)),
                     layout="constrained")
        draw_intervals(fig.add_subplot(), data)
        with matplotlib.rc_context({"svg.hashsalt": "swarmsim"}):  # stable SVG ids
            fig.savefig(path, dpi=DPI, metadata=figure_metadata(path))
    return path


def save_interval_plots(out: Path, records: Sequence[Mapping[str, Any]],
                        rows: Sequence[Any], by: str = "policy",
                        point: Sequence[str] = (), fmt: str = "png",
                        pool: Any = None) -> list[Path]:
    """One figure per column with data, named ``<column>.<fmt>``; rendered by ``pool``
    (an executor) and this process together when given, else here."""
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}")
    jobs = plot_jobs(out, records, rows, by, point, fmt)
    if pool is None:
        return [save_one(*job) for job in jobs]
    from swarmsim.experiments.sharing import share

    return share(_save_job, jobs, pool)


def _save_job(job: tuple[Any, ...]) -> Path:
    return save_one(*job)
