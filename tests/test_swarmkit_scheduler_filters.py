"""SwarmKit's filter-level scheduler tests (``scheduler_test.go``: platforms, host
ports, max replicas) and the pipeline's explanations, re-expressed against swarmsim's
scheduler."""

import pytest
from swarmkit_fixtures import NO_NODE, Swarm, host_port, node, service, task

from swarmsim.input.specs import Platform


def test_compatible_platform():
    """TestSchedulerCompatiblePlatform: x86_64 nodes run amd64 images, an empty arch is a
    wildcard, a node without a platform takes only unconstrained tasks."""
    swarm = Swarm(
        [
            node("node1", platform=Platform("linux", "x86_64")),
            node("node2", platform=Platform("windows", "amd64")),
            node("node3", platform=Platform("", "")),
        ],
        [
            service("name1", platforms=[("linux", "amd64")]),
            service("name2", platforms=[("linux", "arm")]),
            service("name3"),
            service("name4", platforms=[("linux", "")]),
            service("name5", platforms=[("linux", "amd64"), ("windows", "x86_64")]),
        ],
    )
    assert swarm.place(task("id1", "name1")) == {"id1": "node1"}

    swarm.submit(task("id2", "name2"))
    assert swarm.tick()["id2"].error == NO_NODE + " (unsupported platform on 3 nodes)"

    placed = swarm.place(task("id3", "name3"))
    assert placed["id3"] in {"node2", "node3"}
    assert placed == {"id3": "node2"}

    assert swarm.place(task("id4", "name4")) == {"id4": "node1"}

    placed = swarm.place(task("id5", "name5"))
    assert placed["id5"] in {"node1", "node2"}
    assert placed == {"id5": "node2"}  # node1 holds two tasks, node2 one
    assert swarm.tick()["id2"].error == NO_NODE + " (unsupported platform on 3 nodes)"


def test_unassigned_task_of_deleted_service_is_dropped():
    """TestSchedulerUnassignedMap: a task that cannot run stays queued while its service
    exists, and is dropped (no placement, no new status) once the service is deleted."""
    swarm = Swarm(
        [node("node1", platform=Platform("linux", "x86_64"))],
        [service("serviceID1", platforms=[("windows", "amd64")])],
    )
    swarm.submit(task("id1", "serviceID1"))
    assert swarm.tick()["id1"].error == NO_NODE + " (unsupported platform on 1 node)"
    assert [t.id for t in swarm.pending] == ["id1"]
    swarm.delete_service("serviceID1")
    d = swarm.tick()["id1"]
    assert (d.node_id, d.message, d.error) == (None, "", "")
    assert swarm.pending == []


def test_aarch64_is_arm64():
    """PlatformFilter normalises ``aarch64`` to ``arm64`` on both sides."""
    swarm = Swarm(
        [node("pi", platform=Platform("linux", "aarch64"))],
        [service("s", platforms=[("linux", "arm64")])],
    )
    assert swarm.place(task("t", "s")) == {"t": "pi"}


def test_host_ports():
    """TestSchedulerHostPort: no nodes first; then tcp/58 and udp/58 land on different
    nodes, and a task needing both finds no node."""
    swarm = Swarm(
        [],
        [
            service("name1", ports=[host_port(58, "tcp")]),
            service("name2", ports=[host_port(58, "udp")]),
            service("name3", ports=[host_port(58, "udp"), host_port(58, "tcp")]),
        ],
    )
    swarm.submit(task("id1", "name1"), task("id2", "name2"))
    decisions = swarm.tick()
    assert [decisions[t].error for t in ("id1", "id2")] == [NO_NODE, NO_NODE]

    swarm.scheduler.add_node(node("nodeid1", name="node1"))
    swarm.scheduler.add_node(node("nodeid2", name="node2"))
    decisions = swarm.tick()
    assert decisions["id1"].node_id != decisions["id2"].node_id
    assert (decisions["id1"].node_id, decisions["id2"].node_id) == ("nodeid1", "nodeid2")

    swarm.submit(task("id3", "name3"))
    assert swarm.tick()["id3"].error == NO_NODE + " (host-mode port already in use on 2 nodes)"


