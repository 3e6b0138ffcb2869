"""Node liveness as a computed deadline (SwarmKit dispatcher: heartbeat 5 s +- 0.5 s,
grace x3)."""

from hypothesis import given
from hypothesis import strategies as st

from swarmsim.manager.liveness import choose_period, detection_deadline

unit = st.floats(min_value=0.0, max_value=1.0, exclude_max=True)


@given(unit)
def test_period_is_five_seconds_plus_minus_half(u):
    assert 4.5 <= choose_period(u) <= 5.5


# SwarmKit manager/dispatcher/nodes.go, nodeStore.Heartbeat: one period p = Choose() per
# heartbeat; the node beats again after p and the timer is 3p.  A crash u*p into the
# period is noticed (3 - u) p later: more than 2 x 4.5 = 9 s, at most 3 x 5.5 = 16.5 s.
# (The window was 8-16.5 s while period and grace were drawn apart.)
@given(unit, unit)
def test_a_crash_at_60s_is_noticed_after_69s_and_by_76_5s(u1, u2):
    deadline = detection_deadline(60.0, u1, u2)
    assert 69.0 <= deadline <= 76.5


def test_extremes_by_hand():
    # shortest period 4.5 s, the crash at the very end of it: 3 x 4.5 - 4.5 = 9 s
    assert detection_deadline(60.0, 1.0, 0.0) == 60.0 - 4.5 + 13.5
    # longest period 5.5 s, the crash just after its heartbeat: 3 x 5.5 = 16.5 s
    assert detection_deadline(60.0, 0.0, 1.0) == 60.0 + 16.5
    # grace and wait share the period: a 5 s period and a crash 2 s in is noticed 13 s on
    assert detection_deadline(60.0, 0.4, 0.5) == 60.0 - 2.0 + 15.0


# --- in a run -----------------------------------------------------------------------

import textwrap  # noqa: E402

from swarmsim.app.run import run_scenario  # noqa: E402
from swarmsim.input.scenario import load_scenario  # noqa: E402


def _run(tmp_path, nodes: str, timeline: str = "", seed: int = 0, replicas: int = 6):
    (tmp_path / "c.yml").write_text(
        f"services:\n  web:\n    image: nginx\n    deploy:\n      replicas: {replicas}\n"
    )
    (tmp_path / "s.yaml").write_text(
        f"seed: {seed}\nuntil: 2m\nnodes:\n{textwrap.dedent(nodes)}stacks:\n  app: c.yml\n"
        + (f"timeline:\n{textwrap.dedent(timeline)}" if timeline else "")
    )
    return run_scenario(load_scenario(tmp_path / "s.yaml"))


def _downs(result, node):
    return [e.time for e in result.sim.events
            if getattr(e, "kind", None) == "node" and e.node == node and e.status == "down"]


def test_a_crash_is_noticed_within_the_window_in_a_run(tmp_path):
    # SwarmKit manager/dispatcher/nodes.go: (3 - u) p after the crash, p in [4.5, 5.5]
    noticed = []
    for seed in range(12):
        result = _run(tmp_path, "- {name: m, role: manager}\n- {name: w}\n",
                      "- {at: 30s, fail: w}\n", seed=seed)
        (down,) = _downs(result, "w")
        noticed.append(down - 30.0)
    assert all(9.0 <= d <= 16.5 for d in noticed), noticed
    assert len(set(noticed)) > 1  # drawn, not fixed


def test_a_node_down_in_the_scenario_gets_no_task_until_it_recovers(tmp_path):
    # a node whose status is down fails the scheduler's ReadyFilter (SwarmKit
    # manager/scheduler/filter.go); the machine is off, so it does not re-register until
    # it comes back (manager/dispatcher/dispatcher.go: a node is ready on register)
    result = _run(
        tmp_path,
        "- {name: m, role: manager}\n- {name: w1}\n- {name: off, status: down}\n",
        "- {at: 60s, recover: off}\n",
    )
    sim = result.sim
    off = sim.state.node_by_name("off")
    placed = [e for e in sim.events if getattr(e, "kind", None) == "task"
              and getattr(e, "node", None) == "off" and e.time < 60.0]
    assert placed == []
    assert off.spec.status == "ready" and off.alive  # it registered after recovering
    ready = [e.time for e in sim.events
             if getattr(e, "kind", None) == "node" and e.node == "off" and e.status == "ready"]
    assert ready and min(ready) >= 60.0


def test_a_worker_that_leaves_is_down_at_its_heartbeat_deadline(tmp_path):
    # moby daemon/cluster/swarm.go, Cluster.Leave: a worker stops its node agent and
    # force-removes its swarm containers; nothing is sent to the managers.  SwarmKit's
    # dispatcher (manager/dispatcher/dispatcher.go, Session) returns when the stream
    # closes without changing the node, so it stays Ready until its heartbeat timer fires
    # and markNodeNotReady(DOWN, "heartbeat failure"); the replicated orchestrator then
    # restarts its tasks elsewhere (manager/orchestrator/replicated/tasks.go,
    # handleNodeChange -> restartTasksByNodeID).
    result = _run(
        tmp_path,
        "- {name: m, role: manager}\n- {name: w}\n",
        "- {at: 30s, run: docker swarm leave, on: w}\n",
        replicas=4,
    )
    sim = result.sim
    (down,) = _downs(result, "w")
    assert 39.0 <= down <= 46.5
    node = sim.state.node_by_name("w")
    assert node.spec.status == "down" and node.status_message == "heartbeat failure"
    on_w = [e for e in sim.events if getattr(e, "kind", None) == "task" and e.node == "w"]
    # the containers went at 30 s: no task on w runs after the leave
    assert on_w and not any(e.actual for e in on_w if e.time >= 30.0)
    dead = [e for e in on_w if e.time >= 30.0 and not e.actual]
    assert dead and min(e.time for e in dead) == 30.0
    # the manager shut them down only once the node was down, and replaced them on m
    shut = [e.time for e in on_w if e.desired_state == "shutdown"]
    assert shut and min(shut) >= down
    running = [t for t in sim.state.tasks.values()
               if t.desired.name == "RUNNING" and t.state.name == "RUNNING"]
    assert len(running) == 4 and {sim.state.nodes[t.node_id].name for t in running} == {"m"}
