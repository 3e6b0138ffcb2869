"""docker version / info, service create, service inspect --pretty, node inspect
--pretty and service logs, against docker/cli's templates (cli/command/system/version.go
and info.go, cli/command/service/formatter.go and create.go, cli/command/node/
formatter.go, cli/command/service/logs.go)."""

from __future__ import annotations

import json
import shlex
from pathlib import Path

import pytest

from swarmsim.commands.system import _tabbed
from swarmsim.shell import Session
from swarmsim.shell.clock import clock_for
from tests.shell_helpers import pipe

COMPOSE = Path(__file__).resolve().parents[1] / "scenarios" / "compose"
SWARM = """\
docker-machine create myvm1
docker-machine create myvm2
docker-machine ssh myvm1 "docker swarm init --advertise-addr 192.168.99.100"
docker-machine ssh myvm2 "docker swarm join --token $(docker-machine ssh myvm1 \
"docker swarm join-token -q worker") 192.168.99.100:2377"
eval $(docker-machine env myvm1)
"""



@pytest.fixture
def swarm():
    s = Session.start(clock=clock_for(tty=False))  # one simulated second per line
    pipe(s, SWARM)
    return s


def test_tabwriter_pads_cells_to_twenty_columns():
    # text/tabwriter with minwidth 20, padding 1: "label" cells padded to 20
    assert _tabbed(["Client:", " Version:\t29.7.2", " API version:\t1.55"]) == (
        "Client:\n Version:           29.7.2\n API version:       1.55\n")


def test_docker_version(swarm):
    out, err = pipe(swarm, "docker version\n")
    assert err == ""
    lines = out.splitlines()
    assert lines[:3] == ["Client:", " Version:           29.7.2", " API version:       1.55"]
    assert lines[8:12] == ["", "Server:", " Engine:", "  Version:          29.7.2"]
    assert "  API version:      1.55 (minimum version 1.40)" in lines
    assert lines[-1] == "  Experimental:     false"


def test_docker_info_swarm_section(swarm):
    out, err = pipe(swarm, "docker info\n")
    assert err == ""
    lines = out.splitlines()
    at = lines.index(" Swarm: active")
    node = swarm.sim.state.nodes[lines[at + 1].split()[-1]]
    assert node.spec.name == "myvm1"
    assert lines[at + 2] == "  Is Manager: true"
    assert lines[at + 4:at + 6] == ["  Managers: 1", "  Nodes: 2"]
    assert "  Node Address: 192.168.99.100" in lines
    assert lines[lines.index("  Manager Addresses:") + 1] == "   192.168.99.100:2377"
    out, _ = pipe(swarm, 'docker-machine ssh myvm2 "docker info"\n')
    lines = out.splitlines()
    at = lines.index(" Swarm: active")
    assert lines[at + 2:at + 4] == ["  Is Manager: false", "  Node Address: 192.168.99.101"]
    out, _ = pipe(swarm, "eval $(docker-machine env -u)\ndocker info\n")
    assert " Swarm: inactive\n Runtimes: io.containerd.runc.v2 runc\n" in out


def test_service_create_prints_the_id_then_waits(swarm):
    out, err = pipe(swarm, "docker service create --name web --replicas 3 -p 4000:80 "
                           "--limit-cpu 0.1 --limit-memory 50M --update-delay 10s "
                           "--restart-condition on-failure gordon/get-started:part2\n")
    assert err == ""
    svc = swarm.sim.state.services["web"]
    lines = out.splitlines()
    assert lines[0] == svc.id and len(svc.id) == 25
    assert lines[1] == "overall progress: 3 out of 3 tasks"
    assert lines[-1] == f"verify: Service {svc.id} converged"
    spec = svc.spec
    assert (spec.replicas, spec.resources.limits.nano_cpus) == (3, 100_000_000)
    assert spec.resources.limits.memory_bytes == 50 * 1024 * 1024
    assert (spec.ports[0].published, spec.ports[0].target) == (4000, 80)
    assert spec.update.delay_s == 10 and spec.restart.condition == "on-failure"
    assert spec.labels == () and spec.stack == ""
    # the routing mesh serves it like a stack's service
    page, _ = pipe(swarm, "curl http://192.168.99.101:4000/\n")
    assert page.startswith("<h3>Hello World!</h3>")
    # the same name again: swarmkit's AlreadyExists (manager/controlapi/service.go)
    _, err = pipe(swarm, "docker service create --name web -d nginx\n")
    assert err == ("Error response from daemon: rpc error: code = AlreadyExists desc = name "
                   "conflicts with an existing object: service web already exists\n")
    # a published port already taken
    _, err = pipe(swarm, "docker service create --name web2 -d -p 4000:80 nginx\n")
    assert "port '4000' is already in use by service 'web'" in err


def test_service_create_flags_after_the_image_are_its_command(swarm):
    out, err = pipe(swarm, "docker service create -d --name db --constraint "
                           "node.role==manager --mount type=bind,source=/home/docker/data,"
                           "target=/data redis redis-server --appendonly yes\n")
    assert err == ""
    spec = swarm.sim.state.services["db"].spec
    assert spec.command == ("redis-server", "--appendonly", "yes")
    assert spec.placement.constraints == ("node.role==manager",)
    assert (spec.mounts[0].type, spec.mounts[0].source) == ("bind", "/home/docker/data")
    assert len(out.splitlines()) == 1  # -d: the id only


