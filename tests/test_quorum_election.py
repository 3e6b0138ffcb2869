"""A majority of managers that comes back elects a leader one election timeout later,
even when the old leader never went down: SwarmKit runs raft with CheckQuorum
(moby/swarmkit manager/state/raft/raft.go, DefaultNodeConfig: CheckQuorum true,
ElectionTick 10, HeartbeatTick 1; TickInterval 1 s), so a leader cut off from its
majority steps down and the regained majority must elect again."""

from pathlib import Path

from swarmsim.app.run import CommandEvent, run_scenario
from swarmsim.cluster.tasks import TaskState
from swarmsim.foundation import defaults
from swarmsim.input.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[1]
COMPOSE = ROOT / "scenarios" / "compose" / "getstarted-part3.yml"
NO_LEADER = "The swarm does not have a leader"


def quorum_run(tmp_path, timeline: str, until: str = "4m"):
    (tmp_path / "lab.yml").write_text(COMPOSE.read_text())
    path = tmp_path / "q.yaml"
    path.write_text(
        f"name: q\nseed: 0\nuntil: {until}\nnodes:\n"
        "  - {name: 'manager{i}', count: 3, role: manager}\n"
        "  - {name: 'worker{i}', count: 2}\n"
        f"stacks: {{lab: lab.yml}}\ntimeline:\n{timeline}")
    return run_scenario(load_scenario(path))


def commands(result):
    return {(e.time, e.command): e for e in result.log
            if isinstance(e, CommandEvent) and e.kind == "command"}


def test_election_timeout_is_swarmkits():
    assert defaults.RAFT_ELECTION_S == 10 * 1.0  # ElectionTick x TickInterval


def test_old_leader_alive_regained_majority_waits_for_the_election(tmp_path):
    # manager1 (the leader) stays up; manager2 and manager3 go down: no majority.
    # manager2 comes back at 150 s: a majority again, but no leader until 160 s.
    timeline = (
        "  - {at: 60s, fail: manager2}\n"
        "  - {at: 60s, fail: manager3}\n"
        "  - {at: 150s, recover: manager2}\n"
        "  - {at: 155s, run: 'docker service scale lab_web=8', on: manager1}\n"
        "  - {at: 161s, run: 'docker service scale lab_web=8', on: manager1}\n")
    result = quorum_run(tmp_path, timeline)
    ran = commands(result)
    assert NO_LEADER in ran[(155.0, "docker service scale lab_web=8")].error
    ok = ran[(161.0, "docker service scale lab_web=8")]
    assert ok.exit_code == 0, ok.error
    sim = result.sim
    assert sim.has_leader
    tasks = list(sim.state.tasks_of("lab_web"))
    # before this fix the lost task of slot 5 was re-created at 150.0 s and the scale
    # at 150.5 s was accepted: nothing may happen between the recovery and the election
    assert not [t for t in tasks if 150.0 <= t.created < 150.0 + defaults.RAFT_ELECTION_S]
    added = [t for t in tasks if t.slot > 5]
    assert sorted(t.slot for t in added) == [6, 7, 8]
    assert all(t.created >= 161.0 for t in added)


def test_no_task_is_placed_between_the_recovery_and_the_election(tmp_path):
    # worker1 dies while the majority is lost; its tasks are re-placed only once a
    # leader exists again: 10 s after manager2 recovers, not at once
    timeline = (
        "  - {at: 60s, fail: manager2}\n"
        "  - {at: 60s, fail: manager3}\n"
        "  - {at: 75s, fail: worker1}\n"
        "  - {at: 150s, recover: manager2}\n")
    result = quorum_run(tmp_path, timeline)
    sim = result.sim
    later = [t for t in sim.state.tasks_of("lab_web") if t.created > 0.0]
    assert later, "worker1's tasks are replaced once there is a leader"
    first = min(t.created for t in later)
    assert 150.0 + defaults.RAFT_ELECTION_S <= first < 150.0 + defaults.RAFT_ELECTION_S + 20
    assert all(t.state != TaskState.PENDING or t.created >= 160.0 for t in later)


def test_a_brief_majority_does_not_finish_an_election(tmp_path):
    # back at 150 s, lost again at 155 s, back at 157 s: the leader comes at 167 s
    timeline = (
        "  - {at: 60s, fail: manager2}\n"
        "  - {at: 60s, fail: manager3}\n"
        "  - {at: 150s, recover: manager2}\n"
        "  - {at: 155s, fail: manager2}\n"
        "  - {at: 157s, recover: manager2}\n"
        "  - {at: 166s, run: 'docker service ls', on: manager1}\n"
        "  - {at: 168s, run: 'docker service ls', on: manager1}\n")
    ran = commands(quorum_run(tmp_path, timeline))
    assert NO_LEADER in ran[(166.0, "docker service ls")].error
    assert ran[(168.0, "docker service ls")].exit_code == 0


def test_a_worker_change_does_not_restart_the_election(tmp_path):
    timeline = (
        "  - {at: 60s, fail: manager2}\n"
        "  - {at: 60s, fail: manager3}\n"
        "  - {at: 150s, recover: manager2}\n"
        "  - {at: 155s, fail: worker2}\n"
        "  - {at: 161s, run: 'docker service ls', on: manager1}\n")
    ran = commands(quorum_run(tmp_path, timeline))
    assert ran[(161.0, "docker service ls")].exit_code == 0
