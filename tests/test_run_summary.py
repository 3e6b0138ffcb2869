"""The summary computed alone (``swarmsim run --json`` without ``--out``) is the
``summary.json`` document the full metrics give, and its request figures are numpy's
quantiles of the answered requests' latencies."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from swarmsim.app.run import run_scenario
from swarmsim.cli import main
from swarmsim.input.scenario import load_scenario
from swarmsim.metrics import collect, run_summary
from swarmsim.metrics.requests import QUANTILES, RequestTable, figures

ROOT = Path(__file__).resolve().parents[1]

# two served services on three nodes, one port nothing listens on (refused), a crash
TWO_SERVICES_COMPOSE = """\
version: "3.8"
services:
  web:
    image: example/web:1
    deploy:
      replicas: 3
    ports: ["4000:80"]
    x-swarmsim:
      request: {cost: 20ms, dist: exponential, workers: 2, queue: 5}
  api:
    image: example/api:1
    deploy:
      replicas: 2
    ports: ["5000:80"]
    x-swarmsim:
      request: {cost: 5ms, dist: exponential}
"""
TWO_SERVICES_SCENARIO = """\
name: two
seed: 3
until: 90s
nodes:
  - {name: n1, role: manager}
  - {name: n2}
  - {name: n3}
stacks:
  two: app.yml
workload:
  - {name: browse, port: 4000, rate: 150, start: 5s, timeout: 2s}
  - {name: call, port: 5000, rate: 80, start: 8s, timeout: 1s}
  - {name: stray, port: 6000, rate: 5, start: 10s}
timeline:
  - {at: 40s, fail: n2}
"""


def _two_services(tmp_path: Path) -> Path:
    (tmp_path / "app.yml").write_text(TWO_SERVICES_COMPOSE, encoding="utf-8")
    (tmp_path / "two.yaml").write_text(TWO_SERVICES_SCENARIO, encoding="utf-8")
    return tmp_path / "two.yaml"


@pytest.mark.parametrize("name", ["traffic-crash", "contention", "policy-compare", "crash",
                                  "two-services"])
def test_summary_alone_is_the_full_metrics_summary(name, tmp_path):
    path = (_two_services(tmp_path) if name == "two-services"
            else ROOT / "scenarios" / f"{name}.yaml")
    alone = run_summary(run_scenario(load_scenario(path)))  # a run of its own: no cache
    full = collect(run_scenario(load_scenario(path))).summary
    assert json.dumps(alone) == json.dumps(full)  # same keys, same order, same floats
    if name == "two-services":
        assert set(full["services"]) == {"two_web", "two_api"}
        web, api = (full["services"][s]["requests"] for s in ("two_web", "two_api"))
        assert web["count"] + api["count"] < full["requests"]["count"]  # + refused strays
        assert full["requests"]["failed"] > web["failed"] + api["failed"]


def test_run_json_prints_the_summary_that_out_writes(tmp_path, capsys):
    path = _two_services(tmp_path)
    assert main(["run", str(path), "--json"]) == 0
    alone = capsys.readouterr().out
    assert main(["run", str(path), "--json", "--out", str(tmp_path / "out")]) == 0
    written = capsys.readouterr().out
    assert alone == written
    summary = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))
    assert json.loads(alone)["summary"] == summary


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.floats(0.0, 100.0), st.booleans(), st.floats(0.0, 5.0)),
                min_size=1, max_size=300))
def test_request_figures_are_numpys_quantiles(requests):
    # requests as (send time, answered, latency); the figures against numpy directly
    time = np.array(sorted(r[0] for r in requests))
    ok = np.array([r[1] for r in requests])
    latency = np.array([r[2] if r[1] else np.nan for r in requests])
    n = len(requests)
    table = RequestTable(time, np.full(n, "s", dtype=object), np.full(n, "n", dtype=object),
                         latency, ok, np.zeros(n))
    got = figures(table, 0.0, 100.0)
    answered = latency[ok]
    assert got["count"] == n and got["failed"] == n - len(answered)
    if not len(answered):
        assert got["latency_p50"] is None and got["latency_cdf"] == []
        return
    assert got["latency_mean"] == float(answered.mean())  # in send order, as numpy sums
    for q in QUANTILES:
        assert got[f"latency_p{round(q * 100)}"] == float(np.quantile(answered, q))
    cdf = np.quantile(answered, np.linspace(0, 1, 101))
    assert got["latency_cdf"] == [[float(v), k / 100] for k, v in enumerate(cdf)]
