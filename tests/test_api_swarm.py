"""The real docker CLI joins a served machine to the simulated swarm, updates the
swarm's settings (which reach the task reaper and the dispatcher), and waits for a
service it creates without ``-d`` to converge while the simulated clock runs."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request

import pytest
from api_helpers import DATA, DOCKER, docker, own, served

from swarmsim.commands import run_command
from swarmsim.input.scenario import load_scenario
from swarmsim.shell import Session

pytestmark = pytest.mark.skipif(DOCKER is None, reason="needs the docker CLI")
SPEC = "{{json .Swarm.Cluster.Spec}}"


def _manager_addr(srv):
    state = srv.view.sim.state
    return srv.call(lambda: next(n.spec.addr for n in state.nodes.values()
                                 if n.spec.name == "myvm1"))


@pytest.mark.parametrize("role", ["worker", "manager"])
def test_swarm_join_through_the_cli(role):
    """The served engine is myvm3's, outside the swarm: `docker swarm join` with the
    token prints what swarmsim's own `docker swarm join` prints on a twin, and the
    node is then in the manager's node list."""
    with served("outsider.yaml", speed=20, machine="myvm3") as srv:
        sim = srv.view.sim
        tokens = srv.call(lambda: sim.join_tokens)
        token = tokens[0] if role == "worker" else tokens[1]
        addr = _manager_addr(srv) + ":2377"
        assert docker(srv, "info", "--format", "{{.Swarm.LocalNodeState}}").stdout == (
            "inactive\n")
        bad = docker(srv, "swarm", "join", "--token", token[:-3] + "xyz", addr)
        real = docker(srv, "swarm", "join", "--token", token, addr)
        twin = Session.start(load_scenario(DATA / "outsider.yaml"))
        twin_bad = run_command(twin.sim, f"docker swarm join --token {token[:-3]}xyz {addr}",
                               on="myvm3")
        expected = run_command(twin.sim, f"docker swarm join --token {token} {addr}",
                               on="myvm3")
        assert (bad.returncode, bad.stderr) == (1, twin_bad.error)
        assert (real.returncode, real.stdout) == (0, expected.output)
        assert real.stdout == f"This node joined a swarm as a {role}.\n"
        rows = own(srv, "docker node ls", "myvm1")[0].splitlines()
        assert any(" myvm3 " in r and " Ready " in r for r in rows)
        listed = docker(srv, "node", "ls")
        if role == "worker":
            assert listed.returncode == 1
            assert "This node is not a swarm manager" in listed.stderr
        else:  # myvm3 is now a manager: it lists the nodes itself
            assert listed.returncode == 0, listed.stderr
            names = {c for r in listed.stdout.splitlines()[1:] for c in r.split()}
            assert {"myvm1", "myvm2", "myvm3"} <= names


def test_swarm_update_task_history_limit_reaches_the_reaper():
    """SwarmKit keeps TaskHistoryRetentionLimit tasks per slot, the current one
    included (taskreaper): with 2, four forced updates leave two tasks in the slot."""
    with served("three.yaml", speed=40) as srv:
        real = docker(srv, "swarm", "update", "--task-history-limit", "2")
        assert (real.returncode, real.stdout) == (0, "Swarm updated.\n")
        spec = json.loads(docker(srv, "info", "--format", SPEC).stdout)
        assert spec["Orchestration"]["TaskHistoryRetentionLimit"] == 2
        assert docker(srv, "service", "create", "-d", "--name", "web", "nginx:1.25"
                      ).returncode == 0
        for _ in range(4):
            time.sleep(0.3)
            assert docker(srv, "service", "update", "-d", "--force", "web").returncode == 0
        time.sleep(1.0)
        rows = docker(srv, "service", "ps", "-q", "web").stdout.split()
        assert len(rows) == 2
        # a client holding an old version is refused, as SwarmKit refuses it
        body = json.dumps(spec).encode()
        req = urllib.request.Request(f"http://127.0.0.1:{srv.port}/v1.47/swarm/update"
                                     "?version=10", data=body, method="POST",
                                     headers={"Content-Type": "application/json"})
        with pytest.raises(urllib.error.HTTPError) as err:
            urllib.request.urlopen(req, timeout=30)
        assert err.value.code == 500
        assert json.loads(err.value.read())["message"] == (
            "rpc error: code = Unknown desc = update out of sequence")
        locked = docker(srv, "swarm", "update", "--autolock=true")
        assert (locked.returncode, locked.stderr) == (
            1, "Error response from daemon: swarmsim: autolock (docker swarm update "
               "--autolock) is not simulated\n")
        assert json.loads(docker(srv, "info", "--format", SPEC).stdout) == spec
        neg = docker(srv, "swarm", "update", "--dispatcher-heartbeat", "-1s")
        assert neg.returncode == 1
        assert neg.stderr.strip().endswith("heartbeat time period cannot be a negative "
                                           "duration")


def test_dispatcher_heartbeat_sets_how_soon_a_dead_node_is_seen():
    """A node is marked down 3 heartbeat periods after its last beat (SwarmKit
    dispatcher: grace = period x 3, period = heartbeat +- 0.5 s): with 1 s, 1 to 4.5 s
    after the crash instead of the default's 9 to 16.5 s."""
    with served("three.yaml", speed=20) as srv:
        real = docker(srv, "swarm", "update", "--dispatcher-heartbeat", "1s")
        assert real.returncode == 0, real.stderr
        spec = json.loads(docker(srv, "info", "--format", SPEC).stdout)
        assert spec["Dispatcher"]["HeartbeatPeriod"] == 1_000_000_000
        state = srv.view.sim.state
        node = srv.call(lambda: next(n for n in state.nodes.values()
                                     if n.spec.name == "myvm2"))
        crashed = srv.call(lambda: (state.set_alive(node.id, False), srv.view.sim.now)[1])
        for _ in range(100):
            time.sleep(0.05)
            if srv.call(lambda: node.spec.status) == "down":
                break
        seen = srv.call(lambda: node.down_since)
        assert 1.0 < seen - crashed <= 4.5
        assert "Down" in docker(srv, "node", "ls").stdout


def test_service_create_without_detach_waits_until_converged():
    """Without -d the CLI follows the tasks (its progress display, then five seconds
    of stability) and returns once the simulated tasks run."""
    with served("three.yaml", speed=20) as srv:
        real = docker(srv, "service", "create", "--name", "web", "--replicas", "3",
                      "nginx:1.25", timeout=120)
        assert real.returncode == 0, real.stderr
        lines = real.stdout.splitlines()
        sid = srv.call(lambda: srv.view.sim.state.services["web"].id)
        assert lines[0] == sid
        assert "overall progress: 3 out of 3 tasks" in lines
        assert lines[-1] == f"verify: Service {sid} converged"
        running = srv.call(lambda: sum(t.state.name == "RUNNING"
                                       for t in srv.view.sim.state.tasks.values()))
        assert running == 3
