"""The task reaper (semantics 2.6) and the constraint enforcer (semantics 2.5)."""

from __future__ import annotations

import dataclasses

import pytest

from swarmsim.cluster.tasks import Task, TaskState
from swarmsim.input.scenario import Scenario
from swarmsim.input.specs import (
    NodeSpec,
    Placement,
    ResourceRequirements,
    Resources,
    RestartPolicy,
    ServiceSpec,
    SimParams,
)
from swarmsim.manager.enforcer import ERROR, MESSAGE, noncompliant
from swarmsim.manager.reaper import history_to_delete, removable, retention
from swarmsim.simulation.engine import Simulation

S = TaskState
A, B, C = "a" * 25, "b" * 25, "c" * 25
SPEC = ServiceSpec(name="web", image="nginx")
EAST = (("zone", "east"),)
ZONED = dataclasses.replace(SPEC, placement=Placement(constraints=("node.labels.zone==east",)))


def make_sim(n: int = 3) -> Simulation:
    nodes = tuple(
        NodeSpec(name=f"n{i}", id=chr(ord("a") + i) * 25, role="manager" if i == 0 else "worker",
                 nano_cpus=2_000_000_000, memory_bytes=4 << 30, labels=EAST)
        for i in range(n)
    )
    sim = Simulation(Scenario(name="t", seed=0, nodes=nodes, stacks=()))
    sim.bootstrap()
    return sim


def task(tid: str, state: TaskState, updated: float, desired: TaskState = S.SHUTDOWN,
         spec: ServiceSpec = SPEC) -> Task:
    return Task(tid, spec.name, spec, 1, 1, A, 0.0, state=state, desired=desired, updated=updated)


def crash_every(sim: Simulation, period: float, until: float, service: str = "web") -> None:
    def tick() -> None:
        for t in sim.state.tasks_of(service):
            if t.actual and t.state == S.RUNNING:
                sim.agent.kill(t, 1)
        if sim.now + period < until:
            sim.later(period, tick)

    sim.later(period, tick)


# --- reaper: pure -------------------------------------------------------------------------
def test_retention() -> None:
    assert retention(SPEC) == 5
    assert retention(dataclasses.replace(SPEC, restart=RestartPolicy(max_attempts=3))) == 4
    assert retention(SPEC, limit=2) == 2


def test_history_keeps_the_newest_and_the_current() -> None:
    history = [task(str(i), S.FAILED, float(i)) for i in range(6)]
    history.append(task("cur", S.RUNNING, 0.5, desired=S.RUNNING))
    delete, live = history_to_delete(history, 5)
    # 7 tasks, keep 5: the two oldest stopped ones go, the running one is never touched
    assert [t.id for t in delete] == ["0", "1"]
    assert live == 1


def test_history_under_the_limit_or_negative_keeps_everything() -> None:
    history = [task(str(i), S.FAILED, float(i)) for i in range(5)]
    assert history_to_delete(history, 5) == ([], 0)
    assert history_to_delete(history * 3, -1) == ([], 0)


def test_history_deletes_tasks_that_will_never_run() -> None:
    history = [task("p", S.PENDING, 0.0), task("r", S.RUNNING, 1.0, desired=S.RUNNING),
               task("f", S.FAILED, 2.0)]
    delete, _ = history_to_delete(history, 2)
    assert [t.id for t in delete] == ["p"]


def test_removable() -> None:
    assert removable(task("a", S.PENDING, 0, desired=S.REMOVE))
    assert removable(task("b", S.SHUTDOWN, 0, desired=S.REMOVE))
    assert removable(task("c", S.COMPLETE, 0, desired=S.REMOVE))
    assert not removable(task("d", S.RUNNING, 0, desired=S.REMOVE))
    assert not removable(task("e", S.ASSIGNED, 0, desired=S.REMOVE))
    assert not removable(task("f", S.FAILED, 0, desired=S.SHUTDOWN))


# --- reaper: in a simulation ---------------------------------------------------------------
def test_crash_loop_keeps_five_tasks_per_slot() -> None:
    sim = make_sim()
    sim.state.create_service(dataclasses.replace(SPEC, restart=RestartPolicy(delay_s=1.0)))
    crash_every(sim, 5.0, 60.0)
    sim.env.run(until=70)
    slot = list(sim.state.tasks_of("web"))
    assert len(slot) == 5
    assert sum(t.desired == S.RUNNING for t in slot) == 1
    # the survivors are the newest ones
    assert min(t.created for t in slot) >= 35.0


