"""Bad requests get docker's status and message and change nothing; streams end
cleanly when their client goes; events stream as the swarm changes."""

from __future__ import annotations

import http.client
import json
import socket
import time

import pytest
from api_helpers import docker, served
from hypothesis import given, settings
from hypothesis import strategies as st


def request(srv, method, path, body=None, headers=None, timeout=10):
    conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=timeout)
    data = body if isinstance(body, bytes | type(None)) else json.dumps(body).encode()
    hdrs = {"Content-Type": "application/json"} if data is not None else {}
    conn.request(method, path, body=data, headers={**hdrs, **(headers or {})})
    resp = conn.getresponse()
    raw = resp.read()
    conn.close()
    is_json = resp.getheader("Content-Type", "") == "application/json"
    return resp.status, (json.loads(raw) if is_json else raw.decode()), resp


def snapshot(srv):
    """Everything a request could change."""
    def take():
        st_ = srv.view.sim.state
        return (sorted((s.name, s.version, s.spec) for s in st_.services.values()),
                sorted((n.id, n.spec) for n in st_.nodes.values()),
                sorted(st_.tasks), sorted(srv.view.items["network"]),
                sorted(srv.view.items["secret"]))
    return srv.call(take)


def test_bad_requests_get_dockers_answers_and_change_nothing():
    with served("three.yaml") as srv:
        assert docker(srv, "service", "create", "-d", "--name", "web", "nginx").returncode == 0
        status, body, _ = request(srv, "GET", "/v1.47/services/web")
        version = body["Version"]["Index"]
        spec = body["Spec"]
        assert request(srv, "POST", f"/services/web/update?version={version}",
                       dict(spec, Mode={"Replicated": {"Replicas": 2}}))[0] == 200
        srv.call(srv.clock.pause)
        before = snapshot(srv)
        cases = [
            (("POST", "/services/create", b"{bad"), 400,
             "invalid JSON: invalid character 'b' looking for beginning of object key string"),
            (("POST", "/services/create", b'{"Name": "x"'), 400, "invalid JSON: unexpected EOF"),
            (("POST", "/services/create", b'{"Name": 5}'), 400,
             "invalid JSON: json: cannot unmarshal number into Go struct field "
             "ServiceSpec.Name of type string"),
            (("POST", "/services/create", {"Name": "y"}), 400,
             "rpc error: code = InvalidArgument desc = ContainerSpec: image reference must "
             "be provided"),
            (("POST", "/services/create", dict(spec, Name="web")), 409,
             "rpc error: code = AlreadyExists desc = name conflicts with an existing object: "
             "service web already exists"),
            (("POST", f"/services/web/update?version={version}", spec), 500,
             "rpc error: code = Unknown desc = update out of sequence"),
            (("POST", "/services/web/update?version=x", spec), 400,
             "invalid service version 'x': strconv.ParseUint: parsing \"x\": invalid syntax"),
            (("POST", "/services/nope/update?version=1", spec), 404, "service nope not found"),
            (("GET", "/services/nope", None), 404, "service nope not found"),
            (("DELETE", "/services/nope", None), 404, "service nope not found"),
            (("GET", "/nodes/nope", None), 404, "node nope not found"),
            (("GET", "/tasks/nope", None), 404, "task nope not found"),
            (("GET", "/secrets/nope", None), 404, "secret nope not found"),
            (("GET", "/networks/nope", None), 404, "network nope not found"),
            (("GET", "/tasks?filters=" + "%7B%22bogus%22%3A%7B%22x%22%3Atrue%7D%7D", None), 400,
             "invalid filter 'bogus'"),
            (("POST", "/services/create",
              dict(spec, Name="z", TaskTemplate=dict(spec["TaskTemplate"],
                                                     RestartPolicy={"Condition": "bogus"}))),
             400, 'invalid RestartCondition: "bogus"'),
            (("GET", "/v1.99/info", None), 400,
             "client version 1.99 is too new. Maximum supported API version is 1.47"),
            (("GET", "/v1.12/info", None), 400,
             "client version 1.12 is too old. Minimum supported API version is 1.24, please "
             "upgrade your client to a newer version"),
            (("POST", "/services/create", b"x" * (2 << 20)), 413,
             "request body is larger than 1048576 bytes"),
        ]
        for (method, path, body), code, message in cases:
            status, answer, _ = request(srv, method, path, body)
            assert (status, answer) == (code, {"message": message}), path
            assert snapshot(srv) == before, path


@pytest.fixture(scope="module")
def fuzz_server():
    with served("three.yaml") as srv:
        yield srv


@settings(max_examples=40, deadline=None)
@given(st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=5),
                    lambda kids: st.lists(kids, max_size=3)
                    | st.dictionaries(st.sampled_from(
                        ["Name", "TaskTemplate", "ContainerSpec", "Image", "Mode", "Replicated",
                         "Replicas", "EndpointSpec", "Ports", "Networks", "Labels",
                         "Resources", "Limits", "RestartPolicy", "Placement"]), kids,
                        max_size=4), max_leaves=12))
def test_fuzzed_service_specs_never_crash_the_server(fuzz_server, body):
    """Any JSON body: a docker status (never a 500 other than docker's own), a
    {"message"} body, and the server still answers."""
    srv = fuzz_server
    status, answer, _ = request(srv, "POST", "/services/create", body)
    assert status in (201, 400, 404, 409), answer
    if status != 201:
        assert set(answer) == {"message"} and answer["message"]
    assert request(srv, "GET", "/_ping")[0] == 200


def test_events_stream_and_a_client_that_leaves():
    with served("three.yaml", speed=20) as srv:
        conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=10)
        conn.request("GET", '/events?filters={"type":{"service":true,"node":true}}')
        resp = conn.getresponse()
        assert resp.status == 200
        assert docker(srv, "service", "create", "-d", "--name", "web", "nginx").returncode == 0
        assert docker(srv, "node", "update", "--availability", "drain", "myvm3").returncode == 0
        seen = [json.loads(resp.readline()) for _ in range(2)]
        assert [(e["Type"], e["Action"]) for e in seen] == [("service", "create"),
                                                            ("node", "update")]
        assert seen[0]["Actor"]["Attributes"]["name"] == "web"
        assert seen[1]["Actor"]["Attributes"]["availability.new"] == "drain"
        conn.sock.shutdown(socket.SHUT_RDWR)  # the client goes away mid-stream
        resp.close()
        conn.close()
        follow = subprocess_logs(srv)
        follow.kill()
        follow.communicate(timeout=10)
        time.sleep(0.2)
        assert docker(srv, "service", "ls", "-q").stdout.strip()  # still serving
        since = docker(srv, "events", "--since", "0", "--until", str(int(time.time()) + 1),
                       "--filter", "type=service", "--format", "{{.Type}} {{.Action}}")
        assert since.stdout.splitlines() == ["service create"], since.stderr


def subprocess_logs(srv):
    import os
    import subprocess

    from api_helpers import DOCKER

    env = dict(os.environ, DOCKER_HOST=f"tcp://127.0.0.1:{srv.port}")
    proc = subprocess.Popen([DOCKER, "service", "logs", "-f", "web"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    time.sleep(0.5)
    assert proc.poll() is None  # `logs -f` keeps streaming until its client goes
    return proc
