"""``swarmsim sweep``: a grid of scenario variants x policies x seeds, as one tidy CSV."""

from __future__ import annotations

import argparse
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
    """Run the sweep; print a summary per grid point, write ``sweep.csv`` and plots."""
    with helper_pool(args, plots=True) as pool:
        return _sweep(args, pool)


def _sweep(args: argparse.Namespace, pool: Any) -> int:
    from dataclasses import replace

    # this sub-command's modules load only when it runs: `swarmsim --help` and the
    # other sub-commands start without them
    from swarmsim.experiments import format_table, load_sweep, summarize, sweep
    from swarmsim.experiments.compare import write_csv
    from swarmsim.experiments.plots import save_interval_plots
    from swarmsim.outputs.files import check_out_dir, write_staged

    out = check_out_dir(args.out or "sweep-out", force=args.force, markers=("sweep.csv",))
    spec = load_sweep(args.sweep)
    spec = replace(spec, **measure_options(args))  # the options override the file
    records = with_engine(args, lambda **kw: sweep(spec, **kw), "replications", pool)
    keys = [k for k, _ in spec.grid]
    rows = summarize(records, point=keys)
    print(format_table(rows))

    def write(d: Path) -> list[Path]:
        write_csv(d / "sweep.csv", records)
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
