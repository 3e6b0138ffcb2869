"""Swarm3k-size benchmark: the whole engine over 24 simulated hours.

4,700 nodes (7 managers), 150,000 replicas over 1,500 services deployed at t=0 with
``docker stack deploy``, a node crash every 10 minutes (each machine back 5 minutes
later), and one rolling re-deploy of every service (a new image) at 12 h, updated
with swarm's defaults (one task at a time, stop-first).

Prints wall time, simulation events per second and peak memory (max RSS).

``--usage`` gives every service a usage profile (a diurnal CPU curve stepping every
hour on the run's clock, a 48M working set), so the resource model re-shares every
node's cores at each step.

Run: ``python3 benchmarks/bench_swarm3k.py [--nodes 4700] [--services 1500]
[--replicas 100] [--hours 24] [--usage]``
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from swarmsim.app.run import run_scenario
from swarmsim.input.scenario import load_scenario

USAGE = ("    x-swarmsim:\n      usage:\n        cpu: {kind: diurnal, mean: 0.04, amplitude: 0.03,"
         " period: 24h, peak: 14h, step: 1h}\n        memory: 48M")


def compose(services: int, replicas: int, tag: str, usage: bool = False) -> str:
    lines = ['version: "3.8"', "services:"]
    for i in range(services):
        lines += [
            f"  s{i:04d}:",
            f"    image: example/app{i % 50}:{tag}",
            "    deploy:",
            f"      replicas: {replicas}",
            "      resources:",
            "        reservations:",
            '          cpus: "0.05"',
            "          memory: 64M",
        ]
        if usage:
            lines.append(USAGE)
    return "\n".join(lines) + "\n"


def scenario(nodes: int, hours: float) -> str:
    managers = 7
    out = [
        "name: swarm3k",
        "seed: 0",
        f"until: {hours}h",
        "nodes:",
        "  - name: manager-{i}",
        f"    count: {managers}",
        "    role: manager",
        "    cpus: 8",
        "    memory: 16G",
        "  - name: worker-{i}",
        f"    count: {nodes - managers}",
        "    cpus: 8",
        "    memory: 16G",
        "stacks:",
        "  big: v1.yml",
        "timeline:",
    ]
    steps = int(hours * 6)
    for k in range(1, steps):
        victim = f"worker-{(k * 7919) % (nodes - managers) + 1}"
        out.append(f"  - {{at: {k * 10}m, fail: {victim}}}")
        out.append(f"  - {{at: {k * 10 + 5}m, recover: {victim}}}")
    out.append(f'  - {{at: {hours / 2}h, run: "docker stack deploy -c v2.yml big"}}')
    return "\n".join(out) + "\n"


def size_arguments(parser: argparse.ArgumentParser) -> None:
    """The options that choose the swarm's size and the simulated time."""
    parser.add_argument("--nodes", type=int, default=4700)
    parser.add_argument("--services", type=int, default=1500)
    parser.add_argument("--replicas", type=int, default=100)
    parser.add_argument("--hours", type=float, default=24.0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    size_arguments(parser)
    parser.add_argument("--usage", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        (d / "v1.yml").write_text(compose(args.services, args.replicas, "v1", args.usage))
        (d / "v2.yml").write_text(compose(args.services, args.replicas, "v2", args.usage))
        (d / "s.yaml").write_text(scenario(args.nodes, args.hours))
        t0 = time.perf_counter()
        sc = load_scenario(d / "s.yaml")
        result = run_scenario(sc)
        wall = time.perf_counter() - t0
    sim = result.sim
    events = len(sim.events)
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    tasks = len(sim.state.tasks)
    running = sum(1 for t in sim.state.tasks.values() if t.state.label == "running")
    print(f"nodes {args.nodes}, services {args.services}, replicas "
          f"{args.services * args.replicas}, simulated {args.hours:g} h"
          f"{', a usage profile on every service' if args.usage else ''}")
    print(f"wall time            {wall:8.1f} s")
    print(f"recorded events      {events:8d}  ({events / wall:,.0f}/s)")
    print(f"peak memory (RSS)    {rss_mb:8.0f} MB")
    print(f"tasks in store {tasks}, running at the end {running}")
    for line in result.log[-3:]:
        print(f"  t={line.time:.0f}s {getattr(line, 'command', getattr(line, 'action', ''))}")


if __name__ == "__main__":
    main()
