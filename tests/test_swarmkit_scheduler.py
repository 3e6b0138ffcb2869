"""SwarmKit's scheduler tests (``manager/scheduler/scheduler_test.go``), spreading and
preferences, re-expressed against swarmsim's scheduler.

Upstream leaves ties to Go's map order and accepts several outcomes; each test below
asserts the set upstream accepts *and* the single outcome swarmsim's documented
tie-break gives (lower node id first among equal nodes, preference branches in
ascending label value, groups in order of first appearance, tasks of a group in
submission order).
"""

from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from swarmkit_fixtures import ASSIGNED, NO_NODE, Swarm, node, service, task

ONE_GROUP = "one group per tick"
ONE_BY_ONE = "one task per tick"


def _submit_all(swarm, tasks, how):
    """Schedule ``tasks`` either as one group (tasks sharing a spec version) or one at a
    time, the two ways upstream runs its tests (with and without a spec version)."""
    if how == ONE_GROUP:
        swarm.submit(*tasks)
        swarm.tick()
    else:
        for t in tasks:
            swarm.submit(t)
            swarm.tick()
    assert swarm.pending == []


def test_scheduler_follows_node_set_changes():
    """TestScheduler: least-loaded nodes win; removed, down and re-readied nodes are
    tracked across ticks."""
    nodes = [node("id1", name="name1"), node("id2", name="name2"), node("id3", name="name2")]
    names = ["name1", "name2", "name4", "removednode", "name5", "name6", "name7", "name8"]
    swarm = Swarm(nodes, [service(n) for n in names])
    swarm.restore(task("id1", "name1"), "id1")

    placed = swarm.place(task("id2", "name2"), task("id3", "name2"))
    # upstream: the two tasks go to id2 and id3 in either order
    assert sorted(placed.values()) == ["id2", "id3"]
    assert placed == {"id2": "id2", "id3": "id3"}

    for n in nodes:  # re-announcing the same nodes must not disturb the accounting
        swarm.scheduler.update_node(replace(n))

    swarm.release("id1")
    assert swarm.place(task("id4", "name4")) == {"id4": "id1"}

    # the task is put back to pending: it leaves node id1 and is placed again
    swarm.release("id4")
    assert swarm.place(task("id4", "name4")) == {"id4": "id1"}

    swarm.scheduler.add_node(node("removednode", status="down"))
    swarm.scheduler.remove_node("removednode")
    placed = swarm.place(task("removednode", "removednode"))
    assert placed["removednode"] != "removednode"
    assert placed == {"removednode": "id1"}  # every node holds one task: lowest id

    swarm.scheduler.add_node(node("id4", name="name4"))
    assert swarm.place(task("id5", "name5")) == {"id5": "id4"}

    swarm.scheduler.add_node(node("id5", name="name5", status="down"))
    placed = swarm.place(task("id6", "name6"))
    assert placed["id6"] != "id5"
    assert placed == {"id6": "id2"}

    swarm.scheduler.update_node(node("id5", name="name5"))
    assert swarm.place(task("id7", "name7")) == {"id7": "id5"}

    swarm.scheduler.add_node(node("id6", name="name6"))
    swarm.scheduler.update_node(node("id6", name="name6", status="down"))
    placed = swarm.place(task("id8", "name8"))
    assert placed["id8"] != "id6"
    assert placed == {"id8": "id3"}


@pytest.mark.parametrize("how", [ONE_GROUP, ONE_BY_ONE])
@pytest.mark.parametrize("late_order", ["service1 first", "service2 first"])
def test_ha_spread_over_five_nodes(how, late_order):
    """TestHA: spreading by per-service count, ties broken by total task count."""
    swarm = Swarm([node(f"id{i}") for i in range(1, 6)], [service("s1"), service("s2")])
    _submit_all(swarm, [task(f"t1id{i}", "s1", version=1) for i in range(18)], how)
    t1 = swarm.spread("t1")
    assert sorted(t1.values()) == [3, 3, 4, 4, 4]
    assert t1 == {"id1": 4, "id2": 4, "id3": 4, "id4": 3, "id5": 3}

    # a second service fills the nodes with only three tasks
    _submit_all(swarm, [task(f"t2id{i}", "s2", version=1) for i in range(2)], how)
    t2 = swarm.spread("t2")
    assert {n: t1[n] for n in t2} == {"id4": 3, "id5": 3}

    # three more of service 1: both nodes running service 2 get one, plus one other
    _submit_all(swarm, [task(f"t1id{i}", "s1", version=1) for i in range(18, 21)], how)
    t1 = swarm.spread("t1")
    assert sorted(t1.values()) == [4, 4, 4, 4, 5]
    assert t1 == {"id1": 5, "id2": 4, "id3": 4, "id4": 4, "id5": 4}

    # another service-2 task avoids the service-2 nodes and the node with five service-1
    placed = swarm.place(task("t2id4", "s2", version=1))
    assert placed["t2id4"] not in {"id4", "id5", "id1"}
    assert placed == {"t2id4": "id2"}

    for t in swarm.tasks_on("id1"):
        swarm.release(t)
    late_s1 = [task(f"t1id{i}", "s1", version=1) for i in range(22, 26)]
    late_s2 = [task(f"t2id{i}", "s2", version=1) for i in (5, 6)]
    swarm.submit(*(late_s1 + late_s2 if late_order == "service1 first" else late_s2 + late_s1))
    swarm.tick()
    assert swarm.pending == []
    on_id1 = swarm.tasks_on("id1")
    assert sum(t.startswith("t1") for t in on_id1) == 4
    assert sum(t.startswith("t2") for t in on_id1) == 1


