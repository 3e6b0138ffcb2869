"""Simulated request latencies against queueing theory, through whole simulations: a
swarm, a stack deploy, the routing mesh, the task queues.

Each test compares the mean latency of the ok requests with the analytic value, within
four standard errors estimated by batch means (the runs are seeded, so the outcome is
fixed; the tolerance says how far it may honestly be from the theory).
"""

from __future__ import annotations

import numpy as np
import pytest

from swarmsim.app.run import run_scenario
from swarmsim.input.scenario import load_scenario
from swarmsim.workload.queueing import ekm1_sojourn, md1_sojourn, mm1_sojourn, mmc_sojourn
from swarmsim.workload.records import OK, REJECTED
from swarmsim.workload.summary import traffic_document

START = 10.0  # the task runs from 3 s (2 s pull, 1 s startup)


def simulate(tmp_path, *, replicas=1, workers=1, cpus=None, cost="10ms", dist="exponential",
             queue=1_000_000, nodes=1, node_cpus=1, rate=50.0, seconds=1000.0, seed=0,
             arrivals=None, timeout="1h", until=None):
    until = START + seconds + 30 if until is None else until
    load = f"arrivals: {arrivals}" if arrivals else f"rate: {rate}"
    limits = f'\n      resources: {{limits: {{cpus: "{cpus}"}}}}' if cpus else ""
    (tmp_path / "app.yml").write_text(f"""version: "3.8"
services:
  app:
    image: example/app:1
    deploy:
      replicas: {replicas}{limits}
    ports: ["4000:80"]
    x-swarmsim:
      request: {{cost: {cost}, dist: {dist}, workers: {workers}, queue: {queue}}}
""", encoding="utf-8")
    (tmp_path / "s.yaml").write_text(f"""name: t
seed: {seed}
until: {until}s
nodes:
  - {{name: "n{{i}}", count: {nodes}, cpus: {node_cpus}, role: manager}}
network: {{latency: 0s}}
stacks: {{app: app.yml}}
workload:
  - name: w
    port: 4000
    entry: [n1]
    {load}
    start: {START}s
    stop: {START + seconds}s
    timeout: {timeout}
""", encoding="utf-8")
    result = run_scenario(load_scenario(tmp_path / "s.yaml"))
    return result.sim


def assert_mean(sim, expected, *, batches=20, max_rel_se=0.02):
    cols = sim.traffic.records()
    lat = cols.latency[cols.outcome == OK]
    means = np.array([b.mean() for b in np.array_split(lat, batches)])
    se = means.std(ddof=1) / np.sqrt(batches)
    assert se < max_rel_se * expected, "the run is too short to test anything"
    assert abs(lat.mean() - expected) < 4 * se, (lat.mean(), expected, se)


def test_mm1(tmp_path):
    # one task, one worker, no CPU limit, exponential cost: M/M/1 at utilisation 0.7
    sim = simulate(tmp_path, cost="10ms", rate=70, seconds=5000)
    assert_mean(sim, mm1_sojourn(70, 100))


def test_mmc_erlang_c(tmp_path):
    # one task with 3 workers and a limit of 3 CPUs on a 4-core node: M/M/3
    sim = simulate(tmp_path, workers=3, cpus="3", cost="30ms", node_cpus=4, rate=80,
                   seconds=5000)
    assert_mean(sim, mmc_sojourn(3, 80, 1 / 0.03))


def test_round_robin_makes_erlang_arrivals(tmp_path):
    # one entry node, 3 single-worker tasks (one per machine): the round robin sends
    # each task every third request of a Poisson stream, an E3/M/1 queue
    sim = simulate(tmp_path, replicas=3, cost="20ms", nodes=3, rate=120, seconds=4000)
    cols = sim.traffic.records()
    assert len(np.unique(cols.node)) == 3
    per_task = np.bincount(cols.task)
    assert per_task.max() - per_task.min() <= 1
    expected = ekm1_sojourn(3, 120, 50)
    assert expected < 0.8 * mm1_sojourn(40, 50)  # far from the Poisson (M/M/1) answer
    assert_mean(sim, expected)


def test_deterministic_cost_md1(tmp_path):
    sim = simulate(tmp_path, cost="10ms", dist="constant", rate=60, seconds=3000)
    assert_mean(sim, md1_sojourn(60, 0.01))


def test_cpu_limit_slows_requests_exactly(tmp_path):
    # constant arrivals far apart, constant 5 ms cost, cpus "0.1": every request takes
    # 50 ms of service, nothing else
    sim = simulate(tmp_path, cpus="0.1", cost="5ms", dist="constant", seconds=20,
                   arrivals="{kind: constant, rate: 1}")
    lat = sim.traffic.records().latency
    assert len(lat) > 10
    np.testing.assert_allclose(lat, 0.05, rtol=1e-9)


def test_full_waiting_room_blocking_probability(tmp_path):
    # M/M/1/K with K = 1 worker + 4 waiting: the share of rejected requests is
    # (1 - rho) rho^K / (1 - rho^(K+1))
    sim = simulate(tmp_path, cost="10ms", queue=4, rate=90, seconds=3000)
    cols = sim.traffic.records()
    rho, k = 0.9, 5
    expected = (1 - rho) * rho**k / (1 - rho ** (k + 1))
    share = np.mean(cols.outcome == REJECTED)
    assert share == pytest.approx(expected, rel=0.05)


def test_conservation(tmp_path):
    # overloaded (rejections), a short client timeout (timeouts), cut off mid-traffic
    # (in flight): every request sent is in exactly one bucket
    sim = simulate(tmp_path, cost="30ms", queue=20, rate=40, seconds=60, timeout="400ms",
                   until=50)
    doc = traffic_document(sim)["requests"]["w"]
    assert doc["timeout"] > 0 and doc["rejected"] > 0 and doc["in_flight"] > 0
    assert doc["sent"] == (doc["ok"] + doc["timeout"] + doc["refused"] + doc["rejected"]
                           + doc["in_flight"])
    cols = sim.traffic.records()
    assert doc["sent"] == len(cols) == np.count_nonzero((cols.send >= START) & (cols.send < 50))
