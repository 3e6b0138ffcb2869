"""``swarmsim shell`` driven through a pipe: Docker's get-started parts 4 and 5."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from swarmsim.cluster.tasks import container_id
from swarmsim.commands.getstarted import VisitCounter, data_key
from swarmsim.input.scenario import load_scenario
from swarmsim.shell import Session
from swarmsim.shell.repl import completions
from tests.shell_helpers import pipe

SCEN = Path(__file__).resolve().parents[1] / "scenarios"
PAGE = re.compile(r"^<h3>Hello World!</h3><b>Hostname:</b> ([0-9a-f]{12})<br/><b>Visits:</b> "
                  r"(.*)$")



@pytest.fixture
def in_compose_dir():
    old = os.getcwd()
    os.chdir(SCEN / "compose")
    yield
    os.chdir(old)


def test_docker_machine_create_ls_env():
    s = Session.start()
    out, err = pipe(s, "docker-machine create --driver virtualbox myvm1\n"
                       "docker-machine create --virtualbox-memory 2048 myvm2\n")
    assert err == ""
    assert out.splitlines()[-1] == ("To see how to connect your Docker Client to the Docker "
                                    "Engine running on this virtual machine, run: "
                                    "docker-machine env myvm2")
    assert s.sim.machines["myvm2"].memory_bytes == 2048 * 1024 * 1024
    out, _ = pipe(s, "eval $(docker-machine env myvm1)\ndocker-machine ls\n")
    # docker-machine's tabwriter: columns 3 spaces apart
    assert out.splitlines() == [
        "NAME    ACTIVE   DRIVER       STATE     URL                         SWARM   DOCKER"
        "    ERRORS",
        "myvm1   *        virtualbox   Running   tcp://192.168.99.100:2376           "
        "v29.7.2   ",
        "myvm2   -        virtualbox   Running   tcp://192.168.99.101:2376           "
        "v29.7.2   ",
    ]
    # the same engine version as `docker node ls` shows
    pipe(s, 'docker-machine ssh myvm1 "docker swarm init --advertise-addr 192.168.99.100"\n')
    nodes, _ = pipe(s, "docker node ls\n")
    assert nodes.splitlines()[1].split()[-1] == "29.7.2"
    out, _ = pipe(s, "docker-machine env myvm2\n")
    assert 'export DOCKER_HOST="tcp://192.168.99.101:2376"' in out.splitlines()
    assert out.splitlines()[-1] == "# eval $(docker-machine env myvm2)"
    _, err = pipe(s, "docker-machine create myvm1\n")
    assert err == 'Docker machine "myvm1" already exists\n'
    _, err = pipe(s, "docker-machine ssh myvm9 \"docker node ls\"\n")
    assert err == 'Host does not exist: "myvm9"\n'


def test_errors_appear_where_docker_prints_them():
    s = Session.start()
    pipe(s, "docker-machine create myvm1\n")
    # the laptop's engine is in no swarm
    _, err = pipe(s, "docker node ls\n")
    assert err == ("Error response from daemon: This node is not a swarm manager. Use "
                   '"docker swarm init" or "docker swarm join" to connect this node to swarm '
                   "and try again.\n")
    pipe(s, 'docker-machine ssh myvm1 "docker swarm init --advertise-addr 192.168.99.100"\n')
    _, err = pipe(s, "eval $(docker-machine env myvm1)\ndocker swarm leave\n")
    assert "Removing the last manager erases all current state of the swarm. Use `--force` " \
           "to ignore this message." in err
    out, _ = pipe(s, "eval $(docker-machine env -u)\ndocker-machine ls\n")
    assert out.splitlines()[1].split()[1] == "-"  # no active machine any more


def test_tutorial_part4_and_5(in_compose_dir):
    s = Session.start()
    out, err = pipe(s, """\
