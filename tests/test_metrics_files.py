"""The metrics files against the events they come from, and the CLI around them."""

import csv
import io
import json

import pytest

from swarmsim.cli import main
from swarmsim.cli.progress import Progress
from swarmsim.metrics import collect
from swarmsim.metrics.files import read_metrics, read_nodes, read_tasks, write_metrics
from swarmsim.metrics.summary import summarize
from swarmsim.outputs.files import write_run
from tests.metrics_fixtures import causes, crash


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("files")
    result = causes(tmp / "scenario")
    out = tmp / "out"
    write_run(result, out)
    write_metrics(collect(result), out)
    events = [json.loads(line) for line in (out / "events.jsonl").read_text().splitlines()]
    return out, events, result


def _rows(path):
    with path.open(newline="") as fh:
        return list(csv.DictReader(fh))


def test_tasks_csv_matches_the_events(run_dir):
    out, events, _result = run_dir
    tasks = _rows(out / "tasks.csv")
    by_id = {}
    for e in events:
        if e["kind"] == "task":
            by_id.setdefault(e["id"], []).append(e)
    assert [r["task_id"] for r in tasks] == list(by_id)  # creation order
    for row in tasks:
        evs = by_id[row["task_id"]]
        assert row["name"] == evs[0]["task"]
        assert row["service"] == evs[0]["service"]
        assert float(row["created"]) == evs[0]["time"]
        assert row["final_state"] == evs[-1]["state"]
        assert row["desired_state"] == evs[-1]["desired_state"]
        assert row["node"] == ([e["node"] for e in evs if e["node"]] or [""])[-1]
        running = [e["time"] for e in evs if e["state"] == "running"]
        assert (float(row["running_at"]) if row["running_at"] else None) == (
            running[0] if running else None)
        alive = [e["time"] for e in evs if e["actual"]]
        assert (float(row["container_start"]) if row["container_start"] else None) == (
            alive[0] if alive else None)
        if row["exit_code"]:
            assert f"({row['exit_code']})" in evs[-1]["error"] or row["exit_code"] == "0"


def test_service_series_recount_from_the_events(run_dir):
    out, events, _result = run_dir
    series, _tallies = read_metrics(out / "metrics.csv")
    current = {}
    by_time = {}
    for e in events:
        if e["kind"] == "task":
            current[e["id"]] = e
            by_time[e["time"]] = dict(current)
    times, values = series.get("service:causes_web", "running")
    for t, snapshot in by_time.items():
        expect = sum(1 for e in snapshot.values()
                     if e["service"] == "causes_web" and e["state"] == "running"
                     and e["actual"] and e["desired_state"] == "running")
        k = max(i for i, x in enumerate(times) if x <= t)
        assert values[k] == expect, t


def test_nodes_csv_and_round_trip(run_dir):
    out, events, result = run_dir
    node_events = [e for e in events if e["kind"] == "node"]
    rows = read_nodes(out / "nodes.csv")
    assert [(r.time, r.node, r.status, r.availability, r.alive) for r in rows] == [
        (e["time"], e["node"], e["status"], e["availability"], e["alive"]) for e in node_events]
    assert {r.cpus for r in rows} == {2.0}
    m = collect(result)
    assert read_tasks(out / "tasks.csv") == list(m.tasks)
    series, _t = read_metrics(out / "metrics.csv")
    assert series.keys() == m.series.keys()
    for key in m.series.keys():
        (t1, v1), (t2, v2) = series.get(*key), m.series.get(*key)
        assert t1 == pytest.approx(t2) and v1 == pytest.approx(v2), key
    # the summary's core figures can be recomputed from the files alone
    saved = json.loads((out / "summary.json").read_text())
    capacity = {r.node: (r.cpus, r.memory) for r in rows}
    again = summarize(series, read_tasks(out / "tasks.csv"), m.disturbances, capacity,
                      0.0, 60.0, modes={"causes_oom": "replicated", "causes_web": "replicated"})
    assert json.loads(json.dumps(again))["restarts"] == saved["restarts"]
    assert json.loads(json.dumps(again))["services"] == saved["services"]


def test_metrics_csv_is_long_format_in_time_order(run_dir):
    out, _events, _result = run_dir
    rows = _rows(out / "metrics.csv")
    assert list(rows[0]) == ["time", "entity", "metric", "value"]
    times = [float(r["time"]) for r in rows]
    assert times == sorted(times)
    entities = {r["entity"] for r in rows}
    assert {"cluster", "node:n1", "node:n2", "service:causes_web"} <= entities


def test_json_output_gains_the_summary(tmp_path, capsys):
    crash(tmp_path)  # writes the scenario files
    assert main(["run", str(tmp_path / "scenario.yaml"), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert {"time", "nodes", "services", "tasks", "summary"} <= set(doc)
    assert doc["summary"]["restarts"]["by_cause"] == {"node_down": 1}
    assert doc["summary"]["services"]["lab_web"]["deployed_after"] == pytest.approx(3.05)


class _Tty(io.StringIO):
    def isatty(self):
        return True


def test_progress_bar_only_on_a_terminal():
    quiet = io.StringIO()
    p = Progress(quiet)
    p(10.0, 100.0)
    assert not p.enabled and quiet.getvalue() == ""
    tty = _Tty()
    with Progress(tty, delay=0) as bar:
        bar(0.0, 100.0)
        bar(50.0, 100.0)
        assert bar.bar.n == 50.0
    assert "simulating" in tty.getvalue()
    assert "/100 simulated s" in tty.getvalue()
