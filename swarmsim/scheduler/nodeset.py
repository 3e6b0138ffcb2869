"""The scheduler's node set and the indices that make placement fast.

SwarmKit keeps a map from node id to ``NodeInfo`` and scans all of it for every group of
tasks.  swarmsim keeps the same set plus three indices, so that a group only looks at the
nodes it could choose:

* **Spread order.**  For a service with no task on a node and no recent failures there,
  SwarmKit's ``nodeLess`` reduces to "fewer tasks in total first"; with the documented
  tie-break (lower node id first) that is the order of ``(total active tasks, node id)``.
  Ready-and-active nodes are kept in that order as the integer ``NodeInfo.key``
  (``total * KEY_STRIDE + rank``, ``rank`` = position of the id in id order) in a binary
  heap: O(log n) per change of a node's total.  A heap
  with lazy invalidation is used rather than a ``SortedList`` because a scan only ever
  needs a prefix of the order and ``heapq``'s push and pop run in C, cheaper than a
  ``SortedList``'s Python-level remove and add (measured: the SortedList version spent
  half of a 100,000-task placement there).
* **Partitions.**  For each tuple of spread preferences in use, the nodes are split by their
  label values (the leaves of SwarmKit's decision tree); each leaf has its own sorted order.
  The tuple ``()`` is the whole set as a single leaf.
* **Platforms.**  How many nodes have each ``(os, arch)``: when every node passes a
  service's platform filter, its groups skip that filter (it cannot fail).
* **Service and failure indices.**  The few nodes that hold active tasks of a service, and
  the nodes with recorded failures for a ``(service, spec_version)``: these are the nodes
  whose order differs from the spread order, and they are ranked separately.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Sequence

from swarmsim.input.specs import NodeSpec
from swarmsim.scheduler.constraint import ENGINE_LABEL_PREFIX, NODE_LABEL_PREFIX
from swarmsim.scheduler.filters import NodePlatform, node_platform
from swarmsim.scheduler.nodeinfo import KEY_STRIDE, FailureKey, NodeInfo, Records, TaskRecord

Level = tuple[str, str]  # ("node" | "engine", label name)
Path = tuple[str, ...]


def spread_levels(preferences: Sequence[str]) -> tuple[Level, ...]:
    """The label levels of a decision tree; descriptors other than labels are ignored."""
    levels: list[Level] = []
    for desc in preferences:
        low = desc.lower()
        if len(desc) > len(NODE_LABEL_PREFIX) and low.startswith(NODE_LABEL_PREFIX):
            levels.append(("node", desc[len(NODE_LABEL_PREFIX) :]))
        elif len(desc) > len(ENGINE_LABEL_PREFIX) and low.startswith(ENGINE_LABEL_PREFIX):
            levels.append(("engine", desc[len(ENGINE_LABEL_PREFIX) :]))
    return tuple(levels)


class Partition:
    """The nodes split by the values of some labels, each leaf in spread order.

    Each leaf's order is a binary heap of the ``key`` integers of its ready nodes.  A
    change of a node's total pushes its new key; entries that no longer describe the node
    (old key, node gone, not ready, moved to another leaf) are dropped when popped, and a
    heap that grows past twice its leaf is rebuilt.  A scan pops the prefix it needs and
    gives back afterwards the entries of nodes that did not change.
    """

    __slots__ = ("by_rank", "heap_of", "heaps", "levels", "members")

    def __init__(
        self, levels: tuple[Level, ...], nodes: Sequence[NodeInfo],
        by_rank: list[NodeInfo | None],
    ) -> None:
        self.levels = levels
        self.by_rank = by_rank
        #: the nodes of each leaf, keyed by the node itself (hashed by identity: no id
        #: string to read, which costs a cache miss per lookup on a large cluster)
        self.members: dict[Path, dict[NodeInfo, None]] = {}
        self.heaps: dict[Path, list[int]] = {}
        #: each node's leaf heap (empty for the lone leaf: no lookup needed)
        self.heap_of: dict[NodeInfo, list[int]] = {}
        if not levels:  # one leaf holds every node: no label to read
            everyone = dict.fromkeys(nodes)
            if everyone:
                self.members[()] = everyone
        else:
            by_path: dict[Path, list[NodeInfo]] = {}
            for node, path in zip(nodes, self._paths(nodes), strict=True):
                found = by_path.get(path)
                if found is None:
                    by_path[path] = [node]
                else:
                    found.append(node)
            self.members = {path: dict.fromkeys(found) for path, found in by_path.items()}
        for path, leaf in self.members.items():
            heap = self.heaps[path] = []
            self._rebuild(path)
            if levels:
                self.heap_of.update(dict.fromkeys(leaf, heap))

    def _paths(self, nodes: Sequence[NodeInfo]) -> list[Path]:
        """:meth:`path_of` for many nodes (a label read per node, one tuple per value)."""
        if len(self.levels) != 1:
            return [self.path_of(node) for node in nodes]
        kind, label = self.levels[0]
        if kind == "node":
            values = [node.facts.labels.get(label, "") for node in nodes]
        else:
            values = [node.facts.engine_labels.get(label, "") for node in nodes]
        paths: dict[str, Path] = {}
        return [paths.get(v) or paths.setdefault(v, (v,)) for v in values]

    def path_of(self, node: NodeInfo) -> Path:
        """The leaf of ``node``: its values of the partition's labels (``""`` if unset)."""
        if not self.levels:
            return ()
        facts = node.facts
        if len(self.levels) == 1:  # the usual tree: one level
            kind, label = self.levels[0]
            return ((facts.labels if kind == "node" else facts.engine_labels).get(label, ""),)
        return tuple(
            (facts.labels if kind == "node" else facts.engine_labels).get(label, "")
            for kind, label in self.levels
        )

    def _rebuild(self, path: Path) -> None:
        heap = self.heaps[path]  # rebuilt in place: heap_of refers to this list
        heap[:] = [n.key for n in self.members[path] if n.ready]
        heapq.heapify(heap)

    def insert(self, node: NodeInfo) -> None:
        """Add a node (after it joined or after its record changed)."""
        path = self.path_of(node)
        members = self.members.get(path)
        if members is None:
            self.members[path] = {node: None}
            self.heaps[path] = []
        else:
            members[node] = None
        if self.levels:
            self.heap_of[node] = self.heaps[path]
        if node.ready:
            self.push(node, path)

    def delete(self, node: NodeInfo) -> None:
        """Remove a node (before its record changes); its heap entries become stale."""
        path = self.path_of(node)
        self.heap_of.pop(node, None)
        members = self.members[path]
        del members[node]
        if not members:
            del self.members[path]
            del self.heaps[path]

    def push(self, node: NodeInfo, path: Path) -> None:
        """Record a ready node's current key in its leaf ``path``."""
        heap = self.heaps[path]
        if len(heap) > 2 * len(self.members[path]) + 64:
            self._rebuild(path)
        else:
            heapq.heappush(heap, node.key)

    def push_all(self, nodes: Iterable[NodeInfo]) -> None:
        """Record the current keys of nodes whose totals changed (ready ones only)."""
        heap_of, push = self.heap_of, heapq.heappush
        only = self.heaps.get(()) if not self.levels else None
        if only is not None:  # one leaf: no lookup; a node gone since is dropped when popped
            for node in nodes:
                if node.ready:
                    push(only, node.key)
        else:
            for node in nodes:
                if node.ready:
                    heap = heap_of.get(node)
                    if heap is not None:
                        push(heap, node.key)
        for path, heap in self.heaps.items():
            if len(heap) > 2 * len(self.members[path]) + 64:
                self._rebuild(path)

    def paths(self) -> list[Path]:
        """Every leaf path that has at least one node, ascending."""
        return sorted(self.members)


