"""Spread placement: node order, fill-then-round-robin, preference trees, recent failures.

Expected placements are worked out by hand from SwarmKit's algorithm (``nodeLess``,
``scheduleNTasksOnNodes``, ``scheduleNTasksOnSubtree``) with the documented tie-breaks:
lower node id among equal nodes, ascending label values among branches.
"""

from __future__ import annotations

from collections import Counter

from swarmsim.input.specs import NodeSpec, Placement, ResourceRequirements, Resources, ServiceSpec
from swarmsim.scheduler import PendingTask, Scheduler

GB = 1 << 30


def nid(name: str) -> str:
    return name.ljust(25, "0")


def mk_node(name: str, mem: int = 64 * GB, **labels: str) -> NodeSpec:
    return NodeSpec(
        name=name,
        id=nid(name),
        memory_bytes=mem,
        nano_cpus=64_000_000_000,
        labels=tuple(sorted(labels.items())),
    )


def svc(name: str = "web", mem: int = 0, prefs=(), constraints=()) -> ServiceSpec:
    return ServiceSpec(
        name=name,
        image="img",
        resources=ResourceRequirements(reservations=Resources(memory_bytes=mem)),
        placement=Placement(constraints=constraints, preferences=prefs),
    )


def cluster(*nodes: NodeSpec) -> Scheduler:
    sched = Scheduler()
    for n in nodes:
        sched.add_node(n)
    return sched


def tasks(name: str, count: int, start: int = 0, version: int = 0) -> list[PendingTask]:
    return [PendingTask(f"{name}.{start + i}", name, version) for i in range(count)]


def place(sched, service, count, start=0, version=0, now=0.0) -> list[str | None]:
    ds = sched.schedule(tasks(service.name, count, start, version), {service.name: service}, now)
    return [d.node_id and d.node_id.rstrip("0") for d in ds]


def preload(sched: Scheduler, node: str, service: ServiceSpec, count: int, tag: str = "") -> None:
    for i in range(count):
        sched.add_task(
            PendingTask(f"{tag or service.name}-{node}-{i}", service.name), nid(node), service
        )


# --- node order -------------------------------------------------------------------------


def test_fresh_service_spreads_evenly_lower_ids_first():
    sched = cluster(mk_node("c"), mk_node("a"), mk_node("b"))
    assert place(sched, svc(), 5) == ["a", "b", "c", "a", "b"]


def test_fewer_tasks_in_total_first():
    sched = cluster(mk_node("a"), mk_node("b"), mk_node("c"))
    preload(sched, "a", svc("db"), 2)
    preload(sched, "b", svc("db"), 1)
    assert place(sched, svc(), 3) == ["c", "b", "a"]


def test_tasks_of_the_service_count_before_the_total():
    sched = cluster(mk_node("a"), mk_node("b"))
    preload(sched, "a", svc("db"), 5)  # busy, but none of web
    preload(sched, "b", svc(), 1)
    assert place(sched, svc(), 1, start=10) == ["a"]


def test_fill_until_the_next_node_is_strictly_better():
    # Sorted: b (0 web), c (0 web), a (2 web).  b takes one; c is better, c takes one;
    # a (2 web, 2 in all) is not strictly better than c (1 web, 1 in all), so c takes
    # another; now a ties c (2, 2) and is still not better: c takes the fourth.
    # SwarmKit does not re-sort the list: the outcome is b=1, c=3.
    sched = cluster(mk_node("a"), mk_node("b"), mk_node("c"))
    preload(sched, "a", svc(), 2)
    assert Counter(place(sched, svc(), 4, start=10)) == {"b": 1, "c": 3}


def test_then_round_robin_over_the_chosen_nodes():
    sched = cluster(mk_node("a"), mk_node("b"), mk_node("c"))
    assert place(sched, svc(), 7) == ["a", "b", "c", "a", "b", "c", "a"]


def test_round_robin_skips_nodes_that_fill_up():
    sched = cluster(mk_node("a", mem=GB), mk_node("b", mem=3 * GB), mk_node("c", mem=2 * GB))
    got = place(sched, svc(mem=GB), 7)
    assert got[:6] == ["a", "b", "c", "b", "c", "b"]
    assert got[6] is None