def test_max_attempts_sets_the_retention() -> None:
    sim = make_sim()
    sim.state.create_service(dataclasses.replace(SPEC, restart=RestartPolicy(delay_s=1.0,
                                                                             max_attempts=2)))
    crash_every(sim, 5.0, 60.0)
    sim.env.run(until=70)
    assert len(list(sim.state.tasks_of("web"))) == 3


def test_removed_tasks_are_deleted_in_a_batch_after_they_stop() -> None:
    sim = make_sim()
    spec = dataclasses.replace(SPEC, replicas=2, sim=SimParams(stop_s=2.0))
    sim.state.create_service(spec)
    sim.env.run(until=10)
    doomed = next(t for t in sim.state.tasks_of("web") if t.slot == 2)
    sim.state.update_service("web", dataclasses.replace(spec, replicas=1))
    sim.env.run(until=12.2)
    assert doomed.state == S.SHUTDOWN and doomed.id in sim.state.tasks  # stopped at 12.0
    sim.env.run(until=12.3)
    assert doomed.id not in sim.state.tasks  # deleted 250 ms later


# --- enforcer: pure ------------------------------------------------------------------------
NODE = NodeSpec(name="n", id=A, nano_cpus=2_000_000_000, memory_bytes=1 << 30, labels=EAST)


def placed(tid: str, spec: ServiceSpec, state: TaskState = S.RUNNING,
           desired: TaskState = S.RUNNING) -> Task:
    return Task(tid, spec.name, spec, 1, 1, A, 0.0, state=state, desired=desired)


def test_enforcer_uses_current_service_constraints() -> None:
    t = placed("t", SPEC)  # created without constraints
    assert noncompliant(NODE, [t], {"web": ZONED}) == []
    west = dataclasses.replace(NODE, labels=(("zone", "west"),))
    assert noncompliant(west, [t], {"web": ZONED}) == [t]
    assert noncompliant(west, [t], {}) == []  # service gone: the task's own spec


def test_enforcer_filters_by_state() -> None:
    west = dataclasses.replace(NODE, labels=())
    keep = [placed("done", ZONED, S.COMPLETE, S.COMPLETE),
            placed("stopping", ZONED, S.RUNNING, S.SHUTDOWN),
            placed("new", ZONED, S.NEW, S.NEW)]
    evict = [placed("ready", ZONED, S.PREPARING, S.READY),
             placed("job", ZONED, S.RUNNING, S.COMPLETE)]
    assert noncompliant(west, keep + evict, {}) == evict


def test_enforcer_skips_inactive_nodes() -> None:
    t = placed("t", ZONED)
    for availability in ("pause", "drain"):
        node = dataclasses.replace(NODE, labels=(), availability=availability)
        assert noncompliant(node, [t], {}) == []


def test_enforcer_sums_reservations_in_order() -> None:
    big = dataclasses.replace(SPEC, resources=ResourceRequirements(
        reservations=Resources(memory_bytes=600 << 20)))
    t1, t2 = placed("1", big), placed("2", big)
    assert noncompliant(NODE, [t1, t2], {}) == [t2]  # 1.2 GiB on a 1 GiB node
    cpu = dataclasses.replace(SPEC, resources=ResourceRequirements(
        reservations=Resources(nano_cpus=3_000_000_000)))
    t3 = placed("3", cpu)
    assert noncompliant(NODE, [t3], {}) == [t3]


def test_enforcer_generic_shortage_stops_the_scan() -> None:
    gpu = dataclasses.replace(SPEC, resources=ResourceRequirements(
        reservations=Resources(generic=(("gpu", 1),))))
    node = dataclasses.replace(NODE, generic=(("gpu", 1),), labels=())
    t1, t2, t3 = placed("1", gpu), placed("2", gpu), placed("3", ZONED)
    assert noncompliant(node, [t1, t2, t3], {}) == [t2]


# --- enforcer: in a simulation ---------------------------------------------------------------
def test_label_removal_rejects_and_replicated_task_moves() -> None:
    sim = make_sim()
    sim.state.create_service(dataclasses.replace(ZONED, replicas=3))
    sim.env.run(until=10)
    (victim,) = [t for t in sim.state.tasks_of("web") if t.node_id == B]
    sim.state.update_node(B, labels=())
    sim.env.run(until=10.01)
    assert victim.state == S.REJECTED
    assert (victim.message, victim.error) == (MESSAGE, ERROR)
    assert victim.desired == S.SHUTDOWN
    sim.env.run(until=30)
    assert not victim.actual  # the container was stopped
    running = [t for t in sim.state.tasks_of("web") if t.state == S.RUNNING]
    assert len(running) == 3 and all(t.node_id != B for t in running)
    replacement = next(t for t in sim.state.tasks_of("web") if t.slot == victim.slot
                       and t is not victim)
    assert replacement.created == pytest.approx(10.0)