class NodeSet:
    """The nodes the scheduler may use, their accounting and the placement indices."""

    def __init__(self) -> None:
        self.nodes: dict[str, NodeInfo] = {}
        self.records = Records()  # the task records every node's task map refers to
        self.by_rank: list[NodeInfo | None] = []
        self.service_nodes: dict[str, set[NodeInfo]] = {}
        self.failure_nodes: dict[FailureKey, set[NodeInfo]] = {}
        self._partitions: dict[tuple[Level, ...], Partition] = {}
        self._max_id = ""
        self._stale = False
        self._dirty: list[NodeInfo] = []  # nodes whose total changed since the last flush
        #: how many nodes have each platform (what the platform filter reads)
        self.platforms: dict[NodePlatform, int] = {}
        #: sets that collect every node that changes (tasks, resources, record, removal);
        #: the sort-key indices of policies (``scheduler/keyed.py``) re-key them
        self.watchers: list[set[NodeInfo]] = []

    def _changed(self, node: NodeInfo) -> None:
        for watcher in self.watchers:
            watcher.add(node)

    # --- membership -------------------------------------------------------------------
    def add(self, spec: NodeSpec) -> NodeInfo:
        """Add a node with no tasks (the caller checked it is new)."""
        node = NodeInfo(spec, self.records)
        self.nodes[node.id] = node
        self._count_platform(node, 1)
        if self.watchers:
            self._changed(node)
        if self._stale or node.id < self._max_id:
            self._stale = True  # ranks must be recomputed before the next use
            return node
        self._max_id = node.id
        node.set_rank(len(self.by_rank))
        self.by_rank.append(node)
        for part in self._partitions.values():
            part.insert(node)
        return node

    def _count_platform(self, node: NodeInfo, change: int) -> None:
        plat = node_platform(node)
        left = self.platforms.get(plat, 0) + change
        if left:
            self.platforms[plat] = left
        else:
            del self.platforms[plat]

    def update(self, node: NodeInfo, spec: NodeSpec) -> None:
        """Give a tracked node a new record (status, availability, labels, capacity ...)."""
        if self.watchers:
            self._changed(node)
        self._count_platform(node, -1)
        if self._stale:
            node.set_spec(spec)
            self._count_platform(node, 1)
            return
        for part in self._partitions.values():
            part.delete(node)
        node.set_spec(spec)
        self._count_platform(node, 1)
        for part in self._partitions.values():
            part.insert(node)

    def remove(self, node_id: str) -> NodeInfo | None:
        """Drop a node and all its accounting; returns it, or None if unknown."""
        node = self.nodes.pop(node_id, None)
        if node is None:
            return None
        self._count_platform(node, -1)
        if self.watchers:
            self._changed(node)
        for svc in node.by_service:
            self.service_nodes[svc].discard(node)
        for key in node.failures:
            self.failure_nodes[key].discard(node)
        if not self._stale:
            for part in self._partitions.values():
                part.delete(node)
            self.by_rank[node.rank] = None
        return node

    def ensure_indexed(self) -> None:
        """Recompute ranks and drop the partitions if nodes joined out of id order."""
        if not self._stale:
            return
        nodes = self.nodes
        ordered = [nodes[node_id] for node_id in sorted(nodes)]  # the keys are the ids
        for rank, node in enumerate(ordered):  # NodeInfo.set_rank, inline
            node.rank = rank
            node.key = node.total * KEY_STRIDE + rank
        self.by_rank = list(ordered)
        self._max_id = ordered[-1].id if ordered else ""
        self._partitions.clear()
        self._dirty.clear()
        self._stale = False

    def partition(self, levels: tuple[Level, ...]) -> Partition:
        """The partition for these spread levels (built on first use, then maintained)."""
        self.ensure_indexed()
        if self._dirty:
            changed = set(self._dirty)
            self._dirty.clear()
            for known in self._partitions.values():
                known.push_all(changed)
        part = self._partitions.get(levels)
        if part is None:
            part = Partition(levels, list(self.nodes.values()), self.by_rank)
            self._partitions[levels] = part
        return part

    def in_id_order(self) -> list[NodeInfo]:
        """All nodes, ascending node id."""
        return sorted(self.nodes.values(), key=lambda n: n.id)

    # --- accounting -------------------------------------------------------------------
    def track(self, node: NodeInfo, task_id: str, rec: TaskRecord) -> None:
        """Account a task on ``node`` (assigned, confirmed or restored)."""
        node.add_task(task_id, rec)
        if node.by_service[rec.service] == 1:
            holders = self.service_nodes.get(rec.service)
            if holders is None:
                self.service_nodes[rec.service] = {node}
            else:
                holders.add(node)
        self._dirty.append(node)
        if self.watchers:
            self._changed(node)

    def track_many(
        self, nodes: Sequence[NodeInfo], task_ids: Sequence[str], rec: TaskRecord
    ) -> None:
        """:meth:`track` for several (node, task) pairs."""
        svc = rec.service
        holders = self.service_nodes.get(svc)
        if holders is None:
            holders = self.service_nodes[svc] = set()
        if rec.generic or rec.host_ports:
            for node, task_id in zip(nodes, task_ids, strict=True):
                node.add_task(task_id, rec)
                if node.by_service[svc] == 1:
                    holders.add(node)
        else:  # NodeInfo.add_task for a record that holds CPU and memory only, inline
            cpu, mem, ref = rec.nano_cpus, rec.memory, self.records.ref(rec)
            for node, task_id in zip(nodes, task_ids, strict=True):
                node.tasks[task_id] = ref
                if cpu or mem:
                    node.avail_cpu -= cpu
                    node.avail_mem -= mem
                node.total += 1
                node.key += KEY_STRIDE
                by_service = node.by_service
                count = by_service.get(svc, 0)
                by_service[svc] = count + 1
                if not count:
                    holders.add(node)
        self._dirty.extend(nodes)
        for watcher in self.watchers:
            watcher.update(nodes)

    def untrack(self, node: NodeInfo, task_id: str) -> TaskRecord | None:
        """Release a task from ``node``; returns its record if it was tracked there."""
        was_active = task_id not in node.inactive
        rec = node.remove_task(task_id)
        if rec is not None and was_active:
            self._after_uncount(node, rec.service)
        elif rec is not None and self.watchers:
            self._changed(node)  # its resources were freed
        return rec

    def deactivate(self, node: NodeInfo, task_id: str) -> None:
        """Drop a task from the active counts (desired state past completed)."""
        svc = node.deactivate(task_id)
        if svc is not None:
            self._after_uncount(node, svc)

    def _after_uncount(self, node: NodeInfo, svc: str) -> None:
        if svc not in node.by_service:
            self.service_nodes[svc].discard(node)
        self._dirty.append(node)
        if self.watchers:
            self._changed(node)

    def record_failure(self, node: NodeInfo, key: FailureKey, now: float) -> None:
        """Record a task failure of ``key`` on ``node`` at ``now``."""
        node.record_failure(key, now)
        self.failure_nodes.setdefault(key, set()).add(node)

    def heavy_nodes(self, key: FailureKey, now: float, threshold: int) -> dict[NodeInfo, int]:
        """Nodes with at least ``threshold`` recent failures of ``key`` at ``now``."""
        heavy: dict[NodeInfo, int] = {}
        for node in self.failure_nodes.get(key, ()):
            count = node.recent_failures(key, now)
            if count >= threshold:
                heavy[node] = count
        return heavy
