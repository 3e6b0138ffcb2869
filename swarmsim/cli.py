"""The ``swarmsim`` command. The only module that prints."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

from swarmsim import __version__
from swarmsim.errors import InputError
from swarmsim.output import current_state, natural_key, table, truncate_error
from swarmsim.units import format_bytes, format_cpus


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
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
    p.add_argument("scenario", metavar="SCENARIO", help="scenario YAML file")
    p.add_argument("--json", action="store_true", help="print one JSON document instead")
    p.add_argument("--seed", type=int, default=None, help="override the scenario's seed")
    p.add_argument("--no-trunc", action="store_true", help="do not truncate ids and errors")
    p.set_defaults(func=_cmd_plan)
    r = sub.add_parser(
        "run",
        help="simulate a scenario through time and print what docker would print",
        description="Run SCENARIO: the swarm forms at t=0, its stacks deploy, the timeline's "
        "steps happen at their times; then print `docker node ls`, `docker service ls` and "
        "`docker stack ps` at the end.",
    )
    r.add_argument("scenario", metavar="SCENARIO", help="scenario YAML file")
    r.add_argument("--seed", type=int, default=None, help="override the scenario's seed")
    r.add_argument("--until", default=None, metavar="T",
                   help="simulated duration, e.g. 10m (overrides the scenario's `until`)")
    r.add_argument("--out", default=None, metavar="DIR",
                   help="write events.jsonl, final.json and scenario.json into DIR")
    r.add_argument("--json", action="store_true",
                   help="print the final state as one JSON document instead")
    r.set_defaults(func=_cmd_run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``swarmsim`` console script; returns the exit status."""
    args = _parser().parse_args(argv)
    try:
        return int(args.func(args))
    except InputError as err:
        if err.warnings:  # docker's warnings come before the error
            sys.stderr.write(err.warnings)
        print(str(err), file=sys.stderr)
        return 2
    except BrokenPipeError:  # e.g. `swarmsim plan x | head`
        return 0


def _cmd_plan(args: argparse.Namespace) -> int:
    from swarmsim.plan import plan  # noqa: PLC0415
    from swarmsim.scenario import load_scenario  # noqa: PLC0415

    scenario = load_scenario(args.scenario, seed=args.seed)
    result = plan(scenario)
    if args.json:
        print(json.dumps(result.to_dict(), indent=2))
        return 0
    for stack in result.stacks:
        if stack.warnings:
            sys.stderr.write(stack.warnings)
        for line in stack.log_warnings:
            print(line, file=sys.stderr)
        for net in stack.networks:
            if not net.external:
                print(f"Creating network {net.name}")
        for svc in stack.services:
            print(f"Creating service {svc.name}")
    print()
    print(_stack_ps(result, no_trunc=args.no_trunc))
    print()
    print(_node_summary(result))
    return 0


def _cmd_run(args: argparse.Namespace) -> int:
    from swarmsim.commands import run_command  # noqa: PLC0415
    from swarmsim.outputs import final_document, write_run  # noqa: PLC0415
    from swarmsim.run import CommandEvent, run_scenario  # noqa: PLC0415
    from swarmsim.scenario import load_scenario  # noqa: PLC0415
    from swarmsim.units import parse_duration  # noqa: PLC0415

    until = None
    if args.until is not None:
        try:
            until = parse_duration(args.until)
        except ValueError:
            raise InputError(f"--until: invalid duration {args.until!r}") from None
    scenario = load_scenario(args.scenario, seed=args.seed)
    result = run_scenario(scenario, until=until)
    if args.out:
        write_run(result, args.out)
    if args.json:
        print(json.dumps(final_document(result), indent=2))
        return 0
    for event in result.log:
        stamp = f"[{_clock(event.time)}]"
        if isinstance(event, CommandEvent):
            print(f"{stamp} {event.on}$ {event.command}")
            if event.error:
                print(event.error.rstrip("\n"))
            if event.output:
                print(event.output.rstrip("\n"))
        else:
            detail = f": {event.detail}" if event.detail else ""
            print(f"{stamp} {event.action} {event.target}{detail}")
    sim = result.sim
    print(f"\n[{_clock(sim.now)}] end of simulation")
    for line in ["docker node ls", "docker service ls",
                 *[f"docker stack ps {name}" for name in _stacks(sim)]]:
        res = run_command(sim, line)
        print(f"\n$ {line}")
        print((res.output or res.error).rstrip("\n"))
    return 0


def _stacks(sim) -> list[str]:  # type: ignore[no-untyped-def]
    names = {svc.spec.stack for svc in sim.state.services.values() if svc.spec.stack}
    return sorted(names, key=natural_key)


def _clock(seconds: float) -> str:
    """Simulated time as h:mm:ss.mmm."""
    ms = round(seconds * 1000)
    h, rem = divmod(ms, 3_600_000)
    m, rem = divmod(rem, 60_000)
    s, ms = divmod(rem, 1000)
    return f"{h}:{m:02d}:{s:02d}.{ms:03d}"


def _stack_ps(result, *, no_trunc: bool = False) -> str:  # type: ignore[no-untyped-def]
    rows = []
    for t in sorted(result.tasks, key=lambda t: natural_key(t.name)):
        rows.append(
            [
                t.id if no_trunc else t.id[:12],
                t.name,
                t.image,
                t.node or "",
                t.desired_state.capitalize(),
                current_state(t.state, result.time, result.time),
                (f'"{t.error}"' if t.error else "") if no_trunc else truncate_error(t.error),
                "",
            ]
        )
    headers = ["ID", "NAME", "IMAGE", "NODE", "DESIRED STATE", "CURRENT STATE", "ERROR", "PORTS"]
    return table(headers, rows)


def _node_summary(result) -> str:  # type: ignore[no-untyped-def]
    rows = []
    for n in sorted(result.nodes, key=lambda n: natural_key(n.spec.name)):
        cpu_pct = 100 * n.reserved_nano_cpus / n.spec.nano_cpus if n.spec.nano_cpus else 0
        mem_pct = 100 * n.reserved_memory / n.spec.memory_bytes if n.spec.memory_bytes else 0
        rows.append(
            [
                n.spec.name,
                n.spec.role.capitalize(),
                n.spec.status.capitalize(),
                n.spec.availability.capitalize(),
                str(n.tasks),
                f"{format_cpus(n.reserved_nano_cpus)} / {format_cpus(n.spec.nano_cpus)}"
                f" ({cpu_pct:.0f}%)",
                f"{format_bytes(n.reserved_memory)} / {format_bytes(n.spec.memory_bytes)}"
                f" ({mem_pct:.0f}%)",
            ]
        )
    headers = ["NODE", "ROLE", "STATUS", "AVAILABILITY", "TASKS", "RESERVED CPUS", "RESERVED MEMORY"]
    return table(headers, rows)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
