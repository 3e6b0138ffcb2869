"""What a run with traffic reports: `swarmsim run`'s summary, `--json` figures and the
per-request CSV, on the shipped crash scenario."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from swarmsim.app.run import run_scenario
from swarmsim.cli import main
from swarmsim.input.scenario import load_scenario
from swarmsim.outputs.files import write_run
from swarmsim.workload import report

SCENARIO = Path(__file__).resolve().parents[1] / "scenarios" / "traffic-crash.yaml"
FIGURES = {"sent", "ok", "timeout", "refused", "rejected", "in_flight", "throughput",
           "latency"}


@pytest.fixture(scope="module")
def crash_run():
    return run_scenario(load_scenario(SCENARIO), until=120.0)


def test_json_has_requests_by_workload_and_by_service(capsys):
    assert main(["run", str(SCENARIO), "--until", "120s", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    browse = doc["requests"]["browse"]
    assert set(doc["requests"]) == {"browse"}
    assert set(browse) == FIGURES
    assert set(browse["latency"]) == {"mean", "p50", "p95", "p99"}
    assert browse["sent"] == (browse["ok"] + browse["timeout"] + browse["refused"]
                              + browse["rejected"] + browse["in_flight"])
    assert browse["timeout"] > 0 and browse["refused"] == 0
    assert browse["throughput"] == pytest.approx(browse["ok"] / 110.0)
    lat = browse["latency"]
    assert 0 < lat["p50"] <= lat["p95"] <= lat["p99"]
    assert doc["requests_by_service"] == {"getstartedlab_web": browse}


def test_crash_window_in_the_shipped_scenario(crash_run):
    sim = crash_run.sim
    down = next(e.time for e in sim.events if getattr(e, "kind", "") == "node"
                and e.node == "myvm2" and e.status == "down")
    rows = report.error_rows(sim)
    assert [r[:2] for r in rows] == [["browse", "timeout"]]
    cols = sim.traffic.records()
    failed = cols.send[cols.outcome != 0]
    assert 59.0 < failed.min() and failed.max() < down + 2.0
    assert failed.max() > down  # the window lasts until the manager notices (+2 s)


def test_human_summary(capsys):
    assert main(["run", str(SCENARIO), "--until", "100s"]) == 0
    out = capsys.readouterr().out
    tail = out.split("[0:01:40.000] traffic\n", 1)[1]
    lines = tail.splitlines()
    assert lines[0].split() == ["WORKLOAD", "TARGET", "SENT", "OK", "TIMEOUT", "REFUSED",
                                "REJECTED", "IN", "FLIGHT", "THROUGHPUT", "MEAN", "P50",
                                "P95", "P99"]
    assert lines[1].startswith("browse     port 4000")
    assert "getstartedlab_web" in tail
    assert "WORKLOAD   ERROR     COUNT     FIRST SENT    LAST SENT" in tail
    assert "browse     timeout" in tail


def test_no_workload_no_traffic_output(capsys):
    crash = SCENARIO.parent / "crash.yaml"
    assert main(["run", str(crash), "--until", "30s", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert "requests" not in doc and "requests_by_service" not in doc


def test_out_writes_every_request(crash_run, tmp_path):
    paths = write_run(crash_run, tmp_path)
    assert tmp_path / "requests.csv" in paths
    with (tmp_path / "requests.csv").open() as fh:
        rows = list(csv.DictReader(fh))
    cols = crash_run.sim.traffic.records()
    assert len(rows) == len(cols)
    assert list(rows[0]) == ["time", "workload", "entry", "service", "task_id", "task",
                             "node", "latency", "outcome"]
    assert {r["entry"] for r in rows} == {"myvm1", "myvm3"}
    outcomes = [r["outcome"] for r in rows]
    assert outcomes.count("timeout") == int((cols.outcome == 1).sum())
    assert {r["outcome"] for r in rows} <= {"ok", "timeout", "in_flight"}
    ok = next(r for r in rows if r["outcome"] == "ok")
    assert ok["task"].startswith("getstartedlab_web.") and len(ok["task_id"]) == 25
    assert float(ok["latency"]) > 0
    flying = [r for r in rows if r["outcome"] == "in_flight"]
    assert all(r["latency"] == "" for r in flying)


def test_out_writes_buckets_above_the_limit(crash_run, tmp_path, monkeypatch):
    monkeypatch.setattr(report, "CSV_REQUEST_LIMIT", 100)
    paths = write_run(crash_run, tmp_path)
    assert tmp_path / "requests_by_time.csv" in paths
    assert not (tmp_path / "requests.csv").exists()
    with (tmp_path / "requests_by_time.csv").open() as fh:
        rows = list(csv.DictReader(fh))
    cols = crash_run.sim.traffic.records()
    assert sum(int(r["sent"]) for r in rows) == len(cols)
    assert [float(r["time"]) for r in rows] == [float(t) for t in range(10, 120)]
    assert sum(int(r["timeout"]) for r in rows) == int((cols.outcome == 1).sum())
    quiet = next(r for r in rows if r["time"] == "30.0")
    assert int(quiet["ok"]) == int(quiet["sent"]) and float(quiet["latency_p50"]) > 0


@pytest.mark.parametrize(("span", "width"), [(60, 1.0), (10_000, 1.0), (10_001, 2.0),
                                             (86_400, 10.0), (864_000, 100.0)])
def test_bucket_width(span, width):
    assert report.bucket_width(span) == width
