"""The real docker CLI against ``swarmsim serve``: swarm, nodes, services.

Expected outputs are docker's own (its client prints them from the API objects) and
swarmsim's own command interpreter on the same state (differential checks).
"""

from __future__ import annotations

import time

import pytest
from api_helpers import cells, docker, own, served

from swarmsim.api import MAX_VERSION


def test_version_negotiation_and_ping():
    with served("three.yaml") as srv:
        res = docker(srv, "version", "--format", "{{.Server.APIVersion}} {{.Client.APIVersion}}")
        assert res.returncode == 0, res.stderr
        server, client = res.stdout.split()
        assert server == MAX_VERSION
        # the client negotiates down to the server's version (or keeps its own, older one)
        assert tuple(map(int, client.split("."))) <= tuple(map(int, MAX_VERSION.split(".")))


def test_node_ls_equals_swarmsims_own():
    with served("three.yaml") as srv:
        real = docker(srv, "node", "ls")
        out, _err, _code = own(srv, "docker node ls")
        assert (real.returncode, real.stderr) == (0, "")
        assert real.stdout == out  # byte for byte, the `*` on the machine served
        assert "*" in real.stdout.splitlines()[1]
        quiet = docker(srv, "node", "ls", "-q")
        assert quiet.stdout == own(srv, "docker node ls -q")[0]


def test_info_swarm_section_and_join_token():
    with served("three.yaml") as srv:
        info = docker(srv, "info", "--format", "{{.Swarm.LocalNodeState}} "
                      "{{.Swarm.ControlAvailable}} {{.Swarm.Nodes}} {{.Swarm.Managers}}")
        assert info.stdout.split() == ["active", "true", "3", "1"]
        for role in ("worker", "manager"):
            real = docker(srv, "swarm", "join-token", role)
            assert real.returncode == 0, real.stderr
            assert real.stdout == own(srv, f"docker swarm join-token {role}")[0]


def test_worker_answers_like_a_worker():
    with served("three.yaml", machine="myvm2") as srv:
        real = docker(srv, "node", "ls")
        _out, err, code = own(srv, "docker node ls", machine="myvm2")
        assert real.returncode == code == 1
        assert real.stderr == err  # "Error response from daemon: This node is not ..."


def test_swarm_init_leave_on_an_empty_laptop():
    """Without a scenario the server is a laptop's engine in no swarm; the init
    output (ids and tokens from the same seed) equals swarmsim's own."""
    from swarmsim.commands import run_command
    from swarmsim.shell import Session

    with served(None, seed=3) as srv:
        assert "inactive" in docker(srv, "info", "--format", "{{.Swarm.LocalNodeState}}").stdout
        real = docker(srv, "swarm", "init", "--advertise-addr", "127.0.0.1")
        twin = Session.start(None, seed=3)
        expected = run_command(twin.sim, "docker swarm init --advertise-addr 127.0.0.1",
                               on="localhost")
        assert real.returncode == 0, real.stderr
        assert real.stdout == expected.output
        again = docker(srv, "swarm", "init")
        assert again.returncode == 1
        assert again.stderr.startswith("Error response from daemon: This node is already part")
        refused = docker(srv, "swarm", "leave")
        assert refused.returncode == 1 and "Use `--force`" in refused.stderr
        left = docker(srv, "swarm", "leave", "--force")
        assert (left.returncode, left.stdout) == (0, "Node left the swarm.\n")
        assert "inactive" in docker(srv, "info", "--format", "{{.Swarm.LocalNodeState}}").stdout


def test_node_update_promote_demote_rm():
    with served("three.yaml") as srv:
        assert docker(srv, "node", "update", "--availability", "drain", "myvm2").returncode == 0
        assert docker(srv, "node", "update", "--label-add", "zone=a", "myvm3").returncode == 0
        state = srv.view.sim.state
        assert srv.call(lambda: state.node_by_name("myvm2").spec.availability) == "drain"
        assert srv.call(lambda: dict(state.node_by_name("myvm3").spec.labels)) == {"zone": "a"}
        label = docker(srv, "node", "inspect", "-f", "{{.Spec.Labels.zone}}", "myvm3")
        assert label.stdout == "a\n"
        promoted = docker(srv, "node", "promote", "myvm2")
        assert promoted.stdout == "Node myvm2 promoted to a manager in the swarm.\n"
        assert docker(srv, "node", "ls").stdout == own(srv, "docker node ls")[0]
        demoted = docker(srv, "node", "demote", "myvm2")
        assert demoted.stdout == "Manager myvm2 demoted in the swarm.\n"
        rm = docker(srv, "node", "rm", "myvm3")
        expected = own(srv, "docker node rm myvm3")
        assert (rm.returncode, rm.stderr) == (expected[2], expected[1])  # "is not down"
        gone = docker(srv, "node", "inspect", "nosuchnode")
        assert gone.returncode == 1
        assert "nosuchnode" in gone.stderr and "not found" in gone.stderr.lower()


