"""Whole-command benchmark: what a user waits for, each beside a same-run baseline.

1. ``swarmsim plan`` on a stack of 1,000 services x 100 replicas on 5,000 nodes, timed
   as a subprocess (interpreter start-up, compose loading, scheduling, sorting and
   printing the 100,000-row table), and ``plan()`` from Python in-process; baseline: the
   bare heap floor, one ``heapq`` pop and push per placement over a heap of node keys in
   a fresh interpreter (the least any placement loop can do), whole process and in-process.
2. ``swarmsim run --json`` on 1,000,000 M/M/5 requests (rho 0.9) as a subprocess;
   baseline: the same M/M/5 queue in plain simpy, also a whole fresh process.  Both run
   as installed: with compiled bytecode, as ``pip install`` leaves every module (simpy's
   and numpy's are compiled in the environment; swarmsim's, in an editable install under
   ``PYTHONDONTWRITEBYTECODE``, would otherwise be recompiled in every run), kept in a
   temporary cache filled by one untimed run of each.  The figure without that cache is
   printed too, and what start-up alone costs each (importing numpy and simpy; importing
   the modules ``swarmsim run --json`` loads).

Each figure is the median of ``--repeat`` runs measured in this run, as CPU seconds
(user + system, of the child process for a whole command) and wall seconds.  On a shared
machine wall times move with the load; CPU times and the same-run ratios are the figures
to read.

Run: ``python3 benchmarks/bench_commands.py [--which plan,run] [--repeat 3]
[--requests 1000000] [--nodes 5000] [--services 1000] [--replicas 100]``
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_traffic import compose as traffic_compose  # noqa: E402
from bench_traffic import scenario as traffic_scenario  # noqa: E402

RESERVATIONS = ("", "0.05", "0.1", "0.25")


def plan_files(d: Path, nodes: int, services: int, replicas: int) -> Path:
    """A scenario of ``nodes`` workers (5 managers) and one stack of ``services``."""
    lines = ["services:"]
    for s in range(services):
        lines += [f"  s{s}:", f"    image: nginx:{s % 7}", "    deploy:"]
        lines += [f"      replicas: {replicas}"]
        cpu = RESERVATIONS[s % len(RESERVATIONS)]
        if cpu:
            lines += ["      resources:", "        reservations:", f"          cpus: '{cpu}'"]
            lines += ["          memory: 64M"]
        if s % 10 == 3:
            lines += ["      placement:", "        constraints: [node.role==worker]"]
    (d / "stack.yml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (d / "plan.yaml").write_text(
        "name: bigplan\nseed: 0\nnodes:\n"
        "  - {name: 'manager{i}', count: 5, role: manager, cpus: 16, memory: 64G}\n"
        f"  - {{name: 'worker{{i}}', count: {nodes - 5}, cpus: 16, memory: 64G}}\n"
        "stacks:\n  big: stack.yml\n",
        encoding="utf-8",
    )
    return d / "plan.yaml"


HEAP_FLOOR = """
import heapq, sys, time
t0 = time.process_time()
n, k = int(sys.argv[1]), int(sys.argv[2])
heap = [(0, i) for i in range(n)]
heapq.heapify(heap)
for _ in range(k):
    load, i = heapq.heappop(heap)
    heapq.heappush(heap, (load + 1, i))
print(time.process_time() - t0)
"""

PLAIN_SIMPY = """
import sys, time
sys.path.insert(0, sys.argv[1])
t0 = time.perf_counter()
from bench_traffic import plain_simpy
plain_simpy(int(sys.argv[2]), 5, 5 * 0.9 / 0.02, "workers", 1)
print(time.perf_counter() - t0)
"""


#: the modules `swarmsim run --json` loads, as the command loads them (the cyclic
#: collector paused, every object frozen out of it before the exit)
RUN_IMPORTS = """
import gc
gc.disable()
import swarmsim.cli, swarmsim.app.run, swarmsim.commands.stack, swarmsim.metrics
import swarmsim.outputs.files, numpy.random
gc.freeze()
"""


def _child_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def runs(cmd: list[str], repeat: int, env: dict[str, str] | None = None
         ) -> tuple[list[float], list[float], str]:
    """CPU and wall seconds of ``repeat`` runs of ``cmd`` as a fresh process, and its last
    stdout."""
    cpu, wall, out = [], [], ""
    for _ in range(repeat):
        c0, t0 = _child_cpu(), time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True, check=True, cwd=ROOT,
                              env=env)
        wall.append(time.perf_counter() - t0)
        cpu.append(_child_cpu() - c0)
        out = proc.stdout
    return cpu, wall, out


def whole(cmd: list[str], repeat: int) -> tuple[float, float, str]:
    """Median CPU and wall seconds of ``cmd`` as a fresh process, and its last stdout."""
    cpu, wall, out = runs(cmd, repeat)
    return statistics.median(cpu), statistics.median(wall), out


def installed_env(cache: Path) -> dict[str, str]:
    """The environment with bytecode kept in ``cache`` (as after ``pip install``)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(cache)
    return env


