"""Updates and rollbacks racing restarts: no slot keeps two tasks meant to run.

SwarmKit's updater works from a snapshot of each slot, so a task the restart
supervisor creates meanwhile can leave a slot with two tasks desired running.  Its
``completeUpdate`` writes the service; on that event the replicated orchestrator
reconciles (manager/orchestrator/replicated/services.go, handleServiceEvent ->
reconcile) and hands the slot, dirty because it holds more than one task
(``isSlotDirty``), to a new updater whose worker keeps one clean task and shuts the
others down (manager/orchestrator/update/updater.go, worker -> useExistingTask).
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from swarmsim.app.run import run_scenario
from swarmsim.cluster.tasks import TaskState
from swarmsim.input.scenario import load_scenario

RUNNING = TaskState.RUNNING


def _compose(image: str, replicas: int, deploy: str, crash: bool) -> str:
    sim = "    x-swarmsim:\n      mtbf: 3s\n" if crash else ""
    return (
        f'version: "3.8"\nservices:\n  web:\n    image: example/web:{image}\n'
        f"    deploy:\n      replicas: {replicas}\n{textwrap.indent(deploy, '      ')}{sim}"
    )


def _run(tmp: Path, seed: int, replicas: int, deploy: str, steps: list[str], until: float):
    (tmp / "v1.yml").write_text(_compose("1", replicas, deploy, False))
    (tmp / "v2.yml").write_text(_compose("2", replicas, deploy, False))
    (tmp / "bad.yml").write_text(_compose("3", replicas, deploy, True))
    timeline = "".join(f"  - {s}\n" for s in steps)
    (tmp / "s.yaml").write_text(
        f"seed: {seed}\nuntil: {until:g}s\nnodes:\n  - {{name: m, role: manager}}\n"
        f"  - {{name: w1}}\n  - {{name: w2}}\nstacks:\n  app: v1.yml\n"
        + (f"timeline:\n{timeline}" if steps else "")
    )
    return run_scenario(load_scenario(tmp / "s.yaml")).sim


def _meant_to_run(sim) -> dict[int, list[str]]:
    slots: dict[int, list[str]] = {}
    for t in sim.state.tasks_of("app_web"):
        if t.desired == RUNNING:
            slots.setdefault(t.slot, []).append(t.id)
    return slots


ROLLBACK_RACE = textwrap.dedent("""\
    update_config: {parallelism: 1, delay: 2s, failure_action: rollback, monitor: 10s,
                    max_failure_ratio: 0.3}
    restart_policy: {delay: 1s}
    """)


def test_rollback_racing_restarts_leaves_one_task_per_slot(tmp_path):
    # seed 6 of this scenario left slots 2 and 3 with two tasks each (5 running of 3)
    # until the end of the run, with "rollback_completed"
    sim = _run(tmp_path, 6, 3, ROLLBACK_RACE,
               ['{at: 20s, run: "docker stack deploy -c bad.yml app"}'], 300)
    slots = _meant_to_run(sim)
    assert sorted(slots) == [1, 2, 3]
    assert all(len(ids) == 1 for ids in slots.values()), slots
    running = [t for t in sim.state.tasks_of("app_web") if t.state == RUNNING]
    assert len(running) == 3
    assert {t.spec.image for t in running} == {"example/web:1"}
    # the clean-up run that follows the rollback is an update run of its own: SwarmKit's
    # Run takes the update config when the status is not ROLLBACK_STARTED and
    # completeUpdate then writes COMPLETED / "update completed"
    svc = sim.state.services["app_web"]
    assert (svc.update_state, svc.update_message) == ("completed", "update completed")


_ACTIONS = st.sampled_from([
    '"docker stack deploy -c v2.yml app"',
    '"docker stack deploy -c v1.yml app"',
    '"docker stack deploy -c bad.yml app"',
    '"docker service rollback app_web"',
    '"docker service update --force app_web"',
    "kill",
    "fail",
])


@st.composite
def _worlds(draw):
    replicas = draw(st.integers(1, 4))
    parallelism = draw(st.integers(0, 2))
    action = draw(st.sampled_from(["pause", "rollback", "continue"]))
    order = draw(st.sampled_from(["stop-first", "start-first"]))
    monitor = draw(st.integers(1, 10))
    delay = draw(st.integers(0, 3))
    restart_delay = draw(st.integers(0, 3))
    ratio = draw(st.sampled_from([0, 0.3, 0.5]))
    deploy = (
        f"update_config: {{parallelism: {parallelism}, delay: {delay}s, failure_action: "
        f"{action}, monitor: {monitor}s, max_failure_ratio: {ratio}, order: {order}}}\n"
        f"rollback_config: {{parallelism: {parallelism}, delay: {delay}s, monitor: {monitor}s, "
        f"order: {order}}}\n"
        f"restart_policy: {{delay: {restart_delay}s}}\n"
    )
    steps = []
    times = sorted(draw(st.lists(st.integers(5, 90), min_size=1, max_size=6)))
    for at in times:
        what = draw(_ACTIONS)
        if what == "kill":
            slot = draw(st.integers(1, replicas))
            steps.append(f"{{at: {at}s, kill: app_web.{slot}, exit_code: 1}}")
        elif what == "fail":
            node = draw(st.sampled_from(["w1", "w2"]))
            back = at + draw(st.integers(5, 40))
            steps.append(f"{{at: {at}s, fail: {node}}}")
            steps.append(f"{{at: {back}s, recover: {node}}}")
        else:
            steps.append(f"{{at: {at}s, run: {what}}}")
    # a last deploy of a version that does not crash, so that things settle
    last = max(times) + 45
    steps.append(f'{{at: {last}s, run: "docker stack deploy -c v{1 + last % 2}.yml app"}}')
    return draw(st.integers(0, 50)), replicas, deploy, steps, last + 240.0


def _settles_with_one_task_per_slot(tmp: Path, world) -> None:
    seed, replicas, deploy, steps, until = world
    slots = _meant_to_run(_run(tmp, seed, replicas, deploy, steps, until))
    assert all(len(ids) == 1 for ids in slots.values()), (slots, steps)
    assert len(slots) == replicas


_PROPS = settings(deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))


@pytest.mark.slow
@settings(_PROPS, max_examples=40)
@given(_worlds())
def test_once_settled_no_slot_has_two_tasks_meant_to_run(tmp_path_factory, world):
    _settles_with_one_task_per_slot(tmp_path_factory.mktemp("race"), world)


@settings(_PROPS, max_examples=8)
@given(_worlds())
def test_once_settled_no_slot_has_two_tasks_meant_to_run_quick(tmp_path_factory, world):
    _settles_with_one_task_per_slot(tmp_path_factory.mktemp("race"), world)
