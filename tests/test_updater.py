"""The rolling updater and rollback (semantics section 6)."""

from __future__ import annotations

import dataclasses

import pytest

from swarmsim.cluster.state import ServiceRecord, TaskEvent
from swarmsim.cluster.tasks import Task, TaskState
from swarmsim.input.scenario import Scenario
from swarmsim.input.specs import (
    NodeSpec,
    Placement,
    PortConfig,
    ResourceRequirements,
    Resources,
    ServiceSpec,
    SimParams,
    UpdateConfig,
)
from swarmsim.manager.updater import failure_threshold_exceeded, is_task_dirty, monitor_period
from swarmsim.simulation.engine import Simulation

S = TaskState
A, B, C = "a" * 25, "b" * 25, "c" * 25
BASE = ServiceSpec(name="web", image="nginx:1", replicas=3)
NODE = NodeSpec(name="n1", id=A, labels=(("zone", "east"),))


def make_sim(n: int = 3) -> Simulation:
    nodes = tuple(
        NodeSpec(name=f"n{i}", id=chr(ord("a") + i) * 25, role="manager" if i == 0 else "worker",
                 nano_cpus=2_000_000_000, memory_bytes=4 << 30)
        for i in range(n)
    )
    sim = Simulation(Scenario(name="t", seed=0, nodes=nodes, stacks=()))
    sim.bootstrap()
    return sim


def task_of(spec: ServiceSpec, version: int = 1) -> Task:
    return Task("t", spec.name, spec, version, 1, A, 0.0, state=S.RUNNING)


def live(sim: Simulation, service: str = "web") -> list[Task]:
    return [t for t in sim.state.tasks_of(service) if t.desired <= S.RUNNING]


def status_at(sim: Simulation, svc: ServiceRecord, times: list[float]) -> list[str]:
    out = []
    for t in times:
        sim.env.run(until=t)
        out.append(svc.update_state)
    return out


def when(sim: Simulation, task_id: str, *, state: str | None = None,
         desired: str | None = None) -> float:
    return next(e.time for e in sim.events
                if isinstance(e, TaskEvent) and e.id == task_id
                and (state is None or e.state == state)
                and (desired is None or e.desired_state == desired))


# --- dirty rule -----------------------------------------------------------------------------
def test_same_version_is_clean_even_if_specs_differ() -> None:
    assert not is_task_dirty(task_of(BASE, 4), dataclasses.replace(BASE, image="x"), NODE, 4)


@pytest.mark.parametrize(
    ("change", "dirty"),
    [
        ({"image": "nginx:2"}, True),
        ({"env": ("A=1",)}, True),
        ({"ports": (PortConfig(target=80, published=8080),)}, True),
        ({"replicas": 7}, False),
        ({"labels": (("a", "b"),)}, False),
        ({"update": UpdateConfig(parallelism=2)}, False),
        ({"rollback": UpdateConfig(order="start-first")}, False),
        ({"sim": SimParams(pull_s=9.0)}, False),
        ({"placement": Placement(constraints=("node.labels.zone==east",))}, False),
        ({"placement": Placement(preferences=("node.labels.zone",))}, False),
        ({"placement": Placement(max_replicas=1)}, False),
        ({"placement": Placement(constraints=("node.labels.zone==west",))}, True),
        ({"placement": Placement(constraints=("node.labels.zone==east",)), "image": "n:2"}, True),
    ],
)
def test_dirty_rule(change: dict[str, object], dirty: bool) -> None:
    new = dataclasses.replace(BASE, **change)
    assert is_task_dirty(task_of(BASE), new, NODE, 2) is dirty


def test_placement_only_change_without_node_is_dirty() -> None:
    new = dataclasses.replace(BASE, placement=Placement(preferences=("node.labels.zone",)))
    assert is_task_dirty(task_of(BASE), new, None, 2)


