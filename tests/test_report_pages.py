"""report.html, visualizer.html and `swarmsim report`: self-contained pages, rebuilt
from the files alone."""

import json
import re
import shutil
from pathlib import Path

import pytest

from swarmsim.cli import main
from swarmsim.cli.report_cmd import NEEDED
from swarmsim.report.visualizer import STATES
from tests.metrics_fixtures import crash

ROOT = Path(__file__).resolve().parents[1]
PLOTS = ("utilisation.png", "replicas.png", "tasks.png", "snapshot.png")


@pytest.fixture(scope="module")
def out(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("pages")
    crash(tmp / "sc")
    out = tmp / "out"
    assert main(["run", str(tmp / "sc" / "scenario.yaml"), "--out", str(out)]) == 0
    return out


def _external(html):
    """Every src/href that would need the network."""
    return re.findall(r"""(?:src|href)\s*=\s*["'](?:https?:)?//[^"']+""", html)


def test_run_out_writes_every_file(out, capsys):
    capsys.readouterr()
    names = {p.name for p in out.iterdir()}
    assert {"events.jsonl", "final.json", "scenario.json", "metrics.csv", "tasks.csv",
            "nodes.csv", "summary.json", "stack-ps.txt", "report.html", "visualizer.html",
            *PLOTS} <= names
    for png in PLOTS:
        assert (out / png).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_report_is_self_contained_and_complete(out):
    html = (out / "report.html").read_text()
    assert _external(html) == []
    assert html.count('src="data:image/png;base64,') == len(PLOTS)
    assert "<h2>Scenario</h2>" in html and "myvm2" in html
    assert "<h2>Summary</h2>" in html
    summary = json.loads((out / "summary.json").read_text())
    avail = summary["services"]["lab_web"]["availability"]
    assert f"{100 * avail:.1f}%" in html
    assert "fail myvm2" in html  # the fault among the events that mattered
    assert "myvm2: down, active, machine off" in html  # the manager noticing
    ps = (out / "stack-ps.txt").read_text()
    assert ps.startswith("$ docker stack ps lab\nID ")
    assert "lab_web.2" in ps and "Shutdown" in ps
    assert "\\_ lab_web" in html  # the final docker stack ps, history included


def test_visualizer_page_data(out):
    html = (out / "visualizer.html").read_text()
    assert _external(html) == []
    payload = re.search(r'<script id="run-data" type="application/json">(.*?)</script>',
                        html, re.S).group(1)
    data = json.loads(payload)
    assert [n["name"] for n in data["nodes"]] == ["myvm1", "myvm2", "myvm3"]
    assert len(data["tasks"]) == 4
    assert data["states"] == list(STATES)
    changes = data["nodes"][1]["changes"]
    assert [c[4] for c in changes] == [1, 0, 0]  # myvm2: up, machine off, then seen down
    assert changes[2][2] == "down"
    for tag in ('id="play"', 'id="time"', 'type="range"', 'id="cluster"'):
        assert tag in html


def test_report_rebuilds_from_the_files_alone(out, tmp_path, capsys):
    copy = tmp_path / "copy"
    copy.mkdir()
    for name in (*NEEDED, "stack-ps.txt"):
        shutil.copy(out / name, copy / name)
    assert main(["report", str(copy)]) == 0
    printed = capsys.readouterr().out.split()
    assert [p.rsplit("/", 1)[1] for p in printed] == [*PLOTS, "report.html", "visualizer.html"]
    assert (copy / "report.html").read_text() == (out / "report.html").read_text()
    assert (copy / "visualizer.html").read_text() == (out / "visualizer.html").read_text()
    for png in PLOTS:  # run --out draws from memory what `report` draws from the files
        assert (copy / png).read_bytes() == (out / png).read_bytes(), png
    assert main(["report", str(copy), "--at", "65s"]) == 0
    capsys.readouterr()
    assert "Cluster at t=65 s" in (copy / "report.html").read_text()


def test_report_needs_a_run_directory(tmp_path, capsys):
    assert main(["report", str(tmp_path / "nope")]) == 2
    assert "no such directory" in capsys.readouterr().err
    assert main(["report", str(tmp_path)]) == 2
    assert "missing metrics.csv" in capsys.readouterr().err


@pytest.mark.parametrize("name", sorted(p.name for p in (ROOT / "scenarios").glob("*.yaml")))
def test_every_shipped_scenario_produces_its_files(name, tmp_path, capsys):
    assert main(["run", str(ROOT / "scenarios" / name), "--until", "20s",
                 "--out", str(tmp_path)]) == 0
    capsys.readouterr()
    for file in ("metrics.csv", "tasks.csv", "nodes.csv", "summary.json", "report.html",
                 "visualizer.html", *PLOTS):
        assert (tmp_path / file).stat().st_size > 0, file
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["end"] == 20.0
    assert set(summary["services"]) == {s["name"] for s in json.loads(
        (tmp_path / "final.json").read_text())["services"]}


def test_visualizer_samples_a_large_swarm_and_says_so(out):
    import html

    from swarmsim.report.build import page_sample
    from swarmsim.report.data import RunData
    from swarmsim.report.visualizer import page_data, render_page

    data = RunData.load(out)
    names = data.node_names()
    assert page_sample(data) == (data, "")  # a small swarm: the whole run, no note
    sample, note = page_sample(data, most=2)
    kept = [names[0], names[-1]]  # evenly spaced: both ends
    assert sample.node_names() == kept
    placed = {r.task_id for r in data.tasks
              if any(c.node in kept for c in data.task_changes().get(r.task_id, []))}
    assert {r.task_id for r in sample.tasks} == placed and placed
    assert f"2 of the run's {len(names)} nodes" in note
    assert f"{len(placed)} of its {len(data.tasks)} tasks" in note
    doc = page_data(sample)
    assert [n["name"] for n in doc["nodes"]] == kept
    assert {t["id"] for t in doc["tasks"]} == placed
    assert all(c[1] in (-1, 0, 1) for t in doc["tasks"] for c in t["changes"])
    page = render_page(sample, note)
    assert f'<p id="note">{html.escape(note)}</p>' in page
    assert "id=\"note\"" not in render_page(data)


def test_a_run_in_memory_samples_and_shows_what_its_files_hold(out, capsys):
    # the run's own records take shortcuts (only the sampled tasks' changes are built;
    # the tasks shown at a moment come from one pass over the records): the expectation
    # is what the files read back give, through every task's changes
    from swarmsim.app.run import run_scenario
    from swarmsim.input.scenario import load_scenario
    from swarmsim.report.data import RunData

    capsys.readouterr()
    disk = RunData.load(out)
    result = run_scenario(load_scenario(out.parent / "sc" / "scenario.yaml"))
    names = disk.node_names()
    kept = names[::2]
    mem = RunData.from_result(result).on_nodes(kept)
    whole = disk.on_nodes(kept)
    assert mem.tasks == whole.tasks and mem.nodes == whole.nodes and mem.tasks
    assert mem.task_changes() == whole.task_changes()
    fresh = RunData.from_result(result)
    for t in sorted({0.0, 7.5, disk.end / 2, disk.end, *[r.time for r in disk.nodes]}):
        shown = fresh.visible_at(t)
        assert shown == disk.visible_at(t), t
    assert sum(map(len, shown.values())) > 0
    assert not fresh._changes  # built without every task's changes


def test_report_shows_the_head_of_a_long_stack_ps(out, monkeypatch):
    from dataclasses import replace

    from swarmsim.report import page
    from swarmsim.report.data import RunData

    data = RunData.load(out)
    lines = data.stack_ps.split("\n")
    assert len(lines) > 3
    whole = page.render_report(data, {})
    assert "more lines in stack-ps.txt" not in whole
    monkeypatch.setattr(page, "MAX_PS_LINES", 3)
    cut = page.render_report(replace(data, stack_ps=data.stack_ps), {})
    assert f"{len(lines) - 3} more lines in stack-ps.txt" in cut
    shown = cut.split("<h2>Final docker stack ps</h2><pre>")[1].split("</pre>")[0]
    assert shown.count("\n") == 2
