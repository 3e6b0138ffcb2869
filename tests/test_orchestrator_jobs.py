"""The jobs orchestrator: replicated and global jobs (semantics 2.4)."""

from __future__ import annotations

import dataclasses

import pytest

from swarmsim.cluster.state import TaskEvent
from swarmsim.cluster.tasks import Task, TaskState
from swarmsim.input.scenario import Scenario
from swarmsim.input.specs import NodeSpec, RestartPolicy, ServiceSpec, SimParams
from swarmsim.manager.jobs import job_slots, new_task_count
from swarmsim.simulation.engine import Simulation

S = TaskState
A, B, C, D = "a" * 25, "b" * 25, "c" * 25, "d" * 25
RUN = SimParams(run_time_s=10.0)


def make_sim(n: int = 3, cpus: int = 2) -> Simulation:
    nodes = tuple(
        NodeSpec(name=f"n{i}", id=chr(ord("a") + i) * 25, role="manager" if i == 0 else "worker",
                 nano_cpus=cpus * 1_000_000_000, memory_bytes=4 << 30)
        for i in range(n)
    )
    sim = Simulation(Scenario(name="t", seed=0, nodes=nodes, stacks=()))
    sim.bootstrap()
    return sim


def tasks(sim: Simulation, service: str = "job") -> list[Task]:
    return list(sim.state.tasks_of(service))


def when(sim: Simulation, task_id: str, state: str) -> float:
    return next(e.time for e in sim.events
                if isinstance(e, TaskEvent) and e.id == task_id and e.state == state)


# --- pure -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("max_concurrent", "total", "running", "completed", "expected"),
    [
        (5, 5, 0, 0, 5),
        (2, 5, 0, 0, 2),
        (2, 5, 1, 1, 1),
        (2, 5, 0, 4, 1),
        (5, 5, 0, 5, 0),
        (2, 5, 3, 0, 0),  # more running than allowed: none, never negative
    ],
)
def test_new_task_count(max_concurrent: int, total: int, running: int, completed: int,
                        expected: int) -> None:
    assert new_task_count(max_concurrent, total, running, completed) == expected


def test_job_slots_start_at_zero_and_skip_used() -> None:
    assert job_slots(5, set(), 3) == [0, 1, 2]
    assert job_slots(5, {0, 2}, 2) == [1, 3]
    assert job_slots(3, {0, 1, 2}, 1) == []


# --- replicated jobs ---------------------------------------------------------------------------
def test_replicated_job_runs_to_completion() -> None:
    sim = make_sim()
    sim.state.create_service(ServiceSpec(name="job", image="j", mode="replicated-job",
                                         replicas=3, sim=RUN))
    sim.env.run(until=5)
    ts = tasks(sim)
    assert sorted(t.slot for t in ts) == [0, 1, 2]
    assert all(t.desired == S.COMPLETE for t in ts)
    assert sorted(t.name for t in ts) == ["job.0", "job.1", "job.2"]
    sim.env.run(until=60)
    assert len(tasks(sim)) == 3  # completed tasks are never restarted
    # pull 2 s, start 1 s, run 10 s
    assert all(t.state == S.COMPLETE and when(sim, t.id, "complete") == pytest.approx(13.05)
               for t in tasks(sim))


def test_failed_job_task_is_restarted_in_its_slot() -> None:
    sim = make_sim()
    sim.state.create_service(ServiceSpec(name="job", image="j", mode="replicated-job",
                                         replicas=2, sim=RUN))
    sim.env.run(until=5)
    victim = next(t for t in tasks(sim) if t.slot == 1)
    sim.agent.kill(victim, 4)
    sim.env.run(until=60)
    slot1 = [t for t in tasks(sim) if t.slot == 1]
    assert [t.state for t in slot1] == [S.FAILED, S.COMPLETE]
    assert slot1[0].desired == S.SHUTDOWN
    # restart delay 5 s, then start 1 s (pulled during the delay), then 10 s of work
    assert when(sim, slot1[1].id, "complete") == pytest.approx(5.0 + 5.0 + 1.0 + 10.0)
    assert sum(t.state == S.COMPLETE for t in tasks(sim)) == 2


def test_job_any_condition_does_not_restart_completed() -> None:
    sim = make_sim()
    sim.state.create_service(ServiceSpec(name="job", image="j", mode="replicated-job",
                                         replicas=1, sim=RUN,
                                         restart=RestartPolicy(condition="any")))
    sim.env.run(until=100)
    assert [t.state for t in tasks(sim)] == [S.COMPLETE]


def test_job_update_starts_a_new_iteration() -> None:
    sim = make_sim()
    spec = ServiceSpec(name="job", image="j:1", mode="replicated-job", replicas=2,
                       sim=SimParams(run_time_s=100.0))
    svc = sim.state.create_service(spec)
    sim.env.run(until=10)
    first = tasks(sim)
    sim.state.update_service("job", dataclasses.replace(spec, image="j:2"))
    assert svc.job_iteration == 1
    sim.env.run(until=20)
    assert all(t.desired == S.REMOVE for t in first)
    current = [t for t in tasks(sim) if t.job_iteration == 1]
    assert sorted(t.slot for t in current) == [0, 1]
    assert all(t.spec.image == "j:2" and t.state == S.RUNNING for t in current)
    assert all(t.id not in sim.state.tasks for t in first)  # stopped, then reaped


# --- global jobs -----------------------------------------------------------------------------
def test_global_job_one_task_per_node_including_later_nodes() -> None:
    sim = make_sim()
    sim.state.create_service(ServiceSpec(name="job", image="j", mode="global-job", replicas=0,
                                         sim=RUN))
    sim.env.run(until=30)
    ts = tasks(sim)
    assert sorted(t.node_id for t in ts) == [A, B, C]
    assert all(t.preassigned and t.desired == S.COMPLETE and t.state == S.COMPLETE for t in ts)
    sim.state.add_node(NodeSpec(name="n9", id=D))
    sim.env.run(until=60)
    (late,) = [t for t in tasks(sim) if t.node_id == D]
    assert late.created == 30.0 and late.state == S.COMPLETE
    assert len(tasks(sim)) == 4


def test_global_job_skips_drained_and_paused_nodes() -> None:
    sim = make_sim()
    sim.state.update_node(B, availability="drain")
    sim.state.update_node(C, availability="pause")
    sim.state.create_service(ServiceSpec(name="job", image="j", mode="global-job", replicas=0,
                                         sim=RUN))
    sim.env.run(until=30)
    assert [t.node_id for t in tasks(sim)] == [A]


def test_global_job_task_on_drained_node_is_shut_down() -> None:
    sim = make_sim()
    sim.state.create_service(ServiceSpec(name="job", image="j", mode="global-job", replicas=0,
                                         sim=SimParams(run_time_s=100.0)))
    sim.env.run(until=10)
    (task,) = [t for t in tasks(sim) if t.node_id == B]
    sim.state.update_node(B, availability="drain")
    sim.env.run(until=20)
    assert task.desired == S.SHUTDOWN and task.state == S.SHUTDOWN
    assert len(tasks(sim)) == 3  # no replacement elsewhere
