"""Placement benchmark: a stack deploy of 1,000 services x 100 replicas in one pass.

Places 100,000 pending tasks with ONE ``Scheduler.schedule()`` call onto clusters of
1,000, 5,000, 20,000 and 50,000 nodes, and prints placements per second, microseconds per
placement and peak memory.  The cluster joins in one batch (``Scheduler.add_nodes``, as
``swarmsim plan`` loads it and as a simulation's nodes join at the start: the scheduler
adds the nodes that joined since its last use in id order); a last line repeats the
growth figure for nodes that enter the set one at a time in random id order (each join
followed by a use of the scheduler, as when nodes join between passes), where each
node's records lie in memory apart from their neighbours in the spread order.

The service mix: reservations of four sizes (40% none), 10% of services with a constraint
(``node.labels.tier==frontend``, ``node.role==worker`` or ``node.labels.zone!=z0``) and
10% spread over ``node.labels.zone`` (5 zones).

Beside each size it prints the bare heap floor measured in the same run at that size:
one ``heapq`` pop and push per placement over a heap of ``(load, node)`` tuples, the
least any placement loop can do.  Times are CPU seconds (wall seconds move with the load
of a shared machine), the median of ``--repeat`` runs with the sizes interleaved.  The
growth line compares the cost per placement at the largest size with the cost at 5,000
nodes (target: at most 1.5x).

Run: ``python3 benchmarks/bench_placement.py [--nodes 1000,5000,20000,50000] [--services 1000]``
"""

from __future__ import annotations

import argparse
import gc
import heapq
import math
import os
import statistics
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
TARGET_GROWTH = 1.5  # cost per placement at 50,000 nodes over its cost at 5,000


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


def run_case(nodes: int, services: int, replicas: int, seed: int, trace: bool,
             batch: bool = True) -> dict:
    """Build the cluster (in one batch, or node by node in the order of ``make_nodes``,
    random ids, each entering the set at once), place every task in one call; return the
    measurements."""
    specs = make_services(services, seed)
    by_name = {s.name: s for s in specs}
    pending = [
        PendingTask(id=f"{s.name}.{r}", service=s.name, spec_version=1, slot=r)
        for s in specs
        for r in range(1, replicas + 1)
    ]
    sched = Scheduler()
    specs_of_nodes = make_nodes(nodes, seed)
    join_start = time.process_time()
    if batch:
        sched.add_nodes(specs_of_nodes)
        sched.node_reserved(specs_of_nodes[0].id)  # the first use: the nodes enter the set
    else:
        for node in specs_of_nodes:
            sched.add_node(node)
            sched.node_reserved(node.id)  # a use of the scheduler: the node enters the set
    join = time.process_time() - join_start  # not part of the timed pass: shown beside it
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
        "join": join,
        "peak": peak,
    }


def heap_floor(nodes: int, placements: int) -> float:
    """CPU seconds of the bare loop: one heap pop and push per placement."""
    heap = [(0, i) for i in range(nodes)]
    heapq.heapify(heap)
    pop, push = heapq.heappop, heapq.heappush
    start = time.process_time()
    for _ in range(placements):
        load, i = pop(heap)
        push(heap, (load + 1, i))
    return time.process_time() - start


def main() -> None:
    """Run the cases (sizes interleaved, median of ``--repeat``) and print a table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", default="1000,5000,20000,50000")
    parser.add_argument("--services", type=int, default=1000)
    parser.add_argument("--replicas", type=int, default=100)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per size (median)")
    args = parser.parse_args()
    sizes = [int(x) for x in args.nodes.split(",")]
    runs: dict[int, list[dict]] = {n: [] for n in sizes}
    floors: dict[int, list[float]] = {n: [] for n in sizes}
    apart: dict[int, list[float]] = {n: [] for n in sizes if n == 5000 or n == max(sizes)}
    for _ in range(args.repeat):  # interleaved, so a busy spell hits every size alike
        for n in sizes:
            runs[n].append(run_case(n, args.services, args.replicas, args.seed, trace=False))
            floors[n].append(heap_floor(n, args.services * args.replicas))
            if n in apart:
                one = run_case(n, args.services, args.replicas, args.seed, False, batch=False)
                apart[n].append(one["cpu"] / max(one["placed"], 1) * 1e6)
    print(
        f"{args.services} services x {args.replicas} replicas, one schedule() call, "
        f"median of {args.repeat} (CPU time; the machine may be shared)"
    )
    print(
        f"{'nodes':>7} {'tasks':>8} {'placed':>8} {'wall s':>7} {'cpu s':>6} "
        f"{'placements/s':>13} {'us/placement':>13} {'floor us':>9} {'x floor':>8} "
        f"{'spread':>13} {'peak MiB':>9} {'join s':>7}"
    )
    per: dict[int, float] = {}
    floor_per: dict[int, float] = {}
    for n in sizes:
        cpus = [r["cpu"] / max(r["placed"], 1) * 1e6 for r in runs[n]]
        cpu = statistics.median(r["cpu"] for r in runs[n])
        wall = statistics.median(r["seconds"] for r in runs[n])
        placed = runs[n][0]["placed"]
        per[n] = statistics.median(cpus)
        floor = statistics.median(floors[n]) / (args.services * args.replicas) * 1e6
        floor_per[n] = floor
        join = statistics.median(r["join"] for r in runs[n])
        peak = run_case(n, args.services, args.replicas, args.seed, trace=True)["peak"]
        print(
            f"{n:>7} {runs[n][0]['tasks']:>8} {placed:>8} {wall:>7.3f} {cpu:>6.3f} "
            f"{placed / cpu:>13,.0f} {per[n]:>13.2f} {floor:>9.2f} {per[n] / floor:>8.1f} "
            f"{min(cpus):>6.2f}-{max(cpus):<6.2f} {peak / MIB:>9.1f} {join:>7.3f}"
        )
        if n == 5000:
            ok = wall < TARGET_S and placed == runs[n][0]["tasks"]
            verdict = "met" if ok else "NOT met"
            print(f"        target (5,000 nodes, all placed, < {TARGET_S:.0f} s wall): {verdict}")
    if 5000 in per and max(sizes) > 5000:
        big = max(sizes)
        growth = per[big] / per[5000]
        verdict = "met" if growth <= TARGET_GROWTH else "NOT met"
        print(f"cost per placement at {big:,} nodes / at 5,000 nodes: {growth:.2f}x "
              f"(target <= {TARGET_GROWTH}x: {verdict}); log2 ratio "
              f"{math.log2(big) / math.log2(5000):.2f}")
        print(f"baseline: the heap floor itself at {big:,} / at 5,000 nodes: "
              f"{floor_per[big] / floor_per[5000]:.2f}x (memory cost of a larger heap)")
        small, large = statistics.median(apart[5000]), statistics.median(apart[big])
        print(f"nodes entering one at a time in random id order: {small:.2f} us at 5,000, "
              f"{large:.2f} us at {big:,}: {large / small:.2f}x")
    print(f"load average {os.getloadavg()[0]:.2f} over 1 minute at the end ('join s': CPU "
          f"seconds of the add_node calls before the timed pass, for reference)")


if __name__ == "__main__":
    main()