def test_a_read_right_after_a_change_sees_its_consequences():
    """A read that comes right after a change (here with the clock paused, so time
    cannot move the simulation on) sees what the change sets off at that instant: the
    promoted node is a reachable manager in ``docker node ls`` at once, as in the
    shell (quorum's raft statuses follow a role change at the same instant)."""
    with served("three.yaml") as srv:
        srv.call(srv.view.clock.pause)
        promoted = docker(srv, "node", "promote", "myvm2")
        assert promoted.stdout == "Node myvm2 promoted to a manager in the swarm.\n"
        listed = docker(srv, "node", "ls").stdout
        row = next(line for line in listed.splitlines() if " myvm2 " in line)
        assert "Reachable" in row.split()
        assert listed == own(srv, "docker node ls")[0]
        forced = docker(srv, "node", "rm", "--force", "myvm3")
        assert forced.returncode == 0, forced.stderr
        assert "myvm3" not in docker(srv, "node", "ls").stdout


def test_service_lifecycle_through_the_cli():
    with served("three.yaml", speed=20) as srv:
        created = docker(srv, "service", "create", "-d", "--name", "web", "--replicas", "3",
                         "-p", "8080:80", "nginx:1.25")
        assert created.returncode == 0, created.stderr
        sid = created.stdout.strip()
        state = srv.view.sim.state
        assert srv.call(lambda: state.services["web"].id) == sid
        conflict = docker(srv, "service", "create", "-d", "--name", "web", "nginx")
        assert conflict.returncode == 1 and "already exists" in conflict.stderr
        scaled = docker(srv, "service", "scale", "-d", "web=5")
        assert scaled.stdout == "web scaled to 5\n"
        assert srv.call(lambda: state.services["web"].spec.replicas) == 5
        upd = docker(srv, "service", "update", "-d", "--image", "nginx:1.26", "web")
        assert upd.returncode == 0, upd.stderr
        # the CLI pins the tag to the digest /distribution answered (resolve-image)
        image = srv.call(lambda: state.services["web"].spec.image)
        assert image.startswith("nginx:1.26@sha256:") and len(image) == 82
        back = docker(srv, "service", "rollback", "-d", "web")
        assert back.returncode == 0, back.stderr
        assert srv.call(lambda: state.services["web"].spec.image).startswith("nginx:1.25@")
        with srv.frozen():
            ls = docker(srv, "service", "ls")
            assert cells(ls.stdout) == cells(own(srv, "docker service ls")[0])
            ps = docker(srv, "service", "ps", "web")
            assert cells(ps.stdout) == cells(own(srv, "docker service ps web")[0])
        with srv.frozen():  # the rollback goes on meanwhile: compare at one instant
            filtered = docker(srv, "service", "ps", "-f", "desired-state=running", "-q", "web")
            expected = srv.call(lambda: sorted(t.id for t in state.tasks_of("web")
                                               if t.desired.name == "RUNNING"))
        assert sorted(filtered.stdout.split()) == expected  # -q prints full ids
        logs = docker(srv, "service", "logs", "web")
        assert (logs.returncode, logs.stdout) == (0, "")
        rm = docker(srv, "service", "rm", "web")
        assert (rm.returncode, rm.stdout) == (0, "web\n")
        assert srv.call(lambda: "web" in state.services) is False
        missing = docker(srv, "service", "rm", "web")
        assert missing.returncode == 1
        assert missing.stderr == "Error response from daemon: service web not found\n"


@pytest.mark.parametrize("name", ["getstartedlab_web"])
def test_served_stack_tables_equal_swarmsims_own(name):
    """A stack swarmsim deployed at t=0: the CLI's tables equal swarmsim's."""
    with served("part3.yaml", speed=10) as srv:
        time.sleep(0.6)  # the tasks reach running (5 simulated seconds)
        srv.call(srv.clock.pause)
        for line in ("stack ls", "stack services getstartedlab", "stack ps getstartedlab",
                     f"service ps {name}", "service ls", "network ls"):
            real = docker(srv, *line.split())
            assert real.returncode == 0, (line, real.stderr)
            if line == "network ls":
                assert "getstartedlab_webnet" in real.stdout
                continue
            assert cells(real.stdout) == cells(own(srv, f"docker {line}")[0]), line


def _placements(sim):
    """(service, node) -> running tasks."""
    out: dict[tuple[str, str], int] = {}
    for t in sim.state.tasks.values():
        if t.state.name == "RUNNING":
            key = (t.service, sim.state.nodes[t.node_id].name)
            out[key] = out.get(key, 0) + 1
    return out


