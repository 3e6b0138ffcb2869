"""Scenario files: defaults, expansion, ids, and errors with file, line and key path."""

from pathlib import Path

import pytest

from swarmsim.foundation.errors import InputError
from swarmsim.input.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[1]


def write(tmp_path: Path, text: str, compose: str | None = "services:\n  web:\n    image: nginx\n"):
    if compose is not None:
        (tmp_path / "docker-compose.yml").write_text(compose)
    path = tmp_path / "scenario.yaml"
    path.write_text(text)
    return path


def test_defaults_and_expansion(tmp_path):
    path = write(
        tmp_path,
        "nodes:\n"
        "  - name: m\n    role: manager\n"
        "  - name: worker-{i}\n    count: 3\n    cpus: 2\n    memory: 512M\n"
        "    labels: {zone: a}\n"
        "stacks:\n  app: docker-compose.yml\n",
    )
    sc = load_scenario(path)
    assert sc.name == "scenario"  # the file's stem
    assert sc.seed == 0
    assert sc.until == 600.0
    assert [n.name for n in sc.nodes] == ["m", "worker-1", "worker-2", "worker-3"]
    m, w1 = sc.nodes[0], sc.nodes[1]
    assert (m.role, m.nano_cpus, m.memory_bytes) == ("manager", 1_000_000_000, 1 << 30)
    assert (w1.role, w1.nano_cpus, w1.memory_bytes) == ("worker", 2_000_000_000, 512 << 20)
    assert dict(w1.labels) == {"zone": "a"}
    assert (m.platform.os, m.platform.arch) == ("linux", "x86_64")
    assert m.availability == "active" and m.status == "ready" and m.joined
    assert m.addr == "192.168.99.100" and w1.addr == "192.168.99.101"
    assert sc.stacks[0].name == "app"
    assert sc.stacks[0].compose_files == (tmp_path / "docker-compose.yml",)


def test_node_ids_are_docker_like_and_depend_only_on_the_seed(tmp_path):
    path = write(tmp_path, "seed: 7\nnodes:\n  - name: a\n  - name: b\n", compose=None)
    first = load_scenario(path)
    again = load_scenario(path)
    other = load_scenario(path, seed=8)
    ids = [n.id for n in first.nodes]
    assert ids == [n.id for n in again.nodes]
    assert ids != [n.id for n in other.nodes]
    for node_id in ids:
        assert len(node_id) == 25
        assert set(node_id) <= set("0123456789abcdefghijklmnopqrstuvwxyz")
    assert len(set(ids)) == 2


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("nodes:\n  - name: a\n    role: boss\n",
         'scenario.yaml:3: nodes.0.role must be one of the following: "manager", "worker"'),
        ("nodes:\n  - name: a\n    cpus: two\n", "scenario.yaml:3: nodes.0.cpus must be a number"),
        ("nodes:\n  - name: a\n    memory: 1X\n",
         "scenario.yaml:3: nodes.0.memory invalid suffix: 'x'"),
        ("nodes:\n  - name: a\n    colour: red\n",
         "scenario.yaml:3: nodes.0 Additional property colour is not allowed"),
        ("helicopters: 1\n",
         "scenario.yaml:1: (root) Additional property helicopters is not allowed"),
        ("nodes:\n  - name: w\n    count: 2\n",
         "scenario.yaml:2: nodes.0.name must contain {i} when count is greater than 1"),
        ("nodes:\n  - name: a\n  - name: a\n",
         "scenario.yaml:3: nodes.1.name duplicate hostname 'a'"),
        ("seed: -1\n", "scenario.yaml:1: seed must be a non-negative integer"),
        ("stacks:\n  app: missing.yml\n",
         "scenario.yaml:2: stacks.app open missing.yml: no such file or directory"),
        ("until: 10\n", "scenario.yaml:1: until must be a string"),
        ("until: 1d\n", "scenario.yaml:1: until Does not match format 'duration'"),
        ("nodes:\n  - name: a\ntimeline:\n  - {at: 5s, fail: b}\n",
         "scenario.yaml:4: timeline.0.fail no such machine: b"),
        ("timeline:\n  - {at: 5s}\n",
         "scenario.yaml:2: timeline.0 must have exactly one of: run, fail, recover, kill"),
        ("nodes:\n  - name: a\n    labels: {x: true}\n",
         "scenario.yaml:3: nodes.0.labels.x must be a string, number or null"),
    ],
)
def test_errors_name_file_line_and_key(tmp_path, monkeypatch, text, expected):
    write(tmp_path, text, compose=None)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(InputError) as info:
        load_scenario("scenario.yaml")
    assert str(info.value) == expected


