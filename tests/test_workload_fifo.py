"""The FIFO queue recursion against an independent simpy model and hand-worked cases."""

from __future__ import annotations

import numpy as np
import pytest
import simpy
from hypothesis import given, settings
from hypothesis import strategies as st

from swarmsim.workload.fifo import QueueState, serve_fifo


def simpy_fifo(arrival, service, workers, capacity):
    """Start times (NaN if rejected) from a plain simpy model: one process per request,
    a Resource of ``workers`` servers, rejection when ``capacity`` requests wait."""
    env = simpy.Environment()
    res = simpy.Resource(env, capacity=workers)
    start = np.full(len(arrival), np.nan)

    def request(i):
        if res.count == workers and len(res.queue) >= capacity:
            return
        with res.request() as slot:
            yield slot
            start[i] = env.now
            yield env.timeout(service[i])

    def source():
        for i, a in enumerate(arrival):
            yield env.timeout(a - env.now)
            proc = request(i)
            if proc is not None:
                env.process(proc)

    env.process(source())
    env.run()
    return start


def test_lindley_by_hand():
    # one worker: 0 -> [0, 2); 1 waits until 2 -> [2, 3); 5 finds it idle -> [5, 6)
    out = serve_fifo(np.array([0.0, 1.0, 5.0]), np.array([2.0, 1.0, 1.0]),
                     QueueState.idle(1), capacity=10)
    assert out.start.tolist() == [0.0, 2.0, 5.0]
    assert out.state.free == [6.0]


def test_two_workers_by_hand():
    # workers free at 0; arrivals 0, 0.5, 1 with services 3, 3, 1: the third waits
    # for the first worker to be free at 3
    out = serve_fifo(np.array([0.0, 0.5, 1.0]), np.array([3.0, 3.0, 1.0]),
                     QueueState.idle(2), capacity=10)
    assert out.start.tolist() == [0.0, 0.5, 3.0]
    assert sorted(out.state.free) == [3.5, 4.0]


def test_full_waiting_room_rejects():
    # one worker busy until 10, room for one: the second arrival waits, the third is
    # rejected, the fourth (after the second started) waits again
    arrival = np.array([0.0, 1.0, 2.0, 11.0])
    service = np.array([10.0, 1.0, 1.0, 1.0])
    out = serve_fifo(arrival, service, QueueState.idle(1), capacity=1)
    assert out.admitted.tolist() == [True, True, False, True]
    assert out.start[[0, 1, 3]].tolist() == [0.0, 10.0, 11.0]
    assert np.isnan(out.start[2])


def test_no_waiting_room_means_busy_rejects():
    out = serve_fifo(np.array([0.0, 0.5, 2.0]), np.array([1.0, 1.0, 1.0]),
                     QueueState.idle(1), capacity=0)
    assert out.admitted.tolist() == [True, False, True]


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 300), workers=st.integers(1, 4),
       capacity=st.integers(0, 8), load=st.floats(0.3, 2.0))
def test_matches_simpy(seed, n, workers, capacity, load):
    rng = np.random.default_rng(seed)
    arrival = np.cumsum(rng.exponential(1.0, n))
    service = rng.exponential(load * workers, n)
    out = serve_fifo(arrival, service, QueueState.idle(workers), capacity)
    expected = simpy_fifo(arrival, service, workers, capacity)
    assert np.array_equal(np.isnan(out.start), np.isnan(expected))
    assert np.array_equal(out.admitted, ~np.isnan(expected))
    np.testing.assert_allclose(out.start[out.admitted], expected[out.admitted], rtol=1e-9)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), workers=st.integers(1, 3), capacity=st.integers(0, 5),
       cut=st.integers(1, 199))
def test_batches_chain_like_one_batch(seed, workers, capacity, cut):
    rng = np.random.default_rng(seed)
    arrival = np.cumsum(rng.exponential(1.0, 200))
    service = rng.exponential(1.2 * workers, 200)
    whole = serve_fifo(arrival, service, QueueState.idle(workers), capacity)
    first = serve_fifo(arrival[:cut], service[:cut], QueueState.idle(workers), capacity)
    second = serve_fifo(arrival[cut:], service[cut:], first.state, capacity)
    np.testing.assert_array_equal(np.r_[first.admitted, second.admitted], whole.admitted)
    np.testing.assert_allclose(np.r_[first.start, second.start], whole.start, rtol=1e-9)


def test_state_is_not_modified():
    state = QueueState.idle(2)
    serve_fifo(np.array([0.0, 0.1, 0.2]), np.array([1.0, 1.0, 1.0]), state, 5)
    assert state.free == [0.0, 0.0]
    assert len(state.waiting) == 0


@pytest.mark.parametrize("workers", [1, 3])
def test_empty_batch(workers):
    state = QueueState.idle(workers)
    out = serve_fifo(np.empty(0), np.empty(0), state, 5)
    assert len(out.start) == 0 and out.state is state
