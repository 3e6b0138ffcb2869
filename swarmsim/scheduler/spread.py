"""Placing one group of identical tasks: decision tree, subtree division and node filling.

This follows SwarmKit's ``scheduleTaskGroup`` step by step (``nodeset.go`` ``tree``,
``decision_tree.go``, ``scheduler.go`` ``scheduleNTasksOnSubtree`` and
``scheduleNTasksOnNodes``), with Go's map orders replaced by documented ones:

* nodes compare by ``nodeLess`` (recent failures when one side has at least
  ``MAX_FAILURES``, then active tasks of the service, then active tasks in total), and
  nodes equal under it by node id, lower first;
* the tree is built visiting nodes in that order, so each leaf holds the first
  ``len(group)`` nodes of its spread order that pass the filters;
* branches are visited in ascending label value order.

Only the candidates a leaf needs are looked at: ready nodes in the leaf's sorted order
(skipping the few nodes that hold tasks of the service or have recent failures, which
are ranked apart and come after them), until ``len(group)`` nodes pass the filters.  The
filter failures the scan met are remembered so that, when some tasks find no node, the
explanation is exactly the one the full scan would have produced.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from swarmsim.foundation import defaults
from swarmsim.scheduler.filters import READY, Pipeline, explain_counts
from swarmsim.scheduler.nodeinfo import KEY_STRIDE, NodeInfo, TaskRecord
from swarmsim.scheduler.nodeset import NodeSet, Partition, Path, spread_levels

SortKey = tuple[int, int, int]


class _Tree:
    """A decision tree node; a leaf when ``next`` is None."""

    __slots__ = (
        "cands",
        "fail_keys",
        "fails",
        "full",
        "last",
        "next",
        "path",
        "plain",
        "special_fails",
        "tasks",
        "visited",
    )

    def __init__(self) -> None:
        self.tasks = 0
        self.next: dict[str, _Tree] | None = None
        self.path: Path = ()
        self.cands: list[NodeInfo] = []
        self.fail_keys: list[int] = []  # order keys of failing nodes from the heap, and
        self.fails: list[int] = []  # the filter each failed (parallel lists, no tuples)
        self.special_fails: list[tuple[SortKey, int]] = []
        self.last: SortKey | None = None
        self.full = False
        self.plain = 0  # leading candidates with no task of the service, no failures
        self.visited = False


def go_divmod(a: int, b: int) -> tuple[int, int]:
    """Go's integer ``/`` and ``%``: the quotient truncates toward zero."""
    q = a // b if a >= 0 else -(-a // b)
    return q, a - q * b


@dataclass(slots=True)
class GroupResult:
    """Outcome of one group: ``nodes[i]`` took ``tasks[i]``; later tasks found no node."""

    nodes: list[NodeInfo]
    explanation: str


