"""The shipped contention scenario: placement changes outcomes once containers use what
they run on. Under binpack the web tasks share cores with the batch workers and the
caches share one machine's memory, so spread and binpack differ in p95 latency and in
OOM kills, with paired 95% intervals that exclude 0 (the figure in docs/research.md)."""

from __future__ import annotations

from pathlib import Path

import pytest

from swarmsim.experiments.compare import compare
from swarmsim.experiments.stats import paired_difference

SCENARIO = Path(__file__).resolve().parent.parent / "scenarios" / "contention.yaml"


def paired(records, column):
    by = {p: [r[column] for r in records if r["policy"] == p] for p in ("spread", "binpack")}
    return paired_difference(by["binpack"], by["spread"])


@pytest.mark.slow
def test_spread_and_binpack_differ_in_latency_and_oom_kills():
    records = compare(SCENARIO, ("spread", "binpack"), seeds=10, workers=1)
    p95 = paired(records, "latency_p95")
    assert p95.ci_low > 0.05  # binpack's web tasks run at ~0.3 of a core: p95 x4
    oom = paired(records, "oom_kills")
    assert oom.ci_low > 0
    assert all(r["oom_kills"] == 0 for r in records if r["policy"] == "spread")


def test_one_replication_shows_the_mechanism():
    records = compare(SCENARIO, ("spread", "binpack"), seeds=1, workers=1, until=240.0)
    by = {r["policy"]: r for r in records}
    # spread: one web, batch and cache per machine; web runs at a full core: M/M/1 at
    # 60/4 = 15 requests/s and 100/s, p95 = ln(20) / 85 = 35 ms
    assert by["spread"]["latency_p95"] == pytest.approx(0.0352, rel=0.1)
    assert by["binpack"]["latency_p95"] > 3 * by["spread"]["latency_p95"]
