"""``swarmsim plan``: print a dry run of ``docker stack deploy``."""

from __future__ import annotations

import argparse
import json
import sys

from swarmsim.foundation.text import current_state, natural_key, table, truncate_error
from swarmsim.foundation.units import format_bytes, format_cpus


def run(args: argparse.Namespace) -> int:
    from swarmsim.app.plan import deploy_lines, plan
    from swarmsim.cli.compare_cmd import with_policy
    from swarmsim.input.scenario import load_scenario

    scenario = with_policy(load_scenario(args.scenario, seed=args.seed), args.policy)
    result = plan(scenario)
    # docker's stdout lines and its warnings on stderr; with --json stdout carries only
    # the document and stderr the same warnings
    for stack in result.stacks:
        if stack.warnings:
            sys.stderr.write(stack.warnings)
        for line in stack.log_warnings:
            print(line, file=sys.stderr)
        if not args.json:
            for line in deploy_lines(stack):
                print(line)
    later = result.deployed_later
    hint = (
        "nothing is deployed at t=0: the timeline runs docker stack deploy at "
        f"{', '.join(f'{at:g}s' for at in later)}; `swarmsim run` plays it"
        if later and not result.tasks
        else ""
    )
    if args.json:
        print(json.dumps(result.to_dict(), indent=2))
        if hint:
            print(hint, file=sys.stderr)
        return 0
    print()
    print(hint or _stack_ps(result, no_trunc=args.no_trunc))
    if any(n.spec.joined for n in result.nodes):
        print()
        print(_node_summary(result))
    outside = [n.spec.name for n in result.nodes if not n.spec.joined]
    if outside:
        print(f"not in the swarm at t=0 (joined: false): {', '.join(outside)}")
    return 0


def _stack_ps(result, *, no_trunc: bool = False) -> str:  # type: ignore[no-untyped-def]
    rows = []
    now = result.time
    states: dict[str, str] = {}  # CURRENT STATE for each state: every task shares the time
    for t in sorted(result.tasks, key=task_order_key()):
        state = states.get(t.state)
        if state is None:
            state = states[t.state] = current_state(t.state, now, now)
        rows.append(
            [
                t.id if no_trunc else t.id[:12],
                t.name,
                t.image,
                t.node or "",
                t.desired_state.capitalize(),
                state,
                (f'"{t.error}"' if t.error else "") if no_trunc else truncate_error(t.error),
                "",
            ]
        )
    headers = ["ID", "NAME", "IMAGE", "NODE", "DESIRED STATE", "CURRENT STATE", "ERROR", "PORTS"]
    return table(headers, rows)


def task_order_key():  # type: ignore[no-untyped-def]
    """``natural_key`` of a task's name, computing the service part once per service.

    A name ``<service>.<slot>`` has the natural key of ``<service>.`` followed by the slot
    number and an empty tail (the pieces ``re.split`` yields); any other name falls back
    to ``natural_key`` of the whole name."""
    prefixes: dict[str, list[object]] = {}

    def key(t) -> list[object]:  # type: ignore[no-untyped-def]
        head, dot, tail = t.name.rpartition(".")
        if not dot or not tail.isdecimal():
            return natural_key(t.name)
        base = prefixes.get(head)
        if base is None:
            base = prefixes[head] = natural_key(head + ".")
        return [*base, int(tail), ""]

    return key


def _node_summary(result) -> str:  # type: ignore[no-untyped-def]
    rows = []
    # docker node ls lists swarm members only: a machine with joined: false is not one
    members = [n for n in result.nodes if n.spec.joined]
    for n in sorted(members, key=lambda n: natural_key(n.spec.name)):
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
    headers = ["NODE", "ROLE", "STATUS", "AVAILABILITY", "TASKS", "RESERVED CPUS",
               "RESERVED MEMORY"]
    return table(headers, rows)


