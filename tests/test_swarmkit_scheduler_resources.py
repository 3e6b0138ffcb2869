"""SwarmKit's resource-accounting scheduler tests (``scheduler_test.go``,
``nodeinfo_test.go``) re-expressed against swarmsim's scheduler.

Reservations (never limits) are what the resource filter checks; a task's
reservation is returned only when the task leaves the scheduler's view (observed
state past running, or deleted), not when its desired state changes.
"""

from dataclasses import replace

from swarmkit_fixtures import NO_NODE, Swarm, node, service, task

from swarmsim.input.specs import ResourceRequirements, Resources

GB = 10**9


def _usage(swarm, node_id):
    u = swarm.scheduler.node_usage(node_id)
    by_service = {svc: n for svc, n in u.tasks_by_service if n}
    return u.reserved_nano_cpus, u.reserved_memory, u.active_tasks, by_service


def _explain(swarm):
    return swarm.scheduler.explain_task(
        task("id1", "serviceID1"), swarm.services["serviceID1"], 0.0
    )


def test_resource_constraint_explanation_then_big_node():
    """TestSchedulerResourceConstraint: two unready nodes and one too small node give
    the combined explanation; a big node joining gets the task."""
    big_enough = {
        "nano_cpus": 2 * GB,
        "memory_bytes": 2 * GB,
        "generic": (("apple", 2), ("orange", 3)),
    }
    swarm = Swarm(
        [
            node(
                "underprovisioned",
                nano_cpus=GB,
                memory_bytes=GB,
                generic=(("apple", 1), ("orange", 2)),
            ),
            node("nonready1", status="unknown", **big_enough),
            node("nonready2", status="unknown", **big_enough),
        ],
        [service("serviceID1", memory_bytes=2 * GB, generic={"orange": 2, "apple": 2})],
    )
    swarm.submit(task("id1", "serviceID1"))
    assert swarm.tick()["id1"].error == (
        NO_NODE + " (2 nodes not available for new tasks; insufficient resources on 1 node)"
    )
    verdicts = _explain(swarm)
    assert [(v.node_id, v.hostname, v.failed_filter, v.rank) for v in verdicts] == [
        ("nonready1", "nonready1", "1 node not available for new tasks", None),
        ("nonready2", "nonready2", "1 node not available for new tasks", None),
        ("underprovisioned", "underprovisioned", "insufficient resources on 1 node", None),
    ]

    swarm.scheduler.add_node(
        node(
            "bignode", nano_cpus=4 * GB, memory_bytes=8 * GB, generic=(("apple", 4), ("orange", 4))
        )
    )
    verdicts = _explain(swarm)
    assert (verdicts[0].node_id, verdicts[0].failed_filter, verdicts[0].rank) == ("bignode", "", 0)
    assert swarm.tick()["id1"].node_id == "bignode"


