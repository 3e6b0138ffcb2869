"""``swarmsim explain`` and the verdicts behind ``why``: the decision as it was made, per
node in the node's own terms, under the scenario's policy (or ``--policy``).

Expected rows are worked out by hand from SwarmKit's filter order
(``manager/scheduler/pipeline.go``: ready, resources, plugins, constraints, platform,
host ports, max replicas) and spread's ``nodeLess`` (``manager/scheduler/scheduler.go``).
"""

from __future__ import annotations

from pathlib import Path

from swarmsim.app.explain import explain_lines
from swarmsim.app.run import run_scenario
from swarmsim.cli import main
from swarmsim.input.scenario import load_scenario, scenario_from_data
from swarmsim.scheduler import ALL_TASKS

SCEN = Path(__file__).resolve().parents[1] / "scenarios"


def _rows(lines: list[str]) -> dict[str, list[str]]:
    """Node name -> the row's cells (split on runs of 2+ spaces)."""
    import re

    head = next(i for i, ln in enumerate(lines) if ln.startswith("NODE "))
    return {re.split(r"\s{2,}", ln)[0]: re.split(r"\s{2,}", ln.strip())[1:]
            for ln in lines[head + 1:]}


def _scenario(tmp_path: Path, compose: str, nodes: list[dict[str, object]], **extra: object):
    (tmp_path / "c.yml").write_text(compose)
    return scenario_from_data({"nodes": nodes, "stacks": {"s": "c.yml"}, **extra},
                              tmp_path / "s.yaml")


def test_pinned_redis_explained_in_the_nodes_terms():
    sim = run_scenario(load_scenario(SCEN / "tutorial-part5.yaml"), until=20,
                       watch=ALL_TASKS).sim
    lines, code = explain_lines(sim, "getstartedlab_redis.1")
    assert code == 0
    assert lines[0].endswith("is running on myvm1")
    assert lines[1].startswith("decided at ") and "by spread" in lines[1]
    rows = _rows(lines)
    assert rows["myvm1"][0] == "pass" and rows["myvm1"][-1] == "1 <- this task"
    # the constraint node.role==manager, and what myvm2 has instead
    assert rows["myvm2"] == ["constraint node.role==manager: node has role=worker", "-", "-"]


def test_a_running_task_never_blames_its_own_reservation(tmp_path):
    # two 1-CPU nodes, two replicas reserving 1 CPU each: both nodes are full at the end,
    # but when web.1 was placed both were empty, and its own node is where it went
    scen = _scenario(
        tmp_path,
        "services:\n  web:\n    image: nginx\n    deploy:\n      replicas: 2\n"
        "      resources:\n        reservations:\n          cpus: '1'\n",
        [{"name": "a", "role": "manager"}, {"name": "b"}])
    watched = run_scenario(scen, until=10, watch=ALL_TASKS).sim
    lines, _ = explain_lines(watched, "s_web.1")
    rows = _rows(lines)
    node = lines[0].rsplit(" ", 1)[1]
    other = ({"a", "b"} - {node}).pop()
    assert rows[node][0] == "pass" and rows[node][-1].endswith("<- this task")
    assert rows[other][0] == "pass"
    assert "placing 2 tasks of s_web together" in lines[1]
    # without kept decisions (the shell's `why`), the swarm now minus the task's own
    # reservation: its node passes, the other one is full with the other replica
    plain = run_scenario(scen, until=10).sim
    lines, _ = explain_lines(plain, "s_web.1")
    rows = _rows(lines)
    assert "without this task's own reservation" in lines[1]
    assert rows[node][0] == "pass" and rows[node][-1] == "1 <- this task"
    assert rows[other][0] == "needs 1 CPU, 0 free"
    # and the scheduler's accounting is untouched by the question
    node_id = next(n.id for n in plain.state.nodes.values() if n.name == node)
    usage = plain.scheduler.node_usage(node_id)
    assert usage.active_tasks == 1 and usage.reserved_nano_cpus == 1_000_000_000


def test_pending_task_says_what_each_node_lacks(tmp_path):
    # a 1-CPU node with 0.8 reserved first, then a task needing 0.5: 0.2 free
    scen = _scenario(
        tmp_path,
        "services:\n  first:\n    image: nginx\n    deploy:\n"
        "      placement:\n        constraints: [node.labels.zone==a]\n"
        "      resources:\n        reservations:\n          cpus: '0.8'\n",
        [{"name": "m", "role": "manager", "labels": {"zone": "b"}, "memory": "1G"},
         {"name": "w", "labels": {"zone": "a"}}],
        timeline=[{"at": "5s", "run": f"docker stack deploy -c {tmp_path / 'late.yml'} t"}])
    (tmp_path / "late.yml").write_text(
        "services:\n  late:\n    image: nginx\n    deploy:\n"
        "      placement:\n        constraints: [node.labels.zone==a]\n"
        "      resources:\n        reservations:\n          cpus: '0.5'\n"
        "          memory: 2G\n")
    sim = run_scenario(scen, until=20, watch=ALL_TASKS).sim
    lines, code = explain_lines(sim, "t_late.1")
    assert code == 0 and " is pending: no suitable node " in lines[0]
    assert lines[1].startswith("last scheduling pass at ")
    rows = _rows(lines)
    assert rows["w"][0] == "needs 0.5 CPU, 0.2 free; needs 2GiB memory, 1GiB free"
    # m has the CPU but not the memory; resources come before constraints in the pipeline
    assert rows["m"][0] == "needs 2GiB memory, 1GiB free"
    assert explain_lines(sim, "nope.3") == (["no such task: nope.3"], 1)


