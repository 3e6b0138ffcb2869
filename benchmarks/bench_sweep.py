"""Sweep throughput: replications per second of a small scenario with 1 worker and with 2.

The scenario is ``scenarios/policy-compare.yaml`` (five nodes, eight replicas, request
traffic, four crashes), shortened to ``--until`` simulated seconds.  Each replication is a
:class:`swarmsim.experiments.Job` run through :func:`swarmsim.experiments.run_jobs`, as
``swarmsim compare`` and ``swarmsim sweep`` run them:

* 1 worker: in this process (what ``--workers 1`` does);
* 2 workers: a spawn process pool, started and warmed (every process has imported
  swarmsim and run a replication) before the clock starts, so the figure is the
  steady-state throughput of a long sweep, not the pool's start-up.

The same jobs run in both legs; the records must be identical (checked).  Prints both
rates, side by side, and their ratio (target: at least 1.8x on a 2-core machine).  Run
it on an otherwise idle machine (``uptime``): other load takes the second core.

Run: ``python3 benchmarks/bench_sweep.py [--runs 200] [--until 2m] [--workers 2]``
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from swarmsim.experiments.runner import (  # noqa: E402
    Job,
    make_pool,
    replication_seeds,
    run_jobs,
)
from swarmsim.foundation.units import parse_duration  # noqa: E402
from swarmsim.input.scenario import load_scenario  # noqa: E402

SCENARIO = ROOT / "scenarios" / "policy-compare.yaml"
POLICIES = ("spread", "binpack", "random")


def jobs_for(runs: int, until: float) -> list[Job]:
    """``runs`` replications of the small scenario, cycling through the policies."""
    scenario = load_scenario(SCENARIO)
    seeds = replication_seeds(scenario.seed, runs)
    return [
        Job(scenario, POLICIES[i % len(POLICIES)], seed, i, until=until)
        for i, seed in enumerate(seeds)
    ]


def timed(jobs: list[Job], workers: int) -> tuple[float, list[dict]]:
    """Wall-clock seconds to run ``jobs`` on ``workers`` (warm), and the records."""
    if workers <= 1:
        run_jobs(jobs[:3], workers=1)  # warm: imports and first-run caches
        start = time.perf_counter()
        records = run_jobs(jobs, workers=1)
        return time.perf_counter() - start, records
    with make_pool(workers) as pool:
        run_jobs(jobs[: 3 * workers], executor=pool)  # warm every process
        start = time.perf_counter()
        records = run_jobs(jobs, executor=pool)
        return time.perf_counter() - start, records


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--until", default="2m", help="simulated time per run")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    jobs = jobs_for(args.runs, parse_duration(args.until))
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"{args.runs} replications of {SCENARIO.name} (until {args.until}), "
          f"{os.cpu_count()} cores, load average {load:.2f} before timing")
    one, base = timed(jobs, 1)
    many, got = timed(jobs, args.workers)
    if got != base:
        print("records differ between 1 and", args.workers, "workers")
        return 1
    r1, rn = args.runs / one, args.runs / many
    print(f"{'workers':>8} {'seconds':>8} {'runs/s':>8}")
    print(f"{1:>8} {one:>8.2f} {r1:>8.1f}")
    print(f"{args.workers:>8} {many:>8.2f} {rn:>8.1f}")
    print(f"speed-up {rn / r1:.2f}x (target 1.8x with 2 workers); records identical")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
