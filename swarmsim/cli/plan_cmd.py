"""``swarmsim plan``: print a dry run of ``docker stack deploy``."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from itertools import pairwise
from typing import TYPE_CHECKING, Any, TypeVar

from swarmsim.cli.compare_cmd import with_policy
from swarmsim.foundation.collector import paused_collector
from swarmsim.foundation.text import current_state, natural_key, table, truncate_error
from swarmsim.foundation.units import format_bytes, format_cpus

if TYPE_CHECKING:
    from swarmsim.app.plan import Plan

T = TypeVar("T", bound=Any)


def run(args: argparse.Namespace) -> int:
    with paused_collector():  # 100,000-row tables are many small objects, no cycles
        return _run(args)


def _run(args: argparse.Namespace) -> int:
    # this sub-command's modules load only when it runs: `swarmsim --help` and the
    # other sub-commands start without them
    from swarmsim.app.plan import deploy_lines, plan
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


HEADERS = ["ID", "NAME", "IMAGE", "NODE", "DESIRED STATE", "CURRENT STATE", "ERROR", "PORTS"]


def _stack_ps(result: Plan, *, no_trunc: bool = False) -> str:
    """The ``docker stack ps`` table of the plan: ``table(HEADERS, rows)`` built a column
    at a time.  A plan's rows share a few images, nodes and (state, error) tails, so
    each of those is padded once; only the id and the name are padded per row."""
    tasks = in_table_order(result.tasks)
    now = result.time
    states: dict[str, str] = {}  # CURRENT STATE for each state: every task shares the time
    tails: dict[tuple[str, str, str], tuple[str, str, str, str]] = {}
    ids = [t.id for t in tasks] if no_trunc else [t.id[:12] for t in tasks]
    names = [t.name for t in tasks]
    images = [t.image for t in tasks]
    nodes = [t.node or "" for t in tasks]
    tail_keys = [(t.desired_state, t.state, t.error) for t in tasks]
    for key in set(tail_keys):
        desired, state, error = key
        current = states.get(state)
        if current is None:
            current = states[state] = current_state(state, now, now)
        shown = (f'"{error}"' if error else "") if no_trunc else truncate_error(error)
        tails[key] = (desired.capitalize(), current, shown, "")
    columns = [ids, names, images, nodes]
    widths = [max(10, len(h) + 3, max(map(len, col), default=0) + 3)
              for h, col in zip(HEADERS, columns, strict=False)]
    tail_cells = list(zip(*tails.values(), strict=True)) or [()] * 4
    widths += [max(10, len(h) + 3, max(map(len, col), default=0) + 3)
               for h, col in zip(HEADERS[4:7], tail_cells, strict=False)]
    head = "".join(h.ljust(w) for h, w in zip(HEADERS, widths, strict=False)) + HEADERS[-1]
    padded_tail = {
        key: "".join(c.ljust(w) for c, w in zip(cells, widths[4:], strict=False)).rstrip()
        for key, cells in tails.items()
    }
    if any(not text for text in padded_tail.values()):  # a blank tail: trim the whole row
        rows = [[*cells, *tails[k]] for *cells, k in zip(*columns, tail_keys, strict=True)]
        return table(HEADERS, rows)
    image_cell = {i: i.ljust(widths[2]) for i in set(images)}
    node_cell = {n: n.ljust(widths[3]) for n in set(nodes)}
    fmt = f"{{:<{widths[0]}}}{{:<{widths[1]}}}{{}}{{}}{{}}".format
    lines = [head.rstrip()]
    lines += [
        fmt(i, n, image_cell[im], node_cell[nd], padded_tail[k])
        for i, n, im, nd, k in zip(ids, names, images, nodes, tail_keys, strict=True)
    ]
    return "\n".join(lines)


def in_table_order(tasks: Sequence[T]) -> list[T]:
    """``tasks`` sorted as ``sorted(tasks, key=task_order_key())``, without a key per task.

    When every name is ``<head>.<decimal slot>`` and no head's natural key is a prefix of
    another's (then two names of different heads differ before the slot), the order is:
    heads by natural key, then slots ascending, ties in input order.  Otherwise the plain
    sort.
    """
    buckets: dict[str, tuple[list[int], list[T]]] = {}
    for t in tasks:
        head, dot, tail = t.name.rpartition(".")
        if not dot or not tail.isdecimal():
            return sorted(tasks, key=task_order_key())
        bucket = buckets.get(head)
        if bucket is None:
            bucket = buckets[head] = ([], [])
        bucket[0].append(int(tail))
        bucket[1].append(t)
    bases = {head: natural_key(head + ".") for head in buckets}
    heads = sorted(buckets, key=bases.__getitem__)
    for a, b in pairwise(heads):
        if bases[b][: len(bases[a])] == bases[a]:  # a prefix (or equal): names interleave
            return sorted(tasks, key=task_order_key())
    ordered: list[T] = []
    for head in heads:
        slots, members = buckets[head]
        if all(x <= y for x, y in pairwise(slots)):
            ordered += members
        else:
            order = sorted(range(len(slots)), key=slots.__getitem__)
            ordered += [members[i] for i in order]
    return ordered


def task_order_key() -> Callable[[Any], list[object]]:
    """``natural_key`` of a task's name, computing the service part once per service.

    A name ``<service>.<slot>`` has the natural key of ``<service>.`` followed by the slot
    number and an empty tail (the pieces ``re.split`` yields); any other name falls back
    to ``natural_key`` of the whole name."""
    prefixes: dict[str, list[object]] = {}

    def key(t: Any) -> list[object]:
        head, dot, tail = t.name.rpartition(".")
        if not dot or not tail.isdecimal():
            return natural_key(t.name)
        base = prefixes.get(head)
        if base is None:
            base = prefixes[head] = natural_key(head + ".")
        return [*base, int(tail), ""]

    return key


def _node_summary(result: Plan) -> str:
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


