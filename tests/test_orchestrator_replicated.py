"""The replicated orchestrator: slots, scaling and swarm's removal order (semantics 2.1, 2.2)."""

from __future__ import annotations

import dataclasses

import pytest

from swarmsim.cluster.state import TaskEvent
from swarmsim.cluster.tasks import Task, TaskState
from swarmsim.input.scenario import Scenario
from swarmsim.input.specs import NodeSpec, RestartPolicy, ServiceSpec
from swarmsim.manager.replicated import free_slots, scale_down_order, slots_of
from swarmsim.simulation.engine import Simulation

S = TaskState
SPEC = ServiceSpec(name="web", image="nginx")
A, B, C = "a" * 25, "b" * 25, "c" * 25


def make_sim(n: int = 3) -> Simulation:
    nodes = tuple(
        NodeSpec(name=f"n{i}", id=chr(ord("a") + i) * 25, role="manager" if i == 0 else "worker",
                 nano_cpus=2_000_000_000, memory_bytes=4 << 30)
        for i in range(n)
    )
    sim = Simulation(Scenario(name="t", seed=0, nodes=nodes, stacks=()))
    sim.bootstrap()
    return sim


def task(tid: str, slot: int, node: str | None, state: TaskState = S.RUNNING) -> Task:
    return Task(tid, "web", SPEC, 1, slot, node, 0.0, state=state)


def live(sim: Simulation, service: str = "web") -> list[Task]:
    return [t for t in sim.state.tasks_of(service) if t.desired <= S.RUNNING]


def when(sim: Simulation, task_id: str, desired: str) -> float:
    return next(e.time for e in sim.events
                if isinstance(e, TaskEvent) and e.id == task_id and e.desired_state == desired)


# --- pure functions ------------------------------------------------------------------------
def test_slots_of_groups_by_slot_in_order() -> None:
    t1, t2, t3 = task("x", 3, A), task("y", 1, B), task("z", 3, C)
    grouped = slots_of([t1, t2, t3])
    assert list(grouped) == [1, 3]
    assert grouped[3] == [t1, t3]


def test_free_slots_lowest_numbers_from_one() -> None:
    assert free_slots({1: [], 3: [], 4: []}, 3) == [2, 5, 6]
    assert free_slots([], 2) == [1, 2]
    assert free_slots([1, 2], 0) == []


def test_scale_down_prefers_node_with_most_copies_and_higher_slot() -> None:
    # n1 holds slots 1 and 2; n2 slot 3; n3 slot 4 -> indices 1,2,1,1 -> slot 2 goes
    slots = {1: [task("1", 1, A)], 2: [task("2", 2, A)], 3: [task("3", 3, B)], 4: [task("4", 4, C)]}
    assert scale_down_order(slots) == [1, 3, 4, 2]


def test_scale_down_removes_unscheduled_first() -> None:
    slots = {1: [task("1", 1, A)], 2: [task("2", 2, None, S.PENDING)],
             3: [task("3", 3, B, S.STARTING)]}
    assert scale_down_order(slots) == [1, 3, 2]


def test_scale_down_removes_non_running_before_running() -> None:
    # slot 1 is only starting: it goes even though its number is lower
    slots = {1: [task("1", 1, A, S.STARTING)], 2: [task("2", 2, B)]}
    assert scale_down_order(slots)[:1] == [2]


def test_scale_down_slot_with_two_tasks_sorts_last() -> None:
    slots = {1: [task("1a", 1, A), task("1b", 1, B)], 2: [task("2", 2, A)], 3: [task("3", 3, C)]}
    assert scale_down_order(slots) == [2, 3, 1]


def test_scale_down_balances_three_on_one_node() -> None:
    # n1: slots 1,2,3; n2: slot 4 -> keep order 1(1),4(1),2(2),3(3)
    slots = {s: [task(str(s), s, A if s < 4 else B)] for s in (1, 2, 3, 4)}
    assert scale_down_order(slots) == [1, 4, 2, 3]


# --- reconcile in a simulation -----------------------------------------------------------
def test_create_fills_slots_one_to_n() -> None:
    sim = make_sim()
    sim.state.create_service(ServiceSpec(name="web", image="nginx", replicas=3))
    sim.env.run(until=10)
    tasks = live(sim)
    assert sorted(t.slot for t in tasks) == [1, 2, 3]
    assert all(t.state == S.RUNNING for t in tasks)
    assert sorted(t.node_id for t in tasks) == [A, B, C]
    assert all(when(sim, t.id, "running") == 0.0 for t in tasks)


def test_scale_up_keeps_existing_tasks() -> None:
    sim = make_sim()
    spec = ServiceSpec(name="web", image="nginx", replicas=2)
    sim.state.create_service(spec)
    sim.env.run(until=10)
    before = {t.id for t in live(sim)}
    sim.state.update_service("web", dataclasses.replace(spec, replicas=4))
    sim.env.run(until=20)
    tasks = live(sim)
    assert before <= {t.id for t in tasks}  # replicas alone never makes a task dirty
    assert sorted(t.slot for t in tasks) == [1, 2, 3, 4]
    assert all(t.state == S.RUNNING for t in tasks)