def _resolved(spec):
    """A loader spec as the CLI's resolve-image leaves it: tag pinned to a digest
    and the platforms /distribution reported; swarmsim's own deploy has no registry
    content to pin, so it skips both."""
    from dataclasses import replace

    from swarmsim.input.specs import Platform
    from swarmsim.manager.controlapi import tagged_image

    return replace(spec, image=tagged_image(spec.image),
                   placement=replace(spec.placement, platforms=(Platform("linux", "amd64"),)))


@pytest.mark.parametrize("compose", ["getstarted-part3.yml", "getstarted-part5.yml"])
def test_stack_deploy_posts_swarmsims_specs_and_places_the_same(compose):
    """The CLI parses the compose file itself and posts networks and services: the
    specs equal swarmsim's own loader's, and created in the same order at the same
    instants they land where swarmsim's own path puts them (same scenario and seed)."""
    from dataclasses import replace

    from api_helpers import DATA

    from swarmsim.commands import control_api
    from swarmsim.compose import load_stack
    from swarmsim.input.scenario import load_scenario
    from swarmsim.shell import Session

    with served("three.yaml", speed=20) as srv:
        real = docker(srv, "stack", "deploy", "-c", compose, "getstartedlab")
        assert real.returncode == 0, real.stderr
        time.sleep(0.6)  # 12 simulated seconds: every task is running
        srv.call(srv.clock.pause)
        sim = srv.view.sim
        posted = sorted(sim.state.services.values(), key=lambda s: s.created)
        stack = load_stack([DATA / compose], "getstartedlab")
        loaded = {spec.name: spec for spec in stack.services}
        assert {s.name for s in posted} == set(loaded)
        for svc in posted:
            assert replace(svc.spec, image=svc.spec.image.split("@")[0]) == _resolved(
                loaded[svc.name])
        twin = Session.start(load_scenario(DATA / "three.yaml"))
        api = control_api(twin.sim)
        out = [f"Creating network {net.name}" for net in stack.networks]
        api.networks.update({net.name: "getstartedlab" for net in stack.networks})
        for svc in posted:  # the CLI's order (a Go map's) and instants
            if svc.created > twin.sim.now:
                twin.sim.env.run(until=svc.created)
            api.create_service(replace(_resolved(loaded[svc.name]), image=svc.spec.image))
            out.append(f"Creating service {svc.name}")
        assert real.stdout.splitlines() == out
        twin.sim.env.run(until=sim.now)
        assert _placements(sim) == _placements(twin.sim)
        assert sum(_placements(twin.sim).values()) == {"getstarted-part3.yml": 5,
                                                       "getstarted-part5.yml": 7}[compose]
        for line in ("stack services getstartedlab", "stack ps getstartedlab", "stack ls"):
            real_rows = cells(docker(srv, *line.split()).stdout)
            assert real_rows == cells(twin.docker(f"docker {line}", "myvm1").output), line
        srv.call(srv.clock.resume)
        rm = docker(srv, "stack", "rm", "getstartedlab")
        assert rm.returncode == 0, rm.stderr
        assert docker(srv, "stack", "ls").stdout == "NAME      SERVICES\n"
        assert "getstartedlab_webnet" not in docker(srv, "network", "ls").stdout


def test_placements_of_a_served_scenario_equal_swarmsim_run():
    """Part 3 deployed by the scenario at t=0 and served: the placements the CLI
    shows are those `swarmsim run` computes for the same scenario and seed."""
    from api_helpers import DATA

    from swarmsim.app.run import run_scenario
    from swarmsim.input.scenario import load_scenario

    with served("part3.yaml", speed=20) as srv:
        time.sleep(0.6)
        srv.call(srv.clock.pause)
        ps = docker(srv, "stack", "ps", "--format", "{{.Name}} {{.Node}}", "getstartedlab")
        until = srv.view.sim.now
    result = run_scenario(load_scenario(DATA / "part3.yaml"), until=until)
    expected = sorted(f"{t.name} {result.sim.state.nodes[t.node_id].name}"
                      for t in result.sim.state.tasks.values())
    assert sorted(ps.stdout.splitlines()) == expected