@pytest.mark.parametrize("how", [ONE_GROUP, ONE_BY_ONE])
def test_preferences_spread_over_label_values(how):
    """TestPreferences: spreading is over values of ``node.labels.az``, not over nodes."""
    nodes = [node("id1", labels=(("az", "az1"),))]
    nodes += [node(f"id{i}", labels=(("az", "az2"),)) for i in range(2, 6)]
    swarm = Swarm(nodes, [service("s1", preferences=["node.labels.az"])])
    _submit_all(swarm, [task(f"t1id{i}", "s1", version=1) for i in range(8)], how)
    assert swarm.spread() == {"id1": 4, "id2": 1, "id3": 1, "id4": 1, "id5": 1}


def _multi_pref_swarm():
    def labelled(node_id, az, rack, memory, apples):
        return node(
            node_id,
            labels=(("az", az), ("rack", rack)),
            nano_cpus=10**9,
            memory_bytes=memory,
            generic=(("apple", apples),),
        )

    nodes = [labelled("id0", "az1", "rack1", 10**8, 1), labelled("id1", "az1", "rack1", 10**9, 10)]
    nodes += [labelled(f"id{i}", "az2", "rack1", 10**9, 6) for i in (2, 3, 4)]
    nodes += [labelled(f"id{i}", "az2", "rack2", 10**9, 6) for i in (5, 6)]
    svc = service(
        "s1",
        memory_bytes=2 * 10**8,
        generic={"apple": 2},
        preferences=["node.labels.az", "node.labels.rack"],
    )
    return Swarm(nodes, [svc])


@pytest.mark.parametrize("how", [ONE_GROUP, ONE_BY_ONE])
def test_multiple_preferences_with_resource_limits(how):
    """TestMultiplePreferences: az1 can only take 5 of its 6 (resources), the rest
    spills over to az2 and is spread over its racks."""
    swarm = _multi_pref_swarm()
    _submit_all(swarm, [task(f"t1id{i}", "s1", version=1) for i in range(12)], how)
    got = swarm.spread()
    assert got["id0"] == 0  # too little memory
    assert got["id1"] == 5  # half of 12 wanted, room for 5
    rack1 = [got[f"id{i}"] for i in (2, 3, 4)]
    rack2 = [got[f"id{i}"] for i in (5, 6)]
    assert (sorted(rack1), sorted(rack2)) in [([1, 1, 2], [1, 2]), ([1, 1, 1], [2, 2])]
    if how == ONE_GROUP:
        # rack1 first (ascending): 3 there, 3 in rack2; the 12th re-enters rack1
        assert got == {"id1": 5, "id2": 2, "id3": 1, "id4": 1, "id5": 2, "id6": 1}


def test_multiple_preferences_scale_up_terminates():
    """TestMultiplePreferencesScaleUp: the regression case for the scheduler's
    infinite loop; both extra tasks go to id12 or id21."""
    prefs = ["node.labels.az", "node.labels.rack"]
    swarm = Swarm(
        [
            node("id11", labels=(("az", "dc1"), ("rack", "r1"))),
            node("id12", labels=(("az", "dc1"), ("rack", "r2"))),
            node("id21", labels=(("az", "dc2"), ("rack", "r1"))),
        ],
        [service("s1", preferences=prefs)],
    )
    for node_id, running in (("id11", 3), ("id12", 1), ("id21", 3)):
        for i in range(running):
            swarm.restore(task(f"t1running-{node_id}-{i}", "s1", version=1), node_id)
    placed = swarm.place(*(task(f"t1id{i}", "s1", version=1) for i in range(2)))
    assert None not in placed.values()
    new = list(placed.values())
    assert new.count("id12") + new.count("id21") == 2
    # dc1 is visited first: its r2 branch takes both (stale counts allow it)
    assert new == ["id12", "id12"]


