"""Why a task went where it went, or why it is pending (``swarmsim explain``, ``why``).

For a task, a row per node of the swarm: the first filter of SwarmKit's pipeline the
node fails, in the node's own terms (``constraint node.labels.zone==b: node has
zone=a``, ``needs 0.5 CPU, 0.2 free``), or, for a node that passes, its sort key and
rank in the order the scheduler used: spread's (recent failures of the service on the
node, tasks of the service on it, all its tasks; smaller first, then node id) or the
policy's.

When the run kept the scheduler's explanations (``swarmsim explain`` does), the rows are
those of the scheduling pass that decided the task, before any task of its group was
placed.  Otherwise (the shell's ``why``) they describe the swarm now, with the task's
own reservation given back to its node, so a running task never blames itself.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from swarmsim.app.run import find_task
from swarmsim.cluster.tasks import Task, TaskState
from swarmsim.commands.tables import tabwrite
from swarmsim.foundation.text import natural_key
from swarmsim.foundation.units import format_duration
from swarmsim.scheduler import Explanation, NodeVerdict, PendingTask

if TYPE_CHECKING:
    from swarmsim.simulation.engine import Simulation


def task_summary(sim: Simulation, task: Task) -> str:
    """One line: the task, its state and its node, or its pending reason."""
    node = sim.state.nodes.get(task.node_id or "")
    head = f"{task.name} ({task.id[:12]}) is {task.state.label}"
    if task.state == TaskState.PENDING or node is None:
        return head + (f": {task.error}" if task.error else "")
    return head + f" on {node.name}" + (f": {task.error}" if task.error else "")


def policy_name(sim: Simulation) -> str:
    """The name of the policy the scheduler ranks with (``spread`` for swarm's own)."""
    policy = sim.scheduler.policy
    return "spread" if policy is None else str(getattr(policy, "name", "") or "policy")


def _order_note(sim: Simulation, verdicts: list[NodeVerdict]) -> str:
    name = policy_name(sim)
    if sim.scheduler.policy is None:
        return ("order: spread's sort key (recent failures of the service, tasks of the "
                "service, tasks) on the node, smaller first, then node id")
    if any(v.key for v in verdicts):
        return f"order: policy {name}'s sort key, smaller first"
    return f"order: policy {name}'s ranking"


def verdict_rows(task: Task, verdicts: list[NodeVerdict]) -> list[list[str]]:
    """NODE / FILTERS / SORT KEY / RANK rows, ranked nodes first."""
    keyed = any(v.key for v in verdicts)
    rows = [["NODE", "FILTERS", *(["SORT KEY"] if keyed else []), "RANK"]]
    for v in sorted(verdicts, key=lambda v: (v.rank is None, v.rank or 0, v.hostname)):
        verdict = "pass" if v.rank is not None else (v.detail or v.failed_filter)
        rank = "-" if v.rank is None else str(v.rank + 1)
        if v.node_id == task.node_id and task.state != TaskState.PENDING:
            rank += " <- this task"
        rows.append([v.hostname, verdict, *([v.key or "-"] if keyed else []), rank])
    return rows


def decision(sim: Simulation, task: Task) -> tuple[str, list[NodeVerdict]]:
    """The verdicts behind ``task`` and a line saying when they hold."""
    kept: Explanation | None = sim.scheduler.explained.get(task.id)
    if kept is not None:
        what = "decided" if task.state != TaskState.PENDING else "last scheduling pass"
        group = (f", placing {kept.group} tasks of {task.service} together (the rows are "
                 "from before any of them was placed)" if kept.group > 1 else "")
        return (f"{what} at {format_duration(kept.time)} by {policy_name(sim)}{group}",
                list(kept.verdicts))
    pending = PendingTask(id=task.id, service=task.service, spec_version=task.spec_version,
                          slot=task.slot, node_id=task.node_id if task.preassigned else None)
    verdicts = sim.scheduler.explain_task(pending, task.spec, sim.now, own=task.id)
    return (f"as {policy_name(sim)} sees the swarm at {format_duration(sim.now)}, without "
            "this task's own reservation", verdicts)


def explain_lines(sim: Simulation, ref: str) -> tuple[list[str], int]:
    """``why TASK``: the summary line, when the verdicts hold, then the node table.

    Args:
        sim: the simulation.
        ref: a task id (or unique prefix) or ``<service>.<slot>``.

    Returns:
        (lines, 0), or (an error line, 1) when no task matches.
    """
    task = find_task(sim, ref)
    if task is None:
        return [f"no such task: {ref}"], 1
    lines = [task_summary(sim, task)]
    when, verdicts = decision(sim, task)
    if task.state > TaskState.RUNNING and task.id not in sim.scheduler.explained:
        when += " (it ended; these are the verdicts for a task like it)"
    lines.append(when)
    lines.append(_order_note(sim, verdicts))
    lines.extend(tabwrite(verdict_rows(task, verdicts)).splitlines())
    return lines, 0


def current_tasks(sim: Simulation) -> list[Task]:
    """The tasks of every service that are wanted running, by name."""
    tasks = [t for t in sim.state.tasks.values() if t.desired <= TaskState.RUNNING]
    return sorted(tasks, key=lambda t: (natural_key(t.name), t.id))
