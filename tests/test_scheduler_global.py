"""Pre-assigned tasks (global services): confirmed or refused on their own node.

SwarmKit's ``processPreassignedTasks`` / ``taskFitNode``: the pipeline runs on the one
node; a pass confirms the task with ``scheduler confirmed task can run on preassigned
node``, a failure leaves it pending with the bare explanation (no ``no suitable node``).
Pre-assigned tasks go before the unassigned groups of the same pass.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from swarmsim.input.specs import (
    NodeSpec,
    Placement,
    PortConfig,
    ResourceRequirements,
    Resources,
    ServiceSpec,
)
from swarmsim.scheduler import Decision, NodeUsage, PendingTask, Scheduler

GB = 1 << 30
CONFIRMED = "scheduler confirmed task can run on preassigned node"


def nid(i: int) -> str:
    return f"gnode{i}".ljust(25, "0")


def mk_node(i: int, **kw) -> NodeSpec:
    return NodeSpec(name=f"g{i}", id=nid(i), memory_bytes=GB, **kw)


def global_svc(name: str = "agent", mem: int = 0, **placement) -> ServiceSpec:
    ports = placement.pop("ports", ())
    return ServiceSpec(
        name=name,
        image="img",
        mode="global",
        replicas=0,
        ports=ports,
        resources=ResourceRequirements(reservations=Resources(memory_bytes=mem)),
        placement=Placement(**placement),
    )


def cluster(*nodes: NodeSpec) -> Scheduler:
    sched = Scheduler()
    for n in nodes:
        sched.add_node(n)
    return sched


def on(node: int, name: str = "agent", tag: str = "") -> PendingTask:
    return PendingTask(f"{name}.{nid(node)}{tag}", name, node_id=nid(node))


def test_each_task_is_confirmed_on_its_node():
    sched = cluster(mk_node(1), mk_node(2), mk_node(3))
    ds = sched.schedule([on(3), on(1), on(2)], {"agent": global_svc()}, 0.0)
    assert ds == [Decision(on(i).id, nid(i), CONFIRMED, "") for i in (3, 1, 2)]
    assert [sched.node_usage(nid(i)).tasks_by_service for i in (1, 2, 3)] == [(("agent", 1),)] * 3


@pytest.mark.parametrize(
    ("node_kw", "service", "error"),
    [
        (dict(availability="drain"), global_svc(), "1 node not available for new tasks"),
        (dict(status="down"), global_svc(), "1 node not available for new tasks"),
        (dict(), global_svc(mem=2 * GB), "insufficient resources on 1 node"),
        (
            dict(role="worker"),
            global_svc(constraints=("node.role==manager",)),
            "scheduling constraints not satisfied on 1 node",
        ),
    ],
)
def test_refusal_carries_the_bare_explanation(node_kw, service, error):
    sched = cluster(mk_node(1, **node_kw))
    [d] = sched.schedule([on(1)], {"agent": service}, 0.0)
    assert d == Decision(on(1).id, None, "", error)
    assert sched.node_usage(nid(1)) == NodeUsage(0, 0, 0, ())


def test_host_port_and_max_replicas_on_the_node():
    sched = cluster(mk_node(1))
    web = global_svc(ports=(PortConfig(80, 80, "tcp", "host"),), max_replicas=5)
    capped = global_svc("capped", max_replicas=1)
    ds = sched.schedule(
        [on(1, "agent"), on(1, "agent", "b"), on(1, "capped"), on(1, "capped", "b")],
        {"agent": web, "capped": capped},
        0.0,
    )
    assert [d.node_id for d in ds] == [nid(1), None, nid(1), None]
    assert ds[1].error == "host-mode port already in use on 1 node"
    assert ds[3].error == "max replicas per node limit exceed"


def test_retried_on_a_later_pass_once_the_node_is_back():
    sched = cluster(mk_node(1, availability="drain"))
    assert sched.schedule([on(1)], {"agent": global_svc()}, 0.0)[0].node_id is None
    sched.update_node(mk_node(1))
    assert sched.schedule([on(1)], {"agent": global_svc()}, 1.0)[0].node_id == nid(1)


def test_node_gone_or_service_gone_means_no_decision():
    sched = cluster(mk_node(1))
    ds = sched.schedule([on(9), on(1, "deleted")], {"agent": global_svc()}, 0.0)
    assert ds == [Decision(on(9).id, None, "", ""), Decision(on(1, "deleted").id, None, "", "")]


def test_preassigned_go_first_in_pending_order():
    # the node fits two of the three 400 MiB tasks; pending order decides within the
    # pre-assigned ones, and all pre-assigned ones go before the replicated task
    sched = cluster(mk_node(1))
    services = {
        "agent": global_svc(mem=400 << 20),
        "web": ServiceSpec(
            name="web",
            image="img",
            resources=ResourceRequirements(reservations=Resources(memory_bytes=400 << 20)),
        ),
    }
    pending = [PendingTask("web.1", "web"), on(1, tag="x"), on(1, tag="y")]
    ds = sched.schedule(pending, services, 0.0)
    assert [d.node_id for d in ds] == [None, nid(1), nid(1)]
    assert ds[0].error == "no suitable node (insufficient resources on 1 node)"


def test_failures_of_preassigned_tasks_are_not_remembered():
    # TestSchedulerFaultyNode: only replicated tasks down-weight a node
    sched = cluster(mk_node(1), mk_node(2))
    agent = global_svc()
    replicated = ServiceSpec(name="agent", image="img")
    for i in range(6):
        t = on(2, tag=str(i))
        assert sched.schedule([t], {"agent": agent}, float(i))[0].node_id == nid(2)
        sched.task_failed(t.id, float(i))
    sched.add_task(PendingTask("agent.keep", "agent"), nid(1), replicated)
    # node 2 has six recent failures of "agent", but none count: it holds fewer tasks
    [d] = sched.schedule([PendingTask("agent.r1", "agent")], {"agent": replicated}, 7.0)
    assert d.node_id == nid(2)


def test_pending_task_already_tracked_is_released_first():
    sched = cluster(mk_node(1))
    agent = global_svc(mem=GB)
    assert sched.schedule([on(1)], {"agent": agent}, 0.0)[0].node_id == nid(1)
    # the same task pending again (e.g. the engine re-queued it): it does not block itself
    assert sched.schedule([on(1)], {"agent": agent}, 1.0)[0].node_id == nid(1)
    assert sched.node_usage(nid(1)).reserved_memory == GB


def test_node_leaving_the_swarm():
    sched = cluster(mk_node(1))
    sched.update_node(replace(mk_node(1), joined=False))
    with pytest.raises(KeyError):
        sched.node_usage(nid(1))
    assert sched.schedule([on(1)], {"agent": global_svc()}, 0.0)[0] == Decision(
        on(1).id, None, "", ""
    )
