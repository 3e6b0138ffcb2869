"""The filter pipeline: each filter, failure counting, explanations and accounting.

Expected texts are SwarmKit's (``filter.go`` ``Explain``, ``scheduler.go``
``noSuitableNode``); the cases with several filters are worked out by hand from the
pipeline rules: a node counts under the first filter it fails, a passing node resets all
counts, the explanation lists counts high to low with ties in pipeline order.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from swarmsim.input.specs import (
    Mount,
    NodeSpec,
    Placement,
    Platform,
    PortConfig,
    ResourceRequirements,
    Resources,
    ServiceSpec,
)
from swarmsim.scheduler import NodeUsage, NodeVerdict, PendingTask, Scheduler
from swarmsim.scheduler.filters import explain_counts, explain_filter

GB = 1 << 30
CPU = 1_000_000_000
ASSIGNED = "scheduler assigned task to node"


def nid(i: int) -> str:
    return f"node{i:02d}".ljust(25, "0")


def mk_node(i: int, **kw) -> NodeSpec:
    return NodeSpec(name=f"n{i}", id=nid(i), nano_cpus=CPU, memory_bytes=GB, **kw)


def svc(name: str = "web", cpu: int = 0, mem: int = 0, generic=(), **placement) -> ServiceSpec:
    ports = placement.pop("ports", ())
    extra = {k: placement.pop(k) for k in ("networks", "mounts") if k in placement}
    return ServiceSpec(
        name=name,
        image="img",
        ports=ports,
        resources=ResourceRequirements(reservations=Resources(cpu, mem, generic)),
        placement=Placement(**placement),
        **extra,
    )


def cluster(*nodes: NodeSpec) -> Scheduler:
    sched = Scheduler()
    for n in nodes:
        sched.add_node(n)
    return sched


def place(sched: Scheduler, service: ServiceSpec, count: int = 1, start: int = 0, now=0.0):
    tasks = [PendingTask(f"{service.name}.{start + i}", service.name) for i in range(count)]
    return sched.schedule(tasks, {service.name: service}, now)


# --- explanation texts ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("index", "one", "many"),
    [
        (0, "1 node not available for new tasks", "3 nodes not available for new tasks"),
        (1, "insufficient resources on 1 node", "insufficient resources on 3 nodes"),
        (2, "missing plugin on 1 node", "missing plugin on 3 nodes"),
        (
            3,
            "scheduling constraints not satisfied on 1 node",
            "scheduling constraints not satisfied on 3 nodes",
        ),
        (4, "unsupported platform on 1 node", "unsupported platform on 3 nodes"),
        (5, "host-mode port already in use on 1 node", "host-mode port already in use on 3 nodes"),
        (6, "max replicas per node limit exceed", "max replicas per node limit exceed"),
    ],
)
def test_explain_texts(index, one, many):
    assert explain_filter(index, 1) == one
    assert explain_filter(index, 3) == many


def test_explain_sorts_by_count_then_pipeline_order():
    assert explain_counts([1, 2, 0, 0, 0, 0, 0]) == (
        "insufficient resources on 2 nodes; 1 node not available for new tasks"
    )
    assert explain_counts([1, 1, 0, 1, 0, 0, 0]) == (
        "1 node not available for new tasks; insufficient resources on 1 node; "
        "scheduling constraints not satisfied on 1 node"
    )
    assert explain_counts([0] * 7) == ""


# --- ready --------------------------------------------------------------------------------


def test_no_nodes_gives_bare_no_suitable_node():
    [d] = place(Scheduler(), svc())
    assert (d.node_id, d.message, d.error) == (None, "", "no suitable node")


@pytest.mark.parametrize(
    "change",
    [
        dict(status="down"),
        dict(status="unknown"),
        dict(availability="drain"),
        dict(availability="pause"),
    ],
)
def test_ready_filter(change):
    sched = cluster(mk_node(1, **change))
    [d] = place(sched, svc())
    assert d.error == "no suitable node (1 node not available for new tasks)"
    sched.update_node(mk_node(1))
    [d] = place(sched, svc(), start=1)
    assert d.node_id == nid(1) and d.message == ASSIGNED and d.error == ""


def test_mixed_failures_swarmkit_example():
    # TestSchedulerResourceConstraint: two unusable nodes and one too small
    sched = cluster(mk_node(1, status="down"), mk_node(2, availability="drain"), mk_node(3))
    [d] = place(sched, svc(mem=2 * GB))
    assert d.error == (
        "no suitable node (2 nodes not available for new tasks; insufficient resources on 1 node)"
    )


def test_node_counts_under_first_failing_filter_only():
    # a drained node that also violates the constraint counts as "not available"
    sched = cluster(
        mk_node(1, availability="drain", role="worker"),
        mk_node(2, role="worker"),
        mk_node(3, role="worker"),
    )
    [d] = place(sched, svc(constraints=("node.role==manager",)))
    assert d.error == (
        "no suitable node (scheduling constraints not satisfied on 2 nodes; "
        "1 node not available for new tasks)"
    )


def test_a_passing_node_resets_the_counts():
    # nodes 1 and 2 fit one task each, node 3 is drained.  Building the tree counts node 3
    # after the two passes; then node 2 passes again in the fill, which clears that count,
    # and only the two full nodes are left to explain.
    sched = cluster(mk_node(1), mk_node(2), mk_node(3, availability="drain"))
    ds = place(sched, svc(cpu=CPU), count=3)
    assert [d.node_id for d in ds] == [nid(1), nid(2), None]
    assert ds[2].error == "no suitable node (insufficient resources on 2 nodes)"


# --- resources ------------------------------------------------------------------------


def test_limits_are_ignored_and_zero_reservations_disable_the_filter():
    sched = cluster(mk_node(1))
    big_limit = ServiceSpec(
        name="w", image="i", resources=ResourceRequirements(limits=Resources(64 * CPU, 64 * GB))
    )
    assert place(sched, big_limit)[0].node_id == nid(1)


@pytest.mark.parametrize(
    ("cpu", "mem", "fits"),
    [(CPU, GB, True), (CPU + 1, 0, False), (0, GB + 1, False), (CPU // 2, GB // 2, True)],
)
def test_cpu_and_memory(cpu, mem, fits):
    [d] = place(cluster(mk_node(1)), svc(cpu=cpu, mem=mem))
    assert (d.node_id is not None) is fits
    if not fits:
        assert d.error == "no suitable node (insufficient resources on 1 node)"


def test_reservations_add_up_on_a_node():
    sched = cluster(mk_node(1))
    ds = place(sched, svc(mem=400 << 20), count=3)
    assert [d.node_id for d in ds] == [nid(1), nid(1), None]
    assert sched.node_usage(nid(1)).reserved_memory == 800 << 20
    # the totals alone: 2 tasks of 400 MiB, no CPU reserved
    assert sched.node_reserved(nid(1)) == (0, 800 << 20, 2)


def test_generic_resources():
    sched = cluster(mk_node(1, generic=(("gpu", 2),)), mk_node(2))
    ds = place(sched, svc(generic=(("gpu", 1),)), count=3)
    assert [d.node_id for d in ds] == [nid(1), nid(1), None]
    # node 2 failed while the tree was built, but node 1 passed after it (before its
    # second task), which cleared that count: only node 1 is left to explain
    assert ds[2].error == "no suitable node (insufficient resources on 1 node)"
    assert sched.node_usage(nid(1)).reserved_generic == (("gpu", 2),)
    [d] = place(sched, svc(generic=(("gpu", 1),)), start=3)  # a fresh pass sees both
    assert d.error == "no suitable node (insufficient resources on 2 nodes)"


def test_shutdown_keeps_resources_release_frees_them():
    # TestSchedulerResourceConstraintDeadTask
    sched = cluster(mk_node(1))
    big = svc("big", mem=800 << 20)
    assert place(sched, big)[0].node_id == nid(1)
    assert place(sched, big, start=1)[0].error == (
        "no suitable node (insufficient resources on 1 node)"
    )
    sched.set_desired_shutdown("big.0")
    assert sched.node_usage(nid(1)) == NodeUsage(0, 800 << 20, 0, ())
    assert sched.node_reserved(nid(1)) == (0, 800 << 20, 0)  # held, no longer active
    assert place(sched, big, start=1)[0].node_id is None  # still reserved
    sched.release_task("big.0")
    assert sched.node_usage(nid(1)) == NodeUsage(0, 0, 0, ())
    assert place(sched, big, start=1)[0].node_id == nid(1)


def test_node_resources_can_change():
    sched = cluster(mk_node(1))
    place(sched, svc(mem=600 << 20))
    sched.update_node(replace(mk_node(1), memory_bytes=512 << 20))
    assert place(sched, svc(mem=1), start=1)[0].error == (
        "no suitable node (insufficient resources on 1 node)"
    )
    sched.update_node(replace(mk_node(1), memory_bytes=2 * GB))
    assert place(sched, svc(mem=GB), start=2)[0].node_id == nid(1)


# --- plugin, constraints, platform --------------------------------------------------------


def test_plugin_filter_never_fails():
    s = svc(networks=("stack_default",), mounts=(Mount("volume", "/data", "stack_vol"),))
    assert place(cluster(mk_node(1)), s)[0].node_id == nid(1)


def test_constraint_filter():
    sched = cluster(mk_node(1, role="manager"), mk_node(2), mk_node(3))
    ds = place(sched, svc(constraints=("node.role==manager",)), count=2)
    assert [d.node_id for d in ds] == [nid(1), nid(1)]
    [d] = place(sched, svc("x", constraints=("node.labels.zone==east",)))
    assert d.error == "no suitable node (scheduling constraints not satisfied on 3 nodes)"


def test_unparseable_constraint_disables_the_filter():
    [d] = place(cluster(mk_node(1)), svc(constraints=("node.role=manager",)))
    assert d.node_id == nid(1)


@pytest.mark.parametrize(
    ("wanted", "node_platform", "fits"),
    [
        ((Platform("linux", "amd64"),), Platform("linux", "x86_64"), True),
        ((Platform("linux", "x86_64"),), Platform("linux", "amd64"), True),
        ((Platform("linux", "arm64"),), Platform("linux", "aarch64"), True),
        ((Platform("linux", "arm64"),), Platform("linux", "x86_64"), False),
        ((Platform("", "x86_64"),), Platform("windows", "amd64"), True),
        ((Platform("linux", ""),), Platform("linux", "s390x"), True),
        ((Platform("windows", ""),), Platform("linux", "amd64"), False),
        ((Platform("windows", ""), Platform("linux", "arm64")), Platform("linux", "aarch64"), True),
        ((Platform("Linux", "amd64"),), Platform("linux", "amd64"), False),  # exact, not folded
        ((Platform("linux", "amd64"),), None, False),  # a node with no platform fails
    ],
)
def test_platform_filter(wanted, node_platform, fits):
    [d] = place(cluster(mk_node(1, platform=node_platform)), svc(platforms=wanted))
    assert (d.node_id is not None) is fits
    if not fits:
        assert d.error == "no suitable node (unsupported platform on 1 node)"


def test_platform_swarmkit_example():
    # TestSchedulerCompatiblePlatform: none of three nodes runs the image
    sched = cluster(*(mk_node(i, platform=Platform("windows", "amd64")) for i in (1, 2, 3)))
    [d] = place(sched, svc(platforms=(Platform("linux", "arm64"),)))
    assert d.error == "no suitable node (unsupported platform on 3 nodes)"


def test_platform_filter_is_left_out_only_when_every_node_passes():
    from swarmsim.scheduler.filters import PLATFORM, Pipeline

    service = svc(platforms=(Platform("linux", "amd64"),))
    linux, windows = ("linux", "x86_64"), ("windows", "amd64")
    assert PLATFORM in [i for i, _ in Pipeline(service).checks]  # nodes unknown: kept
    assert PLATFORM not in [i for i, _ in Pipeline(service, {linux: 3}).checks]
    assert PLATFORM in [i for i, _ in Pipeline(service, {linux: 3, windows: 1}).checks]
    assert PLATFORM in [i for i, _ in Pipeline(service, {linux: 3, None: 1}).checks]


def test_platform_counts_follow_node_changes():
    # one node turns windows, then leaves: the filter is back, then gone again
    sched = cluster(mk_node(1), mk_node(2))
    web = svc(platforms=(Platform("linux", "amd64"),))
    assert [d.node_id for d in place(sched, web, count=2)] == [nid(1), nid(2)]
    sched.update_node(mk_node(2, platform=Platform("windows", "amd64")))
    # node 2 holds as many web tasks as node 1 but no longer runs the image
    assert [d.node_id for d in place(sched, web, count=2, start=2)] == [nid(1), nid(1)]
    [d] = place(sched, svc("other", platforms=(Platform("linux", "arm64"),)))
    assert d.error == "no suitable node (unsupported platform on 2 nodes)"
    sched.remove_node(nid(2))
    assert sched._nodes.platforms == {("linux", "x86_64"): 1}
    [d] = place(sched, web, start=4)
    assert d.node_id == nid(1)


# --- host ports and max replicas --------------------------------------------------------


def test_host_port_filter():
    # TestSchedulerHostPort: one task per node per host-mode (protocol, port)
    sched = cluster(mk_node(1), mk_node(2))
    web = svc(ports=(PortConfig(80, 8080, "tcp", "host"),))
    ds = place(sched, web, count=3)
    assert sorted(d.node_id for d in ds[:2]) == [nid(1), nid(2)]
    assert ds[2].error == "no suitable node (host-mode port already in use on 2 nodes)"
    other = svc("dns", ports=(PortConfig(53, 8080, "udp", "host"),))  # other protocol
    assert all(d.node_id for d in place(sched, other, count=2))
    mesh = svc("lb", ports=(PortConfig(80, 8080, "tcp", "ingress"),))  # not host mode
    assert place(sched, mesh)[0].node_id is not None
    sched.set_desired_shutdown("web.0")  # the port stays taken until the task is gone
    assert place(sched, web, start=3)[0].node_id is None
    sched.release_task("web.0")
    assert place(sched, web, start=4)[0].node_id == nid(1)


def test_max_replicas_filter():
    # TestSchedulerMaxReplicas
    sched = cluster(mk_node(1), mk_node(2))
    one = svc(max_replicas=1)
    ds = place(sched, one, count=3)
    assert sorted(d.node_id for d in ds[:2]) == [nid(1), nid(2)]
    assert ds[2].error == "no suitable node (max replicas per node limit exceed)"
    sched.add_node(mk_node(3))
    assert place(sched, one, start=3)[0].node_id == nid(3)
    sched.set_desired_shutdown("web.0")  # active counts drop at once
    assert place(sched, one, start=4)[0].node_id == nid(1)


# --- stale tasks, accounting, explain -----------------------------------------------------


def test_task_of_a_deleted_service_is_dropped():
    sched = cluster(mk_node(1))
    ds = sched.schedule(
        [PendingTask("gone.1", "gone"), PendingTask("web.1", "web")], {"web": svc()}, 0.0
    )
    assert ds[0] == type(ds[0])("gone.1", None, "", "")
    assert ds[1].node_id == nid(1)


def test_pending_task_twice_is_an_error():
    with pytest.raises(ValueError, match="pending twice"):
        cluster(mk_node(1)).schedule([PendingTask("a", "web")] * 2, {"web": svc()}, 0.0)


def test_node_usage_and_removal():
    sched = cluster(mk_node(1), mk_node(2))
    place(sched, svc(cpu=CPU // 4, mem=GB // 4), count=3)
    place(sched, svc("db"), count=1)
    assert sched.node_usage(nid(1)) == NodeUsage(CPU // 2, GB // 2, 2, (("web", 2),))
    assert sched.node_usage(nid(2)) == NodeUsage(CPU // 4, GB // 4, 2, (("db", 1), ("web", 1)))
    sched.remove_node(nid(1))
    with pytest.raises(KeyError):
        sched.node_usage(nid(1))
    sched.add_node(mk_node(1))  # rejoins empty
    assert sched.node_usage(nid(1)) == NodeUsage(0, 0, 0, ())
    sched.release_task("web.0")  # a task of the removed node: nothing to free
    assert sched.node_usage(nid(1)) == NodeUsage(0, 0, 0, ())


def test_add_task_restores_accounting():
    sched = cluster(mk_node(1))
    sched.add_task(PendingTask("old.1", "web"), nid(1), svc(mem=GB))
    sched.add_task(PendingTask("lost.1", "web"), "unknown-node", svc(mem=GB))  # ignored
    assert sched.node_usage(nid(1)) == NodeUsage(0, GB, 1, (("web", 1),))
    assert place(sched, svc(mem=1))[0].error == (
        "no suitable node (insufficient resources on 1 node)"
    )


def test_explain_task_verdicts():
    sched = cluster(mk_node(3), mk_node(1, availability="drain"), mk_node(2), mk_node(4))
    place(sched, svc("other"), count=1)  # node 2 gets a task of another service
    verdicts = sched.explain_task(PendingTask("web.1", "web"), svc(mem=GB // 2), 0.0)
    assert verdicts == [  # key: (recent failures, tasks of web, tasks) as nodeLess
        NodeVerdict(nid(1), "n1", "1 node not available for new tasks", None,
                    "node availability is drain"),
        NodeVerdict(nid(2), "n2", "", 2, key="(0, 0, 1)"),  # one task in total: last
        NodeVerdict(nid(3), "n3", "", 0, key="(0, 0, 0)"),
        NodeVerdict(nid(4), "n4", "", 1, key="(0, 0, 0)"),
    ]
    sched.update_node(replace(mk_node(4), memory_bytes=GB // 4))
    assert sched.explain_task(PendingTask("web.1", "web"), svc(mem=GB // 2), 0.0)[3] == NodeVerdict(
        nid(4), "n4", "insufficient resources on 1 node", None,
        "needs 512MiB memory, 256MiB free",  # GB // 2 wanted, GB // 4 on the node
    )


def test_pipeline_counts_reset_on_pass():
    from swarmsim.scheduler.filters import Pipeline
    from swarmsim.scheduler.nodeinfo import NodeInfo

    service = svc(cpu=CPU // 2, constraints=("node.role==manager",))
    drained = NodeInfo(mk_node(1, availability="drain", role="manager"))
    small = NodeInfo(replace(mk_node(2, role="manager"), nano_cpus=CPU // 4))
    worker = NodeInfo(mk_node(3))
    good = NodeInfo(mk_node(4, role="manager"))
    p = Pipeline(service)
    assert [p.first_failure(n) for n in (drained, small, worker, good)] == [0, 1, 3, -1]
    assert p.counts == [0] * 7  # first_failure does not count
    assert not p.process(drained) and not p.process(worker) and not p.process(worker)
    assert p.explain() == (
        "scheduling constraints not satisfied on 2 nodes; 1 node not available for new tasks"
    )
    assert p.process(good) and p.explain() == ""  # a pass clears every count
    assert not p.process(small)
    assert p.explain() == "insufficient resources on 1 node"


def test_node_task_maps_stay_out_of_the_cyclic_collector():
    """A node's task map holds record numbers, not records: Python leaves a dict of
    integers untracked, so placing a node's first task does not make the map young
    again (what made a large cluster's first pass pay a collection per node).  The
    records read back through the numbers are the ones the tasks were tracked with."""
    import gc

    sched = Scheduler()
    sched.add_nodes([mk_node(i) for i in (3, 1, 2)])
    web, db = svc("web", cpu=CPU // 4, mem=GB // 4), svc("db", cpu=CPU // 8)
    sched.schedule([PendingTask(f"web.{i}", "web", 1) for i in range(3)]
                   + [PendingTask("db.1", "db", 2)], {"web": web, "db": db}, now=0.0)
    infos = sched._nodes.nodes.values()
    assert sum(len(info.tasks) for info in infos) == 4
    assert not any(gc.is_tracked(info.tasks) for info in infos)
    db_node = next(info for info in infos if "db.1" in info.tasks)
    rec = db_node.record("db.1")
    assert (rec.service, rec.spec_version, rec.nano_cpus) == ("db", 2, CPU // 8)
    assert sched.node_usage(db_node.id).reserved_nano_cpus == CPU // 4 + CPU // 8
    sched.release_task("db.1")
    assert sched.node_usage(db_node.id).reserved_nano_cpus == CPU // 4
