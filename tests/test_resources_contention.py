"""Requests slow down under CPU contention, as queueing theory says they must.

One web task (one worker, limit 1 CPU, exponential cost) on a 1-core node is M/M/1; next
to a container that wants a whole core, CFS gives each half the core, so the web task is
M/M/1 at half the service rate; with that neighbour limited to 0.25 CPU (its CFS quota)
the web task gets 0.75 of the core. The mean latency of the simulated requests must lie
within four batch-means standard errors of each analytic value.
"""

from __future__ import annotations

import numpy as np
import pytest

from swarmsim.app.run import run_scenario
from swarmsim.input.scenario import load_scenario
from swarmsim.workload.queueing import mm1_sojourn
from swarmsim.workload.records import OK

START = 10.0


def simulate(tmp_path, *, neighbour=None, rate=35.0, seconds=4000.0, node_cpus=1):
    hog = ""
    if neighbour is not None:
        hog = f"""
  hog:
    image: example/hog:1
    deploy:
      resources: {{limits: {{cpus: "{neighbour}"}}}}
    x-swarmsim:
      usage: {{cpu: 1}}
"""
    (tmp_path / "app.yml").write_text(f"""version: "3.8"
services:
  web:
    image: example/web:1
    deploy:
      resources: {{limits: {{cpus: "1"}}}}
    ports: ["4000:80"]
    x-swarmsim:
      request: {{cost: 10ms, dist: exponential, workers: 1, queue: 1000000}}
{hog}""", encoding="utf-8")
    (tmp_path / "s.yaml").write_text(f"""name: t
seed: 0
until: {START + seconds + 30}s
nodes:
  - {{name: n1, cpus: {node_cpus}, memory: 4G, role: manager}}
network: {{latency: 0s}}
stacks: {{app: app.yml}}
workload:
  - {{name: w, port: 4000, entry: [n1], rate: {rate}, start: {START}s,
      stop: {START + seconds}s, timeout: 1h}}
""", encoding="utf-8")
    return run_scenario(load_scenario(tmp_path / "s.yaml")).sim


def mean_and_se(sim, batches=20):
    cols = sim.traffic.records()
    lat = cols.latency[cols.outcome == OK]
    means = np.array([b.mean() for b in np.array_split(lat, batches)])
    return lat.mean(), means.std(ddof=1) / np.sqrt(batches)


# a neighbour's limit may not exceed the node's CPUs: the daemon refuses the container
# (moby daemon/daemon_unix.go verifyPlatformContainerResources), so the unconstrained
# neighbour is limited to the node's one core, which it never exceeds anyway
@pytest.mark.parametrize(("neighbour", "share"), [(None, 1.0), ("1", 0.5), ("0.25", 0.75)])
def test_mm1_under_contention(tmp_path, neighbour, share):
    rate = 35.0  # utilisation 0.7 at half speed
    sim = simulate(tmp_path, neighbour=neighbour, rate=rate)
    mean, se = mean_and_se(sim)
    expected = mm1_sojourn(rate, 100.0 * share)
    assert se < 0.03 * expected
    assert abs(mean - expected) < 4 * se, (mean, expected, se)


def test_contention_is_recorded_as_throttling(tmp_path):
    sim = simulate(tmp_path, neighbour="1", seconds=200)  # (at most the node's 1 CPU)
    samples = [s for s in sim.resources.samples if s.node == "n1"]
    during = [s for s in samples if 20 < s.time < START + 200]
    # web wants 35 requests/s x 10 ms = 0.35 cores (measured per step), the hog 1 core
    # and the web task's idle level is not added to its requests: 1.35 wanted of 1 core
    assert np.mean([s.demanded_cpus for s in during]) == pytest.approx(1.35, abs=0.03)
    assert all(s.used_cpus == pytest.approx(1.0) for s in during)  # work-conserving
    assert np.mean([s.throttled_cpus for s in during]) == pytest.approx(0.35, abs=0.03)
    after = samples[-1]  # traffic over: the hog takes the core but web's idle level
    assert after.used_cpus == pytest.approx(1.0)
    assert after.demanded_cpus == pytest.approx(1.01)
