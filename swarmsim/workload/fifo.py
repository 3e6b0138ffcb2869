"""A task's request queue: first come, first served, ``c`` workers, a bounded waiting
room, computed by recursion on arrival and service times instead of simulated.

With one worker, Lindley's recursion ``D[i] = max(A[i], D[i-1]) + S[i]`` unrolls to
``D[i] = C[i] + max(D[0], max_{k<=i} (A[k] - C[k-1]))`` with ``C`` the cumulative service
times: one numpy pass.  With ``c`` workers, the Kiefer-Wolfowitz workload vector is kept
as a heap of the times each worker becomes free: request ``i`` starts at ``max(A[i],
earliest free time)`` and that worker is next free at its finish.  Starts are then
non-decreasing, so request ``i`` finds ``q`` or more requests waiting exactly when the
request ``q`` places ahead of it has not started yet: one vectorised comparison checks
the waiting room.  Only when some request finds it full does the batch fall back to an
exact request-by-request loop that leaves rejected requests out.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field

import numpy as np


@dataclass(slots=True)
class QueueState:
    """What a task's queue remembers between batches.

    Attributes:
        free: when each worker is next free (a heap; ``len(free)`` is the worker count).
        waiting: start times, in order, of admitted requests that were still waiting
            after the last arrival seen.
    """

    free: list[float]
    waiting: np.ndarray = field(default_factory=lambda: np.empty(0))

    @classmethod
    def idle(cls, workers: int, since: float = 0.0) -> QueueState:
        """A queue with ``workers`` idle workers."""
        return cls([since] * max(1, workers))


@dataclass(frozen=True, slots=True)
class Served:
    """The outcome of one batch of requests at a task (arrays in arrival order).

    Attributes:
        start: when each request's service started (NaN if rejected).
        admitted: False for the requests the full waiting room rejected.
        state: the queue after the batch.
    """

    start: np.ndarray
    admitted: np.ndarray
    state: QueueState


def serve_fifo(arrival: np.ndarray, service: np.ndarray, state: QueueState,
               capacity: int) -> Served:
    """Serve requests in arrival order.

    Args:
        arrival: arrival times at the task, non-decreasing.
        service: service times.
        state: the queue before the batch (not modified).
        capacity: requests that may wait beyond the busy workers; a request arriving
            when all workers are busy and ``capacity`` requests wait is rejected.
    """
    n = len(arrival)
    if n == 0:
        return Served(np.empty(0), np.ones(0, dtype=bool), state)
    arrival = np.asarray(arrival, dtype=float)
    service = np.asarray(service, dtype=float)
    free = list(state.free)
    if len(free) == 1:
        start = _one_worker(arrival, service, free[0])
        free = [float(start[-1] + service[-1])]
    else:
        popped = _many_workers(arrival.tolist(), service.tolist(), free)
        start = np.maximum(arrival, popped)
    starts = np.concatenate((state.waiting, start)) if len(state.waiting) else start
    if _room_full(starts, start, arrival, capacity):
        return _bounded(arrival, service, state, capacity)
    last = arrival[-1]
    left = starts[np.searchsorted(starts, last, side="right"):]
    return Served(start, np.ones(n, dtype=bool), QueueState(free, left))


def _room_full(starts: np.ndarray, start: np.ndarray, arrival: np.ndarray,
               capacity: int) -> bool:
    """True when some request had to wait while ``capacity`` others were waiting.

    ``starts`` is the start times of the earlier waiting requests followed by ``start``
    (all non-decreasing); request ``i`` finds ``capacity`` or more waiting exactly when
    the request ``capacity`` places ahead of it starts after it arrives.
    """
    if capacity >= len(starts):  # no request has `capacity` others ahead of it
        return False
    waits = start > arrival
    if capacity == 0:
        return bool(np.any(waits))
    ahead = len(starts) - len(start) + np.arange(len(start)) - capacity
    ok = ahead >= 0
    if not np.any(ok):
        return False
    first = int(np.argmax(ok))
    return bool(np.any(waits[first:] & (starts[ahead[first:]] > arrival[first:])))


def _one_worker(arrival: np.ndarray, service: np.ndarray, free: float) -> np.ndarray:
    done = np.cumsum(service)
    before = np.empty_like(done)
    before[0] = 0.0
    before[1:] = done[:-1]
    lead = np.maximum.accumulate(arrival - before)
    np.maximum(lead, free, out=lead)
    out: np.ndarray = np.maximum(before + lead, arrival)
    return out


def _many_workers(arrival: list[float], service: list[float], free: list[float]) -> np.ndarray:
    """Times each request's worker became free (the heap is updated in place)."""
    heapq.heapify(free)
    put = heapq.heapreplace
    pairs = zip(arrival, service, strict=True)
    # f: when the first worker is free; the request holds it from max(a, f) for s
    return np.array([put(free, (f if (f := free[0]) > a else a) + s) for a, s in pairs],
                    dtype=float)


def _bounded(arrival: np.ndarray, service: np.ndarray, state: QueueState,
             capacity: int) -> Served:
    """The exact request-by-request recursion, leaving rejected requests out."""
    free = list(state.free)
    heapq.heapify(free)
    waiting = state.waiting.tolist()
    head = 0
    start = np.full(len(arrival), np.nan)
    admitted = np.ones(len(arrival), dtype=bool)
    put = heapq.heapreplace
    for i, (a, s) in enumerate(zip(arrival.tolist(), service.tolist(), strict=True)):
        while head < len(waiting) and waiting[head] <= a:
            head += 1
        begin = free[0]
        if begin <= a:
            begin = a
        elif len(waiting) - head >= capacity:
            admitted[i] = False
            continue
        else:
            waiting.append(begin)
        put(free, begin + s)
        start[i] = begin
    last = float(arrival[-1])
    left = np.asarray([w for w in waiting[head:] if w > last], dtype=float)
    return Served(start, admitted, QueueState(free, left))
