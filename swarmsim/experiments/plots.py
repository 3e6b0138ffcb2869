"""Comparison plots: per metric, each policy's runs (dots) with its mean and 95% CI."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from swarmsim.experiments.builtin_measures import DESCRIPTIONS
from swarmsim.experiments.measures import point_label


def interval_plot(ax: Any, records: Sequence[Mapping[str, Any]], rows: Sequence[Any],
                  metric: str, by: str = "policy", point: Sequence[str] = ()) -> Any:
    """Draw ``metric`` per group on ``ax``: every run as a dot, the mean as a bar with its
    95% confidence interval. Returns ``ax``."""
    block = [r for r in rows if r.metric == metric]
    for x, row in enumerate(block):
        ys = [float(rec[metric]) for rec in records
              if str(rec[by]) == row.policy and point_label(rec, point) == row.point
              and math.isfinite(float(rec[metric]))]
        if ys:
            ax.plot([x] * len(ys), ys, "o", alpha=0.35, color="tab:gray", markersize=4)
        if row.n > 1:
            ax.errorbar([x + 0.15], [row.mean], yerr=[[row.mean - row.ci_low],
                        [row.ci_high - row.mean]], fmt="s", color="tab:blue", capsize=6)
        elif row.n == 1:
            ax.plot([x + 0.15], [row.mean], "s", color="tab:blue")
    ax.set_xticks(range(len(block)), [f"{r.point}\n{r.policy}".strip() for r in block])
    ax.set_title(metric)
    ax.set_ylabel(DESCRIPTIONS.get(metric, metric), fontsize=8)
    return ax


def save_interval_plots(out: Path, records: Sequence[Mapping[str, Any]],
                        rows: Sequence[Any], by: str = "policy",
                        point: Sequence[str] = ()) -> list[Path]:
    """One PNG per metric with data, named ``<metric>.png``."""
    from matplotlib.figure import Figure

    paths = []
    for metric in dict.fromkeys(r.metric for r in rows):
        if all(r.n == 0 for r in rows if r.metric == metric):
            continue
        fig = Figure(figsize=(5, 3.5))
        interval_plot(fig.add_subplot(), records, rows, metric, by, point)
        fig.tight_layout()
        path = out / f"{metric}.png"
        fig.savefig(path, dpi=90)
        paths.append(path)
    return paths
