"""API load benchmark: 50 clients poll `docker service ls` (``GET /services?status=true``)
and ``GET /tasks`` against `swarmsim serve` on a 100-node, 1,000-task swarm while the
scenario's timeline crashes three workers.

The server runs in a process of its own (``python -m swarmsim serve``, speed 1), so the
clients do not take its time slices; the clients are asyncio tasks in this process (one
aiohttp session each, keep-alive), each polling the two calls in turn every
``--interval`` seconds for ``--duration`` seconds, each client at its own phase.
The baseline, measured in the same run on the same server just before, is one client
making the same calls one after the other. Prints p50 and p99 per call (ms) and the
errors, for each repeat, then the medians over the repeats: as the clients observe
them (the time to the last byte) and as the server spent them (its ``Server-Timing``
header: the handler's time, without the wait for the event loop or the transfer), and
the CPU time the server and the clients' process spent per call (the figure a busy
machine changes least). The machine is shared with other work: figures vary from run
to run; compare each with its baseline.

Run: ``python3 benchmarks/bench_api.py [--clients 50] [--duration 30] [--interval 0.5]
[--repeats 3]``
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import aiohttp

CALLS = {"service ls": "/v1.47/services?status=true", "tasks": "/v1.47/tasks"}


def write_scenario(tmp: Path, nodes: int, tasks: int) -> Path:
    services = 10
    lines = ['version: "3.8"', "services:"]
    for i in range(services):
        lines += [f"  s{i}:", "    image: nginx:1.25", "    deploy:",
                  f"      replicas: {tasks // services}"]
    (tmp / "stack.yml").write_text("\n".join(lines) + "\n")
    (tmp / "load.yaml").write_text(f"""name: load
seed: 1
nodes:
  - {{name: manager1, role: manager, cpus: 8, memory: 16G}}
  - {{name: "worker{{i}}", count: {nodes - 1}, cpus: 4, memory: 8G}}
stacks:
  app: stack.yml
timeline:
  - {{at: 15s, fail: worker3}}
  - {{at: 22s, fail: worker17}}
  - {{at: 29s, fail: worker42}}
""")
    return tmp / "load.yaml"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def cpu_seconds(pid: int) -> float:
    """User and system CPU seconds a process has used (Linux ``/proc/PID/stat``)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000 if ordered else 0.0


async def converge(base: str, tasks: int) -> None:
    async with aiohttp.ClientSession() as session:
        for _ in range(600):
            try:
                async with session.get(base + CALLS["service ls"]) as resp:
                    services = await resp.json()
                if sum(s["ServiceStatus"]["RunningTasks"] for s in services) >= tasks:
                    return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.2)
    raise SystemExit("the swarm did not converge")


def server_ms(resp: aiohttp.ClientResponse) -> float:
    """The server's own time on a call (its ``Server-Timing: app;dur=MS`` header)."""
    header = resp.headers.get("Server-Timing", "")
    _, _, dur = header.partition("dur=")
    return float(dur) / 1000 if dur else 0.0


async def client(base: str, end: float, interval: float, phase: float,
                 out: dict[str, list[float]], errors: list[str]) -> None:
    async with aiohttp.ClientSession() as session:
        await asyncio.sleep(phase)
        while time.monotonic() < end:
            for name, path in CALLS.items():
                t0 = time.perf_counter()
                try:
                    async with session.get(base + path) as resp:
                        await resp.read()
                        if resp.status != 200:
                            errors.append(f"{name}: HTTP {resp.status}")
                        out["server " + name].append(server_ms(resp))
                except aiohttp.ClientError as err:
                    errors.append(f"{name}: {err}")
                out[name].append(time.perf_counter() - t0)
            await asyncio.sleep(interval)


async def measure(base: str, clients: int, duration: float, interval: float
                  ) -> tuple[dict[str, list[float]], list[str]]:
    out: dict[str, list[float]] = {k: [] for name in CALLS for k in (name, "server " + name)}
    errors: list[str] = []
    end = time.monotonic() + duration
    # independent pollers are not in step: each starts at its own phase of the interval
    await asyncio.gather(*(client(base, end, interval, interval * i / clients, out, errors)
                           for i in range(clients)))
    return out, errors


def one_run(scenario: Path, args: argparse.Namespace) -> dict[str, float]:
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "swarmsim", "serve", str(scenario),
                             "--port", str(port)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        proc.stdout.readline()  # type: ignore[union-attr]
        base = f"http://127.0.0.1:{port}"
        asyncio.run(converge(base, args.tasks))
        baseline, _ = asyncio.run(measure(base, 1, 5.0, 0.0))
        server_cpu, client_cpu = cpu_seconds(proc.pid), time.process_time()
        loaded, errors = asyncio.run(measure(base, args.clients, args.duration, args.interval))
        server_cpu = cpu_seconds(proc.pid) - server_cpu
        client_cpu = time.process_time() - client_cpu
    finally:
        proc.terminate()
        proc.communicate(timeout=10)
    calls = sum(len(loaded[name]) for name in CALLS) or 1
    figures = {"errors": float(len(errors)), "server cpu per call": server_cpu / calls * 1000,
               "client cpu per call": client_cpu / calls * 1000}
    for name in CALLS:
        figures[f"{name} baseline p50"] = pct(baseline[name], 0.5)
        figures[f"{name} baseline p99"] = pct(baseline[name], 0.99)
        figures[f"{name} p50"] = pct(loaded[name], 0.5)
        figures[f"{name} p99"] = pct(loaded[name], 0.99)
        figures[f"{name} server p99"] = pct(loaded["server " + name], 0.99)
        figures[f"{name} baseline server p99"] = pct(baseline["server " + name], 0.99)
        figures[f"{name} calls"] = float(len(loaded[name]))
    for err in errors[:5]:
        print("  error:", err)
    return figures


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--clients", type=int, default=50)
    p.add_argument("--duration", type=float, default=30.0)
    p.add_argument("--interval", type=float, default=0.5)
    p.add_argument("--nodes", type=int, default=100)
    p.add_argument("--tasks", type=int, default=1000)
    p.add_argument("--repeats", type=int, default=3)
    args = p.parse_args()
    runs = []
    with tempfile.TemporaryDirectory() as tmp:
        scenario = write_scenario(Path(tmp), args.nodes, args.tasks)
        for i in range(args.repeats):
            figures = one_run(scenario, args)
            runs.append(figures)
            print(f"run {i + 1}: " + ", ".join(f"{k} {v:.1f}" for k, v in figures.items()))
    print(f"medians of {args.repeats} runs ({args.clients} clients, {args.nodes} nodes, "
          f"{args.tasks} tasks, 3 workers crash):")
    for name in CALLS:
        med = {k: statistics.median(r[f"{name} {k}"]
                                    for r in runs) for k in ("baseline p50", "baseline p99",
                                                              "p50", "p99", "calls",
                                                              "server p99",
                                                              "baseline server p99")}
        print(f"  {name:10s} p50 {med['p50']:6.1f} ms  p99 {med['p99']:6.1f} ms  "
              f"server p99 {med['server p99']:5.1f} ms   "
              f"(baseline, 1 client: p50 {med['baseline p50']:.1f} ms, "
              f"p99 {med['baseline p99']:.1f} ms, server p99 "
              f"{med['baseline server p99']:.1f} ms; {med['calls']:.0f} calls)")
    print(f"  errors: {statistics.median(r['errors'] for r in runs):.0f}; CPU per call: "
          f"server {statistics.median(r['server cpu per call'] for r in runs):.2f} ms, "
          f"clients {statistics.median(r['client cpu per call'] for r in runs):.2f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
