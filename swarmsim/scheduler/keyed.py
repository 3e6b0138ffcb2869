"""Placing a group with a policy that declares a per-node sort key, incrementally.

A policy with ``key(node, task)`` (smaller first, then node id) chooses, for every task,
the passing node with the smallest ``(key, node id)``: the same node as
``rank`` returning the nodes sorted by that key.  Instead of filtering and ranking every
node for every task, the ready nodes are kept in a binary heap of their keys, one heap
per reservation size (the key may read the node and the task's reservations, nothing
else of the task; a ``key(node)`` that does not read the task has one heap), and a node
is re-keyed only when it changes (the node set reports
every change to the heaps' ``stale`` sets).  A task pops nodes best first until one
passes the filters; a node that fails stays failing for the rest of its group (within
one pass resources, host ports and replicas per node only get scarcer), so it is set
aside and given back at the end of the group.
"""

from __future__ import annotations

import heapq
import inspect
from collections.abc import Sequence
from typing import Any

from swarmsim.policies.base import NodeView, TaskView
from swarmsim.scheduler.filters import Pipeline, explain_counts
from swarmsim.scheduler.nodeinfo import NodeInfo, TaskRecord
from swarmsim.scheduler.nodeset import NodeSet

Shape = tuple[int, int]  # (nano-CPUs, memory bytes) reserved per task


class KeyIndex:
    """The ready nodes in ``(key, node id)`` order for one reservation size."""

    __slots__ = ("current", "heap", "key", "nodeset", "stale", "task", "view")

    def __init__(self, nodeset: NodeSet, key: Any, shape: Shape | None) -> None:
        self.nodeset = nodeset
        self.key = key if shape is not None else (lambda node, task: key(node))
        self.task = TaskView("", "", *(shape or (0, 0)))
        self.view = NodeView(None, "")  # re-pointed at each node keyed: one object
        self.current: dict[str, Any] = {}  # node id -> its key now (ready nodes only)
        self.heap: list[tuple[Any, str]] = []
        self.stale: set[NodeInfo] = set()
        nodeset.watchers.append(self.stale)
        for node in nodeset.nodes.values():
            self.rekey(node)

    def rekey(self, node: NodeInfo) -> None:
        """Record ``node``'s key now (or drop it: gone or not ready)."""
        if not node.ready or self.nodeset.nodes.get(node.id) is not node:
            self.current.pop(node.id, None)
            return
        view = self.view
        view._node = node
        k = self.key(view, self.task)
        view._node = None  # a key that kept the view cannot read a later node through it
        if self.current.get(node.id) != k or node.id not in self.current:
            self.current[node.id] = k
            heapq.heappush(self.heap, (k, node.id))

    def sync(self) -> None:
        """Re-key the nodes that changed since the last sync (rebuilding the heap when
        many did: cheaper than popping their old entries one by one later)."""
        if self.stale:
            for node in list(self.stale):
                self.rekey(node)
            self.stale.clear()
        if len(self.heap) > len(self.current) + len(self.current) // 8 + 64:
            self.heap = [(k, nid) for nid, k in self.current.items()]
            heapq.heapify(self.heap)


def takes_task(key: Any) -> bool:
    """Whether ``key`` is ``key(node, task)`` rather than ``key(node)``."""
    try:
        params = [p for p in inspect.signature(key).parameters.values()
                  if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    except (TypeError, ValueError):
        return True
    return len(params) != 1


class KeyedPlacer:
    """The key heaps of one policy over one node set, built per reservation size."""

    def __init__(self, nodeset: NodeSet, policy: Any) -> None:
        self.nodeset = nodeset
        self.key = policy.key
        self.per_shape = takes_task(policy.key)
        self.indices: dict[Shape | None, KeyIndex] = {}

    def index(self, shape: Shape) -> KeyIndex:
        """The heap for tasks reserving ``shape`` (built on first use); a key that does
        not read the task (``key(node)``) has one heap for every task."""
        shape_or_none = shape if self.per_shape else None
        found = self.indices.get(shape_or_none)
        if found is None:
            found = KeyIndex(self.nodeset, self.key, shape_or_none)
            self.indices[shape_or_none] = found
        return found

    def place(self, pipeline: Pipeline, rec: TaskRecord,
              task_ids: Sequence[str]) -> tuple[list[NodeInfo], str]:
        """Place ``task_ids`` one by one on the passing node with the smallest key.

        Returns:
            The nodes that took the first tasks and, if some task found no node, the
            explanation of the filters as SwarmKit counts them over every node.
        """
        idx = self.index((rec.nano_cpus, rec.memory))
        idx.sync()
        nodes, heap, current = self.nodeset.nodes, idx.heap, idx.current
        failed: set[str] = set()
        aside: list[tuple[Any, str]] = []
        placed: list[NodeInfo] = []
        pop = heapq.heappop
        try:
            for task_id in task_ids:
                chosen = None
                while heap:
                    entry = pop(heap)
                    k, nid = entry
                    if nid in failed or current.get(nid) != k:
                        continue  # stale, or set aside already
                    node = nodes[nid]
                    if pipeline.first_failure(node) >= 0:
                        failed.add(nid)
                        aside.append(entry)
                        continue
                    chosen = node
                    break
                if chosen is None:
                    return placed, self._explain(pipeline)
                self.nodeset.track(chosen, task_id, rec)
                idx.stale.discard(chosen)
                del current[chosen.id]
                idx.rekey(chosen)
                placed.append(chosen)
            return placed, ""
        finally:
            for k, nid in aside:
                if current.get(nid) == k:
                    heapq.heappush(heap, (k, nid))

    def _explain(self, pipeline: Pipeline) -> str:
        counts = [0] * len(pipeline.counts)
        for node in self.nodeset.nodes.values():
            failed = pipeline.first_failure(node)
            if failed >= 0:
                counts[failed] += 1
        return explain_counts(counts)
