"""The built-in alternatives to swarm's spread: binpack, random and least-allocated."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from swarmsim.policies.base import NodeView, TaskView


class Binpack:
    """The fullest feasible node first, as classic Docker Swarm's binpack strategy.

    Score: CPU and memory fractions the node would have reserved with the task added
    (their sum); higher first.  Equal scores: more active tasks first, then node id.
    With no reservations every score is 0, so the node with the most tasks is filled.
    """

    name = "binpack"

    def key(self, node: NodeView, task: TaskView) -> tuple[float, int]:
        """Fuller first: minus the fraction reserved with the task added, minus tasks."""
        return (-node.allocated_fraction(task), -node.tasks)

    def rank(
        self, nodes: Sequence[NodeView], task: TaskView, rng: np.random.Generator
    ) -> Sequence[NodeView]:
        """Nodes by descending fullness (:meth:`key`, then node id)."""
        return sorted(nodes, key=lambda n: (self.key(n, task), n.id))


class LeastAllocated:
    """A resource-aware spread: the smallest reserved CPU + memory fraction first.

    In the spirit of Kubernetes' ``LeastAllocated`` score, on what the node has
    reserved before the task (so one sort key serves tasks of every size).  Equal
    fractions: fewer active tasks (all services), then node id.  Declared as a sort key,
    so it runs on the scheduler's incremental path like binpack.
    """

    name = "least-allocated"

    def key(self, node: NodeView) -> tuple[float, int]:
        """Emptier first: the fraction reserved now, then tasks."""
        return (node.allocated_fraction(), node.tasks)

    def rank(
        self, nodes: Sequence[NodeView], task: TaskView, rng: np.random.Generator
    ) -> Sequence[NodeView]:
        """Nodes by ascending reserved fraction (:meth:`key`, then node id)."""
        return sorted(nodes, key=lambda n: (self.key(n), n.id))


class RandomPolicy:
    """A uniformly random feasible node, drawn from the simulation's ``policy`` stream."""

    name = "random"

    def rank(
        self, nodes: Sequence[NodeView], task: TaskView, rng: np.random.Generator
    ) -> Sequence[NodeView]:
        """The nodes in a random order."""
        if not nodes:
            return []
        return [nodes[int(i)] for i in rng.permutation(len(nodes))]


#: built-in policies by name (``spread`` is the scheduler's own path, not listed here)
BUILTIN: dict[str, type] = {
    "binpack": Binpack,
    "random": RandomPolicy,
    "least-allocated": LeastAllocated,
}