def _revisit_swarm():
    mib = 1 << 20
    nodes = [
        node("a1", labels=(("zone", "a"),), memory_bytes=600 * mib),
        node("b1", labels=(("zone", "b"),), memory_bytes=600 * mib),
        node("c1", labels=(("zone", "c"),), memory_bytes=100 * mib),
    ]
    swarm = Swarm(nodes, [service("s", memory_bytes=512 * mib, preferences=["node.labels.zone"])])
    swarm.submit(*(task(f"t{i}", "s") for i in range(3)))
    return swarm, swarm.tick()


def test_revisited_branch_rechecks_its_nodes():
    """Spreading over zones a, b, c (one task each, c too small): the second round asks
    a and b again (their counts are stale), and each must re-check its node, now full,
    instead of over-committing it (orderedNodes re-evaluates constraints on a revisit)."""
    swarm, decisions = _revisit_swarm()
    assert [d.node_id for d in decisions.values()] == ["a1", "b1", None]
    usage = [swarm.scheduler.node_usage(n).reserved_memory for n in ("a1", "b1", "c1")]
    assert usage == [512 << 20, 512 << 20, 0]


def test_revisited_branch_failures_are_explained():
    """Same pass as above: the explanation counts the failed checks since the last node
    that passed: c1 while building the tree, then a1 and b1 on the revisit (the first
    fills stop as soon as their share is placed, without checking the node again)."""
    _, decisions = _revisit_swarm()
    assert decisions["t2"].error == NO_NODE + " (insufficient resources on 3 nodes)"


def test_tree_counts_include_unlabelled_nodes():
    """TestTreeTaskCountConsistency: every tree level counts the service's tasks of the
    nodes below it, and unlabelled nodes form the ``""`` branch with their own counts.

    Existing tasks: dc1 (r1: 3, r2: 2) = 5, dc2 (r2: 4) = 4, unlabelled 2 + 1 = 3.
    With 3 more tasks each top branch should reach (12 + 3) / 3 = 5: the unlabelled
    branch takes 2 (both on node5: the fill stays on a node until another is strictly
    better), dc2 takes 1, dc1 nothing."""
    swarm = Swarm(
        [
            node("node1", labels=(("datacenter", "dc1"), ("rack", "r1"))),
            node("node2", labels=(("datacenter", "dc1"), ("rack", "r2"))),
            node("node3", labels=(("datacenter", "dc2"), ("rack", "r2"))),
            node("node4"),
            node("node5"),
        ],
        [service("service1", preferences=["node.labels.datacenter", "node.labels.rack"])],
    )
    for node_id, running in (("node1", 3), ("node2", 2), ("node3", 4), ("node4", 2), ("node5", 1)):
        for i in range(running):
            swarm.restore(task(f"old-{node_id}-{i}", "service1"), node_id)
    placed = swarm.place(*(task(f"new{i}", "service1") for i in range(3)))
    assert sorted(placed.values()) == ["node3", "node5", "node5"]


def test_no_ready_nodes_then_a_node_joins():
    """TestSchedulerNoReadyNodes: with no node at all the error has no explanation."""
    swarm = Swarm([], [service("service1")])
    swarm.submit(task("id1", "service1"))
    decision = swarm.tick()["id1"]
    assert (decision.node_id, decision.error) == (None, NO_NODE)
    swarm.scheduler.add_node(node("newnode"))
    decision = swarm.tick()["id1"]
    assert (decision.node_id, decision.message, decision.error) == ("newnode", ASSIGNED, "")


def test_preassigned_tasks_are_processed_first():
    """TestPreassignedTasks: both pre-assigned tasks are confirmed on node1 before the
    unassigned task is placed, so that one avoids node1 even though it comes first."""
    swarm = Swarm(
        [node("node1"), node("node2")], [service("name1"), service("name2", mode="global")]
    )
    swarm.submit(
        task("task1", "name1"),
        task("task2", "name2", on="node1"),
        task("task3", "name2", on="node1"),
    )
    decisions = swarm.tick()
    assert [decisions[t].node_id for t in ("task1", "task2", "task3")] == [
        "node2",
        "node1",
        "node1",
    ]


@settings(max_examples=40, deadline=None)
@given(n_tasks=st.integers(1, 16), n_nodes=st.integers(1, 6))
def test_even_spread_on_identical_nodes(n_tasks, n_nodes):
    """TestHA generalised: on identical empty nodes a group spreads evenly, and the
    remainder lands on the lowest node ids (the documented tie-break)."""
    swarm = Swarm([node(f"n{i}") for i in range(n_nodes)], [service("web")])
    swarm.place(*(task(f"t{i}", "web") for i in range(n_tasks)))
    q, r = divmod(n_tasks, n_nodes)
    expected = {f"n{i}": q + (i < r) for i in range(n_nodes)}
    assert swarm.spread() == {k: v for k, v in expected.items() if v}