def test_explain_uses_the_scenarios_policy_and_policy_option(tmp_path, capsys):
    # one 1-CPU task already on a node; a second service's task: binpack ranks the fuller
    # node first (score 1/2 + 0.25/2 > 0.25/2), spread the empty one (fewer tasks)
    compose = ("services:\n  big:\n    image: nginx\n    deploy:\n"
               "      resources:\n        reservations:\n          cpus: '1'\n")
    nodes = [{"name": "a", "role": "manager", "cpus": 2}, {"name": "b", "cpus": 2}]
    timeline = [{"at": "5s", "run": f"docker stack deploy -c {tmp_path / 'small.yml'} t"}]
    (tmp_path / "small.yml").write_text(
        "services:\n  small:\n    image: nginx\n    deploy:\n"
        "      resources:\n        reservations:\n          cpus: '0.25'\n")
    (tmp_path / "c.yml").write_text(compose)
    import yaml

    for policy, fuller_first in (("binpack", True), ("spread", False)):
        path = tmp_path / f"{policy}.yaml"
        path.write_text(yaml.safe_dump({"nodes": nodes, "stacks": {"s": "c.yml"},
                                        "policy": policy, "timeline": timeline}))
        assert main(["explain", str(path), "t_small.1"]) == 0
        lines = capsys.readouterr().out.splitlines()
        assert f"by {policy}" in lines[1]
        big = run_scenario(load_scenario(path), until=1).sim
        holder = next(t.node_id for t in big.state.tasks.values())
        name = big.state.nodes[holder].name
        rows = _rows(lines)
        assert (rows[name][-1].split()[0] == "1") is fuller_first
    path = tmp_path / "spread.yaml"
    assert main(["explain", str(path), "t_small.1", "--policy", "binpack"]) == 0
    assert "by binpack" in capsys.readouterr().out
    assert main(["explain", str(path), "t_small.1", "--policy", "nope"]) == 2
    assert "--policy nope" in capsys.readouterr().err


def test_explain_at_a_time_shows_the_decision_in_force_then(tmp_path, capsys):
    # a task pending for lack of memory until the service holding it is removed at 10s:
    # --at 8s shows the pending pass (1GiB - 800MiB = 224MiB free), the end the placement
    compose = ("services:\n  hog:\n    image: nginx\n    deploy:\n"
               "      resources:\n        reservations:\n          memory: 800M\n")
    (tmp_path / "c.yml").write_text(compose)
    (tmp_path / "late.yml").write_text(
        "services:\n  late:\n    image: nginx\n    deploy:\n"
        "      resources:\n        reservations:\n          memory: 500M\n")
    import yaml

    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump({
        "nodes": [{"name": "a", "role": "manager", "memory": "1G"}],
        "stacks": {"s": "c.yml"},
        "until": "30s",
        "timeline": [
            {"at": "5s", "run": f"docker stack deploy -c {tmp_path / 'late.yml'} t"},
            {"at": "10s", "run": "docker service rm s_hog"},
        ]}))
    assert main(["explain", str(path), "t_late.1", "--at", "8s"]) == 0
    early = capsys.readouterr().out.splitlines()
    assert "is pending" in early[0] and early[1].startswith("last scheduling pass at ")
    assert _rows(early)["a"][0] == "needs 500MiB memory, 224MiB free"
    assert main(["explain", str(path), "t_late.1"]) == 0
    late = capsys.readouterr().out.splitlines()
    assert "is running on a" in late[0] and late[1].startswith("decided at ")
    assert _rows(late)["a"][0] == "pass"
    assert main(["explain", str(path), "t_late.1", "--at", "soon"]) == 2


def test_plan_uses_the_scenarios_policy(tmp_path, capsys):
    # eight half-CPU replicas on five 2-CPU nodes: spread uses every node, binpack fills
    # two workers with four each (policy-compare's compose file)
    import yaml

    text = yaml.safe_load((SCEN / "policy-compare.yaml").read_text())
    text["stacks"] = {"lab": str(SCEN / "compose" / "policy-compare.yml")}
    text.pop("workload", None)
    for policy, used in (("spread", 5), ("binpack", 2)):
        text["policy"] = policy
        path = tmp_path / f"{policy}.yaml"
        path.write_text(yaml.safe_dump(text))
        from swarmsim.app.plan import plan

        result = plan(load_scenario(path))
        assert len({t.node for t in result.tasks if t.node}) == used
    assert main(["plan", str(tmp_path / "spread.yaml"), "--policy", "binpack"]) == 0
    out = capsys.readouterr().out
    assert sum(1 for ln in out.splitlines() if "(100%)" in ln) == 2
