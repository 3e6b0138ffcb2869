"""``docker inspect`` and ``docker container|network|image|service|node inspect`` with
``--format``, against docker/cli's behaviour: the lookup order and last-resort error of
``cli/command/system/inspect.go`` (inspectAll: container, image, network, volume, then
service, task, node on a manager; ``error: no such object: X``), the inspector's output
of ``cli/command/inspect/inspector.go`` (indented list, ``[]``, ``--format json``, a
template's line per object, exit 64 for a template that does not parse), moby's
shapes (``api/types/container``: docker 29 has no ``NetworkSettings.IPAddress``, so the
template falls back to the raw JSON with ``missingkey=error``) and Go's text/template."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from swarmsim.commands.gotemplate import TemplateError, compile_template
from swarmsim.commands.views import rfc3339_nano
from swarmsim.shell import Session
from swarmsim.shell.clock import clock_for
from tests.shell_helpers import pipe, piped_session, run_line

SWARM = """\
docker-machine create myvm1
docker-machine create myvm2
docker-machine ssh myvm1 "docker swarm init --advertise-addr 192.168.99.100"
docker-machine ssh myvm2 "docker swarm join --token $(docker-machine ssh myvm1 \
"docker swarm join-token -q worker") 192.168.99.100:2377"
eval $(docker-machine env myvm1)
docker service create -d --name web --replicas 2 -p 4000:80 gordon/get-started:part2
sleep 30
"""


@pytest.fixture(scope="module")
def swarm():
    return piped_session(SWARM)


def test_go_templates_as_go_prints_them():
    data = {"State": {"Status": "running", "Running": True, "Pid": 12},
            "Config": {"Env": ["A=1", "B=2"], "Labels": {"b": "2", "a": "1"}},
            "Networks": {"web": {"IPAddress": "10.1.0.3"}, "ingress": {"IPAddress": "10.0.0.9"}},
            "Nil": None}
    cases = {
        "{{.State.Status}}": "running",
        "{{.State.Running}} {{.State.Pid}}": "true 12",
        # maps print with sorted keys, slices space-separated (fmt's %v)
        "{{.Config.Labels}} {{.Config.Env}}": "map[a:1 b:2] [A=1 B=2]",
        # docker's json func: compact, keys in the object's order
        "{{json .Config}}": '{"Env":["A=1","B=2"],"Labels":{"b":"2","a":"1"}}',
        # range over a map visits sorted keys
        "{{range $n, $e := .Networks}}{{$n}}={{$e.IPAddress}};{{end}}":
            "ingress=10.0.0.9;web=10.1.0.3;",
        "{{range .Config.Env}}[{{.}}]{{end}}": "[A=1][B=2]",
        "{{if .State.Running}}up{{else}}down{{end}}": "up",
        '{{if eq .State.Status "exited"}}x{{else if .State.Running}}r{{else}}?{{end}}': "r",
        '{{index .Config.Labels "a"}} {{join .Config.Env ","}}': "1 A=1,B=2",
        "{{.State.Status | upper}} {{len .Config.Env}}": "RUNNING 2",
        "a {{- .State.Status -}} b": "arunningb",
        "{{.Nil}}": "<nil>",
        '{{printf "%s:%d" .State.Status .State.Pid}}': "running:12",
    }
    for src, want in cases.items():
        assert compile_template(src)(data) == want, src


def test_template_errors_in_gos_words():
    with pytest.raises(TemplateError) as err:
        compile_template("{{.Config.Nope}}")({"Config": {}})
    # the raw-JSON fallback's missingkey=error, at the chain's last field (byte 9)
    assert str(err.value) == ('template: :1:9: executing "" at <.Config.Nope>: map has no '
                              'entry for key "Nope"')
    assert not err.value.parse
    for src, want in (("{{.State", "template: :1: unclosed action"),
                      ("{{if .X}}", "template: :1: unexpected EOF"),
                      ("{{nope .}}", 'template: :1: function "nope" not defined'),
                      ("{{end}}", "template: :1: unexpected {{end}}")):
        with pytest.raises(TemplateError) as err:
            compile_template(src)
        assert (str(err.value), err.value.parse) == (want, True)


def test_range_over_a_huge_integer_is_refused_at_once():
    assert compile_template("{{range 3}}{{.}}{{end}}")({}) == "012"
    with pytest.raises(TemplateError, match="range over 1000000000 is not simulated"):
        compile_template("{{range 1000000000}}x{{end}}")({})


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("{}.$|()\" -:=abcifendrangewith,0")), max_size=40))
def test_any_format_either_renders_or_fails_with_a_template_error(src):
    try:
        compile_template(src)({"a": {"b": [1, "x"]}, "c": None})
    except TemplateError:
        pass


def test_inspect_finds_each_kind_in_dockers_order(swarm):
    svc = swarm.sim.state.services["web"]
    task = next(t for t in swarm.sim.state.tasks_of("web") if t.slot == 1)
    out, err, code = run_line(swarm, "docker inspect web -f '{{.ID}} {{.Spec.Name}}'")
    assert (out, err, code) == (f"{svc.id} web\n", "", 0)
    out, _, _ = run_line(swarm, f"docker inspect {task.id} -f "
                                "'{{.Slot}} {{.Status.State}}'")
    assert out == "1 running\n"
    out, _, _ = run_line(swarm, "docker inspect myvm2 --format '{{.Description.Hostname}} "
                            "{{.Spec.Role}}'")
    assert out == "myvm2 worker\n"
    out, _, _ = run_line(swarm, "docker inspect ingress -f '{{.Scope}} {{.Driver}} {{.Ingress}}'")
    assert out == "swarm overlay true\n"
    # a task's name is <service>.<slot>.<id>: web.1 names nothing
    out, err, code = run_line(swarm, "docker inspect web.1")
    assert (out, err, code) == ("[]\n", "error: no such object: web.1\n", 1)
    out, err, code = run_line(swarm, "docker inspect web nothing -f '{{.Spec.Name}}'")
    assert (out, err, code) == ("web\n", "error: no such object: nothing\n", 1)


def test_type_restricts_the_lookup(swarm):
    out, err, code = run_line(swarm, "docker inspect --type container web")
    assert (out, err, code) == ("[]\n", "Error response from daemon: No such container: web\n", 1)
    _, err, code = run_line(swarm, "docker inspect --type bogus web")
    assert code == 1 and err == (
        'unknown type: "bogus": must be one of "config", "container", "image", "network", '
        '"node", "plugin", "secret", "service", "task", "volume"\n')
    out, _, _ = run_line(swarm, "docker inspect --type service -f '{{.Spec.Name}}' web")
    assert out == "web\n"


def test_a_worker_sees_no_swarm_objects(swarm):
    out, err, code = run_line(swarm, "docker-machine ssh myvm2 \"docker inspect web\"")
    assert (out, err, code) == ("[]\n", "error: no such object: web\n", 1)


def test_container_inspect_of_a_task(swarm):
    task = next(t for t in swarm.sim.state.tasks_of("web") if t.slot == 1)
    node = swarm.sim.state.nodes[task.node_id].spec.name
    machine = "" if node == "myvm1" else "docker-machine ssh myvm2 "
    ids, _, _ = run_line(swarm, f"{machine}docker ps -q" if not machine else
                     f'{machine}"docker ps -q"')
    cid = ids.split()[0]
    line = (f"docker container inspect {cid} -f '{{{{.State.Status}}}} {{{{.Name}}}} "
            "{{index .Config.Labels \"com.docker.swarm.service.name\"}}'")
    out, err, code = run_line(swarm, line if not machine else f"{machine}{json.dumps(line)}")
    assert code == 0 and err == ""
    status, name, service = out.split()
    assert (status, service) == ("running", "web") and name.startswith("/web.")
    # docker 29: no NetworkSettings.IPAddress; the addresses are per network
    line = f"docker inspect {cid} -f '{{{{.NetworkSettings.IPAddress}}}}'"
    out, err, code = run_line(swarm, line if not machine else f"{machine}{json.dumps(line)}")
    assert (out, err, code) == ("\n", 'template parsing error: template: :1:18: executing "" '
                                "at <.NetworkSettings.IPAddress>: map has no entry for key "
                                '"IPAddress"\n', 1)
    fmt = "{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}"
    line = f"docker inspect {cid} -f '{fmt}'"
    out, _, _ = run_line(swarm, line if not machine else f"{machine}{json.dumps(line)}")
    assert out.startswith("10.0.0.")  # the ingress network, 10.0.0.0/24 as docker's


def test_json_forms_and_a_bad_template(swarm):
    out, _, _ = run_line(swarm, "docker service inspect web")
    doc = json.loads(out)[0]
    assert out.startswith("[\n    {\n        \"ID\": ")  # json.MarshalIndent, 4 spaces
    assert list(doc) == ["ID", "Version", "CreatedAt", "UpdatedAt", "Spec", "Endpoint"]
    assert doc["Spec"]["TaskTemplate"]["ContainerSpec"]["Image"] == "gordon/get-started:part2"
    assert doc["Endpoint"]["Ports"] == [{"Protocol": "tcp", "TargetPort": 80,
                                         "PublishMode": "ingress", "PublishedPort": 4000}]
    # created by the sixth piped line: simulated t=6 (one second per line) on SIM_EPOCH
    assert doc["CreatedAt"] == "2026-01-01T00:00:06Z"
    out, _, _ = run_line(swarm, "docker node inspect self --format json")
    assert "\n" not in out.rstrip("\n") and json.loads(out)[0]["Spec"]["Role"] == "manager"
    out, err, code = run_line(swarm, "docker node inspect self -f '{{.Spec.Role'")
    assert (out, err, code) == ("", "template parsing error: template: :1: unclosed "
                                "action\n", 64)
    _, err, code = run_line(swarm, "docker service inspect --format prettyx web")
    assert (err, code) == ("cannot supply extra formatting options to the pretty template\n", 1)


def test_rfc3339_nano_drops_trailing_zeros():
    from datetime import UTC, datetime

    assert rfc3339_nano(datetime(2026, 1, 1, 0, 0, 7, 50000, tzinfo=UTC)) == (
        "2026-01-01T00:00:07.05Z")
    assert rfc3339_nano(datetime(2026, 1, 1, tzinfo=UTC)) == "2026-01-01T00:00:00Z"


def test_image_inspect_on_the_laptop(tmp_path, monkeypatch):
    (tmp_path / "Dockerfile").write_text("FROM python:2.7-slim\nWORKDIR /app\nADD . /app\n"
                                         'CMD ["python", "app.py"]\n')
    monkeypatch.chdir(tmp_path)
    s = Session.start(clock=clock_for(tty=False))
    pipe(s, "docker build -t friendlyhello .\ndocker tag friendlyhello gordon/get-started:part2\n")
    out, err, code = run_line(s, "docker inspect friendlyhello -f '{{.RepoTags}} {{.Os}}'")
    assert (out, err, code) == ("[friendlyhello:latest gordon/get-started:part2] linux\n", "", 0)
    out, err, code = run_line(s, "docker image inspect nope")
    assert (out, err, code) == ("[]\n", "Error response from daemon: No such image: nope\n", 1)


def test_other_kinds_and_size(swarm):
    # cli/command/system/inspect.go: --size only for containers, a warning for the rest
    out, err, code = run_line(swarm, "docker inspect -s -f '{{.Spec.Name}}' web")
    assert (out, err, code) == ("web\n", "WARNING: --size ignored for service\n", 0)
    for kind, want in (("volume", "get x: no such volume"), ("plugin", 'plugin "x" not found'),
                       ("secret", "secret x not found"), ("config", "config x not found")):
        assert run_line(swarm, f"docker inspect --type {kind} x") == (
            "[]\n", f"Error response from daemon: {want}\n", 1)


def test_network_ls(swarm):
    # cli/command/network/list.go sorts by name; formatter.go's columns, ids cut to 12
    out, err, code = run_line(swarm, "docker network ls")
    assert (err, code) == ("", 0)
    rows = [ln.split() for ln in out.splitlines()]
    assert rows[0] == ["NETWORK", "ID", "NAME", "DRIVER", "SCOPE"]
    assert [r[1:] for r in rows[1:]] == [["bridge", "bridge", "local"],
                                         ["docker_gwbridge", "bridge", "local"],
                                         ["host", "host", "local"],
                                         ["ingress", "overlay", "swarm"],
                                         ["none", "null", "local"]]
    ingress = json.loads(run_line(swarm, "docker network inspect ingress")[0])[0]
    assert rows[4][0] == ingress["Id"][:12]
    out, _, _ = run_line(swarm, "docker network ls --format '{{.Name}}:{{.Scope}}'")
    assert "ingress:swarm" in out.split()
