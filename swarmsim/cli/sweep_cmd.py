"""``swarmsim sweep``: a grid of scenario variants x policies x seeds, as one tidy CSV."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from swarmsim.cli import args as checked
from swarmsim.cli.compare_cmd import (
    add_engine_args,
    add_measure_args,
    helper_pool,
    measure_options,
    with_engine,
)


def run(args: argparse.Namespace) -> int:
    """Run the sweep; print a summary per grid point, write ``sweep.csv`` and plots.

    With W >= 2 local workers, W drawing processes start first, before the simulation
    loads (:mod:`swarmsim.experiments.drawers`), and draw the figures once the runs
    (shared with W - 1 helpers) are done.
    """
    import os

    # loads the drawing code only (not the simulation): the drawers are forked from here
    from swarmsim.experiments.drawers import DrawError, started_drawers

    workers = args.workers or os.cpu_count() or 1
    count = workers if workers >= 2 and not args.dask else 0
    try:
        with started_drawers(count, args.format) as drawers, \
                helper_pool(args, plots=drawers is None) as pool:
            return _sweep(args, pool, drawers)
    except DrawError as err:
        print(f"swarmsim sweep: {checked.one_line(str(err))}", file=sys.stderr)
        return 1


def _sweep(args: argparse.Namespace, pool: Any, drawers: Any) -> int:
    from dataclasses import replace

    # this sub-command's modules load only when it runs: `swarmsim --help` and the
    # other sub-commands start without them
    from swarmsim.experiments import format_table, load_sweep, summarize, sweep
    from swarmsim.experiments.compare import write_csv
    from swarmsim.experiments.plots import figure_jobs, save_interval_plots
    from swarmsim.outputs.staging import check_out_dir, write_staged

    out = check_out_dir(args.out or "sweep-out", force=args.force, markers=("sweep.csv",))
    spec = load_sweep(args.sweep)
    spec = replace(spec, **measure_options(args))  # the options override the file
    records = with_engine(args, lambda **kw: sweep(spec, **kw), "replications", pool)
    keys = [k for k, _ in spec.grid]
    rows = summarize(records, point=keys)
    print(format_table(rows))

    def write(d: Path) -> list[Path]:
        write_csv(d / "sweep.csv", records)
        if drawers is not None:
            jobs = figure_jobs(d, records, rows, point=keys, fmt=args.format)
            return [d / "sweep.csv", *drawers.draw(jobs)]
        return [d / "sweep.csv", *save_interval_plots(d, records, rows, point=keys,
                                                      fmt=args.format, pool=pool)]

    for path in write_staged(out, write):
        print(f"wrote {path}")
    return 0


def register(sub: Any) -> None:
    """Add the ``sweep`` subcommand."""
    s = sub.add_parser(
        "sweep",
        help="run a grid of scenario parameters x policies x seeds (tidy CSV + plots)",
        description="Run every grid point of SWEEP (a YAML file, see docs/research.md) "
        "under every policy and seed; write DIR/sweep.csv (default DIR: sweep-out).",
    )
    s.add_argument("sweep", metavar="SWEEP", type=checked.path, help="sweep YAML file")
    add_measure_args(s)
    add_engine_args(s)
    s.set_defaults(func=run)
