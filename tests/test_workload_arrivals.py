"""Arrival processes and cost draws: counts, rates, shapes, and independence from how
the simulation slices time."""

from __future__ import annotations

import math

import numpy as np
import pytest

from swarmsim.input.workload import ArrivalSpec, WorkloadSpec
from swarmsim.workload.arrivals import RESERVE_LIMIT, RequestSource, expected_requests
from swarmsim.workload.costs import cost_factors
from swarmsim.workload.records import RequestLog


def _source(arrivals, start=0.0, stop=None, seed=7):
    return RequestSource(WorkloadSpec("w", port=80, arrivals=arrivals, start_s=start,
                                      stop_s=stop), seed)


def test_constant_arrivals_are_evenly_spaced():
    sent = _source(ArrivalSpec("constant", 4.0), start=10.0, stop=20.0).take(100.0)
    assert len(sent) == 40
    np.testing.assert_allclose(sent.time, 10.0 + np.arange(40) / 4.0)


def test_poisson_count_and_gaps():
    sent = _source(ArrivalSpec("poisson", 200.0), stop=500.0).take(math.inf)
    n = len(sent)  # Poisson(100000): sd 316
    assert abs(n - 100_000) < 1_300
    gaps = np.diff(sent.time)
    assert abs(gaps.mean() - 1 / 200) < 0.02 / 200
    assert abs(gaps.std() / gaps.mean() - 1) < 0.02  # exponential: cv 1
    assert sent.time[0] >= 0 and sent.time[-1] < 500


def test_trace_times_are_replayed_from_start():
    sent = _source(ArrivalSpec("trace", times=(0.0, 0.5, 2.0, 9.0)), start=3.0,
                   stop=10.0).take(math.inf)
    assert sent.time.tolist() == [3.0, 3.5, 5.0]


def test_diurnal_rate_follows_the_cosine():
    spec = ArrivalSpec("diurnal", 100.0, amplitude=0.8, period_s=1000.0, peak_s=250.0)
    t = _source(spec, stop=1000.0).take(math.inf).time
    # expected counts: mean 100/s over the period; the half around the peak gets
    # 100 * (500 + 0.8 * 1000 / pi) = 75,465, the other half 24,535
    near = np.count_nonzero(np.abs(t - 250.0) < 250.0)
    assert abs(len(t) - 100_000) < 1_300
    assert abs(near - 75_465) < 1_200


@pytest.mark.parametrize("kind", ["poisson", "diurnal"])
def test_slicing_time_does_not_change_the_requests(kind):
    spec = ArrivalSpec(kind, 300.0, period_s=100.0)
    whole = _source(spec, stop=400.0).take(400.0)
    pieces = _source(spec, stop=400.0)
    parts = [pieces.take(t) for t in (0.0, 1.5, 1.5, 77.0, 250.0, 400.0)]
    for field in ("time", "u_entry", "u_pick", "expo", "normal"):
        np.testing.assert_array_equal(np.concatenate([getattr(p, field) for p in parts]),
                                      getattr(whole, field))


def test_same_seed_same_requests_other_seed_others():
    spec = ArrivalSpec("poisson", 50.0)
    a = _source(spec, stop=60.0, seed=1).take(60.0)
    b = _source(spec, stop=60.0, seed=1).take(60.0)
    c = _source(spec, stop=60.0, seed=2).take(60.0)
    np.testing.assert_array_equal(a.time, b.time)
    assert len(a) != len(c) or not np.array_equal(a.time, c.time)


@pytest.mark.parametrize(("dist", "cv"), [("constant", 0.0), ("exponential", 1.0),
                                          ("lognormal", 0.5), ("lognormal", 2.0)])
def test_cost_factors_have_mean_one_and_their_cv(dist, cv):
    rng = np.random.default_rng(3)
    f = cost_factors(dist, cv, rng.standard_exponential(400_000), rng.standard_normal(400_000))
    assert abs(f.mean() - 1) < 0.01 * max(1.0, cv)
    assert abs(f.std() - cv) < 0.03 * max(1.0, cv)


def test_room_made_for_the_records_is_the_mean_count_and_a_margin():
    poisson = WorkloadSpec("a", port=80, arrivals=ArrivalSpec("poisson", 200.0), start_s=10.0,
                           stop_s=60.0)  # 200/s over 50 s: 10,000
    trace = WorkloadSpec("b", port=80, arrivals=ArrivalSpec("trace", times=(0.0, 1.0, 2.0)))
    endless = WorkloadSpec("c", port=80, arrivals=ArrivalSpec("constant", 5.0), start_s=90.0)
    assert expected_requests([poisson], 3600.0) == int(10_000 * 1.05 + 1024)
    assert expected_requests([poisson], 35.0) == int(5_000 * 1.05 + 1024)  # run ends first
    assert expected_requests([poisson, trace, endless], 100.0) == int(
        (10_000 + 3 + 50) * 1.05 + 1024)
    huge = WorkloadSpec("d", port=80, arrivals=ArrivalSpec("poisson", 1e12))
    assert expected_requests([huge], 3600.0) == RESERVE_LIMIT


def test_a_log_keeps_its_records_through_reserving_and_growing():
    log = RequestLog(capacity=4)
    cols = {name: np.arange(3) for name in ("send", "end", "latency", "workload", "entry",
                                           "service", "task", "node", "outcome")}
    assert log.append(**cols).tolist() == [0, 1, 2]
    log.reserve(2)  # smaller: nothing to do
    log.reserve(100)
    more = {name: np.arange(3, 203) for name in cols}  # beyond the room made: grows
    assert log.append(**more).tolist() == list(range(3, 203))
    view = log.view()
    assert len(view) == 203
    assert view.send.tolist() == list(range(203))
    assert view.task.tolist() == list(range(203))