class GroupPlacer:
    """Places the tasks of one ``(service, spec_version)`` group."""

    def __init__(
        self,
        nodeset: NodeSet,
        pipeline: Pipeline,
        rec: TaskRecord,
        task_ids: Sequence[str],
        preferences: Sequence[str],
        now: float,
    ) -> None:
        self.nodeset = nodeset
        self.pipeline = pipeline
        self.rec = rec
        self.task_ids = task_ids
        self.placed: list[NodeInfo] = []
        svc = rec.service
        self.svc = svc
        self.heavy = nodeset.heavy_nodes((svc, rec.spec_version), now, defaults.MAX_FAILURES)
        self.specials: set[NodeInfo] = set(nodeset.service_nodes.get(svc, ()))
        self.specials.update(self.heavy)
        self.part: Partition = nodeset.partition(spread_levels(preferences))
        self.leaves: list[_Tree] = []
        self.taken: list[tuple[Path, list[int]]] = []
        self.less = self._make_less()

    # --- ordering ---------------------------------------------------------------------
    def sort_key(self, node: NodeInfo) -> SortKey:
        """``nodeLess`` as a key, with the node id (rank) as the last tie-break."""
        return (self.heavy.get(node, 0), node.by_service.get(self.svc, 0), node.key)

    def _make_less(self) -> Callable[[NodeInfo, NodeInfo], bool]:
        """SwarmKit's ``nodeLess`` for this group: is ``a`` strictly better than ``b``?"""
        svc, heavy = self.svc, self.heavy

        def less(a: NodeInfo, b: NodeInfo) -> bool:
            fa, fb = heavy.get(a, 0), heavy.get(b, 0)
            if fa != fb:
                return fa < fb
            ca, cb = a.by_service.get(svc, 0), b.by_service.get(svc, 0)
            if ca != cb:
                return ca < cb
            return a.total < b.total

        return less

    # --- tree -------------------------------------------------------------------------
    def _build_tree(self) -> _Tree:
        root = _Tree()
        part = self.part
        if part.levels and part.members:
            for path in part.paths():  # ascending, so every dict is in ascending key order
                tree = root
                for value in path:
                    if tree.next is None:
                        tree.next = {}
                    child = tree.next.get(value)
                    if child is None:
                        child = tree.next[value] = _Tree()
                    tree = child
                tree.path = path
                self.leaves.append(tree)
        else:
            self.leaves.append(root)
            return root  # a lone leaf: its task count is never read
        for node in self.nodeset.service_nodes.get(self.svc, ()):
            count = node.by_service[self.svc]
            tree = root
            tree.tasks += count
            for value in part.path_of(node):
                tree = tree.next[value]  # type: ignore[index]
                tree.tasks += count
        return root

    def _scan_leaves(self) -> None:
        """Fill every leaf with its best passing nodes, as building the heaps would."""
        want = len(self.task_ids)
        first_failure = self.pipeline.first_failure
        specials = self.specials
        part = self.part
        special_by_path: dict[Path, list[NodeInfo]] | None = None  # built when needed
        by_rank, heap_of, pop = part.by_rank, part.heap_of, heapq.heappop
        checks = self.pipeline.checks
        after_ready = checks[1:]  # heaps hold ready nodes only: the ready filter passes
        single = not part.levels
        for leaf in self.leaves:
            cands, fails, fail_keys, path = leaf.cands, leaf.fails, leaf.fail_keys, leaf.path
            popped: list[int] = []
            self.taken.append((path, popped))
            heap = part.heaps.get(path, [])
            prev = last = -1
            while heap and len(cands) < want:
                key = pop(heap)
                if key == prev:
                    continue  # a duplicate entry (equal keys pop one after the other)
                entry = by_rank[key % KEY_STRIDE]
                if (  # drop entries that no longer describe their node
                    entry is None
                    or entry.key != key
                    or not entry.ready
                    or not (single or heap_of.get(entry) is heap)
                ):
                    continue
                node = entry
                prev = key
                popped.append(key)
                if node in specials:
                    continue
                for index, check in after_ready:
                    if not check(node):
                        fail_keys.append(key)
                        fails.append(index)
                        break
                else:
                    cands.append(node)
                    last = key
            if last >= 0:
                leaf.last = (0, 0, last)
            leaf.plain = len(cands)
            if len(cands) < want:
                if special_by_path is None:
                    special_by_path = {}
                    for node in specials:
                        special_by_path.setdefault(part.path_of(node), []).append(node)
                extra = sorted(special_by_path.get(leaf.path, ()), key=self.sort_key)
                for node in extra:
                    failed = first_failure(node)
                    if failed < 0:
                        cands.append(node)
                        leaf.last = self.sort_key(node)
                        if len(cands) == want:
                            break
                    else:
                        leaf.special_fails.append((self.sort_key(node), failed))
            leaf.full = len(cands) == want

    # --- placement --------------------------------------------------------------------
    def run(self) -> GroupResult:
        """Place as many tasks as possible; explain why the rest found no node."""
        root = self._build_tree()
        try:
            self._scan_leaves()
            self.pipeline.reset()
            self._subtree(len(self.task_ids), root)
        finally:
            self._give_back()
        explanation = ""
        if len(self.placed) < len(self.task_ids):
            counts = list(self.pipeline.counts)
            if not self.pipeline.passed:
                for i, c in enumerate(self._leftover_counts()):
                    counts[i] += c
            explanation = explain_counts(counts)
        return GroupResult(self.placed, explanation)

    def _give_back(self) -> None:
        """Return the popped heap entries whose node did not change (took no task)."""
        by_rank, heaps, push = self.part.by_rank, self.part.heaps, heapq.heappush
        for path, keys in self.taken:
            heap = heaps.get(path)
            if heap is None:
                continue
            for key in keys:
                node = by_rank[key % KEY_STRIDE]
                if node is not None and node.key == key:
                    push(heap, key)

    def _leftover_counts(self) -> list[int]:
        """The failure counts building the tree left: failures after the last pass.

        A full leaf stopped at a passing node, so only leaves that ran out of nodes can
        hold failures after the overall last pass; not-ready nodes (kept out of the sorted
        orders) fail the ready filter and are counted here by their place in the order.
        """
        lasts = [leaf.last for leaf in self.leaves if leaf.last is not None]
        bound = max(lasts) if lasts else None
        counts = [0] * len(self.pipeline.counts)
        specials = self.specials
        for leaf in self.leaves:
            if leaf.full:
                continue
            for key, failed in zip(leaf.fail_keys, leaf.fails, strict=True):
                if bound is None or (0, 0, key) > bound:
                    counts[failed] += 1
            for sort_key, failed in leaf.special_fails:
                if bound is None or sort_key > bound:
                    counts[failed] += 1
            for node in self.part.members.get(leaf.path, {}):
                if not node.ready and node not in specials:
                    if bound is None or (0, 0, node.key) > bound:
                        counts[READY] += 1
        return counts

    def _subtree(self, n: int, tree: _Tree) -> int:
        if tree.next is None:
            plain = 0 if tree.visited else tree.plain
            nodes = self._ordered(tree)
            return self._fill(n, nodes, plain) if nodes else 0
        scheduled = 0
        usable = tree.tasks
        branches = list(tree.next.values())
        no_room: set[int] = set()
        converging = True
        while scheduled != n and len(no_room) != len(branches) and converging:
            desired, remainder = go_divmod(usable + n - scheduled, len(branches) - len(no_room))
            converging = False
            for i, sub in enumerate(branches):
                if i in no_room:
                    continue
                have = sub.tasks  # never refreshed during the group, as in SwarmKit
                if have < desired or (have == desired and remainder > 0):
                    converging = True
                    to_assign = desired - have + (1 if remainder > 0 else 0)
                    got = self._subtree(to_assign, sub)
                    if got < to_assign:
                        no_room.add(i)
                        usable -= have
                    elif remainder > 0:
                        remainder -= 1
                    scheduled += got
        return scheduled

    def _ordered(self, leaf: _Tree) -> list[NodeInfo]:
        nodes = leaf.cands
        if not leaf.visited:
            leaf.visited = True
            return nodes
        process = self.pipeline.process_candidate  # every candidate passed once
        i = 0
        while i < len(nodes):  # drop nodes that no longer pass, as SwarmKit does
            if process(nodes[i]):
                i += 1
            else:
                nodes[i] = nodes[-1]
                nodes.pop()
        nodes.sort(key=self.sort_key)
        return nodes

    def _fill(self, n: int, nodes: list[NodeInfo], plain: int) -> int:
        """Give up to ``n`` tasks to ``nodes`` (sorted best first): fill each node until the
        next one is strictly better, then go round robin, skipping nodes that stop passing.

        The first ``plain`` nodes hold no task of the service and no recent failures and
        are untouched since the scan: the first pass gives them one task each in order
        (each next node is strictly better, and passes), so that stretch is done in bulk.
        """
        count = len(nodes)
        task_ids, placed = self.task_ids, self.placed
        track, rec, svc = self.nodeset.track, self.rec, self.svc
        pipeline = self.pipeline
        process = pipeline.process_candidate
        less = self.less if self.heavy else None
        static = not pipeline.dynamic
        failed: set[int] = set()
        it = 0
        scheduled = 0
        stepping = False  # True: a task was just placed on nodes[it], move on from there
        bulk = min(n, plain, len(task_ids) - len(placed))
        if bulk > 0:
            done = len(placed)
            self.nodeset.track_many(nodes[:bulk], task_ids[done : done + bulk], rec)
            placed.extend(nodes[:bulk])
            if bulk > 1:
                pipeline.note_pass()  # nodes[1 .. bulk-1] were each checked, and passed
            scheduled, it, stepping = bulk, bulk - 1, True
        while stepping or len(placed) < len(task_ids):
            node = nodes[it % count]
            if not stepping:
                track(node, task_ids[len(placed)], rec)
                placed.append(node)
                scheduled += 1
            stepping = False
            if scheduled == n:
                return scheduled
            if it + 1 < count:
                nxt = nodes[it + 1]
                if less is not None:
                    better = less(nxt, node)
                else:
                    ca, cb = nxt.by_service.get(svc, 0), node.by_service[svc]
                    better = ca < cb or (ca == cb and nxt.total < node.total)
                if better:  # first pass: fill until the next node is strictly better
                    it += 1
            else:
                it += 1  # later passes: round robin
            if static:  # nothing can stop passing: the next node passes
                if not pipeline.passed or pipeline.dirty:
                    process(nodes[it % count])
                continue
            start = it
            while (it % count) in failed or not process(nodes[it % count]):
                failed.add(it % count)
                it += 1
                if it - start == count:
                    return scheduled
        return scheduled
