"""``swarmsim run --out DIR`` at Swarm3k size against the same command without ``--out``.

The scenario is :mod:`bench_swarm3k`'s (4,700 nodes, 150,000 replicas over 1,500
services, a node crash every 10 minutes, a re-deploy of every service at half time,
24 simulated hours). Each repetition runs the whole command as a user does, in a fresh
process, first without ``--out`` (the baseline, printing docker's text to a discarded
standard output) and then with it, and reads each process's wall time, CPU time (user +
system) and peak memory (max RSS) from the operating system. It then checks that the
``--out`` directory holds every file, complete: each file present and not empty, every
line of ``events.jsonl`` a JSON object and their count the run's, ``final.json`` and
``summary.json`` whole JSON documents.

Prints each repetition, then the medians side by side and their ratio. On a shared
machine wall time follows the load; CPU time much less so (both are printed).

Run: ``python3 benchmarks/bench_run_out.py [--nodes 4700] [--services 1500]
[--replicas 100] [--hours 24] [--repeat 3] [--out-format gzip]``
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
ROOT = Path(__file__).resolve().parents[1]

from bench_swarm3k import compose, scenario, size_arguments  # noqa: E402

from swarmsim.foundation.textfiles import located, open_text  # noqa: E402

#: the targets at Swarm3k size: CPU time with --out against without, and peak memory
CPU_TARGET = 2.0
RSS_TARGET_MB = 2000

FILES = ("events.jsonl", "final.json", "scenario.json", "metrics.csv", "tasks.csv",
         "nodes.csv", "summary.json", "stack-ps.txt", "utilisation.png", "replicas.png",
         "tasks.png", "snapshot.png", "report.html", "visualizer.html")


def measure(args: list[str]) -> tuple[float, float, float]:
    """(wall seconds, CPU seconds, peak RSS in MB) of one ``swarmsim`` process."""
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "swarmsim", *args], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _pid, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode() if proc.stderr else ""
    if proc.returncode:
        raise SystemExit(f"swarmsim {' '.join(args)} failed ({proc.returncode}): {err[-400:]}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def check_complete(out: Path) -> str:
    """Every file present and whole (plain or gzipped); a one-line description."""
    found = {f: located(out, f) for f in FILES}
    missing = [f for f, p in found.items() if not p.is_file()]
    if missing:
        raise SystemExit(f"--out is missing {', '.join(missing)}")
    empty = [p.name for p in out.iterdir() if p.stat().st_size == 0]
    if empty:
        raise SystemExit(f"--out wrote empty files: {', '.join(empty)}")
    for name in ("final.json", "summary.json", "scenario.json"):
        json.loads(found[name].read_text(encoding="utf-8"))
    lines = 0
    with open_text(found["events.jsonl"]) as fh:
        for line in fh:
            json.loads(line)
            lines += 1
    total = sum(p.stat().st_size for p in out.iterdir()) / 1e6
    big = sorted(((p.stat().st_size, p.name) for p in out.iterdir()), reverse=True)[:4]
    sizes = ", ".join(f"{n} {s / 1e6:.0f} MB" for s, n in big)
    return f"{len(list(out.iterdir()))} files, {lines:,} event lines, {total:,.0f} MB ({sizes})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    size_arguments(parser)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out-format", default=None, choices=("plain", "gzip"),
                        help="pass --out-format to swarmsim run (default: its default)")
    args = parser.parse_args()
    print(f"nodes {args.nodes}, services {args.services}, replicas "
          f"{args.services * args.replicas}, simulated {args.hours:g} h; "
          f"load average at start {os.getloadavg()[0]:.1f} (2 cores, shared)")
    base: list[tuple[float, float, float]] = []
    out: list[tuple[float, float, float]] = []
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        (d / "v1.yml").write_text(compose(args.services, args.replicas, "v1"))
        (d / "v2.yml").write_text(compose(args.services, args.replicas, "v2"))
        (d / "s.yaml").write_text(scenario(args.nodes, args.hours))
        fmt = [] if args.out_format is None else ["--out-format", args.out_format]
        for k in range(args.repeat):
            base.append(measure(["run", str(d / "s.yaml")]))
            target = d / f"out{k}"
            out.append(measure(["run", str(d / "s.yaml"), "--out", str(target), *fmt]))
            described = check_complete(target)
            print(f"run {k + 1}: without --out {base[-1][0]:6.1f} s wall {base[-1][1]:6.1f} s "
                  f"CPU {base[-1][2]:6.0f} MB | with --out {out[-1][0]:6.1f} s wall "
                  f"{out[-1][1]:6.1f} s CPU {out[-1][2]:6.0f} MB "
                  f"(load {os.getloadavg()[0]:.1f})\n       {described}")
            for p in target.iterdir():
                p.unlink()
    print(f"median of {args.repeat}        without --out   with --out   ratio")
    for i, label in enumerate(("wall time (s)", "CPU time (s)", "peak RSS (MB)")):
        b = statistics.median(r[i] for r in base)
        o = statistics.median(r[i] for r in out)
        print(f"{label:20s} {b:13.1f} {o:12.1f} {o / b:7.2f}x  (spread without "
              f"{min(r[i] for r in base):.1f}-{max(r[i] for r in base):.1f}, with "
              f"{min(r[i] for r in out):.1f}-{max(r[i] for r in out):.1f})")
    cpu = statistics.median(r[1] for r in out) / statistics.median(r[1] for r in base)
    rss = statistics.median(r[2] for r in out)
    print(f"target: CPU time with --out <= {CPU_TARGET:g}x without: {cpu:.2f}x, "
          f"{'met' if cpu <= CPU_TARGET else 'NOT met'}; peak RSS <= {RSS_TARGET_MB:,} MB: "
          f"{rss:,.0f} MB, {'met' if rss <= RSS_TARGET_MB else 'NOT met'}")


if __name__ == "__main__":
    main()
