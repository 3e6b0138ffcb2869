"""Whole-scenario timings against swarm's documented behaviour (swarm-semantics §2-§5)."""

from pathlib import Path

import pytest

from swarmsim.app.run import run_scenario
from swarmsim.cluster.tasks import TaskState
from swarmsim.input.scenario import load_scenario

COMPOSE = """\
version: "3.8"
services:
  web:
    image: nginx
    deploy:
      replicas: {replicas}
{extra}
"""


def scenario(tmp_path: Path, timeline: str, *, replicas: int = 4, extra: str = "",
             nodes: str | None = None, until: str = "3m", seed: int = 0):
    (tmp_path / "c.yml").write_text(COMPOSE.format(replicas=replicas, extra=extra))
    nodes = nodes or (
        "  - name: m1\n    role: manager\n    cpus: 4\n    memory: 4G\n"
        "  - name: w{i}\n    count: 2\n    cpus: 4\n    memory: 4G\n"
    )
    text = f"seed: {seed}\nuntil: {until}\nnodes:\n{nodes}stacks:\n  app: c.yml\n"
    if timeline:
        text += "timeline:\n" + timeline
    path = tmp_path / "s.yaml"
    path.write_text(text)
    return load_scenario(path)


def task_events(result, **match):
    out = []
    for e in result.sim.events:
        if getattr(e, "kind", None) != "task":
            continue
        if all(getattr(e, k) == v for k, v in match.items()):
            out.append(e)
    return out


def first_time(events, **match):
    for e in events:
        if all(getattr(e, k) == v for k, v in match.items()):
            return e.time
    return None


def test_deploy_reaches_running_after_pull_and_startup(tmp_path):
    result = run_scenario(scenario(tmp_path, ""), until=30.0)
    tasks = list(result.sim.state.tasks.values())
    assert len(tasks) == 4
    assert all(t.state == TaskState.RUNNING and t.actual for t in tasks)
    # scheduled within the 50 ms debounce, then 2 s pull + 1 s start-up (x-swarmsim defaults)
    for t in tasks:
        ev = task_events(result, id=t.id)
        assigned = first_time(ev, state="assigned")
        running = first_time(ev, state="running")
        assert assigned == pytest.approx(0.05)
        assert running == pytest.approx(0.05 + 2.0 + 1.0)


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_node_crash_is_noticed_between_68_and_76_5_seconds(tmp_path, seed):
    sc = scenario(tmp_path, "  - {at: 60s, fail: w1}\n", seed=seed)
    result = run_scenario(sc, until=150.0)
    sim = result.sim
    w1 = sim.machines["w1"].id
    down = [e for e in sim.events if getattr(e, "kind", None) == "node" and e.node == "w1"
            and e.status == "down"]
    assert len(down) == 1
    assert 68.0 <= down[0].time <= 76.5
    # the containers died at 60 s, but the manager still shows them running, desired shutdown
    on_w1 = [t for t in sim.state.tasks.values() if t.node_id == w1]
    assert on_w1
    for t in on_w1:
        assert t.state == TaskState.RUNNING
        assert t.desired == TaskState.SHUTDOWN
        assert not t.actual
    # replacements: created when the node is marked down, desired running 5 s later
    # (restart delay), running after start-up (the pull happens during the delay)
    replacements = [t for t in sim.state.tasks.values() if t.created > 60.0]
    assert len(replacements) == len(on_w1)
    for t in replacements:
        assert t.created == pytest.approx(down[0].time)
        assert t.node_id != w1
        assert t.state == TaskState.RUNNING
        running = first_time(task_events(result, id=t.id), state="running")
        assert running == pytest.approx(down[0].time + 0.05 + 5.0 + 1.0, abs=1.0)


def test_recovered_node_gets_nothing_back(tmp_path):
    sc = scenario(tmp_path, "  - {at: 60s, fail: w1}\n  - {at: 120s, recover: w1}\n")
    sim = run_scenario(sc, until=170.0).sim
    w1 = sim.machines["w1"].id
    live = [t for t in sim.state.tasks.values()
            if t.node_id == w1 and t.desired <= TaskState.RUNNING]
    assert live == []  # no rebalancing (moby#24103)
    old = [t for t in sim.state.tasks.values() if t.node_id == w1]
    assert all(t.state == TaskState.SHUTDOWN for t in old)
    assert sum(t.state == TaskState.RUNNING for t in sim.state.tasks.values()) == 4