def test_host_port_held_until_task_stops():
    """TestSchedulerHostPort continued (swarm-semantics §1.2): a port stays in use while
    its task is only desired shut down, and is free once the task has stopped."""
    swarm = Swarm(
        [node("n1")], [service("a", ports=[host_port(8080)]), service("b", ports=[host_port(8080)])]
    )
    assert swarm.place(task("a1", "a")) == {"a1": "n1"}
    swarm.scheduler.set_desired_shutdown("a1")
    swarm.submit(task("b1", "b"))
    assert swarm.tick()["b1"].error == NO_NODE + " (host-mode port already in use on 1 node)"
    swarm.release("a1")
    assert swarm.tick()["b1"].node_id == "n1"


def test_max_replicas_per_node():
    """TestSchedulerMaxReplicas: one replica per node; a third node makes room; after an
    update allowing 3 per node but only on node1, node1 fills to 3."""
    swarm = Swarm([], [service("serviceID1", max_replicas=1)])
    swarm.submit(task("id1", "serviceID1"), task("id2", "serviceID1"))
    assert [d.error for d in swarm.tick().values()] == [NO_NODE, NO_NODE]

    swarm.scheduler.add_node(node("nodeid1", name="node1"))
    swarm.scheduler.add_node(node("nodeid2", name="node2"))
    decisions = swarm.tick()
    assert {decisions["id1"].node_id, decisions["id2"].node_id} == {"nodeid1", "nodeid2"}

    swarm.submit(task("id3", "serviceID1"))
    assert swarm.tick()["id3"].error == NO_NODE + " (max replicas per node limit exceed)"

    swarm.scheduler.add_node(node("nodeid3", name="node3"))
    assert swarm.tick()["id3"].node_id == "nodeid3"

    # the service is updated: 3 per node, node1 only (node1 already holds one)
    swarm.define(service("serviceID1", constraints=["node.hostname==node1"], max_replicas=3))
    swarm.submit(*(task(f"id{i}", "serviceID1", version=1) for i in (4, 5, 6)))
    decisions = swarm.tick()
    assert [decisions[f"id{i}"].node_id for i in (4, 5, 6)] == ["nodeid1", "nodeid1", None]
    # node1 passed while being filled, which reset the counts: only its last refusal is left
    assert decisions["id6"].error == NO_NODE + " (max replicas per node limit exceed)"
    # on the next pass no node passes, so every failing node is counted
    swarm.submit(task("id7", "serviceID1", version=1))
    decisions = swarm.tick()
    both = "scheduling constraints not satisfied on 2 nodes; max replicas per node limit exceed"
    assert decisions["id6"].error == decisions["id7"].error == f"{NO_NODE} ({both})"


def test_max_replicas_leftover_explanation_within_a_group():
    """TestSchedulerMaxReplicas (same group): the leftover task's explanation covers only
    the failures after the last node that passed, here node1 refusing a fourth replica."""
    swarm = Swarm(
        [
            node("nodeid1", name="node1"),
            node("nodeid2", name="node2"),
            node("nodeid3", name="node3"),
        ],
        [service("s", constraints=["node.hostname==node1"], max_replicas=3)],
    )
    swarm.submit(*(task(f"t{i}", "s") for i in range(4)))
    decisions = swarm.tick()
    assert [d.node_id for d in decisions.values()] == ["nodeid1"] * 3 + [None]
    assert decisions["t3"].error == NO_NODE + " (max replicas per node limit exceed)"


def test_constraint_matching_no_node():
    """TestSchedulerMaxReplicas, last step: a hostname constraint no node satisfies."""
    swarm = Swarm(
        [
            node("nodeid1", name="node1"),
            node("nodeid2", name="node2"),
            node("nodeid3", name="node3"),
        ],
        [service("s", constraints=["node.hostname==node7"])],
    )
    swarm.submit(task("id7", "s"))
    assert (
        swarm.tick()["id7"].error == NO_NODE + " (scheduling constraints not satisfied on 3 nodes)"
    )


