"""``swarmsim compare``: policies on the same seeds, a table per metric, CSV and plots."""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Callable, Iterator
from typing import Any

from swarmsim.cli import args as checked
from swarmsim.foundation.errors import InputError
from swarmsim.foundation.figures import FORMATS
from swarmsim.foundation.units import parse_duration

#: the files by which an earlier ``compare --out`` directory is recognised
COMPARE_MARKERS = ("runs.csv", "summary.csv")


class CountBar:
    """A tqdm bar counting finished runs, on a terminal only."""

    def __init__(self, desc: str) -> None:
        self.bar: Any = None
        if sys.stderr.isatty():
            from tqdm import tqdm

            self.bar = tqdm(desc=desc, unit="run", file=sys.stderr, leave=False)

    def __call__(self, done: int, total: int) -> None:
        if self.bar is not None:
            self.bar.total = total
            self.bar.update(done - self.bar.n)

    def close(self) -> None:
        """Remove the bar."""
        if self.bar is not None:
            self.bar.close()


def add_engine_args(p: argparse.ArgumentParser) -> None:
    """``--workers``, ``--dask`` and ``--out``, shared with ``sweep``."""
    p.add_argument("--workers", type=checked.workers, default=None, metavar="W",
                   help="local worker processes (default: all cores)")
    p.add_argument("--dask", default=None, metavar="ADDRESS",
                   help="run on the Dask scheduler at ADDRESS (needs the dask extra)")
    p.add_argument("--out", default=None, metavar="DIR", type=checked.out_dir,
                   help="write CSV files and plots here (new or empty, or an earlier "
                   "output of the same command with --force)")
    p.add_argument("--format", default="png", choices=FORMATS,
                   help="format of the plots written with --out (png at 200 dpi)")
    p.add_argument("--force", action="store_true",
                   help="with --out: replace the files of an earlier output in DIR")


def add_measure_args(p: argparse.ArgumentParser) -> None:
    """``--measure``, ``--warmup`` and ``--slo``, shared with ``sweep``."""
    p.add_argument("--measure", action="append", default=None, metavar="NAME",
                   help="what to measure: placement | availability | failures | convergence "
                   "| pending | utilisation | requests | module:function | file.py:function "
                   "(repeatable; default: all but utilisation)")
    p.add_argument("--warmup", default=None, metavar="T", type=checked.instant,
                   help="cut the first T of every run from every measure, e.g. 30s")
    p.add_argument("--slo", default=None, metavar="D", type=checked.duration,
                   help="latency objective for slo_violations, e.g. 200ms")


def measure_options(args: argparse.Namespace) -> dict[str, Any]:
    """``measures=``, ``warmup=`` and ``slo=`` from the options that were given.

    Raises:
        InputError: naming the option at fault.
    """
    # this sub-command's modules load only when it runs: `swarmsim --help` and the
    # other sub-commands start without them
    from swarmsim.experiments.measures import resolve

    out: dict[str, Any] = {}
    if args.measure:
        for ref in args.measure:
            try:
                resolve(ref)
            except ValueError as exc:
                raise InputError(f"--measure {ref}: {exc}") from None
        out["measures"] = tuple(args.measure)
    for key in ("warmup", "slo"):
        text = getattr(args, key)
        if text is None:
            continue
        try:
            out[key] = parse_duration(text)
        except ValueError:
            raise InputError(f"--{key}: invalid duration {text!r}") from None
    return out


@contextlib.contextmanager
def helper_pool(args: argparse.Namespace, plots: bool) -> Iterator[Any]:
    """With W >= 2 local workers: W - 1 started processes that share the runs (and the
    plots) with this one (see :func:`~swarmsim.experiments.runner.start_helpers`); else
    None."""
    import os

    from swarmsim.foundation.collector import paused_collector

    with paused_collector():  # importing builds many objects and no garbage
        # this sub-command's modules load only when it runs: `swarmsim --help` and the
        # other sub-commands start without them
        from swarmsim.experiments.runner import start_helpers

    workers = args.workers or os.cpu_count() or 1
    if args.dask or workers < 2:
        yield None
        return
    pool = start_helpers(workers - 1, plots)
    try:
        yield pool
    finally:
        pool.shutdown(cancel_futures=True)


def with_engine(args: argparse.Namespace, fn: Callable[..., Any], desc: str,
                pool: Any = None) -> Any:
    """Call ``fn(workers=, client=, progress=)`` on the engine the arguments select
    (with ``helpers=pool`` when a helper pool is given)."""
    # this sub-command's modules load only when it runs: `swarmsim --help` and the
    # other sub-commands start without them
    from swarmsim.experiments.runner import connect_dask

    client = None
    if args.dask:
        try:
            client = connect_dask(args.dask)
        except ImportError as exc:
            raise InputError(str(exc)) from None
        except (OSError, ValueError, TypeError) as exc:  # no scheduler there, bad address
            raise InputError(f"--dask {args.dask}: cannot connect: {exc}") from None
    bar = CountBar(desc)
    try:
        extra = {"helpers": pool} if pool is not None and client is None else {}
        return fn(workers=args.workers, client=client, progress=bar, **extra)
    finally:
        bar.close()
        if client is not None:
            client.close()


