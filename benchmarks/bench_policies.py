"""Policy placement benchmark: binpack and a custom sort-key policy against spread.

Places the stack of ``bench_placement.py`` (1,000 services x 100 replicas, its mix of
reservations, constraints and spread preferences) in ONE ``Scheduler.schedule()`` call
on 5,000 nodes, under spread (swarm's own path), binpack, least-allocated and a user
policy that only declares a sort key (most free memory first).  All three declare
``key``, so they run on the incremental sort-key path; the target is at most 2x
spread's CPU time.  As a reference, a policy that ranks every passing node for every
task (no key) is timed on a smaller case.

Run: ``python3 benchmarks/bench_policies.py [--nodes 5000] [--repeat 3]``.  The machine
may be shared: the figures are medians of ``--repeat`` runs of CPU time, interleaved.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_placement import make_nodes, make_services

from swarmsim.policies import Binpack, LeastAllocated
from swarmsim.scheduler import PendingTask, Scheduler

TARGET = 2.0


class MostFreeMemory:
    """A user's key policy: the node with the most unreserved memory, then fewer tasks."""

    name = "most-free-memory"

    def key(self, node):
        return (node.reserved_memory - node.memory_bytes, node.tasks)

    def rank(self, nodes, task, rng):
        return sorted(nodes, key=lambda n: (self.key(n), n.id))


class RankOnly:
    """Binpack's ranking without a key: ranks every passing node for every task."""

    name = "binpack-rank-only"

    def rank(self, nodes, task, rng):
        return Binpack().rank(nodes, task, rng)


def run(policy, nodes: int, services: int, replicas: int, seed: int = 7) -> tuple[float, int]:
    """CPU seconds of one schedule() call placing the whole stack, and tasks placed."""
    specs = make_services(services, seed)
    by_name = {s.name: s for s in specs}
    pending = [PendingTask(id=f"{s.name}.{r}", service=s.name, spec_version=1, slot=r)
               for s in specs for r in range(1, replicas + 1)]
    sched = Scheduler(policy)
    for node in make_nodes(nodes, seed):
        sched.add_node(node)
    gc.collect()
    start = time.process_time()
    decisions = sched.schedule(pending, by_name, now=0.0)
    return time.process_time() - start, sum(1 for d in decisions if d.node_id)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=5000)
    parser.add_argument("--services", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    cases = {"spread": None, "binpack": Binpack(), "least-allocated": LeastAllocated(),
             "most-free-memory (key)": MostFreeMemory()}
    times: dict[str, list[float]] = {name: [] for name in cases}
    placed: dict[str, int] = {}
    for _ in range(args.repeat):
        for name, policy in cases.items():
            cpu, n = run(policy, args.nodes, args.services, 100)
            times[name].append(cpu)
            placed[name] = n
    base = statistics.median(times["spread"])
    print(f"{args.services} services x 100 replicas on {args.nodes} nodes, one schedule() "
          f"call, median CPU of {args.repeat}")
    ok = True
    for name, ts in times.items():
        t = statistics.median(ts)
        ratio = t / base
        if name != "spread":
            ok = ok and ratio <= TARGET
        print(f"  {name:24s} {t:7.3f} s  {ratio:5.2f}x spread  placed {placed[name]}")
    small = (500, 50)
    rank_cpu, _ = run(RankOnly(), small[0], small[1], 100)
    key_cpu, _ = run(Binpack(), small[0], small[1], 100)
    print(f"  reference, {small[1]} services on {small[0]} nodes: binpack ranking every "
          f"node {rank_cpu:.3f} s, with its key {key_cpu:.3f} s")
    print(f"  target: key policies within {TARGET}x spread: {'met' if ok else 'NOT met'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