def bench_plan(args: argparse.Namespace, d: Path) -> None:
    path = plan_files(d, args.nodes, args.services, args.replicas)
    k = args.services * args.replicas
    floor_cpus, floor_walls, floors_in = [], [], []
    for _ in range(args.repeat):  # each run's whole-process and in-process floor
        c, w, out = runs([sys.executable, "-c", HEAP_FLOOR, str(args.nodes), str(k)], 1)
        floor_cpus += c
        floor_walls += w
        floors_in.append(float(out))
    floor_proc, floor_wall = statistics.median(floor_cpus), statistics.median(floor_walls)
    floor_in = statistics.median(floors_in)
    cmd, cmd_wall, _ = whole([sys.executable, "-m", "swarmsim", "plan", str(path)], args.repeat)
    from swarmsim.app.plan import plan
    from swarmsim.input.scenario import load_scenario

    inproc = []
    for _ in range(args.repeat):
        t0 = time.process_time()
        plan(load_scenario(path))
        inproc.append(time.process_time() - t0)
    p = statistics.median(inproc)
    print(f"plan {k:,} replicas / {args.services:,} services / {args.nodes:,} nodes, "
          f"median of {args.repeat} (load average {os.getloadavg()[0]:.2f})")
    print(f"  swarmsim plan (whole process) {cmd:7.2f} s CPU ({cmd_wall:.2f} s wall)   "
          f"heap floor (whole process) {floor_proc:6.2f} s CPU ({floor_wall:.2f} s wall)   "
          f"{cmd / floor_proc:5.1f}x")
    print(f"  plan() from Python            {p:7.2f} s CPU   heap floor (in-process)     "
          f"{floor_in:6.2f} s   {p / floor_in:5.1f}x   (runs {_spread(inproc)}; floor runs "
          f"{_spread(floors_in)})")
    print("  plan() is timed from load_scenario() on: reading the scenario, loading the "
          "compose file, scheduling, the plan's records")
    print(f"  target: command <= 1.5 s CPU ({'met' if cmd <= 1.5 else 'NOT met'}); "
          f"plan() <= 10x the in-process floor ({'met' if p <= 10 * floor_in else 'NOT met'})")


def bench_run(args: argparse.Namespace, d: Path) -> None:
    n = args.requests
    (d / "app.yml").write_text(traffic_compose(5, "workers", 10 * n), encoding="utf-8")
    (d / "run.yaml").write_text(traffic_scenario(n, 5 * 0.9 / 0.02, 5), encoding="utf-8")
    here = str(Path(__file__).resolve().parent)
    simpy_cmd = [sys.executable, "-c", PLAIN_SIMPY, here, str(n)]
    run_cmd = [sys.executable, "-m", "swarmsim", "run", str(d / "run.yaml"), "--json"]
    env = installed_env(d / "bytecode")
    runs(simpy_cmd, 1, env)  # untimed: fills the bytecode cache
    runs(run_cmd, 1, env)
    base, base_wall, _ = runs(simpy_cmd, args.repeat, env)
    cmd, cmd_wall, _ = runs(run_cmd, args.repeat, env)
    fresh, _w, _ = runs(run_cmd, args.repeat)
    # start-up alone: the modules each process loads before it simulates anything
    base_imports, _w, _ = runs([sys.executable, "-c", "import numpy, simpy"], args.repeat, env)
    run_imports, _w, _ = runs([sys.executable, "-c", RUN_IMPORTS], args.repeat, env)
    b, c = statistics.median(base), statistics.median(cmd)
    ratios = sorted(x / y for x, y in zip(base, cmd, strict=True))  # run i against run i
    print(f"run --json, {n:,} M/M/5 requests (rho 0.9), median of {args.repeat} "
          f"(load average {os.getloadavg()[0]:.2f})")
    print(f"  plain simpy (whole process)   {b:7.2f} s CPU ({statistics.median(base_wall):.2f}"
          f" s wall)   {n / b:10,.0f} req/CPU-s   runs {_spread(base)}")
    print(f"  swarmsim run --json (whole)   {c:7.2f} s CPU ({statistics.median(cmd_wall):.2f}"
          f" s wall)   {n / c:10,.0f} req/CPU-s   runs {_spread(cmd)}")
    print(f"  ratio {b / c:5.1f}x simpy (pairwise {ratios[0]:.1f}-{ratios[-1]:.1f}x); without "
          f"bytecode cache swarmsim takes {statistics.median(fresh):.2f} s CPU "
          f"({b / statistics.median(fresh):.1f}x)")
    print(f"  start-up alone: numpy + simpy {statistics.median(base_imports):.2f} s CPU, "
          f"swarmsim run's modules {statistics.median(run_imports):.2f} s CPU")
    print("  target: >= 10x plain simpy, whole process against whole process")


def _spread(values: list[float]) -> str:
    return f"{min(values):.2f}-{max(values):.2f} s"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--which", default="plan,run")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--requests", type=int, default=1_000_000)
    ap.add_argument("--nodes", type=int, default=5000)
    ap.add_argument("--services", type=int, default=1000)
    ap.add_argument("--replicas", type=int, default=100)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        if "plan" in args.which:
            bench_plan(args, d)
        if "run" in args.which:
            bench_run(args, d)
    return 0


if __name__ == "__main__":
    sys.exit(main())
