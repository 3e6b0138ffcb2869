"""The pure decisions of the resource model: max-min fair CPU shares under CFS quotas,
a worker's speed inside its container, the OOM killer's victim."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from swarmsim.resources.share import allocate, cpu_caps, fair_share, oom_victim, worker_speed

amounts = st.floats(min_value=0, max_value=64, allow_nan=False)
limits = st.one_of(st.just(0.0), st.floats(min_value=0.01, max_value=16, allow_nan=False))


@settings(max_examples=300, deadline=None)
@given(cores=st.floats(min_value=0.5, max_value=64), pairs=st.lists(st.tuples(amounts, limits),
                                                                    max_size=12))
def test_allocation_properties(cores, pairs):
    demand = [d for d, _ in pairs]
    limit = [lim for _, lim in pairs]
    got = allocate(cores, demand, limit)
    caps = cpu_caps(demand, limit)
    eps = 1e-9
    assert sum(got) <= cores + eps  # never more than the node's cores
    for g, d, lim in zip(got, demand, limit, strict=True):
        assert g <= d + eps  # never more than it wants
        if lim > 0:
            assert g <= lim + eps  # never more than its CFS quota
    unsatisfied = [g for g, c in zip(got, caps, strict=True) if g < c - 1e-7]
    if unsatisfied:
        # work-conserving: no core idle while someone is throttled below its cap
        assert sum(got) == pytest.approx(cores, abs=1e-7)
        # max-min: the unsatisfied share equally, and nobody gets more than they do
        assert max(unsatisfied) - min(unsatisfied) < 1e-7
        assert max(got) <= max(unsatisfied) + 1e-7
    else:
        assert got == pytest.approx(caps, abs=1e-7)


def test_allocation_by_hand():
    # 2 cores; A wants 0.5, B wants 3 (limit 1.2), C wants 3: A 0.5, B 0.75, C 0.75
    assert allocate(2, [0.5, 3, 3], [0, 1.2, 0]) == pytest.approx([0.5, 0.75, 0.75])
    # 4 cores: B capped by its quota, C takes what is left (work-conserving)
    assert allocate(4, [0.5, 3, 3], [0, 1.2, 0]) == pytest.approx([0.5, 1.2, 2.3])
    assert fair_share(1, []) == []


def test_worker_speed_inside_a_container():
    assert worker_speed(1.0, 0.0, 1) == 1.0
    assert worker_speed(0.5, 0.0, 1) == 0.5
    assert worker_speed(3.0, 0.0, 2) == 1.0  # a worker is one thread: at most one core
    # a background of 0.2 beside two workers in 1 core: workers get 0.4 each
    assert worker_speed(1.0, 0.2, 2) == pytest.approx(0.4)
    assert worker_speed(1.0, 0.6, 2) == pytest.approx(1 / 3)


def test_oom_victim_is_the_largest_newest_of_equals():
    assert oom_victim([100, 200, 50], 400) is None
    assert oom_victim([100, 300, 50], 400) == 1
    assert oom_victim([300, 100, 300], 500) == 2  # a later task wins a tie (mm/oom_kill.c)
    assert oom_victim([], 0) is None