def test_drain_moves_tasks_without_restart_delay(tmp_path):
    sc = scenario(tmp_path, '  - {at: 30s, run: "docker node update --availability drain w1"}\n')
    result = run_scenario(sc, until=60.0)
    sim = result.sim
    w1 = sim.machines["w1"].id
    moved = [t for t in sim.state.tasks.values() if t.created >= 30.0]
    assert moved
    for t in moved:
        assert t.node_id != w1
        # no 5 s delay: prepared at once, started once the old task stopped
        running = first_time(task_events(result, id=t.id), state="running")
        assert running < 30.0 + 5.0
    assert all(t.state == TaskState.SHUTDOWN for t in sim.state.tasks.values()
               if t.node_id == w1)


def test_same_seed_same_events(tmp_path):
    sc = scenario(tmp_path, "  - {at: 60s, fail: w1}\n  - {at: 100s, recover: w1}\n")
    a = run_scenario(sc, until=150.0).sim.events
    b = run_scenario(sc, until=150.0).sim.events
    assert a == b


HEALTH = """\
    healthcheck:
      test: ["CMD", "true"]
      interval: 10s
      retries: 2
"""


def test_healthcheck_keeps_task_starting_until_first_healthy_probe(tmp_path):
    # first probe 10 s (interval) after the container starts; start-up itself takes 1 s
    sc = scenario(tmp_path, "", replicas=1, extra=HEALTH)
    result = run_scenario(sc, until=30.0)
    (task,) = result.sim.state.tasks.values()
    ev = task_events(result, id=task.id)
    starting = first_time(ev, state="starting")
    assert starting == pytest.approx(0.05 + 2.0)
    assert first_time(ev, state="running") == pytest.approx(starting + 10.0)


def test_unhealthy_container_fails_after_retries_and_is_replaced(tmp_path):
    extra = HEALTH + "    x-swarmsim:\n      unhealthy_after: 15s\n"
    sc = scenario(tmp_path, "", replicas=1, extra=extra)
    result = run_scenario(sc, until=120.0)
    first = min(result.sim.state.tasks.values(), key=lambda t: t.created)
    ev = task_events(result, id=first.id)
    started = first_time(ev, state="starting")
    # healthy at +10 s; probes fail from +25 s: the probes at +30 s and +40 s fail
    # (retries 2) -> unhealthy at +40 s, stopped with a 10 s grace -> failed at +50 s
    failed = first_time(ev, state="failed")
    assert failed == pytest.approx(started + 50.0)
    assert first.error == "task: non-zero exit (137): dockerexec: unhealthy container"
    # the restart policy (any, 5 s) replaces it in the same slot
    later = [t for t in result.sim.state.tasks.values() if t.created > first.created]
    assert later and later[0].slot == first.slot


def test_a_machine_that_joins_later_receives_tasks(tmp_path):
    # myvm2 exists but has not joined; it joins with the worker token at 10 s and the
    # scale-up at 20 s spreads onto it (the emptiest node)
    nodes = ("  - name: m1\n    role: manager\n    cpus: 4\n    memory: 4G\n"
             "  - name: late\n    cpus: 4\n    memory: 4G\n    joined: false\n")
    timeline = (
        '  - {at: 10s, run: "docker swarm join --token $(docker swarm join-token -q worker) '
        '192.168.99.100:2377", on: late}\n'
        '  - {at: 20s, run: "docker service scale app_web=4"}\n'
    )
    sc = scenario(tmp_path, timeline, replicas=2, nodes=nodes, until="40s")
    result = run_scenario(sc)
    sim = result.sim
    late = [n for n in sim.state.nodes.values() if n.spec.name == "late"]
    assert len(late) == 1 and late[0].spec.status == "ready"
    on_late = [t for t in sim.state.tasks.values()
               if t.node_id == late[0].id and t.state == TaskState.RUNNING]
    assert len(on_late) == 2  # 2 new replicas both go to the empty node
