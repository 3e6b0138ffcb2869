"""Replicated experiments: compare policies on the same seeds, sweep parameter grids,
locally on a process pool or on a Dask cluster (``docs/research.md``).

Records are plain dicts: ``pandas.DataFrame(swarmsim.compare(...))`` loads them.

Layer: interfaces and outputs.  May import: :mod:`swarmsim.app` (runs),
:mod:`swarmsim.metrics` and everything below.
"""

from __future__ import annotations

from swarmsim.experiments.compare import (
    SummaryRow,
    compare,
    format_table,
    summarize,
    write_comparison,
)
from swarmsim.experiments.measures import DEFAULT_MEASURES, RunView, columns, measure
from swarmsim.experiments.runner import Job, replication_seeds, run_job, run_jobs
from swarmsim.experiments.stats import Estimate, estimate, paired_difference, t975
from swarmsim.experiments.sweep import load_sweep, sweep

#: the columns of the default measures, in table order
METRICS: tuple[str, ...] = columns(DEFAULT_MEASURES)

__all__ = [
    "DEFAULT_MEASURES",
    "METRICS",
    "Estimate",
    "Job",
    "RunView",
    "SummaryRow",
    "compare",
    "estimate",
    "format_table",
    "load_sweep",
    "measure",
    "paired_difference",
    "replication_seeds",
    "run_job",
    "run_jobs",
    "summarize",
    "sweep",
    "t975",
    "write_comparison",
]
