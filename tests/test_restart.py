"""The restart supervisor: swarm's restart policy (semantics section 3) and its timing."""

from __future__ import annotations

import dataclasses

import pytest

from swarmsim.cluster.state import TaskEvent
from swarmsim.cluster.tasks import Task, TaskState
from swarmsim.input.scenario import Scenario
from swarmsim.input.specs import NodeSpec, RestartPolicy, ServiceSpec, SimParams
from swarmsim.manager.restart import newest, should_restart
from swarmsim.simulation.engine import Simulation

S = TaskState


def make_sim(n: int = 3) -> Simulation:
    nodes = tuple(
        NodeSpec(name=f"n{i}", id=chr(ord("a") + i) * 25, role="manager" if i == 0 else "worker",
                 nano_cpus=2_000_000_000, memory_bytes=4 << 30)
        for i in range(n)
    )
    sim = Simulation(Scenario(name="t", seed=0, nodes=nodes, stacks=()))
    sim.bootstrap()
    return sim


def when(sim: Simulation, task_id: str, *, state: str | None = None,
         desired: str | None = None) -> float:
    """The first time a task was recorded in ``state`` / with ``desired``."""
    for e in sim.events:
        if isinstance(e, TaskEvent) and e.id == task_id and (state is None or e.state == state) \
                and (desired is None or e.desired_state == desired):
            return e.time
    raise AssertionError(f"{task_id} never reached state={state} desired={desired}")


def slot_tasks(sim: Simulation, service: str, slot: int) -> list[Task]:
    return [t for t in sim.state.tasks_of(service) if t.slot == slot]


def kill_at(sim: Simulation, at: float, service: str, slot: int, code: int = 1) -> None:
    def go() -> None:
        live = [t for t in slot_tasks(sim, service, slot) if t.actual]
        assert live, f"nothing running in {service}.{slot} at {at}"
        assert sim.agent.kill(live[0], code)

    sim.later(at - sim.now, go)


# --- should_restart ----------------------------------------------------------------------
ANY = RestartPolicy(condition="any")
ON_FAILURE = RestartPolicy(condition="on-failure")
NONE = RestartPolicy(condition="none")


@pytest.mark.parametrize(
    ("policy", "state", "is_job", "expected"),
    [
        (NONE, S.FAILED, False, False),
        (NONE, S.RUNNING, False, False),  # node down: the task is lost (moby#32979)
        (ON_FAILURE, S.COMPLETE, False, False),
        (ON_FAILURE, S.FAILED, False, True),
        (ON_FAILURE, S.SHUTDOWN, False, True),
        (ANY, S.COMPLETE, False, True),
        (ANY, S.COMPLETE, True, False),  # jobs: any == on-failure
        (ANY, S.FAILED, True, True),
        (ANY, S.REJECTED, False, True),
    ],
)
def test_condition_table(policy: RestartPolicy, state: TaskState, is_job: bool,
                         expected: bool) -> None:
    assert should_restart(policy, state, [], 100.0, is_job) is expected


def test_max_attempts_without_window_counts_every_restart() -> None:
    policy = RestartPolicy(max_attempts=3)
    assert should_restart(policy, S.FAILED, [1.0, 2.0], 50.0, False)
    assert not should_restart(policy, S.FAILED, [1.0, 2.0, 3.0], 50.0, False)
    # a restart recorded long ago still counts when there is no window
    assert not should_restart(policy, S.FAILED, [1.0, 2.0, 3.0], 1e6, False)


def test_window_counts_restarts_strictly_inside_it() -> None:
    # window 10 s, failure at t=100: only replacements created in (90, 100) count
    history = [89.0, 90.0, 95.0, 100.0, 101.0]
    assert should_restart(RestartPolicy(max_attempts=2, window_s=10), S.FAILED, history,
                          100.0, False)
    assert not should_restart(RestartPolicy(max_attempts=1, window_s=10), S.FAILED, history,
                              100.0, False)
    # failure at 95.5: (85.5, 95.5) holds 89, 90 and 95
    assert not should_restart(RestartPolicy(max_attempts=3, window_s=10), S.FAILED, history,
                              95.5, False)
    assert should_restart(RestartPolicy(max_attempts=4, window_s=10), S.FAILED, history,
                          95.5, False)


def test_unlimited_attempts_ignore_history() -> None:
    assert should_restart(RestartPolicy(max_attempts=0, window_s=10), S.FAILED,
                          [float(i) for i in range(100)], 50.0, False)


