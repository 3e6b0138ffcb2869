"""A policy using both optional hooks (a what-if, NOT Docker Swarm behaviour).

* ``place_group``: a service's pending tasks are placed in one call, all or none
  (gang scheduling: a group that does not fit as a whole waits, holding nothing), each
  task on the node with the most free memory once the group's earlier tasks are
  counted.
* ``migrate``: when the rebalancing what-if runs (``rebalance: on-recovery``), move
  tasks off the fullest nodes until no node holds more than one task above the
  emptiest, one ``(service, node id)`` move per task.

``rank`` (most free memory first) orders the nodes in ``swarmsim explain``.  Use it
from a scenario (``policy: hooks_policy.py:GangAndMove``, see ``hooks.yaml``).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from swarmsim.policies import NodeView, TaskView


def free_memory(node: NodeView) -> int:
    return node.memory_bytes - node.reserved_memory


def fits(node: NodeView, task: TaskView) -> int:
    """How many more tasks like ``task`` the node's free CPU and memory hold."""
    free_cpu = node.nano_cpus - node.reserved_nano_cpus
    counts = [free_cpu // task.nano_cpus if task.nano_cpus else 1 << 30,
              free_memory(node) // task.memory_bytes if task.memory_bytes else 1 << 30]
    return max(0, min(counts))


class GangAndMove:
    """All-or-nothing group placement by free memory, and moves that even out the
    tasks per node."""

    name = "gang-and-move"

    def rank(
        self, nodes: Sequence[NodeView], task: TaskView, rng: np.random.Generator
    ) -> Sequence[NodeView]:
        """Most free memory first, then node id."""
        return sorted(nodes, key=lambda n: (-free_memory(n), n.id))

    def place_group(
        self, nodes: Sequence[NodeView], tasks: Sequence[TaskView], rng: np.random.Generator
    ) -> list[NodeView | None]:
        """Each task on the node with the most free memory left, the group's earlier
        tasks counted; none at all unless every task fits."""
        task = tasks[0]
        room = {n.id: fits(n, task) for n in nodes}
        free = {n.id: free_memory(n) for n in nodes}
        by_id = {n.id: n for n in nodes}
        out: list[NodeView | None] = []
        for _ in tasks:
            open_ = [nid for nid in sorted(room) if room[nid] > 0]
            if not open_:
                return []  # the whole group does not fit: it waits
            best = max(open_, key=lambda nid: free[nid])  # first of equals: lowest id
            room[best] -= 1
            free[best] -= task.memory_bytes
            out.append(by_id[best])
        return out

    def migrate(self, nodes: Sequence[NodeView], rng: np.random.Generator) -> list[tuple[str, str]]:
        """Moves off the fullest node while it holds two tasks more than the emptiest."""
        if not nodes:
            return []
        lists = {n.id: [service for service, _cpu, _mem in n.task_list] for n in nodes}
        moves: list[tuple[str, str]] = []
        while True:
            full = max(sorted(lists), key=lambda nid: len(lists[nid]))
            empty = min(sorted(lists), key=lambda nid: len(lists[nid]))
            if len(lists[full]) - len(lists[empty]) <= 1:
                return moves
            service = lists[full].pop()
            lists[empty].append(service)
            moves.append((service, full))
