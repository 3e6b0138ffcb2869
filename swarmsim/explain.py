"""Why a task went where it went, or why it is pending (``swarmsim explain``, ``why``).

For a task, every node of the swarm and its verdict from SwarmKit's pipeline: the first
filter it fails (swarm's own explanation, e.g. ``scheduling constraints not satisfied on
1 node``) or its rank among the nodes that pass, in the spread order the scheduler
would use right now (fewest tasks of the service, then fewest tasks, then node id).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from swarmsim.cluster.tasks import Task, TaskState
from swarmsim.commands.tables import tabwrite
from swarmsim.run import find_task
from swarmsim.scheduler import PendingTask

if TYPE_CHECKING:
    from swarmsim.engine import Simulation


def task_summary(sim: Simulation, task: Task) -> str:
    """One line: the task, its state and its node, or its pending reason."""
    node = sim.state.nodes.get(task.node_id or "")
    head = f"{task.name} ({task.id[:12]}) is {task.state.label}"
    if task.state == TaskState.PENDING or node is None:
        return head + (f": {task.error}" if task.error else "")
    return head + f" on {node.name}" + (f": {task.error}" if task.error else "")


def verdict_rows(sim: Simulation, task: Task) -> list[list[str]]:
    """NODE / VERDICT rows for ``task`` as the scheduler sees the swarm now."""
    pending = PendingTask(id=task.id, service=task.service, spec_version=task.spec_version,
                          slot=task.slot, node_id=task.node_id if task.preassigned else None)
    verdicts = sim.scheduler.explain_task(pending, task.spec, sim.now)
    rows = [["NODE", "VERDICT"]]
    for v in sorted(verdicts, key=lambda v: (v.rank is None, v.rank or 0, v.hostname)):
        if v.rank is not None:
            text = f"eligible, rank {v.rank + 1} in the spread order"
        else:
            text = f"filtered out: {v.failed_filter}"
        mark = " (this task)" if v.node_id == task.node_id else ""
        rows.append([v.hostname, text + mark])
    return rows


def explain_lines(sim: Simulation, ref: str) -> tuple[list[str], int]:
    """``why TASK``: the summary line, then the node table.

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
    if task.state > TaskState.RUNNING:
        lines.append("(it ended; the verdicts below are for a task like it now)")
    lines.extend(tabwrite(verdict_rows(sim, task)).splitlines())
    return lines, 0


def current_tasks(sim: Simulation) -> list[Task]:
    """The tasks of every service that are wanted running, by name."""
    from swarmsim.output import natural_key

    tasks = [t for t in sim.state.tasks.values() if t.desired <= TaskState.RUNNING]
    return sorted(tasks, key=lambda t: (natural_key(t.name), t.id))
