"""``docker service logs`` and ``docker logs`` options, against docker/cli's
``cli/command/service/logs.go`` (the ``<service>.<slot>.<id>@<node>`` prefix, ``--raw``,
``--no-resolve``, ``--details``: the attributes the CLI did not use, none here, then a
space; no ``--until`` flag), ``cli/command/container/logs.go`` (its flags), moby's
``logstream.go`` (the timestamp first, ``RFC3339NanoFixed``), ``daemon/cluster/
services.go`` (tail values) and ``client/internal/timestamp`` (``--since`` forms)."""

from __future__ import annotations

import re

import pytest

from swarmsim.shell import Session
from swarmsim.shell.clock import clock_for
from swarmsim.shell.logs import fixed_stamp, go_duration, sim_instant
from tests.shell_helpers import pipe, piped_session, run_line

STARTED = " * Running on http://0.0.0.0:80/ (Press CTRL+C to quit)"
SWARM = """\
docker-machine create myvm1
docker-machine ssh myvm1 "docker swarm init --advertise-addr 192.168.99.100"
eval $(docker-machine env myvm1)
docker service create -d --name web --replicas 1 -p 4000:80 gordon/get-started:part2
sleep 30
curl http://192.168.99.100:4000/
sleep 10
curl http://192.168.99.100:4000/
"""


@pytest.fixture(scope="module")
def swarm():
    return piped_session(SWARM)


def _task(s):
    return next(iter(s.sim.state.tasks_of("web")))


def test_go_durations_and_fixed_stamps():
    assert go_duration("1h30m") == 5400.0 and go_duration("1.5s") == 1.5
    assert go_duration("300ms") == pytest.approx(0.3)
    assert go_duration("0") is None and go_duration("10") is None
    # RFC3339NanoFixed: nine digits always
    assert fixed_stamp(7.05) == "2026-01-01T00:00:07.050000000Z"
    assert fixed_stamp(0) == "2026-01-01T00:00:00.000000000Z"
    assert sim_instant("2026-01-01T00:01:00Z", 500.0, "since") == 60.0
    assert sim_instant("1767225660", 500.0, "since") == 60.0  # a Unix time
    with pytest.raises(ValueError, match='invalid value for "since": failed to parse value as '
                                         'time or duration: "abc"'):
        sim_instant("abc", 0.0, "since")


def test_service_logs_timestamps_and_since(swarm):
    t = _task(swarm)
    out, err, code = run_line(swarm, "docker service logs -t web")
    lines = err.splitlines()  # Flask logs to stderr; the CLI copies it to its stderr
    assert (out, code, len(lines)) == ("", 0, 3)
    running = next(ev.time for ev in swarm.sim.events
                   if getattr(ev, "id", "") == t.id and getattr(ev, "state", "") == "running")
    # the daemon's timestamp first, then the CLI's context
    assert lines[0] == f"{fixed_stamp(running)} web.1.{t.id[:12]}@myvm1    | {STARTED}"
    assert re.fullmatch(r"2026-01-01T00:00:\d\d\.\d{9}Z web\.1\.\w{12}@myvm1    \| 10\.0\.0\.\d+ "
                        r'- - \[01/Jan/2026 00:00:\d\d\] "GET / HTTP/1\.1" 200 -', lines[1])
    _, out, _ = run_line(swarm, "docker service logs -t --since 10s web")
    cutoff = fixed_stamp(swarm.sim.now - 10)  # the command ran at sim.now (a piped line)
    kept = [ln.split()[0] for ln in lines if ln.split()[0] >= cutoff]
    assert [ln.split()[0] for ln in out.splitlines()] == kept and len(kept) == 1
    _, out, _ = run_line(swarm, "docker service logs --since 2026-01-01T00:00:00Z -n 1 web")
    assert len(out.splitlines()) == 1 and "GET /" in out
    _, err, code = run_line(swarm, "docker service logs --since nope web")
    assert (err, code) == ('invalid value for "since": failed to parse value as time or '
                           'duration: "nope"\n', 1)
    _, err, code = run_line(swarm, "docker service logs --until 1m web")
    assert code == 125 and err.startswith("unknown flag: --until\n")  # service logs has none
    _, err, code = run_line(swarm, "docker service logs --tail x web")
    assert err == 'Error response from daemon: tail value must be a positive integer or "all"\n'