def test_placement_only_check_ignores_the_endpoint_as_swarm_does() -> None:
    new = dataclasses.replace(BASE, placement=Placement(max_replicas=2),
                              ports=(PortConfig(target=80, published=80),))
    assert not is_task_dirty(task_of(BASE), new, NODE, 2)


def test_failure_ratio_is_compared_in_float32() -> None:
    assert failure_threshold_exceeded(1, 3, 0.0)
    assert not failure_threshold_exceeded(1, 5, 0.2)
    assert failure_threshold_exceeded(2, 5, 0.2)
    assert not failure_threshold_exceeded(3, 10, 0.3)  # 0.3f == 3f/10f
    assert not failure_threshold_exceeded(0, 4, 0.0)


def test_monitor_period() -> None:
    assert monitor_period(UpdateConfig()) == 5.0
    assert monitor_period(UpdateConfig(monitor_s=0.0)) == 5.0
    assert monitor_period(UpdateConfig(delay_s=4.0)) == 5.0
    assert monitor_period(UpdateConfig(delay_s=5.0)) == 6.0
    assert monitor_period(UpdateConfig(delay_s=10.0, monitor_s=30.0)) == 30.0


# --- rolling updates in a simulation --------------------------------------------------------
def test_rolling_update_one_at_a_time_with_delay() -> None:
    sim = make_sim()
    spec = dataclasses.replace(BASE, update=UpdateConfig(delay_s=2.0))
    svc = sim.state.create_service(spec)
    sim.env.run(until=10)
    old = {t.slot: t for t in live(sim)}
    sim.state.update_service("web", dataclasses.replace(spec, image="nginx:2"))
    sim.env.run(until=10.01)
    assert (svc.update_state, svc.update_message) == ("updating", "update in progress")
    sim.env.run(until=29)
    new = {t.slot: t for t in live(sim)}
    assert all(t.spec.image == "nginx:2" and t.state == S.RUNNING for t in new.values())
    # slot order; each new task waits for the old one to stop (stop-first), runs 3 s
    # later (pull 2 s + start 1 s, plus 50 ms scheduling), then the worker waits 2 s
    starts = [when(sim, new[s].id, state="new") for s in (1, 2, 3)]
    assert starts == pytest.approx([10.0, 15.05, 20.1])
    assert [when(sim, old[s].id, desired="shutdown") for s in (1, 2, 3)] == pytest.approx(starts)
    assert svc.update_state == "updating"
    # last task running at 23.15, delay 2 s, then 5 s of monitoring
    assert status_at(sim, svc, [30.1, 30.2]) == ["updating", "completed"]
    assert svc.update_message == "update completed"


def test_parallelism_zero_updates_everything_at_once() -> None:
    sim = make_sim()
    spec = dataclasses.replace(BASE, update=UpdateConfig(parallelism=0))
    sim.state.create_service(spec)
    sim.env.run(until=10)
    sim.state.update_service("web", dataclasses.replace(spec, image="nginx:2"))
    sim.env.run(until=20)
    new = live(sim)
    assert all(when(sim, t.id, state="new") == 10.0 for t in new)
    assert all(t.spec.image == "nginx:2" for t in new)


def test_start_first_runs_new_task_before_stopping_old() -> None:
    sim = make_sim()
    spec = dataclasses.replace(BASE, replicas=1, update=UpdateConfig(order="start-first"))
    sim.state.create_service(spec)
    sim.env.run(until=10)
    (old,) = live(sim)
    sim.state.update_service("web", dataclasses.replace(spec, image="nginx:2"))
    sim.env.run(until=20)
    (new,) = live(sim)
    assert when(sim, new.id, desired="running") == pytest.approx(10.0)
    running = when(sim, new.id, state="running")
    assert when(sim, old.id, desired="shutdown") == pytest.approx(running)
    assert running > 10.0


def test_replicas_only_change_does_not_start_an_update() -> None:
    sim = make_sim()
    svc = sim.state.create_service(BASE)
    sim.env.run(until=10)
    sim.state.update_service("web", dataclasses.replace(BASE, replicas=4))
    sim.env.run(until=30)
    assert svc.update_state == ""
    assert len(live(sim)) == 4


