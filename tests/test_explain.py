"""``swarmsim explain`` and the verdicts behind ``why``."""

from __future__ import annotations

from pathlib import Path

from swarmsim.cli import main
from swarmsim.explain import explain_lines
from swarmsim.run import run_scenario
from swarmsim.scenario import load_scenario, scenario_from_data

SCEN = Path(__file__).resolve().parents[1] / "scenarios"


def test_pinned_redis_explained():
    sim = run_scenario(load_scenario(SCEN / "tutorial-part5.yaml"), until=20).sim
    lines, code = explain_lines(sim, "getstartedlab_redis.1")
    assert code == 0
    assert lines[0].endswith("is running on myvm1")
    assert lines[1].split() == ["NODE", "VERDICT"]
    assert lines[2].startswith("myvm1 ") and "rank 1 in the spread order (this task)" in lines[2]
    assert lines[3].split(None, 1)[1] == ("filtered out: scheduling constraints not satisfied "
                                          "on 1 node")


def test_pending_task_explained(tmp_path):
    (tmp_path / "big.yml").write_text(
        "version: '3.8'\nservices:\n  big:\n    image: nginx\n    deploy:\n"
        "      resources:\n        reservations:\n          memory: 4G\n")
    scen = scenario_from_data(
        {"nodes": [{"name": "a", "role": "manager"}, {"name": "b"}],
         "stacks": {"s": "big.yml"}}, tmp_path / "s.yaml")
    sim = run_scenario(scen, until=10).sim
    lines, code = explain_lines(sim, "s_big.1")
    assert code == 0
    assert lines[0].startswith("s_big.1 (") and " is pending: no suitable node " in lines[0]
    assert [ln.split(None, 1)[1] for ln in lines[2:]] == [
        "filtered out: insufficient resources on 1 node"] * 2
    assert explain_lines(sim, "nope.3") == (["no such task: nope.3"], 1)


def test_explain_cli(capsys):
    code = main(["explain", str(SCEN / "tutorial-part3.yaml"), "getstartedlab_web.1",
                 "--at", "30s"])
    out = capsys.readouterr().out.splitlines()
    assert code == 0
    assert out[0].startswith("getstartedlab_web.1 (") and out[0].endswith("on myvm1")
    assert out[2].startswith("myvm1 ")
