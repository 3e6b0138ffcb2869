"""Placing a group of tasks with a policy other than spread.

Swarm's filters decide which nodes may take a task, exactly as for spread; the policy
only ranks the nodes that pass.  Tasks are placed one at a time (each placement changes
the reservations the next one sees), and placement preferences are not applied (they
belong to spread's decision tree).  When no node passes, the explanation counts each
node's first failing filter, as SwarmKit's pipeline does.

A policy with ``place_group`` places the whole group in one call
(:func:`place_grouped`); its answer is checked node by node against the filters.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from swarmsim.policies.base import NodeView, TaskView
from swarmsim.scheduler.filters import Pipeline, explain_counts, explain_filter
from swarmsim.scheduler.nodeinfo import NodeInfo, TaskRecord
from swarmsim.scheduler.nodeset import NodeSet

if TYPE_CHECKING:
    from swarmsim.policies.base import Policy

#: the explanation of a task the policy's ``place_group`` gave no node
LEFT_BY_POLICY = "the policy placed it on no node"


def node_view(node: NodeInfo, service: str, now: float = 0.0) -> NodeView:
    """The read-only view of ``node`` a policy ranks."""
    return NodeView(node, service, now)


def _feasible(nodeset: NodeSet, pipeline: Pipeline) -> tuple[list[NodeInfo], list[int]]:
    counts = [0] * len(pipeline.counts)
    feasible: list[NodeInfo] = []
    for node in nodeset.in_id_order():
        failed = pipeline.first_failure(node)
        if failed < 0:
            feasible.append(node)
        else:
            counts[failed] += 1
    return feasible, counts


def place_ranked(
    nodeset: NodeSet,
    pipeline: Pipeline,
    rec: TaskRecord,
    task_ids: Sequence[str],
    policy: Policy,
    rng: np.random.Generator,
    now: float = 0.0,
) -> tuple[list[NodeInfo], str]:
    """Place ``task_ids`` one by one on the node ``policy`` ranks first.

    Returns:
        The nodes that took the first tasks (in order) and, if some task found no node,
        the explanation of the filters (``insufficient resources on 2 nodes``).
    """
    placed: list[NodeInfo] = []
    for task_id in task_ids:
        feasible, counts = _feasible(nodeset, pipeline)
        if not feasible:
            return placed, explain_counts(counts)
        by_id = {n.id: n for n in feasible}
        task = TaskView(task_id, rec.service, rec.nano_cpus, rec.memory)
        ranked = policy.rank([node_view(n, rec.service, now) for n in feasible], task, rng)
        chosen = next((by_id[v.id] for v in ranked if v.id in by_id), None)
        if chosen is None:
            return placed, ""
        nodeset.track(chosen, task_id, rec)
        placed.append(chosen)
    return placed, ""


def place_grouped(
    nodeset: NodeSet,
    pipeline: Pipeline,
    rec: TaskRecord,
    task_ids: Sequence[str],
    policy: Any,
    rng: np.random.Generator,
    now: float = 0.0,
) -> tuple[list[NodeInfo], str]:
    """Place the whole group with one call of ``policy.place_group``.

    The answer is applied in task order, each node checked against the filters with the
    earlier placements counted; the first task with no node, or whose node fails a
    filter, stops the group there.

    Returns:
        The nodes that took the first tasks and, if some task was left, why: the
        filters' explanation when no node passed at all, the failing filter on the
        policy's node (``insufficient resources on 1 node: worker2, the policy's
        choice``), or :data:`LEFT_BY_POLICY`.
    """
    feasible, counts = _feasible(nodeset, pipeline)
    if not feasible:
        return [], explain_counts(counts)
    tasks = [TaskView(t, rec.service, rec.nano_cpus, rec.memory) for t in task_ids]
    answer = list(policy.place_group([node_view(n, rec.service, now) for n in feasible],
                                     tasks, rng))
    placed: list[NodeInfo] = []
    for i, task_id in enumerate(task_ids):
        view = answer[i] if i < len(answer) else None
        if view is None:
            return placed, LEFT_BY_POLICY
        node = nodeset.nodes.get(view.id)
        if node is None:
            return placed, LEFT_BY_POLICY
        failed = pipeline.first_failure(node)
        if failed >= 0:
            return placed, f"{explain_filter(failed, 1)}: {node.spec.name}, the policy's choice"
        nodeset.track(node, task_id, rec)
        placed.append(node)
    return placed, ""


def views(nodeset: NodeSet, now: float) -> list[NodeView]:
    """Views of the ready, active nodes in node-id order (what ``migrate`` sees)."""
    return [node_view(n, "", now) for n in nodeset.in_id_order() if n.ready]