def test_unschedulable_task_stays_pending():
    """TestUnscheduleableTask, first half: one node, two tasks, max one per node."""
    swarm = Swarm([node("nodeid1", name="node")], [service("serviceid1", max_replicas=1)])
    swarm.submit(task("taskid1", "serviceid1"), task("taskid2", "serviceid1"))
    decisions = swarm.tick()
    assert decisions["taskid1"].node_id == "nodeid1"
    assert decisions["taskid2"].error == NO_NODE + " (max replicas per node limit exceed)"


@pytest.mark.parametrize(
    ("nodes", "explanation"),
    [
        # ties keep pipeline order (ready before resources)
        (
            [node("a", status="down"), node("b", memory_bytes=1)],
            "1 node not available for new tasks; insufficient resources on 1 node",
        ),
        # most failures first
        (
            [
                node("a", availability="drain"),
                node("b", labels=(("zone", "x"),)),
                node("c", labels=(("zone", "y"),)),
            ],
            "scheduling constraints not satisfied on 2 nodes; 1 node not available for new tasks",
        ),
        # a node is counted under the first filter it fails only
        (
            [
                node("a", availability="pause"),
                node("b", availability="drain"),
                node("c", status="down"),
            ],
            "3 nodes not available for new tasks",
        ),
    ],
)
def test_pipeline_explanation(nodes, explanation):
    """The explanation lists each failing filter with its node count, most failures
    first, pipeline order on ties (swarm-semantics §1.3, TestSchedulerResourceConstraint)."""
    swarm = Swarm(nodes, [service("s", memory_bytes=10**6, constraints=["node.labels.zone==z"])])
    swarm.submit(task("t", "s"))
    assert swarm.tick()["t"].error == f"{NO_NODE} ({explanation})"


def test_preassigned_task_on_unfit_node_gets_bare_explanation():
    """Pre-assigned tasks are checked against their node only and their error has no
    ``no suitable node`` prefix (swarm-semantics §1.9, TestPreassignedTasks)."""
    swarm = Swarm(
        [node("n1", status="down"), node("n2", memory_bytes=10)],
        [service("g", mode="global", memory_bytes=100)],
    )
    swarm.submit(task("g1", "g", on="n1"), task("g2", "g", on="n2"))
    decisions = swarm.tick()
    assert [(d.node_id, d.error) for d in decisions.values()] == [
        (None, "1 node not available for new tasks"),
        (None, "insufficient resources on 1 node"),
    ]
    swarm.scheduler.update_node(node("n1"))
    assert swarm.tick()["g1"].node_id == "n1"


def test_preassigned_tasks_checked_in_pending_order():
    """Pre-assigned tasks are confirmed one after the other (taskFitNode adds each to the
    node before the next is checked): with room for one, the first in ``pending`` wins."""
    swarm = Swarm([node("n1", memory_bytes=150)], [service("g", mode="global", memory_bytes=100)])
    swarm.submit(task("late", "g", version=1, on="n1"), task("early", "g", on="n1"))
    decisions = swarm.tick()
    assert (decisions["late"].node_id, decisions["late"].error) == ("n1", "")
    assert (decisions["early"].node_id, decisions["early"].error) == (
        None,
        "insufficient resources on 1 node",
    )


def test_explain_ranks_follow_spread_order():
    """explain_task ranks the passing nodes in the order the spread would use them:
    fewest tasks of the service, then fewest tasks in total, then node id."""
    swarm = Swarm(
        [node("a"), node("b"), node("c"), node("d", availability="drain")],
        [service("web"), service("db")],
    )
    swarm.restore(task("w1", "web"), "a")
    swarm.restore(task("d1", "db"), "b")
    verdicts = swarm.scheduler.explain_task(task("w2", "web"), swarm.services["web"], 0.0)
    assert [(v.node_id, v.failed_filter, v.rank) for v in verdicts] == [
        ("a", "", 2),
        ("b", "", 1),
        ("c", "", 0),
        ("d", "1 node not available for new tasks", None),
    ]