def test_tasks_taken_in_pending_order_groups_in_first_appearance_order():
    sched = cluster(mk_node("a", mem=GB), mk_node("b", mem=GB))
    big, small = svc("big", mem=GB), svc("small", mem=GB // 2)
    pending = [
        PendingTask("small.1", "small"),
        PendingTask("big.1", "big"),
        PendingTask("small.2", "small"),
        PendingTask("big.2", "big"),
    ]
    ds = sched.schedule(pending, {"big": big, "small": small}, 0.0)
    # the small group comes first and takes half of a and half of b
    assert [(d.task_id, d.node_id and d.node_id[0]) for d in ds] == [
        ("small.1", "a"),
        ("big.1", None),
        ("small.2", "b"),
        ("big.2", None),
    ]
    assert ds[1].error == "no suitable node (insufficient resources on 2 nodes)"


def test_spec_versions_are_separate_groups():
    sched = cluster(mk_node("a"), mk_node("b"))
    pending = tasks("web", 1, version=1) + tasks("web", 1, start=1, version=2)
    ds = sched.schedule(pending, {"web": svc()}, 0.0)
    assert [d.node_id[0] for d in ds] == ["a", "b"]


# --- recent failures --------------------------------------------------------------------


def test_faulty_node_is_put_last_after_five_failures():
    # TestSchedulerFaultyNode: a replicated task keeps failing on the emptier node
    sched = cluster(mk_node("id1"), mk_node("id2"))
    web = svc("service1")
    preload(sched, "id1", web, 1)
    got = []
    for i in range(8):
        [node] = place(sched, web, 1, start=100 + i, now=float(i))
        got.append(node)
        sched.task_failed(f"service1.{100 + i}", float(i))
    assert got == ["id2"] * 5 + ["id1"] * 3


def test_failures_are_per_spec_version():
    # TestSchedulerFaultyNodeSpecVersion: an update resets the down-weighting
    sched = cluster(mk_node("a"), mk_node("b"))
    web = svc()
    preload(sched, "b", web, 1)
    for i in range(5):
        assert place(sched, web, 1, start=i, version=1, now=i) == ["a"]
        sched.task_failed(f"web.{i}", float(i))
    assert place(sched, web, 1, start=10, version=1, now=10.0) == ["b"]
    assert place(sched, web, 1, start=11, version=2, now=10.0) == ["a"]


def test_failures_expire_after_the_monitor_window():
    sched = cluster(mk_node("a"), mk_node("b"))
    web = svc()
    preload(sched, "b", web, 1)
    for i in range(5):
        place(sched, web, 1, start=i, now=100.0)
        sched.task_failed(f"web.{i}", 100.0)
    assert place(sched, web, 1, start=20, now=400.0) == ["b"]  # exactly 300 s old: counted
    sched.release_task("web.20")
    assert place(sched, web, 1, start=21, now=400.5) == ["a"]  # older: forgotten


def test_four_failures_do_not_matter_and_more_failures_rank_lower():
    sched = cluster(mk_node("a"), mk_node("b"), mk_node("c"), mk_node("d"))
    web = svc()
    preload(sched, "d", svc("db"), 1)
    for node, count in (("a", 4), ("b", 7), ("c", 6)):
        for i in range(count):
            sched.add_task(PendingTask(f"f-{node}{i}", "web"), nid(node), web)
            sched.task_failed(f"f-{node}{i}", 0.0)
    # sorted: a (4 failures ignored, 0 tasks), d (1 task), c (6 failures), b (7 failures)
    verdicts = sched.explain_task(PendingTask("web.x", "web"), web, 1.0)
    assert [v.rank for v in verdicts] == [0, 3, 2, 1]
    # a takes one; then d (no web task) is better; c, with six failures, is never better
    # than a node below five, so the first pass stays on d for the third
    assert place(sched, web, 3, now=1.0) == ["a", "d", "d"]
    for name in ("a", "d"):
        sched.update_node(NodeSpec(name=name, id=nid(name), availability="drain"))
    assert place(sched, web, 1, start=5, now=1.0) == ["c"]


# --- placement preferences --------------------------------------------------------------


def test_spread_over_datacenters_docs_example():
    # docker service create --replicas 9 --placement-pref spread=node.labels.datacenter:
    # east has 3 nodes, south 2, west 1 -> 3 tasks per datacenter
    sched = cluster(
        mk_node("e1", datacenter="east"),
        mk_node("e2", datacenter="east"),
        mk_node("e3", datacenter="east"),
        mk_node("s1", datacenter="south"),
        mk_node("s2", datacenter="south"),
        mk_node("w1", datacenter="west"),
    )
    got = Counter(place(sched, svc(prefs=("node.labels.datacenter",)), 9))
    assert got == {"e1": 1, "e2": 1, "e3": 1, "s1": 2, "s2": 1, "w1": 3}


def test_nodes_without_the_label_form_their_own_branch():
    sched = cluster(mk_node("a", zone="z1"), mk_node("b", zone="z1"), mk_node("c"))
    got = Counter(place(sched, svc(prefs=("node.labels.zone",)), 4))
    assert got == {"c": 2, "a": 1, "b": 1}  # "" and "z1" get 2 each


def test_branch_without_room_leaves_its_share_to_the_others():
    sched = cluster(
        mk_node("a", mem=GB, zone="z1"), mk_node("b", zone="z2"), mk_node("c", zone="z3")
    )
    got = Counter(place(sched, svc(mem=GB, prefs=("node.labels.zone",)), 9))
    assert got == {"a": 1, "b": 4, "c": 4}


def test_branch_failing_constraints_still_counts_as_a_branch():
    sched = cluster(mk_node("a", zone="z1"), mk_node("b", zone="z2", tier="db"))
    got = place(sched, svc(prefs=("node.labels.zone",), constraints=("node.labels.tier==db",)), 3)
    assert got == ["b", "b", "b"]


def test_existing_tasks_even_out_the_branches():
    sched = cluster(mk_node("a", zone="z1"), mk_node("b", zone="z2"))
    web = svc(prefs=("node.labels.zone",))
    preload(sched, "a", web, 3)
    assert place(sched, web, 3, start=10) == ["b", "b", "b"]


def test_non_label_descriptors_are_ignored():
    sched = cluster(mk_node("a", zone="z1"), mk_node("b", zone="z1"), mk_node("c", zone="z2"))
    got = place(sched, svc(prefs=("node.id", "node.hostname")), 3)
    assert got == ["a", "b", "c"]


def test_engine_label_preference():
    sched = cluster(
        NodeSpec(name="a", id=nid("a"), engine_labels=(("disk", "ssd"),)),
        NodeSpec(name="b", id=nid("b"), engine_labels=(("disk", "ssd"),)),
        NodeSpec(name="c", id=nid("c")),
    )
    got = Counter(place(sched, svc(prefs=("engine.labels.disk",)), 4))
    assert got == {"c": 2, "a": 1, "b": 1}


def test_multiple_preferences_swarmkit_example():
    # TestMultiplePreferences: az1 (id0 too small, id1 fits 5) and az2 (rack1: id2-id4,
    # rack2: id5-id6).  12 tasks: az1 can take only 5, az2 gets 7, split 4 (rack1) / 3.
    def node(i: int, az: str, rack: str, mem: float, apples: int) -> NodeSpec:
        return NodeSpec(
            name=f"id{i}",
            id=nid(f"id{i}"),
            nano_cpus=1_000_000_000,
            memory_bytes=int(mem),
            labels=(("az", az), ("rack", rack)),
            generic=(("apple", apples),),
        )

    sched = cluster(
        node(0, "az1", "rack1", 1e8, 1),
        node(1, "az1", "rack1", 1e9, 10),
        *(node(i, "az2", "rack1", 1e9, 6) for i in (2, 3, 4)),
        *(node(i, "az2", "rack2", 1e9, 6) for i in (5, 6)),
    )
    t1 = ServiceSpec(
        name="service1",
        image="v:1",
        placement=Placement(preferences=("node.labels.az", "node.labels.rack")),
        resources=ResourceRequirements(
            reservations=Resources(memory_bytes=int(2e8), generic=(("apple", 2),))
        ),
    )
    got = Counter(place(sched, t1, 12))
    assert got == {"id1": 5, "id2": 2, "id3": 1, "id4": 1, "id5": 2, "id6": 1}


def test_multiple_preferences_scale_up_regression():
    # TestMultiplePreferencesScaleUp: both new tasks go to id12 (balancing dc1's racks)
    # or to id21 (balancing the datacenters); with ascending branch order it is id12
    sched = cluster(
        mk_node("id11", az="dc1", rack="r1"),
        mk_node("id12", az="dc1", rack="r2"),
        mk_node("id21", az="dc2", rack="r1"),
    )
    web = svc(prefs=("node.labels.az", "node.labels.rack"))
    for node, count in (("id11", 3), ("id12", 1), ("id21", 3)):
        preload(sched, node, web, count)
    assert place(sched, web, 2, start=50) == ["id12", "id12"]