def test_service_logs_prefix_options(swarm):
    t = _task(swarm)
    svc = swarm.sim.state.services["web"]
    _, out, _ = run_line(swarm, "docker service logs --no-resolve --no-trunc --details web")
    assert out.splitlines()[0] == f"web.1.{t.id}@{t.node_id}    |  {STARTED}".replace(
        "web.1.", f"{svc.id}.1.")
    _, out, _ = run_line(swarm, "docker service logs --no-task-ids --raw web")
    assert out.splitlines()[0] == STARTED
    _, out, _ = run_line(swarm, "docker service logs --raw --details web")
    assert out.splitlines()[0] == (
        f"com.docker.swarm.node.id={t.node_id},com.docker.swarm.service.id={svc.id},"
        f"com.docker.swarm.task.id={t.id} {STARTED}")
    _, out, code = run_line(swarm, f"docker service logs {t.id[:6]}")
    assert code == 0 and out.splitlines()[0].startswith(f"web.1.{t.id[:12]}@myvm1    | ")
    _, err, code = run_line(swarm, "docker service logs nothing")
    assert (err, code) == ("no such task or service: nothing\n", 1)


def test_container_logs(swarm):
    t = _task(swarm)
    cid, _, _ = run_line(swarm, "docker ps -q")
    stdout, out, code = run_line(swarm, f"docker logs {cid.strip()}")
    assert (stdout, code) == ("", 0)  # nothing on stdout: the lines are on stderr
    assert out.splitlines()[0] == STARTED and len(out.splitlines()) == 3
    _, out, _ = run_line(swarm, f"docker container logs -t --tail 1 web.1.{t.id}")
    assert re.fullmatch(r"2026-01-01T00:00:\d\d\.\d{9}Z 10\.0\.0\.\d+ - - .*\n", out)
    _, out, _ = run_line(swarm, f"docker logs --details --until 2026-01-01T00:00:30Z "
                                f"{cid.strip()}")
    assert out == f" {STARTED}\n"  # the start only; --details: empty attributes, a space
    _, err, code = run_line(swarm, "docker logs nothing")
    assert (err, code) == ("Error response from daemon: No such container: nothing\n", 1)
    _, err, code = run_line(swarm, "docker container logs")
    assert code == 1 and err.startswith("docker: 'docker container logs' requires 1 argument")


def test_a_run_containers_log_has_the_laptops_requests(tmp_path, monkeypatch):
    (tmp_path / "Dockerfile").write_text('FROM python:2.7-slim\nCMD ["python", "app.py"]\n')
    monkeypatch.chdir(tmp_path)
    s = Session.start(clock=clock_for(tty=False))
    out, _ = pipe(s, "docker build -t friendlyhello .\ndocker run -d -p 4000:80 friendlyhello\n")
    cid = out.split()[-1]
    pipe(s, "curl http://localhost:4000/\n")
    _, out, _ = run_line(s, f"docker logs {cid[:12]}")
    assert out.splitlines()[0] == STARTED
    assert out.splitlines()[1].startswith("172.17.0.1 - - [01/Jan/2026 ")  # the bridge gateway


def test_following_prints_what_comes_after_the_first_screen():
    s = piped_session(SWARM)
    reply = s.execute("docker service logs -f --tail 1 -t web")
    assert len(reply.error.splitlines()) == 1 and reply.follow is not None
    assert reply.follow() == ""  # nothing new yet
    s.execute("curl http://192.168.99.100:4000/")
    new = reply.follow().splitlines()
    assert len(new) == 1 and '"GET / HTTP/1.1" 200 -' in new[0]
    assert new[0].split()[0] > reply.error.split()[0]  # a later timestamp
    cid = s.execute("docker ps -q").output.split()[0]
    reply = s.execute(f"docker logs -f --tail 0 {cid}")
    assert (reply.output, reply.error, reply.follow_stderr) == ("", "", True)
    s.execute("curl http://192.168.99.100:4000/")
    assert '"GET / HTTP/1.1" 200 -' in reply.follow()


def test_2_to_1_sends_the_log_to_stdout(swarm):
    out, err, code = run_line(swarm, "docker service logs --tail 1 web 2>&1")
    assert (err, code, len(out.splitlines())) == ("", 0, 1)


def test_following_inside_a_vm_login():
    s = piped_session(SWARM)
    s.execute("docker-machine ssh myvm1")
    reply = s.execute("docker service logs -f --tail 0 web")
    assert reply.follow is not None and reply.follow_stderr
    s.execute("exit")
    s.execute("curl http://192.168.99.100:4000/")
    assert '"GET / HTTP/1.1" 200 -' in reply.follow()
