"""Node ranks kept as nodes join and leave (``scheduler/idorder.py``): whatever the order
of joins and removals, ranks follow the node ids, the indices' entries find their nodes,
and placement is what it is when the nodes join in id order."""

from __future__ import annotations

from itertools import pairwise

from hypothesis import given, settings
from hypothesis import strategies as st

from swarmsim.input.specs import NodeSpec, ServiceSpec
from swarmsim.scheduler import PendingTask, Scheduler
from swarmsim.scheduler.idorder import IdOrder
from swarmsim.scheduler.nodeinfo import KEY_STRIDE
from swarmsim.scheduler.nodeset import NodeSet

IDS = st.text("0123456789abcdefghijklmnopqrstuvwxyz-", min_size=1, max_size=6)
OPS = st.lists(st.tuples(st.booleans(), IDS), max_size=80)  # (join?, id)


def check(ns: NodeSet) -> None:
    order = ns.order
    assert order.ids == sorted(ns.nodes)
    ranks = [ns.nodes[i].rank for i in order.ids]
    assert ranks == order.ranks
    assert all(a < b for a, b in pairwise(ranks))  # id order
    for node in ns.nodes.values():
        assert order.by_rank[node.rank] is node
        assert node.key == node.total * KEY_STRIDE + node.rank
    heap = ns.partition(()).heaps.get((), [])
    assert sorted({k for k in heap if order.by_rank.get(k % KEY_STRIDE)
                   and order.by_rank[k % KEY_STRIDE].key == k}) == sorted(
        n.key for n in ns.nodes.values())


def run_ops(ops: list[tuple[bool, str]]) -> None:
    ns = NodeSet()
    for join, node_id in ops:
        if join and node_id not in ns.nodes:
            ns.add(NodeSpec(name=node_id, id=node_id))
        elif not join:
            ns.remove(node_id)
        check(ns)


@given(OPS)
def test_ranks_follow_ids_through_joins_and_removals(ops):
    run_ops(ops)


@settings(max_examples=50)
@given(OPS)
def test_ranks_follow_ids_when_the_rank_space_runs_out(ops):
    # a tiny rank space: most joins find no room and every rank is spread out again
    saved = IdOrder.space, IdOrder.gap
    IdOrder.space, IdOrder.gap = 128, 2
    try:
        run_ops(ops)
    finally:
        IdOrder.space, IdOrder.gap = saved


@settings(max_examples=30)
@given(st.permutations(range(12)), st.integers(1, 30))
def test_join_order_does_not_change_placement(perm, tasks):
    nodes = [NodeSpec(name=f"n{i}", id=f"{i:02d}x") for i in range(12)]
    svc = ServiceSpec(name="web", image="nginx", replicas=tasks)
    pending = [PendingTask(f"t{i}", "web") for i in range(tasks)]
    placed = []
    for order in (range(12), perm):
        sched = Scheduler()
        for i in order:
            sched.add_node(nodes[i])
        placed.append([d.node_id for d in sched.schedule(pending, {"web": svc}, 0.0)])
    assert placed[0] == placed[1]
    # spread over equal nodes: the lowest ids first, round robin
    assert placed[0] == [f"{i % 12:02d}x" for i in range(tasks)]
