"""Traffic benchmark: the same M/M/c request traffic through a plain simpy model (one
simpy process per request, a ``simpy.Resource`` of c servers) and through swarmsim (a
swarm of one 8-core machine running the service; requests routed through the routing
mesh and served by the FIFO recursion, no process per request).

Default: c = 5 servers at utilisation 0.9 (20 ms mean service time, 225 requests/s),
1,000,000 requests.  In swarmsim the 5 servers are one task with ``workers: 5`` and a
CPU limit of 5 cores: an M/M/5 queue.  ``--layout tasks`` instead runs 5 single-worker
replicas behind the mesh's round robin from one entry node (five E5/M/1 queues), and
the simpy model then has five one-server resources fed in turn.

Prints both rates (requests per wall-clock second and per CPU second of this process),
their ratios (the CPU one is the figure to read on a loaded machine) and the two mean
latencies next to the analytic value.  swarmsim's time is the whole run (loading the
scenario and compose file, the simulation, the figures) after an untimed warm-up run
that imports its modules.

``--contention`` adds a neighbour on the machine that wants ``cores - servers / 2`` cores
(5.5 of 8 with 5 servers): the resource model then shares the cores (CFS, max-min: 4
each), re-evaluates the demand every second and the workers run at 0.8 of a core; the simpy
model's servers are slowed the same way and the analytic value is M/M/c at that speed.

Run: ``python3 benchmarks/bench_traffic.py [--requests 1000000] [--servers 5]
[--rho 0.9] [--layout workers|tasks] [--seed 1] [--contention]``
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import simpy

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from swarmsim.app.run import run_scenario
from swarmsim.input.scenario import load_scenario
from swarmsim.workload.queueing import ekm1_sojourn, mmc_sojourn
from swarmsim.workload.summary import traffic_document

MEAN_SERVICE_S = 0.02
WARMUP_S = 10.0  # the task is running after 3 s (pull 2 s + startup 1 s)


def plain_simpy(n: int, servers: int, rate: float, layout: str, seed: int,
                speed: float = 1.0) -> float:
    """Mean latency of ``n`` requests through a plain simpy model (servers at
    ``speed``)."""
    rng = np.random.default_rng(seed)
    gaps = rng.exponential(1 / rate, n).tolist()
    costs = rng.exponential(MEAN_SERVICE_S / speed, n).tolist()
    env = simpy.Environment()
    if layout == "workers":
        pools = [simpy.Resource(env, capacity=servers)]
    else:
        pools = [simpy.Resource(env, capacity=1) for _ in range(servers)]
    total = [0.0]

    def request(pool: simpy.Resource, cost: float) -> object:
        sent = env.now
        with pool.request() as slot:
            yield slot
            yield env.timeout(cost)
        total[0] += env.now - sent

    def clients() -> object:
        for i in range(n):
            yield env.timeout(gaps[i])
            env.process(request(pools[i % len(pools)], costs[i]))

    env.process(clients())
    env.run()
    return total[0] / n


def compose(servers: int, layout: str, tasks_queue: int, hog: float = 0.0) -> str:
    replicas, workers = (1, servers) if layout == "workers" else (servers, 1)
    cpus = servers if layout == "workers" else 1
    neighbour = f"""  hog:
    image: example/hog:1
    x-swarmsim:
      usage: {{cpu: {hog}}}
""" if hog else ""
    return f"""version: "3.8"
services:
  app:
    image: example/app:1
    deploy:
      replicas: {replicas}
      resources:
        limits:
          cpus: "{cpus}"
    ports:
      - "4000:80"
    x-swarmsim:
      request: {{cost: 20ms, dist: exponential, workers: {workers}, queue: {tasks_queue}}}
{neighbour}"""


def scenario(n: int, rate: float, servers: int) -> str:
    stop = WARMUP_S + n / rate
    return f"""name: bench
seed: 0
until: {stop + 60:.6f}s
nodes:
  - name: node1
    role: manager
    cpus: {max(8, servers)}
network: {{latency: 0s}}
stacks:
  bench: app.yml
workload:
  - name: load
    port: 4000
    entry: [node1]
    rate: {rate}
    start: {WARMUP_S:.0f}s
    stop: {stop:.6f}s
    timeout: 1h
"""


def swarmsim_run(n: int, servers: int, rate: float, layout: str, hog: float = 0.0
                 ) -> tuple[dict, float, float]:
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        (d / "app.yml").write_text(compose(servers, layout, 10 * n, hog), encoding="utf-8")
        (d / "bench.yaml").write_text(scenario(n, rate, servers), encoding="utf-8")
        began, cpu = time.perf_counter(), time.process_time()
        result = run_scenario(load_scenario(d / "bench.yaml"))
        doc = traffic_document(result.sim)["requests"]["load"]
        return doc, time.perf_counter() - began, time.process_time() - cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=1_000_000)
    parser.add_argument("--servers", type=int, default=5)
    parser.add_argument("--rho", type=float, default=0.9)
    parser.add_argument("--layout", choices=("workers", "tasks"), default="workers")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--contention", action="store_true")
    args = parser.parse_args()
    n, c = args.requests, args.servers
    rate = args.rho * c / MEAN_SERVICE_S
    cores = max(8, c)
    hog = cores - c / 2 if args.contention else 0.0
    # max-min: the service (wanting c) and the hog share the cores; a worker gets its part
    speed = min(1.0, max(cores - hog, cores / 2) / c) if hog else 1.0
    if args.contention:
        rate = args.rho * c * speed / MEAN_SERVICE_S
        print(f"contention: a neighbour wants {hog:g} of {cores} cores; workers run at "
              f"{speed:g} of a core")
    if args.layout == "workers":
        analytic = mmc_sojourn(c, rate, speed / MEAN_SERVICE_S)
        model = f"M/M/{c}"
    else:
        analytic = ekm1_sojourn(c, rate, 1 / MEAN_SERVICE_S)
        model = f"{c} x E{c}/M/1 (round robin)"
    print(f"{model}, utilisation {args.rho}, {n:,} requests, mean service "
          f"{MEAN_SERVICE_S * 1000:.0f} ms; analytic mean latency {analytic * 1000:.3f} ms")

    swarmsim_run(1000, c, rate, args.layout, hog)  # warm-up: imports, untimed
    doc, sw_wall, sw_cpu = swarmsim_run(n, c, rate, args.layout, hog)
    sw_n = doc["sent"]
    print(f"swarmsim:     {sw_n:>9,} requests in {sw_wall:7.2f} s = {sw_n / sw_wall:>11,.0f} "
          f"requests/s; mean latency {doc['latency']['mean'] * 1000:.3f} ms "
          f"(ok {doc['ok']:,}, in flight {doc['in_flight']})")

    began, cpu = time.perf_counter(), time.process_time()
    simpy_mean = plain_simpy(n, c, rate, args.layout, args.seed, speed)
    simpy_wall, simpy_cpu = time.perf_counter() - began, time.process_time() - cpu
    print(f"plain simpy:  {n:>9,} requests in {simpy_wall:7.2f} s = {n / simpy_wall:>11,.0f} "
          f"requests/s; mean latency {simpy_mean * 1000:.3f} ms")
    ratio = (sw_n / sw_wall) / (n / simpy_wall)
    by_cpu = (sw_n / sw_cpu) / (n / simpy_cpu)
    print(f"CPU: swarmsim {sw_cpu:.2f} s, plain simpy {simpy_cpu:.2f} s")
    print(f"ratio: swarmsim is {ratio:.1f}x the plain simpy model's rate ({by_cpu:.1f}x by "
          "CPU time)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