def test_newest_is_latest_status_change() -> None:
    spec = ServiceSpec(name="s", image="i")
    a = Task("a", "s", spec, 1, 1, None, 0.0, updated=5.0)
    b = Task("b", "s", spec, 1, 1, None, 1.0, updated=9.0)
    c = Task("c", "s", spec, 1, 1, None, 2.0, updated=9.0)
    assert newest([a, b, c]) is b
    assert newest([c, a]) is c


# --- the supervisor in a simulation ------------------------------------------------------
def test_crash_replacement_waits_for_restart_delay() -> None:
    sim = make_sim()
    sim.state.create_service(ServiceSpec(name="web", image="nginx", replicas=1))
    kill_at(sim, 10.0, "web", 1, code=3)
    sim.env.run(until=30)
    old, new = slot_tasks(sim, "web", 1)
    assert old.state == S.FAILED and old.error == "task: non-zero exit (3)"
    assert old.desired == S.SHUTDOWN
    assert new.created == pytest.approx(10.0)
    assert when(sim, new.id, desired="ready") == pytest.approx(10.0)
    # default delay 5 s, then startup 1 s (the pull happened during the delay)
    assert when(sim, new.id, desired="running") == pytest.approx(15.0)
    assert when(sim, new.id, state="running") == pytest.approx(16.0)


def test_custom_restart_delay() -> None:
    sim = make_sim()
    sim.state.create_service(ServiceSpec(name="web", image="nginx", replicas=1,
                                         restart=RestartPolicy(delay_s=12.0)))
    kill_at(sim, 10.0, "web", 1)
    sim.env.run(until=40)
    new = slot_tasks(sim, "web", 1)[1]
    assert when(sim, new.id, desired="running") == pytest.approx(22.0)


def test_drained_node_no_delay_but_waits_for_old_task_to_stop() -> None:
    sim = make_sim()
    # the container takes 3 s to stop
    sim.state.create_service(ServiceSpec(name="web", image="nginx", replicas=1,
                                         sim=SimParams(stop_s=3.0)))
    sim.env.run(until=10)
    old = slot_tasks(sim, "web", 1)[0]
    sim.state.update_node(old.node_id, availability="drain")
    sim.env.run(until=30)
    new = slot_tasks(sim, "web", 1)[1]
    assert new.node_id != old.node_id
    assert when(sim, old.id, state="shutdown") == pytest.approx(13.0)
    assert when(sim, new.id, desired="running") == pytest.approx(13.0)


def test_old_task_wait_is_bounded_by_one_minute() -> None:
    sim = make_sim()
    sim.state.create_service(ServiceSpec(name="web", image="nginx", replicas=1,
                                         stop_grace_period_s=300.0, sim=SimParams(stop_s=200.0)))
    sim.env.run(until=10)
    old = slot_tasks(sim, "web", 1)[0]
    sim.state.update_node(old.node_id, availability="drain")
    sim.env.run(until=100)
    new = slot_tasks(sim, "web", 1)[1]
    assert old.state == S.RUNNING  # still stopping
    assert when(sim, new.id, desired="running") == pytest.approx(70.0)


def test_each_old_task_wait_has_its_own_one_minute_bound() -> None:
    # two drains 20 s apart, one of them repeated meanwhile: each replacement is told
    # to run one minute after its own restart, however the waits overlap
    sim = make_sim(4)
    sim.state.create_service(ServiceSpec(name="web", image="nginx", replicas=2,
                                         stop_grace_period_s=300.0, sim=SimParams(stop_s=200.0)))
    sim.env.run(until=10)
    first, second = slot_tasks(sim, "web", 1)[0], slot_tasks(sim, "web", 2)[0]
    assert first.node_id != second.node_id
    sim.state.update_node(first.node_id, availability="drain")
    sim.env.run(until=30)
    sim.state.update_node(second.node_id, availability="drain")
    sim.env.run(until=200)
    new1, new2 = slot_tasks(sim, "web", 1)[1], slot_tasks(sim, "web", 2)[1]
    assert when(sim, new1.id, desired="running") == pytest.approx(70.0)
    assert when(sim, new2.id, desired="running") == pytest.approx(90.0)


def test_node_down_restart_does_not_wait_for_old_task() -> None:
    sim = make_sim()
    sim.state.create_service(ServiceSpec(name="web", image="nginx", replicas=3))
    sim.env.run(until=60)
    old = next(t for t in sim.state.tasks_of("web") if t.node_id == "b" * 25)  # a worker
    sim.state.set_alive(old.node_id, False)
    sim.env.run(until=120)
    new = slot_tasks(sim, "web", old.slot)[1]
    noticed = new.created
    assert 68.0 < noticed <= 76.5
    assert old.state == S.RUNNING and old.desired == S.SHUTDOWN  # stale until orphaned
    assert when(sim, new.id, desired="running") == pytest.approx(noticed + 5.0)
    assert when(sim, new.id, state="running") == pytest.approx(noticed + 6.0)


