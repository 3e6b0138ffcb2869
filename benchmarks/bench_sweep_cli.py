"""End-to-end ``swarmsim sweep`` on the shipped example, 1 worker against 2.

Times the whole command (interpreter start-up, reading, 24 replications, the summary,
``sweep.csv`` and the plots) as a user runs it: ``swarmsim sweep examples/sweep.yml
--workers W --out DIR``, alternating W = 1 and W = 2, and prints the median wall time of
each beside the other with the speed-up (target: at least 1.8) and the load average.
It also checks both wrote the same ``sweep.csv``.  The command runs as installed: with
compiled bytecode (as ``pip install`` leaves it), kept in a temporary cache filled by
one untimed run.

Beside the wall times it prints the CPU seconds of the command's own process and of its
helper processes, and a speed-up estimated from CPU times alone, which a loaded machine
distorts far less than wall times: the command reports the CPU seconds each process
spent on each stretch of shared work (``swarmsim.experiments.sharing.cpu_ledger``, one
entry per stretch), so with two workers the critical path is the command process's
serial CPU (everything outside the shared stretches) plus, per stretch, the largest of
the processes' CPU; the helpers' CPU outside their items (their start-up) is counted in
the first stretch.  The drawing processes (``swarmsim.experiments.drawers``) report two
stretches: their start-up (loading the plotting library) beside the command process's
own work from their fork to the figures (loading the simulator, the runs' set-up), and
the figures.  The estimate is one worker's CPU over that path.  It
leaves out what CPU times cannot show (process start and exit, waiting on pipes), so it
is an upper bound of what two free cores give.

Run on an idle machine (``uptime``): another busy process takes the second core.
``python3 benchmarks/bench_sweep_cli.py [--repeat 3]``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
TARGET = 1.8

from bench_commands import installed_env  # noqa: E402

#: the command, reporting its own CPU seconds and its (finished) helpers' on stderr
COMMAND = """
import resource, sys
from swarmsim.cli import main
code = main(sys.argv[1:])
own, helpers = (resource.getrusage(w) for w in (resource.RUSAGE_SELF,
                                                 resource.RUSAGE_CHILDREN))
print("cpu", own.ru_utime + own.ru_stime, helpers.ru_utime + helpers.ru_stime,
      file=sys.stderr)
from swarmsim.experiments.sharing import cpu_ledger
for part in cpu_ledger:
    print("shared", part.own, *(cpu for _, cpu in part.helpers), file=sys.stderr)
sys.exit(code)
"""


def critical_path(own: float, helpers: float, shared: list[list[float]]) -> float:
    """CPU seconds on the critical path: the command process's CPU outside the shared
    stretches, plus per stretch the busiest process's CPU (``shared``: per stretch, the
    command process's CPU, then each helper's); the helpers' CPU outside their items
    counts in the first stretch."""
    if not shared:
        return own
    serial = own - sum(part[0] for part in shared)
    outside = max(0.0, helpers - sum(sum(part[1:]) for part in shared))
    path = serial
    for k, (mine, *theirs) in enumerate(shared):
        extra = outside / max(1, len(theirs)) if k == 0 else 0.0
        path += max([mine, *(cpu + extra for cpu in theirs)])
    return path


def once(workers: int, out: Path, env: dict[str, str]) -> tuple[float, float, float, float]:
    """Wall seconds, the command's own CPU seconds, its helpers', and the CPU seconds on
    the critical path (:func:`critical_path`)."""
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", COMMAND, "sweep", "examples/sweep.yml",
                           "--workers", str(workers), "--out", str(out), "--force"],
                          cwd=ROOT, check=True, stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, text=True, env=env)
    wall = time.perf_counter() - start
    lines = proc.stderr.splitlines()
    line = [x for x in lines if x.startswith("cpu ")][-1].split()
    own, helpers = float(line[1]), float(line[2])
    shared = [[float(v) for v in x.split()[1:]] for x in lines if x.startswith("shared ")]
    return wall, own, helpers, critical_path(own, helpers, shared)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    runs: dict[int, list[tuple[float, float, float, float]]] = {1: [], 2: []}
    loads = []
    with tempfile.TemporaryDirectory() as tmp:
        env = installed_env(Path(tmp) / "bytecode")
        once(1, Path(tmp) / "warm", env)  # untimed: fills the bytecode cache
        for _ in range(args.repeat):
            for w in (1, 2):
                runs[w].append(once(w, Path(tmp) / f"w{w}", env))
                loads.append(os.getloadavg()[0])
        same = (Path(tmp) / "w1" / "sweep.csv").read_bytes() == (
            Path(tmp) / "w2" / "sweep.csv").read_bytes()
    med = {w: [statistics.median(r[k] for r in runs[w]) for k in range(4)] for w in runs}
    one, two = med[1][0], med[2][0]
    print(f"swarmsim sweep examples/sweep.yml, median of {args.repeat} "
          f"(load average {min(loads):.2f}-{max(loads):.2f})")
    for w in (1, 2):
        wall, own, helpers, _ = med[w]
        walls = [r[0] for r in runs[w]]
        print(f"  {w} worker{'s' if w > 1 else ' '}  {wall:6.2f} s wall "
              f"(runs {min(walls):.2f}-{max(walls):.2f})   CPU: command {own:5.2f} s, "
              f"helpers {helpers:5.2f} s, total {own + helpers:5.2f} s")
    ratios = sorted(a[0] / b[0] for a, b in zip(runs[1], runs[2], strict=True))
    print(f"  speed-up {one / two:.2f} (pairs {ratios[0]:.2f}-{ratios[-1]:.2f}; target "
          f"{TARGET}); same sweep.csv: {same}")
    one_cpu, two_cpu, path = med[1][1] + med[1][2], med[2][1] + med[2][2], med[2][3]
    paths = [r[3] for r in runs[2]]
    estimates = sorted((a[1] + a[2]) / b[3] for a, b in zip(runs[1], runs[2], strict=True))
    print(f"  CPU: 2 workers do {two_cpu / one_cpu:.2f}x one worker's work; critical path "
          f"{path:.2f} s (runs {min(paths):.2f}-{max(paths):.2f}) against one worker's "
          f"{one_cpu:.2f} s: speed-up estimate {one_cpu / path:.2f} (pairs "
          f"{estimates[0]:.2f}-{estimates[-1]:.2f}, median {statistics.median(estimates):.2f})")
    return 0 if same and one / two >= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