def oom(spec: ServiceSpec, image: str) -> ServiceSpec:
    """A version whose container is OOM-killed as soon as it runs."""
    return dataclasses.replace(
        spec, image=image, sim=SimParams(memory_used=200 << 20),
        resources=ResourceRequirements(limits=Resources(memory_bytes=100 << 20)))


def test_failure_pauses_the_update() -> None:
    sim = make_sim()
    svc = sim.state.create_service(BASE)
    sim.env.run(until=10)
    sim.state.update_service("web", oom(BASE, "nginx:2"))
    sim.env.run(until=10.01)
    (first,) = [t for t in sim.state.tasks_of("web") if t.spec.image == "nginx:2"]
    sim.env.run(until=60)
    assert when(sim, first.id, state="failed") == pytest.approx(13.05)
    assert first.exit_code == 137
    assert svc.update_state == "paused"
    assert svc.update_message == (
        f"update paused due to failure or early termination of task {first.id}")
    # slots 2 and 3 were never touched; slot 1 keeps restarting with the new spec
    untouched = [t for t in live(sim) if t.spec.image == "nginx:1"]
    assert sorted(t.slot for t in untouched) == [2, 3]
    assert all(t.state == S.RUNNING for t in untouched)
    # a user update clears the pause and updates again
    sim.state.update_service("web", dataclasses.replace(BASE, image="nginx:3"))
    assert svc.update_state == ""
    sim.env.run(until=100)
    assert svc.update_state == "completed"
    assert all(t.spec.image == "nginx:3" and t.state == S.RUNNING for t in live(sim))


def test_continue_ignores_failures() -> None:
    sim = make_sim()
    spec = dataclasses.replace(BASE, update=UpdateConfig(failure_action="continue"))
    svc = sim.state.create_service(spec)
    sim.env.run(until=10)
    sim.state.update_service("web", dataclasses.replace(spec, image="nginx:2",
                                                        sim=SimParams(mtbf_s=0.01)))
    sim.env.run(until=60)
    assert svc.update_state == "completed"
    assert {t.slot for t in sim.state.tasks_of("web") if t.spec.image == "nginx:2"} == {1, 2, 3}


def test_automatic_rollback_with_nothing_left_to_undo_completes_at_once() -> None:
    sim = make_sim()
    spec = dataclasses.replace(BASE, update=UpdateConfig(failure_action="rollback"))
    svc = sim.state.create_service(spec)
    sim.env.run(until=10)
    sim.state.update_service("web", oom(spec, "nginx:2"))
    sim.env.run(until=13.1)
    # the failed slot is restarted from the rolled-back spec: nothing is dirty any more
    assert (svc.update_state, svc.update_message) == ("rollback_completed", "rollback completed")
    assert svc.spec == spec and svc.previous_spec is None
    sim.env.run(until=30)
    tasks = live(sim)
    assert len(tasks) == 3 and all(t.spec.image == "nginx:1" and t.state == S.RUNNING
                                   for t in tasks)


def test_automatic_rollback_undoes_updated_slots() -> None:
    sim = make_sim()
    spec = dataclasses.replace(BASE, update=UpdateConfig(failure_action="rollback"),
                               rollback=UpdateConfig(parallelism=0))
    svc = sim.state.create_service(spec)
    sim.env.run(until=10)
    sim.state.update_service("web", dataclasses.replace(spec, image="nginx:2"))
    sim.env.run(until=14)
    first = next(t for t in live(sim) if t.slot == 1)
    assert first.spec.image == "nginx:2" and first.state == S.RUNNING  # since 13.05
    sim.agent.kill(first, 1)  # within the 5 s monitor: a failure
    sim.env.run(until=14.01)
    assert svc.update_state == "rollback_started"
    assert svc.update_message == (
        f"update rolled back due to failure or early termination of task {first.id}")
    assert svc.spec == spec and svc.previous_spec is None
    sim.env.run(until=16)
    # slot 2 was being updated: the rollback replaced its new task at once
    slot2 = [t for t in sim.state.tasks_of("web") if t.slot == 2]
    assert [t.spec.image for t in slot2] == ["nginx:1", "nginx:2", "nginx:1"]
    assert when(sim, slot2[2].id, state="new") == pytest.approx(14.0)
    sim.env.run(until=40)
    assert (svc.update_state, svc.update_message) == ("rollback_completed", "rollback completed")
    tasks = live(sim)
    assert len(tasks) == 3 and all(t.spec.image == "nginx:1" and t.state == S.RUNNING
                                   for t in tasks)