def test_scale_down_removes_and_reaps() -> None:
    sim = make_sim()
    spec = ServiceSpec(name="web", image="nginx", replicas=5)
    sim.state.create_service(spec)
    sim.env.run(until=10)
    by_slot = {t.slot: t for t in live(sim)}
    # spread: a has slots 1 and 4, b 2 and 5, c 3 -> indices 1,1,1,2,2: slots 4, 5 go
    assert {s: by_slot[s].node_id for s in by_slot} == {1: A, 2: B, 3: C, 4: A, 5: B}
    sim.state.update_service("web", dataclasses.replace(spec, replicas=3))
    sim.env.run(until=10.1)
    assert by_slot[4].desired == S.REMOVE and by_slot[5].desired == S.REMOVE
    sim.env.run(until=20)
    assert sorted(t.slot for t in sim.state.tasks_of("web")) == [1, 2, 3]
    assert by_slot[4].id not in sim.state.tasks


def test_crash_replacement_same_slot_other_node() -> None:
    sim = make_sim()
    sim.state.create_service(ServiceSpec(name="web", image="nginx", replicas=3))
    sim.env.run(until=60)
    old = next(t for t in live(sim) if t.node_id == C)
    sim.state.set_alive(C, False)
    sim.env.run(until=100)
    new = next(t for t in live(sim) if t.slot == old.slot)
    assert new.node_id in (A, B)
    assert 68.0 < new.created <= 76.5
    assert when(sim, new.id, "running") == pytest.approx(new.created + 5.0)
    assert new.state == S.RUNNING
    # nothing moves back when the node returns
    sim.state.set_alive(C, True)
    sim.env.run(until=130)
    assert sim.state.nodes[C].spec.status == "ready"
    assert old.state == S.SHUTDOWN
    assert all(t.node_id != C for t in live(sim))


def test_pause_does_nothing() -> None:
    sim = make_sim()
    sim.state.create_service(ServiceSpec(name="web", image="nginx", replicas=3))
    sim.env.run(until=10)
    before = {t.id: t.node_id for t in live(sim)}
    sim.state.update_node(B, availability="pause")
    sim.env.run(until=30)
    assert {t.id: t.node_id for t in live(sim)} == before


def test_drain_moves_tasks_and_activation_does_not_bring_them_back() -> None:
    sim = make_sim()
    sim.state.create_service(ServiceSpec(name="web", image="nginx", replicas=3))
    sim.env.run(until=10)
    sim.state.update_node(B, availability="drain")
    sim.env.run(until=20)
    assert all(t.node_id != B and t.state == S.RUNNING for t in live(sim))
    sim.state.update_node(B, availability="active")
    sim.env.run(until=40)
    assert all(t.node_id != B for t in live(sim))
    assert len(live(sim)) == 3


def test_condition_none_and_node_down_loses_the_replica() -> None:
    sim = make_sim()
    sim.state.create_service(ServiceSpec(name="web", image="nginx", replicas=3,
                                         restart=RestartPolicy(condition="none")))
    sim.env.run(until=10)
    sim.state.set_alive(C, False)
    sim.env.run(until=60)
    assert sim.state.nodes[C].spec.status == "down"
    assert len(live(sim)) == 2  # the slot is not refilled
    assert len(list(sim.state.tasks_of("web"))) == 3


def test_node_removed_restarts_its_tasks() -> None:
    sim = make_sim()
    sim.state.create_service(ServiceSpec(name="web", image="nginx", replicas=3))
    sim.env.run(until=10)
    sim.state.set_alive(C, False)
    sim.state.remove_node(C)
    sim.env.run(until=30)
    tasks = live(sim)
    assert len(tasks) == 3 and all(t.node_id in (A, B) for t in tasks)


def test_deleting_a_live_task_triggers_reconcile() -> None:
    sim = make_sim()
    sim.state.create_service(ServiceSpec(name="web", image="nginx", replicas=2))
    sim.env.run(until=10)
    victim = next(t for t in live(sim) if t.slot == 2)
    sim.state.delete_task(victim)
    sim.env.run(until=20)
    assert sorted(t.slot for t in live(sim)) == [1, 2]


def test_service_removal_removes_every_task() -> None:
    sim = make_sim()
    sim.state.create_service(ServiceSpec(name="web", image="nginx", replicas=3))
    sim.env.run(until=10)
    tasks = live(sim)
    sim.state.remove_service("web")
    sim.env.run(until=10.1)
    assert all(t.desired == S.REMOVE for t in tasks)
    sim.env.run(until=20)
    assert not sim.state.tasks


def test_recreated_service_does_not_adopt_old_tasks() -> None:
    sim = make_sim()
    spec = ServiceSpec(name="web", image="nginx", replicas=2, sim=dataclasses.replace(
        SPEC.sim, stop_s=5.0))
    sim.state.create_service(spec)
    sim.env.run(until=10)
    sim.state.remove_service("web")
    sim.env.run(until=11)
    sim.state.create_service(spec)  # the old tasks are still stopping
    sim.env.run(until=30)
    svc = sim.state.services["web"]
    mine = [t for t in sim.state.tasks_of("web") if t.created >= svc.created]
    assert sorted(t.slot for t in mine) == [1, 2]
    assert all(t.state == S.RUNNING for t in mine)
