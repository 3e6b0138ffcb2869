"""End-to-end ``swarmsim sweep`` on the shipped example, 1 worker against 2.

Times the whole command (interpreter start-up, reading, 24 replications, the summary,
``sweep.csv`` and the plots) as a user runs it: ``swarmsim sweep examples/sweep.yml
--workers W --out DIR``, alternating W = 1 and W = 2, and prints the median wall time of
each beside the other with the speed-up (target: at least 1.8) and the load average.
It also checks both wrote the same ``sweep.csv``.

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
TARGET = 1.8


def once(workers: int, out: Path) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "swarmsim", "sweep", "examples/sweep.yml",
                    "--workers", str(workers), "--out", str(out), "--force"],
                   cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    times: dict[int, list[float]] = {1: [], 2: []}
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(args.repeat):
            for w in (1, 2):
                times[w].append(once(w, Path(tmp) / f"w{w}"))
        same = (Path(tmp) / "w1" / "sweep.csv").read_bytes() == (
            Path(tmp) / "w2" / "sweep.csv").read_bytes()
    one, two = statistics.median(times[1]), statistics.median(times[2])
    print(f"swarmsim sweep examples/sweep.yml, median of {args.repeat} "
          f"(load average {os.getloadavg()[0]:.2f})")
    print(f"  1 worker   {one:6.2f} s")
    print(f"  2 workers  {two:6.2f} s")
    print(f"  speed-up {one / two:.2f} (target {TARGET}); same sweep.csv: {same}")
    return 0 if same and one / two >= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
