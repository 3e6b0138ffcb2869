"""SwarmKit's faulty-node scheduler tests (``scheduler_test.go``) re-expressed against
swarmsim's scheduler.

A node where the same service and spec version failed at least 5 times within the last
5 minutes loses to any node with fewer such failures; below that threshold failures do
not matter.  Failures of pre-assigned (global) tasks are never recorded.
"""

import pytest
from swarmkit_fixtures import CONFIRMED, Swarm, node, service, task


def _faulty_node_swarm():
    swarm = Swarm(
        [node("id1"), node("id2")], [service("service1"), service("service2", mode="global")]
    )
    swarm.restore(task("id1", "service1"), "id1")
    swarm.restore(task("id2", "service2", on="id1"), "id1")
    return swarm


def _failure_cycle(swarm, i, now):
    """One upstream loop step: a replicated task and a pre-assigned task are created,
    scheduled, and then both fail.  Returns where the replicated one went."""
    placed = swarm.place(task(f"r{i}", "service1"), now=now)
    decision = swarm.place(task(f"p{i}", "service2", on="id1"), now=now)
    assert decision == {f"p{i}": "id1"}
    swarm.fail(f"r{i}", now)
    swarm.fail(f"p{i}", now)
    return placed[f"r{i}"]


def test_faulty_node_is_underweighted():
    """TestSchedulerFaultyNode: id2 holds no service1 replica, so it wins until it has
    failed 5 times; from then on id1 is preferred."""
    swarm = _faulty_node_swarm()
    got = [_failure_cycle(swarm, i, now=float(i)) for i in range(8)]
    assert got == ["id2"] * 5 + ["id1"] * 3


def test_faulty_node_equal_failures_fall_back_to_spread():
    """TestSchedulerFaultyNode continued (swarm-semantics §1.5): when both nodes reach 5
    failures the failure rule no longer decides, and per-service counts do again."""
    swarm = _faulty_node_swarm()
    got = [_failure_cycle(swarm, i, now=float(i)) for i in range(11)]
    # id1 collects failures at i = 5..9; at i = 10 both have 5
    assert got == ["id2"] * 5 + ["id1"] * 5 + ["id2"]


def test_preassigned_failures_are_not_recorded():
    """TestSchedulerFaultyNode, pre-assigned half: eight failed global tasks on id1 do
    not count against id1 for that service."""
    swarm = _faulty_node_swarm()
    for i in range(8):
        _failure_cycle(swarm, i, now=float(i))
    # make id1 the better node for a service2 task on counts alone
    swarm.release("id2")
    swarm.define(service("filler"))
    swarm.restore(task("x1", "filler"), "id2")
    swarm.restore(task("x2", "filler"), "id2")
    assert swarm.place(task("s2-replica", "service2"), now=9.0) == {"s2-replica": "id1"}


def test_preassigned_task_confirmation_message():
    """TestSchedulerFaultyNode / TestPreassignedTasks: the decision for a pre-assigned
    task carries the confirmation message."""
    swarm = _faulty_node_swarm()
    swarm.submit(task("p", "service2", on="id1"))
    d = swarm.tick()["p"]
    assert (d.node_id, d.message, d.error) == ("id1", CONFIRMED, "")


def test_failures_are_keyed_by_spec_version():
    """TestSchedulerFaultyNodeSpecVersion: updating the service (new spec version)
    resets the down-weighting, so id2 is tried again 5 times."""
    swarm = Swarm([node("id1"), node("id2")], [service("service1")])
    swarm.restore(task("id1", "service1", version=1), "id1")
    got = []
    for i in range(15):
        t = task(f"t{i}", "service1", version=1 if i <= 5 else 2)
        got.append(swarm.place(t, now=float(i))[t.id])
        swarm.fail(t.id, float(i))
    assert got == ["id2"] * 5 + ["id1"] + ["id2"] * 5 + ["id1"] * 4


@pytest.mark.parametrize(("now", "expected"), [(300.0, "id1"), (300.5, "id2")])
def test_failures_older_than_five_minutes_expire(now, expected):
    """countRecentFailures: a failure counts while its age is at most 5 minutes.

    id2 fails 5 times at t=0; at t=300 it is still down-weighted, just after it is not
    and wins again (it holds no replica, id1 holds one)."""
    swarm = Swarm([node("id1"), node("id2")], [service("service1")])
    swarm.restore(task("keep", "service1", version=1), "id1")
    for i in range(5):
        t = task(f"f{i}", "service1", version=1)
        assert swarm.place(t, now=0.0) == {t.id: "id2"}
        swarm.fail(t.id, 0.0)
    assert swarm.place(task("probe", "service1", version=1), now=now) == {"probe": expected}