def test_serve_command_line_and_its_readme_setup(tmp_path):
    """`swarmsim serve SCENARIO --port P` in a process of its own, then the docker CLI
    with DOCKER_HOST as the README's setup says."""
    import os
    import socket
    import subprocess
    import sys

    from api_helpers import DATA

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [sys.executable, "-m", "swarmsim", "serve", str(DATA / "part3.yaml"), "--port",
         str(port), "--speed", "10"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True)
    try:
        first = proc.stdout.readline()
        assert first.startswith("swarmsim serve: the engine of myvm1 at tcp://127.0.0.1:")
        assert proc.stdout.readline().strip() == f"export DOCKER_HOST=tcp://127.0.0.1:{port}"
        env = {k: v for k, v in os.environ.items() if not k.startswith("DOCKER_")}
        env.update(DOCKER_HOST=f"tcp://127.0.0.1:{port}", DOCKER_CONFIG=str(tmp_path))
        res = subprocess.run(["docker", "node", "ls", "--format", "{{.Hostname}}"],
                             capture_output=True, text=True, env=env, timeout=60, check=False)
        assert res.stdout.split() == ["myvm1", "myvm2"], res.stderr
    finally:
        proc.terminate()
        proc.communicate(timeout=10)


def test_serve_refuses_bad_options_with_status_2(capsys):
    from swarmsim.api.server import is_loopback
    from swarmsim.cli import main

    assert main(["serve", "--speed", "0"]) == 2
    assert "--speed must be a positive number" in capsys.readouterr().err
    assert main(["serve", "--machine", "nosuch", "--port", "1"]) == 2
    assert "no machine named 'nosuch'" in capsys.readouterr().err
    assert [is_loopback(h) for h in ("127.0.0.1", "::1", "localhost", "0.0.0.0", "10.0.0.1")] == [
        True, True, True, False, False]


def test_registry_auth_from_the_cli_feeds_the_private_registry_model(tmp_path):
    """`--with-registry-auth` sends the client's credentials (X-Registry-Auth): the
    tasks pull; without them the registry refuses /distribution (the CLI warns and
    goes on) and the nodes cannot pull: `No such image`."""
    import base64
    import json

    image = "registry.example.com/team/app:1.0"
    (tmp_path / "config.json").write_text(json.dumps({"auths": {"registry.example.com": {
        "auth": base64.b64encode(b"dev:secret").decode()}}}))
    with served("private.yaml", speed=20) as srv:
        anon = docker(srv, "service", "create", "-d", "--name", "anon", image)
        assert anon.returncode == 0, anon.stderr
        assert f"image {image} could not be accessed on a registry" in anon.stderr
        authed = docker(srv, "service", "create", "-d", "--with-registry-auth", "--name",
                        "authed", "--replicas", "2", image, tmp=tmp_path)
        assert authed.returncode == 0, authed.stderr
        assert "could not be accessed" not in authed.stderr  # the digest was pinned
        time.sleep(0.8)
        srv.call(srv.clock.pause)
        state = srv.view.sim.state
        assert srv.call(lambda: state.services["authed"].spec.registry_auth) is True
        running = docker(srv, "service", "ps", "--format", "{{.CurrentState}}", "authed")
        assert [s.split()[0] for s in running.stdout.splitlines()] == ["Running"] * 2
        refused = docker(srv, "service", "ps", "--no-trunc", "--format", "{{.Error}}", "anon")
        assert f'"No such image: {image}"' in refused.stdout.splitlines()


def test_node_ps_and_docker_ps_equal_swarmsims_own():
    """`docker node ps` (tasks filtered by node) and `docker ps` (/containers/json of
    the machine served) print what swarmsim's own commands print on the same state."""
    with served("part3.yaml", speed=20) as srv:
        time.sleep(0.5)
        with srv.frozen():
            for node in ("myvm1", "myvm2"):
                real = docker(srv, "node", "ps", node)
                assert cells(real.stdout) == cells(own(srv, f"docker node ps {node}")[0])
            real = docker(srv, "ps")
            mine = srv.call(lambda: srv.session.docker("docker ps", "myvm1").output)
            def untimed_rows(text):  # CREATED and STATUS aside (times)
                return [row[:3] + row[5:] for row in cells(text)]

            assert untimed_rows(real.stdout) == untimed_rows(mine)
            assert len(real.stdout.splitlines()) == 4  # myvm1 runs three of the five


def test_unix_socket(tmp_path):
    import os
    import subprocess

    from api_helpers import DATA, DOCKER

    from swarmsim.api.server import Server
    from swarmsim.input.scenario import load_scenario
    from swarmsim.shell import Session

    path = tmp_path / "docker.sock"
    srv = Server(Session.start(load_scenario(DATA / "three.yaml")))
    srv.start_background(socket=str(path))
    try:
        env = {k: v for k, v in os.environ.items() if not k.startswith("DOCKER_")}
        env["DOCKER_HOST"] = f"unix://{path}"
        res = subprocess.run([DOCKER, "node", "ls", "-q"], capture_output=True, text=True,
                             env=env, timeout=60, check=False)
        assert res.stdout == own(srv, "docker node ls -q")[0], res.stderr
    finally:
        srv.stop()