def test_yaml_syntax_error_is_located(tmp_path, monkeypatch):
    write(tmp_path, "nodes:\n\t- name: a\n", compose=None)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(InputError) as info:
        load_scenario("scenario.yaml")
    assert str(info.value).startswith("scenario.yaml:")
    assert "found character that cannot start any token" in str(info.value)


def test_missing_file():
    with pytest.raises(InputError) as info:
        load_scenario("nope.yaml")
    assert str(info.value) == "nope.yaml: open nope.yaml: no such file or directory"


def test_timeline_is_sorted_by_time_then_file_order(tmp_path):
    path = write(
        tmp_path,
        "nodes:\n  - name: a\n    role: manager\n"
        "timeline:\n"
        "  - {at: 1m, recover: a}\n"
        "  - {at: 30s, fail: a}\n"
        "  - {at: 1m, kill: app_web.1, exit_code: 3}\n",
        compose=None,
    )
    steps = load_scenario(path).timeline
    assert [(s.at, s.action) for s in steps] == [(30.0, "fail"), (60.0, "recover"), (60.0, "kill")]
    assert steps[2].exit_code == 3 and steps[2].target == "app_web.1"


@pytest.mark.parametrize("name", sorted(p.name for p in (ROOT / "scenarios").glob("*.yaml")))
def test_shipped_scenarios_load(name):
    sc = load_scenario(ROOT / "scenarios" / name)
    assert sc.nodes


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("docker servce ls",
         "scenario.yaml:4: timeline.0.run docker: unknown command: docker servce"),
        ("docker node ls --bogus", "scenario.yaml:4: timeline.0.run unknown flag: --bogus"),
        ("kubectl get pods",
         "scenario.yaml:4: timeline.0.run swarmsim: kubectl: command not found"),
    ],
)
def test_bad_timeline_commands_are_scenario_errors(tmp_path, monkeypatch, command, expected):
    write(
        tmp_path,
        f'nodes:\n  - name: a\ntimeline:\n  - {{at: 5s, run: "{command}"}}\n',
        compose=None,
    )
    monkeypatch.chdir(tmp_path)
    with pytest.raises(InputError) as info:
        load_scenario("scenario.yaml")
    assert str(info.value).startswith(expected)


def test_valid_commands_pass_the_check(tmp_path):
    path = write(
        tmp_path,
        "nodes:\n  - name: a\n    role: manager\ntimeline:\n"
        '  - {at: 1s, run: "docker swarm join --token $(docker swarm join-token -q worker) '
        '192.168.99.100:2377", on: a}\n'
        '  - {at: 2s, run: "docker service scale app_web=3"}\n',
        compose=None,
    )
    assert len(load_scenario(path).timeline) == 2


def test_a_policy_module_that_does_not_load_is_a_scenario_error(tmp_path, monkeypatch):
    write(tmp_path, "nodes:\n  - name: a\n    role: manager\npolicy: nomodule_here:Thing\n",
          compose=None)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(InputError) as info:
        load_scenario("scenario.yaml")
    assert str(info.value) == (
        "scenario.yaml:4: policy module nomodule_here: No module named 'nomodule_here'"
    )