docker-machine create --driver virtualbox myvm1
docker-machine create --driver virtualbox myvm2
docker-machine ssh myvm1 "docker swarm init --advertise-addr 192.168.99.100"
""")
    assert err == ""
    # bash runs $(...) on the laptop, whose engine is in no swarm: the token is empty,
    # so `join` gets `--token 192.168.99.100:2377` and no address
    _, err = pipe(s, 'docker-machine ssh myvm2 "docker swarm join --token '
                     '$(docker swarm join-token -q worker) 192.168.99.100:2377"\n')
    assert err.startswith("Error response from daemon: This node is not a swarm manager.")
    assert "docker: 'docker swarm join' requires 1 argument\n" in err
    # the form that works: ask myvm1 for the token
    out, err = pipe(s, 'docker-machine ssh myvm2 "docker swarm join --token $(docker-machine '
                       'ssh myvm1 "docker swarm join-token -q worker") 192.168.99.100:2377"\n'
                       'docker-machine ssh myvm1 "mkdir ./data"\n')
    assert err == ""
    assert "This node joined a swarm as a worker.\n" in out
    _, err = pipe(s, 'docker-machine ssh myvm2 "docker node ls"\n')
    assert err.startswith("Error response from daemon: This node is not a swarm manager. "
                          "Worker nodes can't be used")
    out, err = pipe(s, "eval $(docker-machine env myvm1)\n"
                       "docker stack deploy -c getstarted-part5.yml getstartedlab\n")
    assert "Creating service getstartedlab_redis\n" in out
    # nothing runs before time passes; then sleep reports the tasks starting
    out, _ = pipe(s, "sleep 30s\n")
    running = [ln for ln in out.splitlines() if ln.endswith(" running")]
    assert len(running) == 7
    assert sum(" on myvm1 " in ln for ln in running) == 4  # 2 web + visualizer + redis
    out, _ = pipe(s, "docker container ls\n")
    rows = out.splitlines()
    assert rows[0].split() == ["CONTAINER", "ID", "IMAGE", "COMMAND", "CREATED", "STATUS",
                               "PORTS", "NAMES"]
    assert len(rows) == 5  # myvm1's four containers
    assert any(re.search(r"getstartedlab_redis\.1\.[0-9a-z]{25}$", r) for r in rows)
    # the app answers on both machines, counting visits in redis
    out, err = pipe(s, "curl http://192.168.99.100/\ncurl http://192.168.99.101/\n"
                       "curl http://192.168.99.101/\n")
    assert err == ""
    pages = [PAGE.match(ln) for ln in out.splitlines()]
    assert all(pages)
    assert [p.group(2) for p in pages] == ["1", "2", "3"]
    web = {container_id(t)[:12] for t in s.sim.state.tasks_of("getstartedlab_web")}
    assert {p.group(1) for p in pages} <= web
    # a port nothing publishes
    _, err = pipe(s, "curl http://192.168.99.100:4000/\n")
    # curl 7.76+ says how long it tried (here: refused at once across the host-only net)
    assert err == ("curl: (7) Failed to connect to 192.168.99.100 port 4000 after 1 ms: "
                   "Connection refused\n")


def test_redis_counter_survives_on_its_bind_mount():
    s = Session.start(load_scenario(SCEN / "tutorial-part5.yaml"))
    # the scenario's own curl at 45 s counts the first visit; ours count on
    out, _ = pipe(s, "sleep 45s\ncurl http://192.168.99.100/\ncurl http://192.168.99.100/\n")
    assert "[0:00:45] myvm1$ curl http://192.168.99.100/" in out
    assert out.splitlines()[-1].endswith("<b>Visits:</b> 3")
    # the timeline curls again at 46 s and kills redis at 50 s; redis restarts on myvm1
    # (pinned) with its data, so the count goes on
    out, _ = pipe(s, "sleep 30s\ncurl http://192.168.99.100/\n")
    assert "kill getstartedlab_redis.1" in out
    assert "<b>Visits:</b> 4" in out
    assert out.splitlines()[-1].endswith("<b>Visits:</b> 5")


def test_counter_disabled_without_redis_and_lost_without_volume(in_compose_dir):
    s = Session.start(load_scenario(SCEN / "tutorial-part4.yaml"))
    out, _ = pipe(s, "sleep 40s\ncurl http://192.168.99.101:4000/\n")
    assert out.splitlines()[-1].endswith(
        "<b>Visits:</b> <i>cannot connect to Redis, counter disabled</i>")


def test_machine_stop_takes_the_node_down():
    s = Session.start(load_scenario(SCEN / "tutorial-part5.yaml"))
    out, _ = pipe(s, "docker-machine stop myvm2\nsleep 30s\n")
    assert 'Machine "myvm2" was stopped.' in out
    assert "node myvm2 down" in out
    _, err = pipe(s, "curl http://192.168.99.101/\n")
    assert err == ("curl: (7) Failed to connect to 192.168.99.101 port 80 after 3071 ms: "
                   "No route to host\n")
    _, err = pipe(s, "eval $(docker-machine env myvm2)\n")
    assert err == "Error checking TLS connection: Host is not running\n"


def test_why_and_completion():
    s = Session.start(load_scenario(SCEN / "tutorial-part5.yaml"))
    out, _ = pipe(s, "sleep 20s\nwhy getstartedlab_redis.1\n")
    lines = out.splitlines()
    at = next(i for i, ln in enumerate(lines) if ln.startswith("getstartedlab_redis.1 ("))
    assert lines[at].endswith("is running on myvm1")
    row = lines[at + 4].split()
    assert row[:2] == ["myvm1", "pass"] and row[-4:] == ["1", "<-", "this", "task"]
    assert lines[at + 5].split(None, 1)[1].startswith(
        "constraint node.role==manager: node has role=worker")
    assert completions(s, "docker-machine s") == ["scp", "ssh", "start", "stop"]
    assert "myvm2" in completions(s, "docker-machine ssh my")
    assert completions(s, "docker service ps getstartedlab_v") == ["getstartedlab_visualizer"]
    assert completions(s, "docker container l") == ["logs", "ls"]
    assert completions(s, "docker in") == ["info", "inspect"]


def test_cli_reads_a_pipe(tmp_path):
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[1]
    proc = subprocess.run(
        [sys.executable, "-m", "swarmsim", "shell"], input="docker-machine ls\nexit\nbad\n",
        capture_output=True, text=True, cwd=tmp_path, timeout=60,
        env={**os.environ, "PYTHONPATH": str(root)},
    )
    assert proc.returncode == 0
    assert proc.stdout == "NAME   ACTIVE   DRIVER   STATE   URL   SWARM   DOCKER   ERRORS\n"


def test_counter_follows_the_data():
    from swarmsim.cluster.tasks import Task
    from swarmsim.input.specs import Mount, ServiceSpec

    bound = ServiceSpec(name="r", image="redis", mounts=(Mount("bind", "/data", "/home/d"),))
    bare = ServiceSpec(name="r", image="redis")
    t1, t2 = (Task(i, "r", bound, 1, 1, "n", 0.0) for i in ("a", "b"))
    t3, t4 = (Task(i, "r", bare, 1, 1, "n", 0.0) for i in ("c", "d"))
    c = VisitCounter()
    assert [c.incr(data_key(t1, "myvm1")), c.incr(data_key(t2, "myvm1"))] == [1, 2]
    assert c.incr(data_key(t2, "myvm2")) == 1  # another node's directory
    assert [c.incr(data_key(t3, "myvm1")), c.incr(data_key(t4, "myvm1"))] == [1, 1]


# --- the clock: time moves between command lines (swarmsim/shell/clock.py) -----------------

DEPLOY = """\
docker-machine create myvm1
docker-machine ssh myvm1 "docker swarm init --advertise-addr 192.168.99.100"
eval $(docker-machine env myvm1)
docker stack deploy -c getstarted-part3.yml getstartedlab
"""


def _states(table: str) -> list[str]:
    """The CURRENT STATE column of a ``docker service ps`` table (its first word)."""
    rows = table.splitlines()
    at = rows[0].index("CURRENT STATE")
    return [r[at:].split()[0] for r in rows[1:]]


def test_a_deploy_shows_its_tasks_at_once(in_compose_dir):
    from swarmsim.shell.clock import Clock

    # paused: no time passes at all, yet the orchestrator has created the five tasks
    # (real docker lists them right after `stack deploy`: swarmkit's orchestrator reacts
    # to the new service at once, cf. manager/orchestrator/replicated/services.go)
    s = Session.start(clock=Clock("paused"))
    pipe(s, DEPLOY)
    out, err = pipe(s, "docker stack ps getstartedlab\n")
    assert err == ""
    assert len(out.splitlines()) == 6
    assert set(_states(out)) <= {"New", "Pending", "Assigned", "Accepted", "Preparing"}
    assert s.sim.now == 0.0


def test_piped_lines_each_advance_one_simulated_second(in_compose_dir):
    from swarmsim.shell.clock import clock_for

    s = Session.start(clock=clock_for(tty=False))
    pipe(s, DEPLOY)
    assert s.sim.now == 4.0  # four command lines, one second before each
    pipe(s, "# a comment costs no time\n\n")
    assert s.sim.now == 4.0
    out, _ = pipe(s, "docker service ps getstartedlab_web\n")
    assert s.sim.now == 5.0
    assert "Running" in _states(out) or "Preparing" in _states(out)
    out, _ = pipe(s, "sleep 10\n")
    assert "task getstartedlab_web.1 " in out  # sleep tells what changed meanwhile
    out, _ = pipe(s, "docker service ps getstartedlab_web\n")
    assert s.sim.now == 17.0  # 1 + 10, then 1
    assert set(_states(out)) == {"Running"}


def test_the_wall_clock_moves_simulated_time():
    from swarmsim.shell.clock import Clock

    now = [100.0]
    clock = Clock("wall", speed=5.0, wall=lambda: now[0])
    assert clock.due(0.0) == 0.0  # the first call anchors
    now[0] += 3.0
    assert clock.due(0.0) == 15.0
    clock.resync(40.0)  # a sleep moved the simulation on: the clock follows from there
    now[0] += 1.0
    assert clock.due(40.0) == 45.0
    assert Clock("paused").due(7.0) == 7.0
    with pytest.raises(ValueError):
        Clock("wall", speed=0)


def test_wall_clock_session_shows_tasks_running_for_the_elapsed_time(in_compose_dir):
    from swarmsim.shell.clock import Clock

    now = [0.0]
    s = Session.start(clock=Clock("wall", wall=lambda: now[0]))
    pipe(s, DEPLOY)
    now[0] += 30.0  # the student reads the output for half a minute
    out, _ = pipe(s, "docker service ps getstartedlab_web\n")
    assert s.sim.now == 30.0
    assert set(_states(out)) == {"Running"}
    assert all(" seconds ago" in r for r in out.splitlines()[1:])


def test_scenario_shell_starts_on_its_first_manager_and_shows_its_timeline():
    from swarmsim.shell.clock import clock_for

    s = Session.start(load_scenario(SCEN / "tutorial-part4.yaml"), clock=clock_for(tty=False))
    assert s.active == "myvm1"
    out, err = pipe(s, "docker node ls\n")
    assert err == ""
    assert "[0:00:00] myvm1$ docker swarm init --advertise-addr 192.168.99.100" in out
    assert out.splitlines()[-1].split()[2:5] == ["myvm1", "Ready", "Active"]


def test_cli_options_of_the_clock(tmp_path):
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[1]
    env = {**os.environ, "PYTHONPATH": str(root)}
    script = (f"docker-machine create myvm1\n"
              'docker-machine ssh myvm1 "docker swarm init --advertise-addr 192.168.99.100"\n'
              f"eval $(docker-machine env myvm1)\n"
              f"docker stack deploy -c {SCEN / 'compose' / 'getstarted-part3.yml'} lab\n"
              "docker service ps lab_web\n")
    runs = {}
    for opts in ([], ["--speed", "30"], ["--paused"]):
        proc = subprocess.run([sys.executable, "-m", "swarmsim", "shell", *opts], input=script,
                              capture_output=True, text=True, cwd=tmp_path, timeout=60, env=env)
        assert proc.returncode == 0, proc.stderr
        runs[tuple(opts)] = proc.stdout
    tables = {k: v.split("Creating service lab_web\n")[1] for k, v in runs.items()}
    assert set(_states(tables[("--speed", "30")])) == {"Running"}
    assert "Running" not in _states(tables[("--paused",)])
    assert "Running" not in _states(tables[()])  # one second after the deploy
    proc = subprocess.run([sys.executable, "-m", "swarmsim", "shell", "--speed", "0"],
                          input="", capture_output=True, text=True, timeout=60, env=env)
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "--speed" in proc.stderr
