"""Results files of a run directory: metrics, plots (PNG at 200 dpi, Agg; SVG or PDF
too on request), ``report.html`` and ``visualizer.html``.

:func:`write_results` is what ``swarmsim run --out DIR`` adds to the run's own files;
:func:`build_report` rebuilds the plots and pages from the files alone (``swarmsim
report DIR``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from swarmsim.foundation.collector import paused_collector
from swarmsim.foundation.figures import DPI, figure_metadata
from swarmsim.metrics import collect
from swarmsim.metrics.files import write_metrics
from swarmsim.report.data import STACK_PS, RunData
from swarmsim.report.heatmap import panel_height
from swarmsim.report.page import render_report
from swarmsim.report.plots import (
    pick_utilisation,
    plot_replicas,
    plot_task_timeline,
    plot_utilisation,
    timeline_nodes,
)
from swarmsim.report.snapshot import (
    plot_latency,
    plot_latency_cdf,
    plot_snapshot,
    snapshot_size,
)
from swarmsim.report.usageplot import has_usage, plot_usage
from swarmsim.report.visualizer import render_page

if TYPE_CHECKING:
    from swarmsim.app.run import RunResult

def _save(fig: Figure, path: Path, fmt: str) -> Path:
    """Save ``fig`` as PNG at ``path`` (the pages embed it) and, for ``fmt`` svg or pdf,
    also beside it in that format."""
    fig.tight_layout()
    fig.savefig(path, format="png", dpi=DPI, metadata=figure_metadata(path))
    if fmt != "png":
        other = path.with_suffix(f".{fmt}")
        fig.savefig(other, format=fmt, metadata=figure_metadata(other))
    return path


def save_png(draw: Callable[[Axes], Any], path: Path, size: tuple[float, float],
             fmt: str = "png") -> Path:
    """Draw on a fresh Agg figure of ``size`` inches and save it (:func:`_save`)."""
    fig = Figure(figsize=size, dpi=DPI)
    FigureCanvasAgg(fig)
    draw(fig.add_subplot())
    return _save(fig, path, fmt)


def save_panels(draws: list[Callable[[Axes], Any]], path: Path,
                size: tuple[float, float], fmt: str = "png") -> Path:
    """Like :func:`save_png`, one panel per drawing function, stacked."""
    fig = Figure(figsize=size, dpi=DPI)
    FigureCanvasAgg(fig)
    axes = fig.subplots(len(draws), 1, sharex=True, squeeze=False)[:, 0]
    for draw, ax in zip(draws, axes, strict=True):
        draw(ax)
    return _save(fig, path, fmt)


def write_results(result: RunResult, out_dir: str | Path, *, at: float | None = None,
                  fmt: str = "png", compress: bool = False) -> list[Path]:
    """Write the metrics files (``metrics.csv`` and ``tasks.csv`` gzipped with
    ``compress``), ``stack-ps.txt``, the plots (PNG, and ``fmt`` svg or pdf too) and both
    pages of a run.

    The cyclic collector is paused meanwhile: the replay and the tables build millions of
    small acyclic objects, and its passes over the whole run found nothing (a fifth of
    this function's time at 1,000 nodes)."""
    out = Path(out_dir)
    with paused_collector():
        paths = write_metrics(collect(result), out, compress=compress)
        data = RunData.from_result(result)  # what the files just written hold: not read back
        ps = out / STACK_PS
        ps.write_text(data.stack_ps, encoding="utf-8")
        paths.append(ps)
        return paths + render_files(data, out, at=at, fmt=fmt)


def build_report(directory: str | Path, *, at: float | None = None,
                 events: Sequence[dict[str, Any]] | None = None,
                 fmt: str = "png") -> list[Path]:
    """Render every plot, ``report.html`` and ``visualizer.html`` from a run directory.

    Args:
        directory: a directory written by ``swarmsim run --out``.
        at: simulated time of the cluster snapshot (default: the end of the run).
        events: its ``events.jsonl`` records, when the caller has them (see
            :meth:`RunData.load`).
        fmt: ``png``, or ``svg``/``pdf`` to write each plot in that format too (the
            pages embed the PNGs).
    """
    d = Path(directory)
    return render_files(RunData.load(d, events=events), d, at=at, fmt=fmt)


def render_files(data: RunData, d: Path, *, at: float | None = None,
                 fmt: str = "png") -> list[Path]:
    """Render every plot, ``report.html`` and ``visualizer.html`` of ``data`` into ``d``."""
    when = data.end if at is None else min(max(at, data.start), data.end)
    nodes = len(data.node_names())
    metric = pick_utilisation(data)
    rows = len(timeline_nodes(data, 40))
    plots: dict[str, Path] = {
        "Utilisation per node": save_panels(
            [lambda ax: plot_usage(data, ax=ax, resource="cpu"),
             lambda ax: plot_usage(data, ax=ax, resource="memory")], d / "utilisation.png",
            (11, 2 * panel_height(nodes)), fmt)
        if has_usage(data) else save_png(
            lambda ax: plot_utilisation(data, ax=ax, metric=metric), d / "utilisation.png",
            (11, panel_height(nodes)), fmt),
        "Replicas per service": save_png(
            lambda ax: plot_replicas(data, ax=ax), d / "replicas.png", (11, 4.6), fmt),
        "Task timeline per node": save_png(
            lambda ax: plot_task_timeline(data, ax=ax), d / "tasks.png",
            (11, min(1.6 + 0.32 * rows, 14)), fmt),
        f"Cluster at t={when:g} s": save_png(
            lambda ax: plot_snapshot(data, when, ax=ax), d / "snapshot.png",
            snapshot_size(data, when), fmt),
    }
    if data.requests:
        plots["Latency percentiles"] = save_png(
            lambda ax: plot_latency(data, ax=ax), d / "latency.png", (11, 4), fmt)
        plots["Latency CDF"] = save_png(
            lambda ax: plot_latency_cdf(data, ax=ax), d / "latency-cdf.png", (7, 4.5), fmt)
    report = d / "report.html"
    report.write_text(render_report(data, plots), encoding="utf-8")
    viz = d / "visualizer.html"
    viz.write_text(render_page(*page_sample(data)), encoding="utf-8")
    extra = [p.with_suffix(f".{fmt}") for p in plots.values()] if fmt != "png" else []
    return [*plots.values(), *extra, report, viz]


#: the most nodes ``visualizer.html`` replays (a column each); a larger swarm is sampled
PAGE_NODES = 100


def page_sample(data: RunData, most: int = PAGE_NODES) -> tuple[RunData, str]:
    """What ``visualizer.html`` replays: the whole run, or beyond ``most`` nodes an even
    sample of them in hostname order with the tasks placed on them, and the note the
    page shows saying so."""
    names = data.node_names()
    if len(names) <= most:
        return data, ""
    idx = sorted({round(i * (len(names) - 1) / (most - 1)) for i in range(most)})
    sample = data.on_nodes([names[i] for i in idx])
    return sample, (
        f"A sample: {len(idx):,} of the run's {len(names):,} nodes, evenly spaced in "
        f"hostname order, and the {len(sample.tasks):,} of its {len(data.tasks):,} tasks "
        "placed on them; tasks.csv, nodes.csv and events.jsonl hold them all.")