def test_service_inspect_pretty_follows_the_template(swarm):
    pipe(swarm, "docker service create -d --name web --replicas 2 -p 4000:80 "
                "--limit-memory 50M --mount type=bind,src=/tmp,dst=/data "
                "gordon/get-started:part2 python app.py\n")
    svc = swarm.sim.state.services["web"]
    out, err = pipe(swarm, "docker service inspect --pretty web\n")
    assert err == ""
    # serviceInspectPrettyTemplate: written without a tabwriter, so the tabs stay
    assert out == (
        f"\nID:\t\t{svc.id}\nName:\t\tweb\nService Mode:\tReplicated\n Replicas:\t2\n"
        "Placement:\nUpdateConfig:\n Parallelism:\t1\n On failure:\tpause\n"
        " Monitoring Period: 5s\n Max failure ratio: 0\n Update order:      stop-first\n"
        "RollbackConfig:\n Parallelism:\t1\n On failure:\tpause\n Monitoring Period: 5s\n"
        " Max failure ratio: 0\n Rollback order:    stop-first\nContainerSpec:\n"
        " Image:\t\tgordon/get-started:part2\n Args:\t\tpython app.py \nMounts:\n"
        " Target:\t/data\n  Source:\t/tmp\n  ReadOnly:\tfalse\n  Type:\t\tbind\n"
        "Resources:\n Limits:\n  Memory:\t50MiB\nEndpoint Mode:\tvip\nPorts:\n"
        " PublishedPort = 4000\n  Protocol = tcp\n  TargetPort = 80\n"
        "  PublishMode = ingress \n")
    out, _ = pipe(swarm, "docker service inspect web\n")
    doc = json.loads(out)
    assert doc[0]["ID"] == svc.id
    assert doc[0]["Spec"]["Mode"] == {"Replicated": {"Replicas": 2}}
    _, err = pipe(swarm, "docker service inspect nothing\n")
    assert err == "no such service: nothing\n"  # cli/command/service/inspect.go


def test_node_inspect_pretty(swarm):
    out, err = pipe(swarm, "docker node inspect --pretty self\n")
    assert err == ""
    node = swarm.sim.state.nodes[out.splitlines()[0].split("\t")[-1]]
    assert node.spec.name == "myvm1"
    lines = out.splitlines()
    assert lines[1:3] == ["Hostname:              \tmyvm1",
                          "Joined at:             \t2026-01-01 00:00:03 +0000 utc"]
    assert lines[3:7] == ["Status:", " State:\t\t\tReady", " Availability:         \tActive",
                          " Address:\t\t192.168.99.100"]
    assert lines[7:11] == ["Manager Status:", " Address:\t\t192.168.99.100:2377",
                           " Raft Status:\t\tReachable", " Leader:\t\tYes"]
    assert lines[-1] == "Engine Version:\t\t29.7.2"
    doc = json.loads(pipe(swarm, "docker node inspect self\n")[0])[0]
    assert doc["ManagerStatus"] == {"Leader": True, "Reachability": "reachable",
                                    "Addr": "192.168.99.100:2377"}
    assert doc["Description"]["Hostname"] == "myvm1"
    out, _ = pipe(swarm, "docker node inspect --pretty myvm2\n")
    assert "Manager Status:" not in out and "Joined at:             \t2026-01-01 00:00:04" in out


def test_service_logs_of_the_tutorial_app(swarm):
    pipe(swarm, f"cd {shlex.quote(str(COMPOSE))}\n"
                "docker stack deploy -c getstarted-part3.yml lab\nsleep 20s\n")
    pipe(swarm, "curl http://192.168.99.101:4000/\n")
    out, err = pipe(swarm, "docker service logs lab_web\n")
    assert out == ""  # Flask writes its log to stderr; the CLI copies it there
    lines = err.splitlines()
    assert len(lines) == 6  # five containers started, one request
    started = [ln for ln in lines if ln.endswith("|  * Running on http://0.0.0.0:80/ (Press "
                                                 "CTRL+C to quit)")]
    assert len(started) == 5
    request = next(ln for ln in lines if "GET" in ln)
    # the request came in on myvm2, whose ingress address is the second
    prefix, line = request.split("    | ")
    short = prefix.split(".")[2].split("@")[0]
    task = next(t for t in swarm.sim.state.tasks.values() if t.id.startswith(short))
    assert prefix == f"lab_web.{task.slot}.{task.id[:12]}@" + \
        swarm.sim.state.nodes[task.node_id].spec.name
    assert line.startswith('10.0.0.3 - - [01/Jan/2026 00:00:') and line.endswith(
        '] "GET / HTTP/1.1" 200 -')
    out, err = pipe(swarm, "docker service logs --no-task-ids -n 0 lab_web\n")
    assert (out, err) == ("", "")
    _, err = pipe(swarm, "docker service create -d --name cache redis\n"
                         "docker service logs cache\n")
    assert err == "swarmsim: the logs of redis:latest are not simulated\n"


def test_service_logs_follow_prints_new_lines_as_time_moves(swarm):
    pipe(swarm, f"cd {shlex.quote(str(COMPOSE))}\n"
                "docker stack deploy -c getstarted-part3.yml lab\nsleep 20s\n")
    reply = swarm.execute("docker service logs -f lab_web")
    assert reply.follow is not None and reply.error.count("\n") == 5 and reply.follow_stderr
    assert reply.follow() == ""  # nothing new yet
    swarm.mesh.curl(swarm.sim.state.nodes[next(iter(swarm.sim.state.nodes))], "x", 4000)
    new = reply.follow()
    assert new.count("\n") == 1 and '"GET / HTTP/1.1" 200 -' in new
