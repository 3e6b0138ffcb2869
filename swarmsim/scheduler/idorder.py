"""Node ranks: integers in node-id order, kept up to date as nodes join and leave.

The spread order's last tie-break is the node id (lower first), and the placement
indices compare integers, not strings: each node has a ``rank`` whose order is the order
of the ids.  Ranks are sparse, so a node that joins between two others (node ids are
random, so most do) takes a free rank between its neighbours' without renumbering
anyone: the indices stay valid as the swarm grows, and the first scheduling pass finds
them built instead of sorting every node.  Only when two neighbours' ranks leave no room
(rare) are all ranks spread out again; the caller then re-keys its indices.
"""

from __future__ import annotations

from bisect import bisect_left

from swarmsim.scheduler.nodeinfo import KEY_STRIDE, NodeInfo

#: the room left between a new first or last node and its neighbour
GAP = 1 << 20


class IdOrder:
    """The node ids in ascending order with each node's rank, and the node of each rank."""

    __slots__ = ("by_rank", "ids", "ranks")

    space = KEY_STRIDE  # ranks are in range(space)
    gap = GAP

    def __init__(self) -> None:
        self.ids: list[str] = []  # ascending
        self.ranks: list[int] = []  # ranks[i] is the rank of ids[i]; ascending too
        #: the node holding each rank, None for the rank of a node that left (entries of
        #: the indices may still name it); shared with the partitions: changed in place
        self.by_rank: dict[int, NodeInfo | None] = {}

    def add(self, node: NodeInfo, nodes: dict[str, NodeInfo]) -> bool:
        """Rank a node that is not in the order yet.

        Args:
            nodes: every node by id, ``node`` included (read when ranks are renumbered).

        Returns:
            True if every node was given a new rank (the keys of all nodes changed).
        """
        ids, ranks = self.ids, self.ranks
        i = bisect_left(ids, node.id)
        lo = ranks[i - 1] if i else -1
        hi = ranks[i] if i < len(ranks) else self.space
        gap = self.gap
        if not ids:
            rank = self.space // 2
        elif i == len(ids) and lo + gap < hi:
            rank = lo + gap  # a new last node: leave room for the next ones
        elif i == 0 and hi - gap > lo:
            rank = hi - gap
        else:
            rank = (lo + hi) // 2
        ids.insert(i, node.id)
        if lo < rank < hi:
            ranks.insert(i, rank)
            node.set_rank(rank)
            self.by_rank[rank] = node
            return False
        ranks.insert(i, 0)
        self._renumber(nodes)
        return True

    def remove(self, node: NodeInfo) -> None:
        """Drop a node from the order (its rank becomes free)."""
        i = bisect_left(self.ids, node.id)
        if i < len(self.ids) and self.ids[i] == node.id:
            del self.ids[i]
            del self.ranks[i]
            self.by_rank[node.rank] = None

    def _renumber(self, nodes: dict[str, NodeInfo]) -> None:
        """Spread every rank evenly over the rank space (ids order unchanged)."""
        step = self.space // (len(self.ids) + 1)
        self.ranks[:] = range(step, step * (len(self.ids) + 1), step)
        self.by_rank.clear()
        for node_id, rank in zip(self.ids, self.ranks, strict=True):
            node = nodes[node_id]
            node.set_rank(rank)
            self.by_rank[rank] = node
