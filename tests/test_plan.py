"""`swarmsim plan`: the dry run of `docker stack deploy`, checked against hand-computed
placements and docker's output formats."""

import json
from pathlib import Path

import pytest

from swarmsim.cli import main
from swarmsim.plan import plan
from swarmsim.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"


def by_node(result):
    out: dict[str | None, list[str]] = {}
    for t in result.tasks:
        out.setdefault(t.node, []).append(t.name)
    return out


def test_part3_spreads_five_replicas_three_two():
    result = plan(load_scenario(SCENARIOS / "getstarted-part3.yaml"))
    counts = sorted(len(v) for v in by_node(result).values())
    assert counts == [2, 3]
    assert all(t.state == "assigned" and t.desired_state == "running" for t in result.tasks)
    assert [t.name for t in result.tasks] == [f"getstartedlab_web.{i}" for i in range(1, 6)]
    # limits never reserve anything
    assert all(n.reserved_nano_cpus == 0 for n in result.nodes)


def test_part5_pins_visualizer_and_redis_to_the_manager():
    result = plan(load_scenario(SCENARIOS / "getstarted-part5.yaml"))
    nodes = {t.service: t.node for t in result.tasks if not t.service.endswith("_web")}
    assert nodes == {"getstartedlab_visualizer": "myvm1", "getstartedlab_redis": "myvm1"}
    web = [t.node for t in result.tasks if t.service == "getstartedlab_web"]
    assert sorted(web.count(n) for n in ("myvm1", "myvm2")) == [2, 3]


def test_placement_scenario_by_hand():
    result = plan(load_scenario(SCENARIOS / "placement.yaml"))
    tasks = result.tasks
    api = [t.node for t in tasks if t.service == "placement_api"]
    # spread over zone: a = manager1, b = worker1+worker2, c = worker3 -> 2 per zone
    assert api.count("manager1") == 2
    assert api.count("worker1") + api.count("worker2") == 2
    assert api.count("worker3") == 2
    db = [t for t in tasks if t.service == "placement_db"]
    assert [t.node for t in db] == ["worker3"]  # the only disk=ssd node
    cache = [t for t in tasks if t.service == "placement_cache"]
    assert sorted(t.node or "" for t in cache) == ["", "manager1", "worker1", "worker2", "worker3"]
    pending = [t for t in cache if t.node is None]
    assert pending[0].state == "pending"
    assert pending[0].error == "no suitable node (max replicas per node limit exceed)"
    agent = [t for t in tasks if t.service == "placement_agent"]
    assert sorted(t.node for t in agent) == ["manager1", "worker1", "worker2", "worker3"]
    ids = {n.spec.name: n.spec.id for n in result.nodes}
    assert {t.name for t in agent} == {f"placement_agent.{i}" for i in ids.values()}
    edge = [t.node for t in tasks if t.service == "placement_edge"]
    assert len(set(edge)) == 3  # host-mode port 8080: one task per node
    # reservations add up: api 0.5 CPU / 512M per task, db 1 CPU / 2G, agent 64M
    reserved = {n.spec.name: (n.reserved_nano_cpus, n.reserved_memory) for n in result.nodes}
    assert reserved["worker3"] == (2 * 500_000_000 + 1_000_000_000, 2 * (512 << 20) + (2 << 30) + (64 << 20))


def test_plan_json_document(capsys):
    assert main(["plan", str(SCENARIOS / "getstarted-part3.yaml"), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert set(doc) == {"time", "nodes", "services", "tasks"}
    assert doc["time"] == 0.0
    assert set(doc["nodes"][0]) >= {"name", "id", "role", "status", "availability", "cpus",
                                    "memory", "labels", "reserved_cpus", "reserved_memory"}
    assert doc["services"] == [
        {"name": "getstartedlab_web", "mode": "replicated", "desired": 5, "running": 0}
    ]
    task = doc["tasks"][0]
    assert set(task) >= {"id", "name", "service", "slot", "node", "desired_state", "state", "error"}
    assert task["node"] in ("myvm1", "myvm2") and task["state"] == "assigned"


def test_plan_table_output(capsys):
    assert main(["plan", str(SCENARIOS / "getstarted-part3.yaml")]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[:2] == ["Creating network getstartedlab_webnet", "Creating service getstartedlab_web"]
    header = out[3]
    for column in ("ID", "NAME", "IMAGE", "NODE", "DESIRED STATE", "CURRENT STATE", "ERROR", "PORTS"):
        assert column in header
    assert "Assigned less than a second ago" in out[4]


def test_same_seed_same_plan():
    a = plan(load_scenario(SCENARIOS / "placement.yaml")).to_dict()
    b = plan(load_scenario(SCENARIOS / "placement.yaml")).to_dict()
    assert json.dumps(a) == json.dumps(b)


@pytest.mark.parametrize(
    ("compose", "expected"),
    [
        ("services:\n  web:\n    image: nginx\n    deploy:\n      replicas: \"3\"\n",
         "docker-compose.yml:5: services.web.deploy.replicas must be a integer"),
        ("services:\n  web:\n    image: nginx\n    deploy:\n      placement:\n"
         "        constraints: [node.role=manager]\n",
         "constraint expected one operator from ==, !="),
    ],
)
def test_bad_compose_is_one_line_exit_2(tmp_path, monkeypatch, capsys, compose, expected):
    (tmp_path / "docker-compose.yml").write_text(compose)
    (tmp_path / "s.yaml").write_text(
        "nodes:\n  - name: m\n    role: manager\nstacks:\n  app: docker-compose.yml\n"
    )
    monkeypatch.chdir(tmp_path)
    assert main(["plan", "s.yaml"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    err = captured.err.strip()
    assert "\n" not in err
    assert expected in err
    assert err.startswith("docker-compose.yml:")


def test_deploy_without_a_manager_fails_like_docker(tmp_path, capsys):
    (tmp_path / "c.yml").write_text("services:\n  web:\n    image: nginx\n")
    (tmp_path / "s.yaml").write_text("nodes:\n  - name: w\nstacks:\n  app: c.yml\n")
    assert main(["plan", str(tmp_path / "s.yaml")]) == 2
    assert "this node is not a swarm manager" in capsys.readouterr().err
