"""Placement benchmark: a stack deploy of 1,000 services x 100 replicas in one pass.

Places 100,000 pending tasks with ONE ``Scheduler.schedule()`` call onto clusters of
1,000, 5,000 and 20,000 nodes, and prints placements per second, microseconds per
placement and peak memory.  The service mix: reservations of four sizes (40% none),
10% of services with a constraint (``node.labels.tier==frontend``, ``node.role==worker``
or ``node.labels.zone!=z0``) and 10% spread over ``node.labels.zone`` (5 zones).

Run: ``python3 benchmarks/bench_placement.py [--nodes 1000,5000,20000] [--services 1000]``
"""

from __future__ import annotations

import argparse
import gc
import math
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from swarmsim.input.specs import (
    NodeSpec,
    Placement,
    ResourceRequirements,
    Resources,
    ServiceSpec,
)
from swarmsim.scheduler import PendingTask, Scheduler

MIB = 1 << 20
GIB = 1 << 30
BASE36 = "0123456789abcdefghijklmnopqrstuvwxyz"
RESERVATIONS = (  # (share, nano_cpus, memory)
    (0.4, 0, 0),
    (0.3, 50_000_000, 64 * MIB),
    (0.2, 100_000_000, 256 * MIB),
    (0.1, 250_000_000, 512 * MIB),
)
CONSTRAINTS = ("node.labels.tier==frontend", "node.role==worker", "node.labels.zone!=z0")
TARGET_S = 2.0


def node_ids(count: int, rng: np.random.Generator) -> list[str]:
    """``count`` distinct 25-character base36 ids, as swarm node ids look."""
    digits = rng.integers(0, 36, size=(count, 25))
    return ["".join(BASE36[d] for d in row) for row in digits]


def make_nodes(count: int, seed: int) -> list[NodeSpec]:
    """A cluster: 5 managers, zones z0..z4, tiers frontend/backend, 16 CPUs, 64 GiB."""
    rng = np.random.default_rng(seed)
    ids = node_ids(count, rng)
    return [
        NodeSpec(
            name=f"node-{i:05d}",
            id=ids[i],
            role="manager" if i < 5 else "worker",
            nano_cpus=16_000_000_000,
            memory_bytes=64 * GIB,
            labels=(("tier", "frontend" if i % 2 else "backend"), ("zone", f"z{i % 5}")),
            addr=f"10.{i >> 16 & 255}.{i >> 8 & 255}.{i & 255}",
        )
        for i in range(count)
    ]


def make_services(count: int, seed: int) -> list[ServiceSpec]:
    """``count`` services with the mix described in the module docstring."""
    rng = np.random.default_rng(seed + 1)
    shares = np.cumsum([share for share, _, _ in RESERVATIONS])
    services = []
    for i in range(count):
        size = int(np.searchsorted(shares, rng.random(), side="right"))
        _, cpu, mem = RESERVATIONS[min(size, len(RESERVATIONS) - 1)]
        constraints = (CONSTRAINTS[(i // 10) % 3],) if i % 10 == 3 else ()
        preferences = ("node.labels.zone",) if i % 10 == 7 else ()
        services.append(
            ServiceSpec(
                name=f"stack_svc{i:04d}",
                image="nginx:alpine",
                replicas=100,
                resources=ResourceRequirements(reservations=Resources(cpu, mem)),
                placement=Placement(constraints=constraints, preferences=preferences),
            )
        )
    return services


def run_case(nodes: int, services: int, replicas: int, seed: int, trace: bool) -> dict:
    """Build the cluster, place every task in one call; return the measurements."""
    specs = make_services(services, seed)
    by_name = {s.name: s for s in specs}
    pending = [
        PendingTask(id=f"{s.name}.{r}", service=s.name, spec_version=1, slot=r)
        for s in specs
        for r in range(1, replicas + 1)
    ]
    sched = Scheduler()
    for node in make_nodes(nodes, seed):
        sched.add_node(node)
    gc.collect()
    if trace:
        tracemalloc.start()
    start, cpu_start = time.perf_counter(), time.process_time()
    decisions = sched.schedule(pending, by_name, now=0.0)
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    peak = tracemalloc.get_traced_memory()[1] if trace else 0
    if trace:
        tracemalloc.stop()
    placed = sum(1 for d in decisions if d.node_id is not None)
    return {
        "nodes": nodes,
        "tasks": len(pending),
        "placed": placed,
        "seconds": elapsed,
        "cpu": cpu,
        "peak": peak,
    }


def main() -> None:
    """Run the cases (sizes interleaved, best of ``--repeat``) and print a table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", default="1000,5000,20000")
    parser.add_argument("--services", type=int, default=1000)
    parser.add_argument("--replicas", type=int, default=100)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per size (best)")
    args = parser.parse_args()
    sizes = [int(x) for x in args.nodes.split(",")]
    runs: dict[int, list[dict]] = {n: [] for n in sizes}
    for _ in range(args.repeat):  # interleaved, so a busy spell hits every size alike
        for n in sizes:
            runs[n].append(run_case(n, args.services, args.replicas, args.seed, trace=False))
    print(
        f"{args.services} services x {args.replicas} replicas, one schedule() call, "
        f"best of {args.repeat}"
    )
    print(
        f"{'nodes':>7} {'tasks':>8} {'placed':>8} {'wall s':>7} {'cpu s':>6} "
        f"{'placements/s':>13} {'us/placement':>13} {'us/pl/log2(n)':>14} {'peak MiB':>9}"
    )
    for n in sizes:
        best = min(runs[n], key=lambda r: r["seconds"])
        cpu = min(r["cpu"] for r in runs[n])
        peak = run_case(n, args.services, args.replicas, args.seed, trace=True)["peak"]
        per = best["seconds"] / max(best["placed"], 1) * 1e6
        print(
            f"{n:>7} {best['tasks']:>8} {best['placed']:>8} {best['seconds']:>7.3f} "
            f"{cpu:>6.3f} {best['placed'] / best['seconds']:>13,.0f} {per:>13.2f} "
            f"{per / math.log2(n):>14.3f} {peak / MIB:>9.1f}"
        )
        if n == 5000:
            ok = best["seconds"] < TARGET_S and best["placed"] == best["tasks"]
            verdict = "met" if ok else "NOT met"
            print(f"        target (5,000 nodes, all placed, < {TARGET_S:.0f} s wall): {verdict}")


if __name__ == "__main__":
    main()
