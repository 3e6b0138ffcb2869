"""Replicated experiments: compare policies on the same seeds, sweep parameter grids,
locally on a process pool or on a Dask cluster (``docs/research.md``).

Records are plain dicts: ``pandas.DataFrame(swarmsim.compare(...))`` loads them.

The names below load on first use: a process that needs one module of this package
(a drawing process: :mod:`swarmsim.experiments.drawers`) loads only that module and its
own imports, not the simulation.

Layer: interfaces and outputs.  May import: :mod:`swarmsim.app` (runs),
:mod:`swarmsim.metrics` and everything below.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from swarmsim.experiments.compare import (
        SummaryRow,
        compare,
        format_table,
        summarize,
        write_comparison,
    )
    from swarmsim.experiments.measures import DEFAULT_MEASURES, RunView, measure
    from swarmsim.experiments.runner import Job, replication_seeds, run_job, run_jobs
    from swarmsim.experiments.stats import Estimate, estimate, paired_difference, t975
    from swarmsim.experiments.sweep import load_sweep, sweep

    METRICS: tuple[str, ...]

#: where each public name lives
_HOMES = {
    "SummaryRow": "compare", "compare": "compare", "format_table": "compare",
    "summarize": "compare", "write_comparison": "compare",
    "DEFAULT_MEASURES": "measures", "RunView": "measures", "measure": "measures",
    "Job": "runner", "replication_seeds": "runner", "run_job": "runner",
    "run_jobs": "runner",
    "Estimate": "stats", "estimate": "stats", "paired_difference": "stats", "t975": "stats",
    "load_sweep": "sweep", "sweep": "sweep",
}

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


def __getattr__(name: str) -> Any:
    if name == "METRICS":  # the columns of the default measures, in table order
        measures = importlib.import_module(f"{__name__}.measures")
        value = measures.columns(measures.DEFAULT_MEASURES)
    elif name in _HOMES:
        value = getattr(importlib.import_module(f"{__name__}.{_HOMES[name]}"), name)
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value


class _Package(types.ModuleType):
    """This package: ``compare`` and ``sweep`` name the functions, as they always have,
    even once their modules are loaded (loading a module sets it as an attribute of
    its package)."""

    def __setattr__(self, name: str, value: Any) -> None:
        if name in ("compare", "sweep") and isinstance(value, types.ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