def test_max_attempts_exhausted_leaves_slot_stopped() -> None:
    sim = make_sim()
    sim.state.create_service(ServiceSpec(name="web", image="nginx", replicas=1,
                                         restart=RestartPolicy(delay_s=1.0, max_attempts=2)))
    for at in (10.0, 20.0, 30.0):
        kill_at(sim, at, "web", 1)
    sim.env.run(until=60)
    tasks = slot_tasks(sim, "web", 1)
    assert len(tasks) == 3  # the original and two restarts
    assert all(t.state == S.FAILED for t in tasks)
    assert all(t.desired == S.SHUTDOWN for t in tasks)


def test_history_starts_over_with_a_new_spec_version() -> None:
    sim = make_sim()
    spec = ServiceSpec(name="web", image="nginx:1", replicas=1,
                       restart=RestartPolicy(delay_s=1.0, max_attempts=1))
    sim.state.create_service(spec)
    kill_at(sim, 10.0, "web", 1)
    kill_at(sim, 20.0, "web", 1)
    sim.env.run(until=30)
    assert len(slot_tasks(sim, "web", 1)) == 2  # second failure: no restart
    sim.state.update_service("web", dataclasses.replace(spec, image="nginx:2"))
    sim.env.run(until=40)
    current = [t for t in slot_tasks(sim, "web", 1) if t.desired == S.RUNNING]
    assert len(current) == 1 and current[0].spec.image == "nginx:2"
    kill_at(sim, 45.0, "web", 1)
    sim.env.run(until=60)
    replacement = slot_tasks(sim, "web", 1)[-1]
    assert replacement.created == pytest.approx(45.0)
    assert replacement.state == S.RUNNING


def test_condition_none_is_never_restarted() -> None:
    sim = make_sim()
    sim.state.create_service(ServiceSpec(name="web", image="nginx", replicas=1,
                                         restart=RestartPolicy(condition="none")))
    kill_at(sim, 10.0, "web", 1)
    sim.env.run(until=40)
    tasks = list(sim.state.tasks_of("web"))
    assert len(tasks) == 1 and tasks[0].state == S.FAILED


def test_on_failure_does_not_restart_exit_zero() -> None:
    sim = make_sim()
    sim.state.create_service(ServiceSpec(name="web", image="nginx", replicas=1,
                                         restart=RestartPolicy(condition="on-failure")))
    kill_at(sim, 10.0, "web", 1, code=0)
    sim.env.run(until=40)
    tasks = list(sim.state.tasks_of("web"))
    assert [t.state for t in tasks] == [S.COMPLETE]


def test_global_restart_stays_on_its_node() -> None:
    sim = make_sim()
    sim.state.create_service(ServiceSpec(name="agent", image="a", mode="global", replicas=0))
    sim.env.run(until=10)
    target = "b" * 25
    victim = next(t for t in sim.state.tasks_on(target))
    sim.agent.kill(victim, 1)
    sim.env.run(until=30)
    mine = [t for t in sim.state.tasks_of("agent") if t.node_id == target]
    assert len(mine) == 2
    assert mine[1].preassigned and mine[1].state == S.RUNNING


def test_restart_during_its_own_delay_waits_for_it() -> None:
    sim = make_sim()
    sim.state.create_service(ServiceSpec(name="web", image="nginx", replicas=1))
    kill_at(sim, 10.0, "web", 1)
    sim.env.run(until=11)
    replacement = slot_tasks(sim, "web", 1)[1]
    assert replacement.desired == S.READY
    assert sim.restart.restart(replacement) is None  # deferred
    assert replacement.desired == S.READY
    sim.env.run(until=30)
    # after its delay it was started, then restarted by the waiting request
    assert when(sim, replacement.id, desired="running") == pytest.approx(15.0)
    assert replacement.desired == S.SHUTDOWN
    third = slot_tasks(sim, "web", 1)[2]
    assert third.created == pytest.approx(15.0)


def test_no_restart_without_a_leader_until_quorum_returns() -> None:
    sim = make_sim()
    sim.state.create_service(ServiceSpec(name="web", image="nginx", replicas=1))
    sim.env.run(until=5)
    sim.set_leader(False)
    kill_at(sim, 10.0, "web", 1)
    sim.env.run(until=40)
    assert len(slot_tasks(sim, "web", 1)) == 1
    sim.set_leader(True)
    sim.env.run(until=60)
    tasks = slot_tasks(sim, "web", 1)
    assert len(tasks) == 2
    assert tasks[1].created == pytest.approx(40.0)
    assert tasks[1].state == S.RUNNING
