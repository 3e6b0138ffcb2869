"""``docker service logs`` through the API: the real CLI prints the lines swarmsim's
own shell prints for the get-started app (its start line, one access line per request),
from docker's multiplexed stream (moby ``logstream.go``), with ``--tail``, ``-t``,
``--since`` and ``-f`` (a client that goes away leaves the server healthy)."""

from __future__ import annotations

import calendar
import json
import os
import re
import struct
import subprocess
import time
import urllib.request

import pytest
from api_helpers import DATA, DOCKER, docker, served

from swarmsim.commands.curl import timeline_curl
from swarmsim.shell.logs import service_logs

pytestmark = pytest.mark.skipif(DOCKER is None, reason="needs the docker CLI")
SERVICE = "getstartedlab_web"


def _running(server, n=5):
    state = server.view.sim.state
    for _ in range(200):
        if server.call(lambda: sum(t.state.name == "RUNNING" for t in state.tasks.values())) >= n:
            return
        time.sleep(0.05)
    raise AssertionError("the stack did not start")


def _curl(server, times):
    sim = server.view.sim
    for _ in range(times):
        _out, err, code = server.call(
            lambda: timeline_curl(sim, "curl http://192.168.99.100:4000/", "myvm1"))
        assert code == 0, err


def _shell(server, line):
    sim = server.view.sim
    return server.call(lambda: service_logs(
        sim, server.session.mesh.logs, line.split(), "myvm1"))


@pytest.fixture(scope="module")
def app():
    with served("part3.yaml", speed=20) as server:
        _running(server)
        _curl(server, 7)
        yield server


def _frames(body):
    out = []
    while body:
        stream, size = struct.unpack(">BxxxI", body[:8])
        out.append((stream, body[8:8 + size].decode()))
        body = body[8 + size:]
    return out


def _api(server, path):
    with urllib.request.urlopen(f"http://127.0.0.1:{server.port}{path}", timeout=30) as r:
        return r.headers["Content-Type"], r.read()


def test_the_cli_prints_what_the_shell_prints(app):
    with app.frozen():
        real = docker(app, "service", "logs", SERVICE)
        mine = _shell(app, "docker service logs " + SERVICE)
    assert real.returncode == 0 and mine[2] == 0
    # Flask's development server logs to stderr: so does every line through the API
    assert real.stdout == ""
    assert real.stderr == mine[1]
    lines = real.stderr.splitlines()
    assert sum("Running on http://0.0.0.0:80/" in ln for ln in lines) == 5  # one per task
    assert sum('"GET / HTTP/1.1" 200 -' in ln for ln in lines) == 7  # one per request
    assert all(re.match(rf"{SERVICE}\.[1-5]\.[0-9a-z]{{12}}@myvm[12]    \| ", ln)
               for ln in lines)


def test_tail_counts_per_task_and_no_task_ids(app):
    with app.frozen():
        real = docker(app, "service", "logs", "--tail", "1", "--no-task-ids", SERVICE)
        mine = _shell(app, f"docker service logs --tail 1 --no-task-ids {SERVICE}")
    assert real.stderr == mine[1]
    assert len(real.stderr.splitlines()) == 5  # the last line of each of the five tasks
    with app.frozen():
        whole = docker(app, "service", "logs", SERVICE).stderr.splitlines()
        real = docker(app, "service", "logs", "--tail", "2", SERVICE)
        mine = _shell(app, f"docker service logs --tail 2 {SERVICE}")
    assert real.stderr == mine[1]
    per_task: dict[str, list[str]] = {}
    for line in whole:
        per_task.setdefault(line.split("@")[0], []).append(line)
    assert sorted(real.stderr.splitlines()) == sorted(
        ln for lines in per_task.values() for ln in lines[-2:])


def test_task_logs_and_raw(app):
    with app.frozen():
        state = app.view.sim.state
        task = app.call(lambda: max(state.tasks_of(SERVICE),
                                    key=lambda t: len([e for e in app.session.mesh.logs.lines
                                                       if e[1] == t.id])))
        real = docker(app, "service", "logs", task.id, "--raw")
        mine = _shell(app, f"docker service logs --raw {task.id}")
    assert real.stderr == mine[1]
    assert real.stderr.splitlines()[0].endswith("Running on http://0.0.0.0:80/ (Press CTRL+C "
                                                "to quit)")


def test_the_stream_is_multiplexed_with_details_and_timestamps(app):
    with app.frozen():  # one instant, so the timestamps of the three answers agree
        sid = app.call(lambda: app.view.sim.state.services[SERVICE].id)
        ctype, body = _api(app, f"/v1.47/services/{sid}/logs?stdout=1&stderr=1&details=1"
                                "&timestamps=1")
        _, none = _api(app, f"/v1.47/services/{sid}/logs?stdout=1&tail=0")
        _, older = _api(app, f"/v1.41/services/{sid}/logs?stderr=1&tail=1")
        stamps = [f[1].split(" ", 1)[0] for f in _frames(body)]
        # since (Unix seconds, as the CLI sends it): the lines from the seventh's instant
        cut = stamps[6]
        since = calendar.timegm(time.strptime(cut[:19], "%Y-%m-%dT%H:%M:%S")) + int(
            cut[20:29]) / 1e9 - 1e-6
        _, later = _api(app, f"/v1.47/services/{sid}/logs?stderr=1&timestamps=1"
                             f"&since={since:.6f}")
    assert ctype == "application/vnd.docker.multiplexed-stream"
    frames = _frames(body)
    assert len(frames) == 12 and {s for s, _ in frames} == {2}
    stamp, details, rest = frames[0][1].split(" ", 2)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z", stamp)
    keys = [kv.split("=")[0] for kv in details.split(",")]
    assert keys == ["com.docker.swarm.node.id", "com.docker.swarm.service.id",
                    "com.docker.swarm.task.id"]
    assert details.split(",")[1] == f"com.docker.swarm.service.id={sid}"
    assert rest.endswith("\n")
    assert stamps == sorted(stamps)
    assert none == b""  # stdout only: the app writes to stderr
    assert len(_frames(older)) == 5
    assert [f[1].split(" ", 1)[0] for f in _frames(later)] == [s for s in stamps if s >= cut]


def test_a_bad_tail_and_no_stream_are_refused(app):
    sid = app.call(lambda: app.view.sim.state.services[SERVICE].id)
    for query, status, message in (("stdout=1&tail=x", 500,
                                    'tail value must be a positive integer or "all"'),
                                   ("tail=1", 400,
                                    "Bad parameters: you must choose at least one stream")):
        with pytest.raises(urllib.error.HTTPError) as err:
            _api(app, f"/v1.47/services/{sid}/logs?{query}")
        assert err.value.code == status
        assert json.loads(err.value.read())["message"] == message


def test_follow_streams_new_lines_and_a_disconnect_leaves_the_server_healthy(app):
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOCKER_")}
    env["DOCKER_HOST"] = f"tcp://127.0.0.1:{app.port}"
    proc = subprocess.Popen([DOCKER, "service", "logs", "-f", "--tail", "0", SERVICE],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=env, cwd=DATA)
    try:
        time.sleep(1.0)  # the stream is open
        _curl(app, 3)
        got = [proc.stderr.readline() for _ in range(3)]  # type: ignore[union-attr]
        assert all('"GET / HTTP/1.1" 200 -' in line for line in got)
    finally:
        proc.kill()  # the client goes away mid-stream
        proc.communicate(timeout=10)
    _curl(app, 1)
    assert docker(app, "service", "ls").returncode == 0
    assert len(docker(app, "service", "logs", SERVICE).stderr.splitlines()) == 5 + 7 + 4
