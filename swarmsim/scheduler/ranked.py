"""Placing a group of tasks with a policy other than spread.

Swarm's filters decide which nodes may take a task, exactly as for spread; the policy
only ranks the nodes that pass.  Tasks are placed one at a time (each placement changes
the reservations the next one sees), and placement preferences are not applied (they
belong to spread's decision tree).  When no node passes, the explanation counts each
node's first failing filter, as SwarmKit's pipeline does.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from swarmsim.policies.base import NodeView, TaskView
from swarmsim.scheduler.filters import Pipeline, explain_counts
from swarmsim.scheduler.nodeinfo import NodeInfo, TaskRecord
from swarmsim.scheduler.nodeset import NodeSet

if TYPE_CHECKING:
    from swarmsim.policies.base import Policy


def node_view(node: NodeInfo, service: str, now: float = 0.0) -> NodeView:
    """The read-only view of ``node`` a policy ranks."""
    return NodeView(node, service, now)


def place_ranked(
    nodeset: NodeSet,
    pipeline: Pipeline,
    rec: TaskRecord,
    task_ids: Sequence[str],
    policy: Policy,
    rng: np.random.Generator,
) -> tuple[list[NodeInfo], str]:
    """Place ``task_ids`` one by one on the node ``policy`` ranks first.

    Returns:
        The nodes that took the first tasks (in order) and, if some task found no node,
        the explanation of the filters (``insufficient resources on 2 nodes``).
    """
    nodes = nodeset.in_id_order()
    placed: list[NodeInfo] = []
    for task_id in task_ids:
        counts = [0] * len(pipeline.counts)
        feasible: list[NodeInfo] = []
        for node in nodes:
            failed = pipeline.first_failure(node)
            if failed < 0:
                feasible.append(node)
            else:
                counts[failed] += 1
        if not feasible:
            return placed, explain_counts(counts)
        by_id = {n.id: n for n in feasible}
        task = TaskView(task_id, rec.service, rec.nano_cpus, rec.memory)
        ranked = policy.rank([node_view(n, rec.service) for n in feasible], task, rng)
        chosen = next((by_id[v.id] for v in ranked if v.id in by_id), None)
        if chosen is None:
            return placed, ""
        nodeset.track(chosen, task_id, rec)
        placed.append(chosen)
    return placed, ""
