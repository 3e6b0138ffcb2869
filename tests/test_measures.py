"""Measures: the built-ins against hand-computed values on made-up series, the warm-up
cut, user measures by ``module:function`` / ``file.py:function`` in compare and sweep,
and that only what the chosen measures need is computed."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from swarmsim.app.run import run_scenario
from swarmsim.experiments import compare, sweep
from swarmsim.experiments.builtin_measures import BUILTIN, COLUMNS, DESCRIPTIONS
from swarmsim.experiments.builtin_measures import availability as avail_measure
from swarmsim.experiments.builtin_measures import requests as request_measure
from swarmsim.experiments.builtin_measures import utilisation as util_measure
from swarmsim.experiments.measures import Requests, RunView, measure
from swarmsim.input.scenario import load_scenario
from swarmsim.metrics.series import SeriesSet

ROOT = Path(__file__).resolve().parents[1]
COMPARE = ROOT / "scenarios" / "policy-compare.yaml"


class FakeRun:
    """The parts of a RunView the built-ins read, from hand-made series."""

    def __init__(self, series: SeriesSet, end: float, start: float = 0.0, **extra: object):
        self.series, self.end, self.start = series, end, start
        self.services = {"web": "replicated"}
        self.slo = None
        self.__dict__.update(extra)

    def get(self, entity: str, metric: str):
        return self.series.get(entity, metric)


def _web(steps: list[tuple[float, float]], desired: float = 4) -> SeriesSet:
    s = SeriesSet()
    s.set("service:web", "desired", 0.0, desired)
    for t, v in steps:
        s.set("service:web", "running", t, v)
    return s


def test_replica_and_all_replicas_availability_by_hand():
    # 4 wanted; 4 running on [0,10), 2 on [10,20), 4 on [20,40]
    run = FakeRun(_web([(0, 4), (10, 2), (20, 4)]), end=40)
    got = avail_measure(run)
    assert got["replica_availability"] == pytest.approx((4 * 10 + 2 * 10 + 4 * 20) / (4 * 40))
    assert got["all_replicas_availability"] == pytest.approx(30 / 40)
    assert got["downtime"] == pytest.approx(10)
    # warm-up 15 s: window [15, 40]
    cut = avail_measure(FakeRun(_web([(0, 4), (10, 2), (20, 4)]), end=40, start=15))
    assert cut["replica_availability"] == pytest.approx((2 * 5 + 4 * 20) / (4 * 25))
    assert cut["all_replicas_availability"] == pytest.approx(20 / 25)
    assert cut["downtime"] == pytest.approx(5)


def test_availability_counts_from_deployment():
    # replicas come up one by one (0 to 4 over [0, 4)): the window starts at 4 s, when
    # all are first running, as summary.json's availability does
    run = FakeRun(_web([(0, 0), (1, 1), (2, 2), (3, 3), (4, 4), (8, 3)]), end=12)
    got = avail_measure(run)
    assert got["all_replicas_availability"] == pytest.approx(4 / 8)
    assert got["replica_availability"] == pytest.approx((4 * 4 + 3 * 4) / (4 * 8))


def test_request_measures_by_hand():
    lat = np.arange(1, 101) / 1000.0  # 1..100 ms
    ok = np.ones(100, dtype=bool)
    ok[[3, 7]] = False  # two failures
    latency = np.where(ok, lat, np.nan)
    run = FakeRun(SeriesSet(), end=50, start=0,
                  requests=Requests(np.linspace(0, 49, 100), latency, ok), slo=0.05)
    got = request_measure(run)
    answered = lat[ok]
    assert got["errors"] == 2 and got["error_rate"] == pytest.approx(0.02)
    assert got["throughput"] == pytest.approx(98 / 50)
    # numpy's default (linear) quantile of the 98 answered latencies
    assert got["latency_p50"] == pytest.approx(float(np.quantile(answered, 0.5)))
    assert got["latency_p50"] == pytest.approx((answered[48] + answered[49]) / 2)
    # failed, or slower than 50 ms: 2 + (51..100 ms answered: 50)
    assert got["slo_violations"] == pytest.approx((2 + 50) / 100)


def test_stranded_capacity_by_hand():
    s = SeriesSet()
    s.set("cluster", "cpus", 0, 4.0)
    s.set("cluster", "memory", 0, 4.0)
    s.set("cluster", "reserved_cpus", 0, 1.0)  # 3 of 4 free
    s.set("cluster", "reserved_memory", 0, 2.0)  # 2 of 4 free
    s.set("cluster", "pending", 0, 0)
    s.set("cluster", "pending", 10, 2)  # tasks wait on [10, 15)
    s.set("cluster", "pending", 15, 0)
    got = util_measure(FakeRun(s, end=20))
    assert got["stranded_cpu"] == pytest.approx(5 * 0.75 / 20)
    assert got["stranded_memory"] == pytest.approx(5 * 0.5 / 20)
    assert got["cpu_reserved_mean"] == pytest.approx(0.25)


def test_every_builtin_column_is_described_and_documented():
    doc = (ROOT / "docs" / "research.md").read_text(encoding="utf-8")
    for name, cols in COLUMNS.items():
        assert name in BUILTIN
        for col in cols:
            assert col in DESCRIPTIONS and f"`{col}`" in doc, col


@pytest.fixture(scope="module")
def crash_run():
    return run_scenario(load_scenario(COMPARE), seed=1, until=120.0)


def test_warmup_cuts_every_measure(crash_run):
    whole = measure(crash_run)
    # policy-compare's timeline crashes worker1 at 40 s and worker2 at 100 s
    second = measure(crash_run, warmup=60.0)  # only the second crash is in the window
    late = measure(crash_run, warmup=101.0)  # neither
    first_lost = 2 * whole["lost_per_crash"] - second["lost_per_crash"]
    assert whole["lost_per_crash_max"] == max(first_lost, second["lost_per_crash"])
    assert second["lost_per_crash"] == second["lost_per_crash_max"]
    assert whole["lost_per_crash"] >= 1 and math.isnan(late["lost_per_crash"])
    assert late["downtime"] <= whole["downtime"]
    assert late["throughput"] > 0
    assert measure(crash_run, warmup=1e9)["downtime"] != whole["downtime"]


def test_only_what_a_measure_needs_is_computed(crash_run):
    view = RunView(crash_run)
    BUILTIN["requests"](view)
    assert "requests" in view.__dict__ and "replay" not in view.__dict__
    view = RunView(crash_run)
    BUILTIN["placement"](view)
    assert "replay" in view.__dict__ and "requests" not in view.__dict__
    assert "tasks" not in view.__dict__


def test_user_measures_in_compare_and_sweep(tmp_path):
    (tmp_path / "mine.py").write_text(
        "def up_at_end(run):\n"
        "    return {'running_at_end': run.value('cluster', 'running', run.end),\n"
        "            'window': run.end - run.start}\n"
        "def broken(run):\n    return {'x': 'text'}\n")
    ref = f"{tmp_path / 'mine.py'}:up_at_end"
    records = compare(COMPARE, ["spread"], seeds=1, until=30.0, workers=1,
                      measures=[ref, "pending"], warmup=10.0)
    rec = records[0]
    assert rec["running_at_end"] == 8 and rec["window"] == 20
    assert "pending_still" in rec and "nodes_in_use" not in rec
    with pytest.raises(ValueError, match="not a number"):
        compare(COMPARE, ["spread"], seeds=1, until=10.0, workers=1,
                measures=[f"{tmp_path / 'mine.py'}:broken"])
    spec = tmp_path / "s.yml"
    spec.write_text(f"scenario: {COMPARE}\nseeds: 1\nuntil: 30s\nwarmup: 10s\n"
                    f"measures: ['{ref}']\ngrid:\n  nodes.1.cpus: [2]\n")
    (swept,) = sweep(spec, workers=1)
    assert swept["running_at_end"] == 8 and swept["window"] == 20


def test_bad_measures_are_input_errors(tmp_path, capsys):
    from swarmsim.cli import main
    from swarmsim.experiments.sweep import load_sweep
    from swarmsim.foundation.errors import InputError

    assert main(["compare", str(COMPARE), "--measure", "nope", "--seeds", "1"]) == 2
    assert "--measure nope" in capsys.readouterr().err
    assert main(["compare", str(COMPARE), "--measure", "no_such_module:fn", "--seeds",
                 "1"]) == 2
    assert "no_such_module" in capsys.readouterr().err
    assert main(["compare", str(COMPARE), "--warmup", "soon", "--seeds", "1"]) == 2
    spec = tmp_path / "s.yml"
    spec.write_text(f"scenario: {COMPARE}\nmeasures: [availability, nope]\n")
    with pytest.raises(InputError) as err:
        load_sweep(spec)
    assert err.value.keys == ("measures", 1)


def test_compare_cli_takes_measures(capsys):
    from swarmsim.cli import main

    assert main(["compare", str(COMPARE), "--policy", "spread", "--seeds", "1",
                 "--until", "30s", "--workers", "1", "--measure", "utilisation",
                 "--measure", "requests", "--slo", "200ms", "--warmup", "5s"]) == 0
    out = capsys.readouterr().out
    assert "stranded_cpu" in out and "slo_violations" in out
    assert "nodes_in_use\n" not in out


def test_throttling_by_hand():
    s = SeriesSet()
    s.set("cluster", "cpus", 0, 4.0)
    s.set("cluster", "throttled_cpus", 0, 0.5)  # 0.5 of 4 cores denied on [0, 10)
    s.set("cluster", "throttled_cpus", 10, 0.0)
    got = util_measure(FakeRun(s, end=20))
    assert got["cpu_throttled_mean"] == pytest.approx(0.125 * 10 / 20)
    assert got["cpu_throttled_peak"] == pytest.approx(0.125)


def test_utilisation_agrees_with_the_run_summary(crash_run):
    from swarmsim.metrics import collect

    got = measure(crash_run, ["utilisation"])
    cluster = collect(crash_run).summary["utilisation"]["cluster"]
    assert got["cpu_used_mean"] == pytest.approx(cluster["cpu_used"]["mean"])
    assert got["cpu_reserved_peak"] == pytest.approx(cluster["cpu_reserved"]["peak"])
    assert got["memory_used_mean"] == pytest.approx(cluster["memory_used"]["mean"])
    assert got["cpu_used_mean"] > 0
