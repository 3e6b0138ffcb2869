"""The tutorial scenarios run and print what docker prints at each step."""

from __future__ import annotations

from pathlib import Path

import pytest

from swarmsim.app.run import run_scenario
from swarmsim.input.scenario import load_scenario

SCEN = Path(__file__).resolve().parents[1] / "scenarios"


def _log(name: str) -> list:
    result = run_scenario(load_scenario(SCEN / name))
    return [e for e in result.log if getattr(e, "kind", "") == "command"]


@pytest.mark.parametrize("name", sorted(p.name for p in SCEN.glob("tutorial-*.yaml")))
def test_has_a_teaching_header(name):
    first = (SCEN / name).read_text().splitlines()[:6]
    assert first[0].startswith("# Tutorial")
    assert any(line.startswith("# Teaches:") for line in first)


def test_part3_redeploy_changes_the_replicas():
    log = _log("tutorial-part3.yaml")
    ls = [e.output for e in log if e.command == "docker service ls"]
    assert " 5/5 " in ls[0] and " 7/7 " in ls[1]
    assert "Updating service getstartedlab_web (id: " in log[3].output
    assert log[-1].output == "Node left the swarm.\n"


def test_part4_spreads_and_worker_cannot_list():
    log = _log("tutorial-part4.yaml")
    worker = next(e for e in log if e.on == "myvm2" and e.command == "docker node ls")
    assert "Worker nodes can't be used to view or modify cluster state" in worker.error
    ps = next(e for e in log if e.command == "docker stack ps getstartedlab").output
    rows = [r.split() for r in ps.splitlines()[1:]]
    assert sorted(r[3] for r in rows).count("myvm1") == 3  # spread: 3 and 2


def test_mistakes():
    no_init = _log("tutorial-mistakes-no-init.yaml")
    assert no_init[-1].output.endswith("Creating service getstartedlab_web\n")
    assert no_init[0].exit_code == 1 and no_init[0].error.endswith(
        "this node is not a swarm manager. Use \"docker swarm init\" or \"docker swarm join\" "
        "to connect this node to swarm and try again\n")
    leave = [e for e in _log("tutorial-mistakes-leave-manager.yaml")
             if e.command.startswith("docker swarm leave")]
    assert leave[0].exit_code == 1 and "Use `--force` to ignore this message." in leave[0].error
    assert leave[1].output == "Node left the swarm.\n"
    crash = _log("tutorial-mistakes-worker-crash.yaml")
    node_ls = next(e for e in crash if e.command == "docker node ls").output
    assert any(r.split()[1:3] == ["myvm2", "Down"] for r in node_ls.splitlines()[1:])
