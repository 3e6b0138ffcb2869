"""The ``swarmsim`` command. This package is the only part of swarmsim that prints;
one module per subcommand.

Layer: interfaces, the top.  May import: every other package; none imports it.
"""

from __future__ import annotations

import argparse
import gc
import sys
from collections.abc import Sequence

from swarmsim import __version__
from swarmsim.cli import args as checked
from swarmsim.cli import (
    compare_cmd,
    explain_cmd,
    run_cmd,
    serve_cmd,
    shell_cmd,
    sweep_cmd,
)
from swarmsim.foundation.errors import InputError
from swarmsim.foundation.figures import FORMATS


def _parser() -> argparse.ArgumentParser:
    parser = checked.Parser(
        prog="swarmsim",
        description="Simulate a Docker Swarm mode cluster from compose files and scenarios.",
    )
    parser.add_argument("--version", action="version", version=f"swarmsim {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    p = sub.add_parser(
        "plan",
        help="dry-run `docker stack deploy`: place every stack's tasks at t=0",
        description="Place every stack of SCENARIO at t=0 (no dynamics) and print the "
        "`docker stack ps` table and what each node has reserved.",
    )
    p.add_argument("scenario", metavar="SCENARIO", type=checked.path,
                   help="scenario YAML file")
    p.add_argument("--json", action="store_true", help="print one JSON document instead")
    p.add_argument("--seed", type=checked.seed, default=None,
                   help="override the scenario's seed")
    p.add_argument("--no-trunc", action="store_true", help="do not truncate ids and errors")
    compare_cmd.add_policy_arg(p)
    p.set_defaults(func=_plan)
    r = sub.add_parser(
        "run",
        help="simulate a scenario through time and print what docker would print",
        description="Run SCENARIO: the swarm forms at t=0, its stacks deploy, the timeline's "
        "steps happen at their times; then print `docker node ls`, `docker service ls` and "
        "`docker stack ps` at the end.",
    )
    r.add_argument("scenario", metavar="SCENARIO", type=checked.path,
                   help="scenario YAML file")
    r.add_argument("--seed", type=checked.seed, default=None,
                   help="override the scenario's seed")
    r.add_argument("--until", default=None, metavar="T", type=checked.duration,
                   help="simulated duration, e.g. 10m (overrides the scenario's `until`)")
    r.add_argument("--out", default=None, metavar="DIR", type=checked.out_dir,
                   help="write events.jsonl, final.json, scenario.json, the metrics "
                   "(metrics.csv, tasks.csv, nodes.csv, summary.json), PNG plots, "
                   "report.html and visualizer.html into DIR (new or empty, or an "
                   "earlier run's with --force)")
    r.add_argument("--force", action="store_true",
                   help="with --out: replace the files of an earlier run in DIR")
    r.add_argument("--format", default="png", choices=FORMATS,
                   help="with --out: also write every plot as SVG or PDF (PNG, at 200 dpi, "
                   "is always written: the report embeds it)")
    r.add_argument("--out-format", choices=("plain", "gzip"), default="plain",
                   help="with --out: plain writes the run's tables as text (the default); "
                   "gzip writes events.jsonl, metrics.csv and tasks.csv gzip-compressed "
                   "(events.jsonl.gz, ...), which pandas reads in the same one call")
    r.add_argument("--json", action="store_true",
                   help="print the final state and the run's summary as one JSON document "
                   "instead")
    r.set_defaults(func=run_cmd.run)
    rep = sub.add_parser(
        "report",
        help="rebuild the plots, report.html and visualizer.html of a run directory",
        description="Rebuild the PNG plots, report.html and visualizer.html of DIR (written "
        "by `swarmsim run --out DIR`) from its files alone, without re-running.",
    )
    rep.add_argument("directory", metavar="DIR", type=checked.path,
                     help="a directory written by `run --out`")
    rep.add_argument("--at", default=None, metavar="T", type=checked.instant,
                     help="simulated time of the cluster snapshot, e.g. 70s (default: the end)")
    rep.add_argument("--format", default="png", choices=FORMATS,
                     help="also write every plot as SVG or PDF (PNG, at 200 dpi, is always "
                     "written: the report embeds it)")
    rep.set_defaults(func=_report)
    compare_cmd.register(sub)
    sweep_cmd.register(sub)
    shell_cmd.register(sub)
    serve_cmd.register(sub)
    explain_cmd.register(sub)
    return parser


def _plan(args: argparse.Namespace) -> int:
    from swarmsim.cli import plan_cmd  # deferred: only `plan` loads it (not `run`)

    return plan_cmd.run(args)


def _report(args: argparse.Namespace) -> int:
    from swarmsim.cli import report_cmd  # deferred: only `report` loads it (not `run`)

    return report_cmd.run(args)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``swarmsim`` console script; returns the exit status."""
    try:
        args = _parser().parse_args(argv)
    except SystemExit as exc:  # --help, --version, or a bad argument (one line, status 2)
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
    try:
        return int(args.func(args))
    except InputError as err:
        if err.warnings:  # docker's warnings come before the error
            sys.stderr.write(err.warnings)
        print(checked.one_line(str(err)), file=sys.stderr)
        return 2
    except BrokenPipeError:  # e.g. `swarmsim plan x | head`
        return 0


def entry() -> None:
    """The ``swarmsim`` command and ``python -m swarmsim``: :func:`main`, then the exit.

    Every object still alive is frozen out of the cyclic garbage collector first: the
    interpreter's exit then frees them without collection passes over all of them
    (tens of milliseconds after a run).
    """
    code = main()
    gc.freeze()
    sys.exit(code)


if __name__ == "__main__":  # pragma: no cover
    entry()
