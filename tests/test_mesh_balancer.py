"""Load-balancer membership rules and the kernel's IPVS round robin."""

from __future__ import annotations

import numpy as np
import pytest

from swarmsim.cluster.tasks import TaskState as S
from swarmsim.input.specs import RequestSpec
from swarmsim.mesh.balancer import Backend, Balancer, membership_change
from swarmsim.workload.fifo import QueueState


@pytest.mark.parametrize(
    ("state", "desired", "member", "leaving", "change"),
    [
        (S.STARTING, S.RUNNING, False, False, None),  # not healthy/started yet
        (S.RUNNING, S.RUNNING, False, False, "join"),
        (S.RUNNING, S.READY, False, False, "join"),
        (S.RUNNING, S.SHUTDOWN, False, False, None),  # being stopped: never joins
        (S.RUNNING, S.RUNNING, True, False, None),
        (S.RUNNING, S.SHUTDOWN, True, False, "drain"),  # gossip delay, then out
        (S.RUNNING, S.REMOVE, True, False, "drain"),
        (S.SHUTDOWN, S.SHUTDOWN, True, True, None),  # already draining
        (S.FAILED, S.RUNNING, True, False, "leave"),  # the container died
        (S.COMPLETE, S.RUNNING, True, False, "leave"),
        (S.FAILED, S.SHUTDOWN, True, True, None),
    ],
)
def test_membership_change(state, desired, member, leaving, change):
    assert membership_change(state, desired, member, leaving) == change


def test_round_robin_starts_at_the_newest_and_cycles():
    lb = Balancer()
    for b in (1, 2, 3):
        lb.add(b)  # the list is now [3, 2, 1]
    assert lb.round_robin("ingress", 0, 7).tolist() == [3, 2, 1, 3, 2, 1, 3]
    assert lb.round_robin("ingress", 0, 2).tolist() == [2, 1]


def test_each_receiving_node_and_balancer_keeps_its_own_position():
    lb = Balancer()
    for b in (1, 2, 3):
        lb.add(b)
    assert lb.round_robin("ingress", 0, 2).tolist() == [3, 2]
    assert lb.round_robin("ingress", 5, 1).tolist() == [3]
    assert lb.round_robin("vip", 0, 1).tolist() == [3]
    assert lb.round_robin("ingress", 0, 1).tolist() == [1]


def test_new_backend_goes_to_the_head_and_is_reached_after_wrapping():
    lb = Balancer()
    for b in (1, 2, 3):
        lb.add(b)
    assert lb.round_robin("ingress", 0, 2).tolist() == [3, 2]
    lb.add(4)  # [4, 3, 2, 1], last used 2
    assert lb.round_robin("ingress", 0, 4).tolist() == [1, 4, 3, 2]


def test_removing_the_last_used_backend_moves_back_to_its_predecessor():
    lb = Balancer()
    for b in (1, 2, 3, 4):
        lb.add(b)  # [4, 3, 2, 1]
    assert lb.round_robin("ingress", 0, 2).tolist() == [4, 3]
    lb.remove(3)  # position moves to 4: next is 2
    assert lb.round_robin("ingress", 0, 2).tolist() == [2, 1]
    lb.remove(4)
    lb.remove(1)  # last used was 1 (the tail): its predecessor is 2
    assert lb.members == [2]
    assert lb.round_robin("ingress", 0, 2).tolist() == [2, 2]


def test_removing_the_head_while_it_is_last_used_restarts_from_the_list_head():
    lb = Balancer()
    for b in (1, 2):
        lb.add(b)
    assert lb.round_robin("ingress", 0, 1).tolist() == [2]
    lb.remove(2)
    lb.add(7)
    assert lb.round_robin("ingress", 0, 3).tolist() == [7, 1, 7]


def _backend(workers=1, limit=0.0):
    return Backend(0, "t", "s.1", "s", 0, RequestSpec(workers=workers), limit,
                   QueueState.idle(workers))


@pytest.mark.parametrize(
    ("workers", "limit", "cores", "node_workers", "speed"),
    [
        (1, 0.0, 1.0, 1, 1.0),  # a worker never runs faster than one core
        (1, 0.1, 1.0, 1, 0.1),  # cpus: "0.1" -> ten times slower
        (4, 2.0, 8.0, 4, 0.5),  # the limit is shared by the task's workers
        (3, 3.0, 4.0, 3, 1.0),  # M/M/c: c workers, c CPUs -> full speed
        (1, 0.0, 1.0, 2, 0.5),  # two workers on a one-core node share it
        (2, 0.5, 1.0, 4, 0.25),
    ],
)
def test_worker_speed(workers, limit, cores, node_workers, speed):
    assert _backend(workers, limit).worker_speed(cores, node_workers) == pytest.approx(speed)


def test_keep_pending():
    b = _backend()
    b.pending_ids = np.array([4, 5, 6])
    b.pending_finish = np.array([1.0, 3.0, 2.0])
    b.keep_pending(2.0)
    assert b.pending_ids.tolist() == [5]