def test_manual_rollback() -> None:
    sim = make_sim()
    svc = sim.state.create_service(BASE)
    with pytest.raises(ValueError, match=f"service {svc.id} does not have a previous spec"):
        sim.updater.rollback("web")
    sim.env.run(until=10)
    sim.state.update_service("web", dataclasses.replace(BASE, image="nginx:2"))
    sim.env.run(until=40)
    assert svc.update_state == "completed"
    sim.updater.rollback("web")
    assert (svc.update_state, svc.update_message) == ("rollback_started",
                                                      "manually requested rollback")
    assert svc.spec == BASE and svc.previous_spec.image == "nginx:2"
    sim.env.run(until=80)
    assert svc.update_state == "rollback_completed"
    assert all(t.spec.image == "nginx:1" for t in live(sim))


def test_new_update_cancels_the_running_one() -> None:
    sim = make_sim()
    svc = sim.state.create_service(BASE)
    sim.env.run(until=10)
    sim.state.update_service("web", dataclasses.replace(BASE, image="nginx:2"))
    sim.env.run(until=12)
    sim.state.update_service("web", dataclasses.replace(BASE, image="nginx:3"))
    sim.env.run(until=60)
    assert svc.update_state == "completed"
    images = sorted(t.spec.image for t in live(sim))
    assert images == ["nginx:3"] * 3
    # the first run never got past slot 1
    assert sum(t.spec.image == "nginx:2" for t in sim.state.tasks_of("web")) == 1


def test_global_update_replaces_on_the_same_node() -> None:
    sim = make_sim()
    spec = ServiceSpec(name="agent", image="a:1", mode="global", replicas=0)
    svc = sim.state.create_service(spec)
    sim.env.run(until=10)
    sim.state.update_service("agent", dataclasses.replace(spec, image="a:2"))
    sim.env.run(until=60)
    assert svc.update_state == "completed"
    tasks = live(sim, "agent")
    assert sorted(t.node_id for t in tasks) == [A, B, C]
    assert all(t.spec.image == "a:2" and t.preassigned for t in tasks)


def test_placement_only_update_keeps_tasks() -> None:
    sim = make_sim()
    svc = sim.state.create_service(BASE)
    sim.env.run(until=10)
    before = {t.id for t in live(sim)}
    sim.state.update_service("web", dataclasses.replace(
        BASE, placement=Placement(preferences=("node.labels.zone",))))
    sim.env.run(until=30)
    assert {t.id for t in live(sim)} == before
    assert svc.update_state == ""


def test_new_registry_credentials_alone_do_not_replace_running_tasks():
    """Swarm's dirty check ignores pull options for ready and running tasks, so a
    re-deploy that only adds --with-registry-auth leaves the tasks alone."""
    from dataclasses import replace as _replace

    from swarmsim.cluster.tasks import Task as _Task
    from swarmsim.input.specs import ServiceSpec as _Spec
    from swarmsim.manager.updater import is_task_dirty

    old = _Spec(name="app_web", image="registry.example.com/web:1")
    new = _replace(old, registry_auth=True)
    task = _Task(id="t" * 25, service=old.name, spec=old, spec_version=1, slot=1,
                 node_id=None, created=0.0)
    assert not is_task_dirty(task, new, None, 2)
    assert is_task_dirty(task, _replace(old, image="registry.example.com/web:2"), None, 2)
