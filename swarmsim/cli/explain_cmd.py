"""``swarmsim explain SCENARIO [TASK]``: why tasks went where they went."""

from __future__ import annotations

import argparse

from swarmsim.cli import args as checked
from swarmsim.cli.compare_cmd import add_policy_arg, with_policy
from swarmsim.foundation.errors import InputError
from swarmsim.foundation.units import parse_duration


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add the ``explain`` subcommand."""
    p = sub.add_parser(
        "explain",
        help="why a task went to its node, or why it is pending",
        description="Run SCENARIO up to --at (default: its end), then show, for TASK (an "
        "id prefix or SERVICE.SLOT; default: every task wanted running), the scheduling "
        "decision that placed it (or left it pending), as it was made: per node, the "
        "filter it failed in the node's own terms, or its sort key and rank in the "
        "order of the scenario's policy (or --policy).",
    )
    p.add_argument("scenario", metavar="SCENARIO", type=checked.path,
                   help="scenario YAML file")
    p.add_argument("task", nargs="?", metavar="TASK", help="task id prefix or SERVICE.SLOT")
    p.add_argument("--at", default=None, metavar="T", type=checked.duration,
                   help="simulated time, e.g. 30s")
    p.add_argument("--seed", type=checked.seed, default=None,
                   help="override the scenario's seed")
    add_policy_arg(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import sys

    # this sub-command's modules load only when it runs: `swarmsim --help` and the
    # other sub-commands start without them
    from swarmsim.app.explain import current_tasks, explain_lines
    from swarmsim.app.run import run_scenario
    from swarmsim.input.scenario import load_scenario
    from swarmsim.scheduler import ALL_TASKS

    scenario = with_policy(load_scenario(args.scenario, seed=args.seed), args.policy)
    try:
        until = parse_duration(args.at) if args.at else None
    except ValueError:
        raise InputError(f"--at: invalid duration {args.at!r}") from None
    sim = run_scenario(scenario, seed=args.seed, until=until, watch=ALL_TASKS).sim
    refs = [args.task] if args.task else [t.id for t in current_tasks(sim)]
    code = 0
    for i, ref in enumerate(refs):
        lines, status = explain_lines(sim, ref)
        if status:
            print("\n".join(lines), file=sys.stderr)
            code = 1
            continue
        if i:
            print()
        print("\n".join(lines))
    return code
