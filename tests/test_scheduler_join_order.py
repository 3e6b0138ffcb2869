"""The order in which nodes join does not change placement: the node order's last
tie-break is the node id (lower first), whatever order the ids arrived in."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from swarmsim.input.specs import NodeSpec, ServiceSpec
from swarmsim.scheduler import PendingTask, Scheduler


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