def test_resource_constraint_ha():
    """TestSchedulerResourceConstraintHA: node id1 (1 task) would win both new tasks on
    spread alone, but has room for only one more; the other goes to id2 (3 tasks)."""
    swarm = Swarm(
        [
            node("id1", nano_cpus=0, memory_bytes=GB, generic=(("apple", 2),)),
            node("id2", nano_cpus=0, memory_bytes=100 * GB, generic=(("apple", 5),)),
        ],
        [service("name1", memory_bytes=GB // 2, generic={"apple": 1})],
    )
    swarm.restore(task("id1", "name1"), "id1")
    for t in ("id2", "id3", "id4"):
        swarm.restore(task(t, "name1"), "id2")
    placed = swarm.place(task("id5", "name1"), task("id6", "name1"))
    assert sorted(placed.values()) == ["id1", "id2"]
    assert placed == {"id5": "id1", "id6": "id2"}


def _dead_task_swarm():
    swarm = Swarm(
        [node("id1", name="node", nano_cpus=GB, memory_bytes=GB, generic=(("apple", 4),))],
        [service("serviceID1", memory_bytes=8 * 10**8, generic={"apple": 3})],
    )
    assert swarm.place(task("id1", "serviceID1")) == {"id1": "id1"}
    swarm.submit(task("id2", "serviceID1"))
    assert swarm.tick()["id2"].error == NO_NODE + " (insufficient resources on 1 node)"
    return swarm


def test_dead_task_returns_its_resources():
    """TestSchedulerResourceConstraintDeadTask: once the first task is observed shut
    down, the second one fits on the node."""
    swarm = _dead_task_swarm()
    swarm.release("id1")
    assert swarm.tick()["id2"].node_id == "id1"


def test_desired_shutdown_keeps_reservations_but_not_counts():
    """TestSchedulerResourceConstraintDeadTask, first half of the story (swarm-semantics
    §1.2): a desired-state change to shutdown drops the task from the active counts, but
    its memory and generic resources stay reserved until the task has stopped."""
    swarm = _dead_task_swarm()
    swarm.scheduler.set_desired_shutdown("id1")
    assert _usage(swarm, "id1") == (0, 8 * 10**8, 0, {})
    assert swarm.tick()["id2"].error == NO_NODE + " (insufficient resources on 1 node)"
    swarm.release("id1")
    assert _usage(swarm, "id1") == (0, 0, 0, {})
    assert swarm.tick()["id2"].node_id == "id1"
    assert _usage(swarm, "id1") == (0, 8 * 10**8, 1, {"serviceID1": 1})


def test_desired_shutdown_tasks_do_not_count_for_spread():
    """Active counts (ActiveTasksCountByService) only include tasks whose desired state is
    at most completed, so a node whose tasks are all being shut down is the emptiest."""
    swarm = Swarm([node("a"), node("b")], [service("web")])
    swarm.restore(task("w1", "web"), "a")
    swarm.restore(task("w2", "web"), "a")
    swarm.restore(task("w3", "web"), "b")
    swarm.scheduler.set_desired_shutdown("w1")
    swarm.scheduler.set_desired_shutdown("w2")
    assert swarm.place(task("w4", "web")) == {"w4": "a"}


def test_preexisting_dead_task_is_not_accounted():
    """TestSchedulerPreexistingDeadTask: a task already past running holds nothing, so
    a task that needs the whole node fits."""
    swarm = Swarm(
        [node("id1", name="node", nano_cpus=GB, memory_bytes=GB, generic=(("apple", 1),))],
        [service("big", memory_bytes=8 * 10**8, generic={"apple": 1})],
    )
    swarm.restore(task("id1", "big"), "id1")
    swarm.release("id1")
    assert _usage(swarm, "id1") == (0, 0, 0, {})
    assert swarm.place(task("id2", "big")) == {"id2": "id1"}


def test_add_and_remove_task_accounting():
    """TestAddTask and TestRemoveTask: adding a task reserves its CPU and memory once
    (adding it again changes nothing); removing returns them, and removing a task the
    node does not hold is a no-op."""
    swarm = Swarm(
        [node("n1", nano_cpus=100_000, memory_bytes=1_000_000)],
        [service("svc", nano_cpus=5000, memory_bytes=5000)],
    )
    assert _usage(swarm, "n1") == (0, 0, 0, {})
    t3 = task("task3", "svc")
    swarm.restore(t3, "n1")
    assert _usage(swarm, "n1") == (5000, 5000, 1, {"svc": 1})
    swarm.scheduler.add_task(t3, "n1", swarm.services["svc"])
    assert _usage(swarm, "n1") == (5000, 5000, 1, {"svc": 1})
    swarm.release("task3")
    assert _usage(swarm, "n1") == (0, 0, 0, {})
    swarm.scheduler.release_task("task3")
    swarm.scheduler.release_task("never-seen")
    assert _usage(swarm, "n1") == (0, 0, 0, {})


def test_generic_resources_are_reserved_and_returned():
    """TestAddTask / TestRemoveTask, generic part: each task takes 2 of the node's 6
    apples and 1 of its 4 oranges, so three fit; a fourth fits once one is removed."""
    swarm = Swarm(
        [node("n1", generic=(("apple", 6), ("orange", 4)))],
        [service("fruit", generic={"apple": 2, "orange": 1})],
    )
    placed = swarm.place(*(task(f"f{i}", "fruit") for i in range(4)))
    assert placed == {"f0": "n1", "f1": "n1", "f2": "n1", "f3": None}
    assert swarm.tick()["f3"].error == NO_NODE + " (insufficient resources on 1 node)"
    swarm.release("f1")
    assert swarm.tick()["f3"].node_id == "n1"


def test_limits_are_not_considered():
    """ResourceFilter reads reservations only: a node smaller than the service's limits
    still takes it (swarm-semantics §1.3)."""
    svc = replace(
        service("capped"),
        resources=ResourceRequirements(limits=Resources(nano_cpus=64 * GB, memory_bytes=512 * GB)),
    )
    swarm = Swarm([node("n1", nano_cpus=GB, memory_bytes=GB)], [svc])
    assert swarm.place(task("c1", "capped")) == {"c1": "n1"}
