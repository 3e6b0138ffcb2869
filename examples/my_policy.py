"""A custom placement policy: the feasible node with the fewest tasks, any service.

Use it from a scenario (``policy: my_policy.py:LeastLoaded``, relative to the scenario
file) or the command line (``--policy examples/my_policy.py:LeastLoaded`` from the
repository root; a ``module:Name`` reference needs the module importable, e.g. installed
or on ``PYTHONPATH``).  Swarm's filters have already removed the nodes that cannot take the
task; a policy only orders the rest, best first.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from swarmsim.policies import NodeView, TaskView


class LeastLoaded:
    """Fewest active tasks first; ties go to the node with more free memory, then id."""

    name = "least-loaded"

    def key(self, node: NodeView) -> tuple[int, int]:
        """Fewer tasks first, then more free memory (declared: the fast sort-key path)."""
        return (node.tasks, node.reserved_memory - node.memory_bytes)

    def rank(
        self, nodes: Sequence[NodeView], task: TaskView, rng: np.random.Generator
    ) -> Sequence[NodeView]:
        """Nodes by :meth:`key`, then node id."""
        return sorted(nodes, key=lambda n: (self.key(n), n.id))
