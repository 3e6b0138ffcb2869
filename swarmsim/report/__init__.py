"""Plots, ``report.html`` and ``visualizer.html`` of a run, built from its result files.

Every plot function takes the run's data and an Axes and returns the Axes; nothing here
uses pyplot's global state. Files are rendered with the Agg canvas.

Layer: interfaces and outputs.  May import: :mod:`swarmsim.outputs.files`,
:mod:`swarmsim.metrics` and everything below.
"""

from __future__ import annotations

from swarmsim.report.build import build_report, save_png, write_results
from swarmsim.report.data import RunData
from swarmsim.report.notebook import ClusterView, show_cluster
from swarmsim.report.plots import plot_replicas, plot_task_timeline, plot_utilisation
from swarmsim.report.snapshot import plot_latency, plot_latency_cdf, plot_snapshot
from swarmsim.report.usageplot import plot_usage

__all__ = [
    "ClusterView",
    "RunData",
    "build_report",
    "plot_latency",
    "plot_latency_cdf",
    "plot_replicas",
    "plot_snapshot",
    "plot_task_timeline",
    "plot_usage",
    "plot_utilisation",
    "save_png",
    "show_cluster",
    "write_results",
]
