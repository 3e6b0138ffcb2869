"""`swarmsim plan`: the dry run of `docker stack deploy`, checked against hand-computed
placements and docker's output formats."""

import json
from pathlib import Path

import pytest

from swarmsim.app.plan import plan
from swarmsim.cli import main
from swarmsim.input.scenario import load_scenario

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
    assert reserved["worker3"] == (
        2 * 500_000_000 + 1_000_000_000, 2 * (512 << 20) + (2 << 30) + (64 << 20))


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
    assert out[:2] == ["Creating network getstartedlab_webnet",
                       "Creating service getstartedlab_web"]
    header = out[3]
    for column in ("ID", "NAME", "IMAGE", "NODE", "DESIRED STATE", "CURRENT STATE", "ERROR",
                   "PORTS"):
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


# --- issue 17: plan shows what docker shows ---------------------------------------------


def _scenario(tmp_path, compose: str, nodes: str, extra: str = "") -> Path:
    (tmp_path / "c.yml").write_text(compose)
    (tmp_path / "s.yaml").write_text(f"nodes:\n{nodes}stacks:\n  app: c.yml\n{extra}")
    return tmp_path / "s.yaml"


def test_untagged_image_is_shown_with_latest(tmp_path, capsys):
    # moby client/service_create.go: ServiceCreate tags the image (imageWithTagString,
    # reference.TagNameOnly) before it posts the spec, so docker stack ps shows nginx:latest
    path = _scenario(
        tmp_path,
        "services:\n  web:\n    image: nginx\n  db:\n    image: redis:7\n",
        "  - name: m\n    role: manager\n",
    )
    images = {t.service: t.image for t in plan(load_scenario(path)).tasks}
    assert images == {"app_web": "nginx:latest", "app_db": "redis:7"}
    assert main(["plan", str(path)]) == 0
    rows = [ln for ln in capsys.readouterr().out.splitlines() if "app_web.1" in ln]
    assert rows and " nginx:latest " in rows[0]


def test_pending_global_task_keeps_its_node(tmp_path, capsys):
    # swarmkit manager/orchestrator/global/global.go creates each global task with its
    # NodeID set (newTask(..., node.ID)); a task that does not fit stays pending on it, and
    # docker service ps prints that node.  Only an unplaced replica has no node.
    path = _scenario(
        tmp_path,
        "services:\n  agent:\n    image: nginx\n    deploy:\n      mode: global\n"
        "      resources:\n        reservations:\n          memory: 2G\n"
        "  web:\n    image: nginx\n    deploy:\n      resources:\n        reservations:\n"
        "          memory: 8G\n",
        "  - name: big\n    role: manager\n    memory: 4G\n  - name: small\n    memory: 1G\n",
    )
    tasks = {t.name.split(".")[0] + "@" + (t.node or "-"): t
             for t in plan(load_scenario(path)).tasks}
    small = tasks["app_agent@small"]
    assert small.state == "pending" and small.node_id is not None
    assert "insufficient resources" in small.error
    assert tasks["app_agent@big"].state == "assigned"
    assert tasks["app_web@-"].node is None  # a replica no node can hold has no node
    assert main(["plan", str(path), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    nodes = sorted((t["name"].split(".")[0], t["node"]) for t in doc["tasks"])
    assert nodes == [("app_agent", "big"), ("app_agent", "small"), ("app_web", None)]


def test_json_keeps_docker_warnings_on_stderr(tmp_path, capsys):
    # docker prints "Ignoring unsupported options: restart" on stderr (recorded answer for
    # tests/data/compose-cases.json "restart_legacy"); --json changes stdout only
    path = _scenario(
        tmp_path,
        "version: '3.8'\nservices:\n  web:\n    image: nginx\n    restart: always\n",
        "  - name: m\n    role: manager\n",
    )
    assert main(["plan", str(path)]) == 0
    plain = capsys.readouterr()
    assert main(["plan", str(path), "--json"]) == 0
    captured = capsys.readouterr()
    assert "Ignoring unsupported options: restart" in captured.err
    assert captured.err == plain.err
    json.loads(captured.out)  # stdout is the document and nothing else


def test_machines_outside_the_swarm_are_not_listed_as_nodes(tmp_path, capsys):
    path = _scenario(
        tmp_path,
        "services:\n  web:\n    image: nginx\n",
        "  - name: m\n    role: manager\n  - name: spare\n    joined: false\n",
    )
    assert main(["plan", str(path)]) == 0
    out = capsys.readouterr().out
    summary = out[out.index("NODE      ROLE") :].splitlines()
    assert summary[1].startswith("m ") and not any(ln.startswith("spare ") for ln in summary)
    assert "not in the swarm at t=0 (joined: false): spare" in out
    doc = plan(load_scenario(path)).to_dict()
    assert {n["name"]: n["joined"] for n in doc["nodes"]} == {"m": True, "spare": False}


def test_timeline_deploys_say_nothing_is_deployed_at_t0(capsys):
    assert main(["plan", str(SCENARIOS / "tutorial-part4.yaml")]) == 0
    out = capsys.readouterr().out
    assert "nothing is deployed at t=0: the timeline runs docker stack deploy at 4s" in out
    assert "swarmsim run" in out
    assert "DESIRED STATE" not in out  # no empty task table


def test_plan_prints_secret_and_config_creation_in_docker_order(tmp_path, capsys):
    # docker/cli cli/command/stack/deploy_composefile.go: createNetworks, createSecrets
    # ("Creating secret"), createConfigs ("Creating config"), then deployServices
    (tmp_path / "pw.txt").write_text("s3cret\n")
    (tmp_path / "app.conf").write_text("x=1\n")
    path = _scenario(
        tmp_path,
        "version: '3.8'\nservices:\n  web:\n    image: nginx\n    secrets: [pw]\n"
        "    configs: [conf]\nsecrets:\n  pw:\n    file: ./pw.txt\n  ext:\n    external: true\n"
        "configs:\n  conf:\n    file: ./app.conf\n",
        "  - name: m\n    role: manager\n",
    )
    assert main(["plan", str(path)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[:4] == [
        "Creating network app_default",
        "Creating secret app_pw",
        "Creating config app_conf",
        "Creating service app_web",
    ]


def test_missing_secret_file_is_docker_s_error_one_line(tmp_path, capsys):
    # docker/cli cli/compose/convert/compose.go fileObjectConfig: os.ReadFile of the
    # absolute path (loader.go absPath) -> "open <path>: no such file or directory"
    path = _scenario(
        tmp_path,
        "version: '3.8'\nservices:\n  web:\n    image: nginx\n    secrets: [pw]\n"
        "secrets:\n  pw:\n    file: ./db_password.txt\n",
        "  - name: m\n    role: manager\n",
    )
    assert main(["plan", str(path)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (
        f"c.yml:8: secrets.pw.file: open {tmp_path}/db_password.txt: no such file or directory\n"
    )