def checked_policy(name: str) -> str:
    """A ``--policy`` value that names a loadable policy.

    Raises:
        InputError: naming the option and what is wrong.
    """
    # this sub-command's modules load only when it runs: `swarmsim --help` and the
    # other sub-commands start without them
    from swarmsim.policies.loader import check_policy_name, make_policy

    problem = check_policy_name(name)
    if problem:
        raise InputError(f"--policy {name}: {problem}")
    try:
        make_policy(name)
    except ValueError as exc:
        raise InputError(f"--policy {name}: {exc}") from None
    return name


def add_policy_arg(p: argparse.ArgumentParser) -> None:
    """``--policy NAME`` for ``plan`` and ``explain``: overrides the scenario's policy."""
    p.add_argument("--policy", default=None, metavar="NAME",
                   help="spread | binpack | random | least-allocated | module:Name | "
                   "file.py:Name (default: the scenario's `policy:`)")


def with_policy(scenario: Any, name: str | None) -> Any:
    """``scenario`` with its policy replaced by ``--policy`` (when given)."""
    from dataclasses import replace

    return scenario if name is None else replace(scenario, policy=checked_policy(name))


def run(args: argparse.Namespace) -> int:
    """Run the comparison and print one table per metric."""
    with helper_pool(args, plots=args.out is not None) as pool:
        return _compare(args, pool)


def _compare(args: argparse.Namespace, pool: Any) -> int:
    # this sub-command's modules load only when it runs: `swarmsim --help` and the
    # other sub-commands start without them
    from swarmsim.experiments import compare, format_table, summarize, write_comparison
    from swarmsim.experiments.compare import policy_labels
    from swarmsim.input.scenario import load_scenario
    from swarmsim.outputs.staging import check_out_dir, write_staged

    out = None if args.out is None else check_out_dir(args.out, force=args.force,
                                                       markers=COMPARE_MARKERS)
    scenario = load_scenario(args.scenario)
    policies = args.policy or ["spread", "binpack"]
    for name in policies:
        checked_policy(name)
    try:
        policy_labels(policies)
    except ValueError as exc:
        raise InputError(f"--policy: {exc}") from None
    until = parse_duration(args.until) if args.until else None  # checked: > 0
    options = measure_options(args)
    records = with_engine(
        args,
        lambda **kw: compare(scenario, policies, seeds=args.seeds, until=until,
                             rebalance=args.rebalance, **options, **kw),
        "replications", pool,
    )
    by = "variant" if args.rebalance else "policy"
    rows = summarize(records, by=by)
    print(f"{scenario.name}: {len(policies)} policies x {args.seeds} seeds; "
          "only `spread` is Docker Swarm's own behaviour\n")
    if args.rebalance:
        print("rebalance is a what-if, NOT Docker Swarm behaviour: swarm never moves "
              "running tasks\n")
    print(format_table(rows, by=by))
    if out is not None:
        for path in write_staged(out, lambda d: write_comparison(
                d, records, rows, by=by, fmt=args.format, pool=pool)):
            print(f"wrote {path}")
    return 0


def register(sub: Any) -> None:
    """Add the ``compare`` subcommand."""
    c = sub.add_parser(
        "compare",
        help="compare placement policies on the same seeds (mean, 95%% CI, paired diffs)",
        description="Run SCENARIO under every --policy on the same N seeds and print, per "
        "metric, mean, standard deviation, 95%% confidence interval and the paired "
        "difference to the first policy (the baseline).",
    )
    c.add_argument("scenario", metavar="SCENARIO", type=checked.path,
                   help="scenario YAML file")
    c.add_argument("--policy", action="append", default=None, metavar="NAME",
                   help="spread | binpack | random | least-allocated | module:Name "
                   "(repeatable; default: spread and binpack)")
    c.add_argument("--seeds", type=checked.seeds, default=10, metavar="N",
                   help=f"replications (10; at most {checked.MAX_SEEDS})")
    c.add_argument("--until", default=None, metavar="T", type=checked.duration,
                   help="simulated duration, e.g. 2m")
    c.add_argument("--rebalance", action="append", default=None, metavar="MODE",
                   choices=("off", "on-recovery", "on-join", "on-recovery-or-join"),
                   help="what-if, NOT swarm behaviour: run every policy under each mode "
                   "(repeatable)")
    add_measure_args(c)
    add_engine_args(c)
    c.set_defaults(func=run)
