"""Experiments: t quantiles and intervals against hand-computed values, seeds, identical
records whatever the worker count or engine, the comparison's expected trade-off, sweeps
and the CLI."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from swarmsim.experiments import (
    compare,
    estimate,
    format_table,
    paired_difference,
    replication_seeds,
    summarize,
    sweep,
    t975,
)
from swarmsim.input.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[1]
COMPARE = ROOT / "scenarios" / "policy-compare.yaml"


def test_t_quantiles_match_published_table():
    assert t975(1) == 12.7062
    assert t975(9) == 2.2622
    assert t975(30) == 2.0423
    assert t975(60) == pytest.approx(2.0003)
    assert 2.0003 > t975(80) > 1.9799
    assert t975(10**9) == pytest.approx(1.96, abs=1e-4)
    with pytest.raises(ValueError):
        t975(0)


def test_interval_hand_computed():
    # 2, 4, 6, 8: mean 5, s^2 = (9+1+1+9)/3 = 20/3, half width = 3.1824 * s / 2
    est = estimate([2, 4, 6, 8])
    s = math.sqrt(20 / 3)
    assert est.mean == 5 and est.std == pytest.approx(s)
    assert est.ci_low == pytest.approx(5 - 3.1824 * s / 2)
    assert est.ci_high == pytest.approx(5 + 3.1824 * s / 2)
    assert math.isnan(estimate([1.0]).ci_low) and estimate([]).n == 0


def test_paired_difference_skips_missing_pairs():
    d = paired_difference([3, 5, float("nan"), 9], [1, 2, 3, 4])
    assert d.n == 3 and d.mean == pytest.approx((2 + 3 + 5) / 3)


def test_replication_seeds_come_from_seed_sequence():
    seeds = replication_seeds(0, 3)
    kids = np.random.SeedSequence(0).spawn(3)
    assert seeds == [int(k.generate_state(1, dtype=np.uint32)[0]) for k in kids]
    assert len(set(seeds)) == 3


@pytest.fixture(scope="module")
def short() -> object:
    return load_scenario(COMPARE)


@pytest.fixture(scope="module")
def serial(short):
    return compare(short, ["spread", "binpack", "random"], seeds=3, workers=1)


def test_same_records_with_two_workers(short, serial):
    assert compare(short, ["spread", "binpack", "random"], seeds=3,
                   workers=2) == serial


def test_records_are_tidy_and_ordered(serial):
    assert [(r["policy"], r["replication"]) for r in serial] == [
        (p, i) for p in ("spread", "binpack", "random") for i in range(3)]
    assert len({r["seed"] for r in serial}) == 3  # same seeds under every policy
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame(serial)
    assert frame.shape[0] == 9 and "lost_per_crash_max" in frame.columns


def test_comparison_shows_the_trade_off(serial):
    rows = {(r.metric, r.policy): r for r in summarize(serial)}
    # binpack packs 8 half-CPU replicas on two 2-CPU nodes; spread uses all five nodes
    assert rows["nodes_in_use", "binpack"].mean < rows["nodes_in_use", "spread"].mean
    assert rows["nodes_in_use", "binpack"].diff_mean < 0
    # a crash of a binpacked node takes four replicas; spread never more than two
    assert rows["lost_per_crash_max", "binpack"].mean == 4
    assert rows["lost_per_crash_max", "spread"].mean == 2
    assert rows["lost_per_crash", "spread"].mean < rows["lost_per_crash", "binpack"].mean
    text = format_table(summarize(serial))
    assert "nodes_in_use" in text and "binpack" in text


# dask's LocalCluster teardown can leave an unraisable warning from its own threads
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_dask_matches_local(short, serial):
    distributed = pytest.importorskip("dask.distributed", reason="dask extra not installed")
    with distributed.LocalCluster(n_workers=2, processes=False, threads_per_worker=1,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        got = compare(short, ["spread", "binpack", "random"], seeds=3,
                      client=client)
    assert got == serial


def test_sweep_grid(tmp_path):
    spec = tmp_path / "s.yml"
    spec.write_text(
        f"scenario: {COMPARE}\npolicies: [spread, binpack]\nseeds: 2\nuntil: 30s\n"
        "grid:\n  nodes.1.cpus: [1, 2]\n"
    )
    recs = sweep(spec, workers=1)
    assert [(r["nodes.1.cpus"], r["policy"], r["replication"]) for r in recs] == [
        (n, p, i) for n in (1, 2) for p in ("spread", "binpack") for i in range(2)]
    by = {(r["nodes.1.cpus"], r["policy"]): r["nodes_in_use"] for r in recs}
    # binpack with 1-CPU workers: a half-CPU task fills a worker more (1/2 CPU) than the
    # 2-CPU manager (1/4), so the 4 workers take 2 each; with 2-CPU workers, 2 nodes x 4
    assert by[1, "binpack"] == 4 and by[2, "binpack"] == 2 and by[1, "spread"] == 5


def test_compare_cli_writes_csv_and_plots(tmp_path, capsys):
    from swarmsim.cli import main

    out = tmp_path / "out"
    assert main(["compare", str(COMPARE), "--policy", "spread", "--policy", "binpack",
                 "--seeds", "2", "--until", "30s", "--workers", "1", "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "only `spread` is Docker Swarm's own behaviour" in text and "binpack" in text
    assert (out / "runs.csv").read_text().count("\n") == 5
    assert (out / "nodes_in_use.png").stat().st_size > 0


def test_records_same_on_a_given_executor(short, serial):
    from concurrent.futures import ThreadPoolExecutor

    from swarmsim.experiments import Job, run_jobs

    jobs = [Job(short, r["policy"], r["seed"], r["replication"]) for r in serial]
    with ThreadPoolExecutor(2) as pool:
        assert run_jobs(jobs, executor=pool) == serial


def test_sweep_over_the_rebalance_what_if(tmp_path):
    spec = tmp_path / "s.yml"
    spec.write_text(
        f"scenario: {COMPARE}\nseeds: 1\ngrid:\n  rebalance: [off, on-recovery]\n"
    )
    recs = sweep(spec, workers=1)
    assert [(r["rebalance"], r["policy"]) for r in recs] == [
        ("off", "spread"), ("on-recovery", "spread")]
    # each of the four recoveries forces an update of the 8-replica service
    assert recs[1]["reschedules"] > recs[0]["reschedules"]


def test_sweep_over_compose_variables(tmp_path):
    """`env.NAME` grid keys set variables the compose file interpolates, so replicas
    (and x-swarmsim keys such as mtbf) can be swept."""
    from swarmsim.experiments.sweep import sweep as run_sweep

    (tmp_path / "c.yml").write_text(
        'services:\n  web:\n    image: nginx\n    deploy:\n      replicas: ${REPLICAS:-1}\n'
    )
    (tmp_path / "s.yaml").write_text(
        "nodes:\n  - {name: m, role: manager}\n  - name: w{i}\n    count: 5\n"
        "stacks:\n  app: c.yml\nuntil: 20s\n"
    )
    (tmp_path / "sweep.yml").write_text(
        "scenario: s.yaml\nseeds: 1\ngrid:\n  env.REPLICAS: [2, 6]\n"
    )
    records = run_sweep(tmp_path / "sweep.yml", workers=1)
    by = {r["env.REPLICAS"]: r for r in records}
    # spread puts one task per node while nodes remain: 2 replicas use 2 nodes, 6 use 6
    assert by[2]["nodes_in_use"] == 2
    assert by[6]["nodes_in_use"] == 6


def test_finished_runs_are_freed_in_a_long_sweep():
    # a sweep runs thousands of replications in one process: once a run's result is
    # dropped, its simulation (which ran `docker stack deploy`) must be collectable
    import gc
    import weakref
    from dataclasses import replace

    from swarmsim.app.run import run_scenario

    scenario = replace(load_scenario(COMPARE), until=30.0)
    refs = []
    for seed in (1, 2):
        result = run_scenario(scenario, seed=seed)
        assert result.sim.state.services  # the stack was deployed by a docker command
        refs.append(weakref.ref(result.sim))
        del result
    gc.collect()
    assert [r() for r in refs] == [None, None]
