"""`swarmsim run`: output files, JSON document, determinism, and the shipped scenarios."""

import json
from pathlib import Path

import pytest

from swarmsim.cli import main

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"


def test_out_dir_files_and_byte_identical_events(tmp_path, capsys):
    a, b = tmp_path / "a", tmp_path / "b"
    assert main(["run", str(SCENARIOS / "crash.yaml"), "--out", str(a)]) == 0
    assert main(["run", str(SCENARIOS / "crash.yaml"), "--out", str(b)]) == 0
    capsys.readouterr()
    for name in ("events.jsonl", "final.json", "scenario.json"):
        assert (a / name).read_bytes() == (b / name).read_bytes()
    events = [json.loads(line) for line in (a / "events.jsonl").read_text().splitlines()]
    times = [e["time"] for e in events]
    assert times == sorted(times)
    kinds = {e["kind"] for e in events}
    assert kinds == {"task", "node", "command", "fault"}
    task = next(e for e in events if e["kind"] == "task")
    assert set(task) >= {"time", "kind", "task", "id", "service", "node", "state",
                         "desired_state", "actual", "message"}
    node = next(e for e in events if e["kind"] == "node")
    assert set(node) >= {"time", "kind", "node", "status", "availability", "role"}
    command = next(e for e in events if e["kind"] == "command")
    assert set(command) >= {"time", "kind", "command", "output", "exit_code"}
    # the crash of myvm2 at 60 s: its node goes down between 68 s and 76.5 s
    down = [e for e in events if e["kind"] == "node" and e["node"] == "myvm2"
            and e["status"] == "down"]
    assert 68.0 <= down[0]["time"] <= 76.5
    assert down[0]["alive"] is False
    scenario = json.loads((a / "scenario.json").read_text())
    assert scenario["until"] == 180.0
    assert [n["name"] for n in scenario["nodes"]] == ["myvm1", "myvm2", "myvm3"]


def test_other_seed_changes_the_run(tmp_path, capsys):
    assert main(["run", str(SCENARIOS / "crash.yaml"), "--out", str(tmp_path / "a")]) == 0
    assert main(["run", str(SCENARIOS / "crash.yaml"), "--seed", "5",
                 "--out", str(tmp_path / "b")]) == 0
    capsys.readouterr()
    assert (tmp_path / "a" / "events.jsonl").read_bytes() != (
        tmp_path / "b" / "events.jsonl").read_bytes()


def test_json_document_carries_history_and_truth(capsys):
    assert main(["run", str(SCENARIOS / "crash.yaml"), "--until", "70s", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["time"] == 70.0
    on_myvm2 = [t for t in doc["tasks"] if t["node"] == "myvm2"]
    assert on_myvm2
    # myvm2 crashed at 60 s; at 70 s the manager may not know yet, but `actual` does
    for t in on_myvm2:
        assert t["actual"] is False
        assert {"created", "updated", "actual"} <= set(t)
    svc = doc["services"][0]
    assert svc["name"] == "getstartedlab_web" and svc["desired"] == 5


def test_human_output_stamps_commands_and_ends_with_tables(capsys):
    assert main(["run", str(SCENARIOS / "drain-scale.yaml")]) == 0
    out = capsys.readouterr().out
    assert "[0:00:20.000] myvm1$ docker node update --availability drain myvm2" in out
    assert "getstartedlab_web scaled to 8" in out
    assert "$ docker node ls" in out and "$ docker service ls" in out
    assert "$ docker stack ps getstartedlab" in out
    assert "4/4" in out.split("$ docker service ls", 1)[1]


def test_quorum_loss_refuses_manager_commands(capsys):
    assert main(["run", str(SCENARIOS / "quorum.yaml")]) == 0
    out = capsys.readouterr().out
    lost = out.split("[0:01:10.000]", 1)[1].split("[0:01:15.000]", 1)[0]
    assert "The swarm does not have a leader" in lost
    back = out.split("[0:03:00.000]", 1)[1]
    assert "getstartedlab_web scaled to 8" in back


@pytest.mark.parametrize("name", sorted(p.name for p in SCENARIOS.glob("*.yaml")))
def test_every_shipped_scenario_runs(name, capsys):
    assert main(["run", str(SCENARIOS / name), "--until", "2m"]) == 0
    assert "end of simulation" in capsys.readouterr().out


def test_bad_until_is_an_input_error(capsys):
    assert main(["run", str(SCENARIOS / "crash.yaml"), "--until", "soon"]) == 2
    assert "--until" in capsys.readouterr().err


def test_run_json_loads_only_what_it_uses():
    # a run whose timeline only deploys stacks loads the stack command's module alone,
    # and neither the other sub-commands' modules nor the report's plotting libraries
    import subprocess
    import sys

    code = ("import sys\nfrom swarmsim.cli import main\n"
            f"main(['run', {str(SCENARIOS / 'traffic-crash.yaml')!r}, '--json'])\n"
            "print(' '.join(sorted(sys.modules)), file=sys.stderr)\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, cwd=ROOT)
    loaded = set(proc.stderr.split())
    assert json.loads(proc.stdout)["summary"]["requests"]["count"] > 0
    assert "swarmsim.commands.stack" in loaded
    for module in ("swarmsim.commands.inspect", "swarmsim.commands.service_create",
                   "swarmsim.commands.login", "swarmsim.cli.plan_cmd",
                   "swarmsim.cli.report_cmd", "swarmsim.report", "matplotlib", "pandas",
                   "jinja2", "networkx"):
        assert module not in loaded, module
