"""Measuring cost: a compare replication against its simulation alone.

Runs replications of ``scenarios/policy-compare.yaml`` (spread and binpack, in this
process) and times, for each, the simulation and then the default measures; prints the
medians side by side with the ratio (replication / simulation; the target is at most
1.3) and, as the baseline measured in the same run, the full ``collect()`` of the run's
metrics (what ``swarmsim run --out`` computes) on the same results.

Run: ``python3 benchmarks/bench_measures.py [--runs 20] [--until 5m]``. The machine may
be shared: the figures are medians of repeated runs.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from swarmsim.app.run import run_scenario
from swarmsim.experiments.measures import DEFAULT_MEASURES, measure
from swarmsim.experiments.runner import replication_seeds
from swarmsim.foundation.units import parse_duration
from swarmsim.input.scenario import load_scenario
from swarmsim.metrics import collect

SCENARIO = Path(__file__).resolve().parents[1] / "scenarios" / "policy-compare.yaml"
TARGET = 1.3


def finish_traffic(sim: object) -> None:
    """Serve the requests the traffic component still holds: it routes and serves
    requests in batches, the last batch when its records are first read, so that work
    belongs to the simulation, not to measuring."""
    traffic = getattr(sim, "traffic", None)
    if traffic is not None and getattr(traffic, "workloads", None):
        traffic.records()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--until", default="5m")
    args = ap.parse_args()
    scenario = replace(load_scenario(SCENARIO), until=parse_duration(args.until))
    run_scenario(scenario, seed=1)  # warm imports and caches
    sims, measures, collects = [], [], []
    for i, seed in enumerate(replication_seeds(scenario.seed, args.runs)):
        policy = ("spread", "binpack")[i % 2]
        t0 = time.perf_counter()
        result = run_scenario(replace(scenario, policy=policy), seed=seed)
        finish_traffic(result.sim)
        t1 = time.perf_counter()
        measure(result, DEFAULT_MEASURES)
        t2 = time.perf_counter()
        collect(result)
        t3 = time.perf_counter()
        sims.append(t1 - t0)
        measures.append(t2 - t1)
        collects.append(t3 - t2)
    sim, meas, coll = (statistics.median(x) for x in (sims, measures, collects))
    print(f"{args.runs} replications of {SCENARIO.name}, {args.until} each (medians)")
    print(f"  simulation (with its last batch of requests served) {sim * 1000:8.1f} ms")
    print(f"  default measures                                    {meas * 1000:8.1f} ms")
    print(f"  baseline: collect() of every metric                 {coll * 1000:8.1f} ms")
    ratio = (sim + meas) / sim
    base = (sim + coll) / sim
    print(f"  replication / simulation: {ratio:.2f} (target <= {TARGET}); "
          f"with collect(): {base:.2f}")
    return 0 if ratio <= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
