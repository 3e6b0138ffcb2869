"""Sharing a list of work items between this process and helper processes.

:func:`share` computes ``[fn(item) for item in items]`` with this process and a pool of
helpers working side by side.  With a :class:`HelperPool` every process *claims* the
next item from one counter the processes share, at the moment it is free to start it:
a helper keeps a few requests queued (so it never waits for this process to hand it
work), but a queued request commits to no item, so the processes run out of work
together and the tail is at most one item.  Results come back in item order, whoever
computed them, so they never depend on the number of helpers.

Worker functions are top-level and nothing runs at import time (spawn-safe).
"""

from __future__ import annotations

import gc
import itertools
import multiprocessing
import os
import pickle
import sys
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from multiprocessing.context import BaseContext
from typing import Any

from swarmsim.foundation.collector import paused_collector


@dataclass(frozen=True)
class SharedCpu:
    """The CPU seconds of one :func:`share` call's items: those this process computed,
    and those each helper process computed (``(pid, seconds)``, by pid)."""

    own: float
    helpers: tuple[tuple[int, float], ...]


#: every :func:`share` call's CPU split, in call order: what ran in parallel, for
#: benchmarks that estimate the speed-up from CPU times (``bench_sweep_cli.py``)
cpu_ledger: list[SharedCpu] = []

#: requests a helper keeps queued: one running, one ready to start at once
REQUESTS_PER_HELPER = 2

_tokens = itertools.count(1)
_claims: Any = None  # in a helper: the counter it shares with the process that started it
_unpacked: tuple[int, Any] = (0, None)  # in a helper: the last share() call's work


def fork_safe() -> bool:
    """Whether this process can be forked safely: Linux, and this process
    single-threaded (helpers and drawers are forked copies of it there)."""
    return sys.platform == "linux" and threading.active_count() == 1


class HelperPool(ProcessPoolExecutor):
    """Helper processes that claim :func:`share`'s items from a counter shared with the
    process that started them.

    Attributes:
        claims: the shared counter: the index of the next unclaimed item.
        helpers: the number of helper processes.
    """

    def __init__(self, helpers: int, context: BaseContext) -> None:
        claims = context.Value("q", 0)
        super().__init__(max_workers=helpers, mp_context=context, initializer=_adopt,
                         initargs=(claims,))
        self.claims = claims
        self.helpers = helpers


def _adopt(claims: Any) -> None:
    """Helper start-up: keep the shared counter."""
    global _claims
    _claims = claims


def _claim(claims: Any, first: int, end: int) -> int | None:
    """Take the next unclaimed item of the call whose items are numbered ``first`` to
    ``end - 1`` on the shared counter; None once they are all taken (or the counter has
    moved on to a later call)."""
    with claims.get_lock():
        i = int(claims.value)
        if not first <= i < end:
            return None
        claims.value = i + 1
    return i - first


def _exhaust(claims: Any, end: int) -> None:
    """Mark every item of the call ending at ``end`` as taken."""
    with claims.get_lock():
        claims.value = max(int(claims.value), end)


def _request(token: int, work: bytes, first: int, end: int
             ) -> tuple[int, Any, int, float] | None:
    """In a helper: claim the next item of the work ``token`` (``work``: the pickled
    function and items, numbered from ``first`` on the shared counter) and compute it;
    ``(index, value, pid, CPU seconds)``, or None when every item is taken."""
    global _unpacked
    start = time.process_time()
    i = _claim(_claims, first, end)
    if i is None:
        return None
    if _unpacked[0] != token:
        _unpacked = (token, pickle.loads(work))
    fn, items = _unpacked[1]
    value = fn(items[i])
    return i, value, os.getpid(), time.process_time() - start


def share(fn: Callable[[Any], Any], items: Sequence[Any], pool: Executor,
          progress: Callable[[int, int], None] | None = None) -> list[Any]:
    """``[fn(item) for item in items]``, computed by ``pool`` and this process together.

    With a :class:`HelperPool`, each process claims the next item when it is free (see
    the module's text), and this returns as soon as every item is computed, without
    waiting for requests that found nothing left; with another executor, the pool is
    kept two items ahead per worker while this process takes the next item itself.
    Results come back in item order, whoever computed them.  The CPU seconds each
    process spent on the items are added to :data:`cpu_ledger`.
    """
    if not isinstance(pool, HelperPool):
        return _share_ahead(fn, items, pool, progress)
    total = len(items)
    out: list[Any] = [None] * total
    helpers: dict[int, float] = {}
    failures: list[BaseException] = []
    lock = threading.Lock()
    complete = threading.Event()
    done = 0  # items computed, by any process
    with pool.claims.get_lock():  # this call's items: first .. end - 1 on the counter
        first = int(pool.claims.value)
    end = first + total
    token, work = next(_tokens), pickle.dumps((fn, list(items)))

    def finished(n: int) -> None:
        nonlocal done
        with lock:
            done += n
            if done == total:
                complete.set()

    def request() -> None:
        try:
            pool.submit(_request, token, work, first, end).add_done_callback(answered)
        except RuntimeError:  # the pool is shutting down
            pass

    def answered(fut: Future[Any]) -> None:  # runs in the pool's thread
        if fut.cancelled():
            return
        error = fut.exception()
        if error is not None:
            failures.append(error)
            _exhaust(pool.claims, end)
            complete.set()
            return
        result = fut.result()
        if result is not None:
            i, value, pid, cpu = result
            out[i] = value
            helpers[pid] = helpers.get(pid, 0.0) + cpu
            request()  # another item may be left: keep this helper's queue full
            finished(1)

    if total == 0:
        complete.set()
    for _ in range(REQUESTS_PER_HELPER * pool.helpers):
        request()
    own = 0.0
    reported = 0
    try:
        while not failures:
            i = _claim(pool.claims, first, end)
            if i is None:
                break
            start = time.process_time()
            out[i] = fn(items[i])
            own += time.process_time() - start
            finished(1)
            if progress is not None:
                reported = _report(progress, reported, done, total)
    except BaseException:
        _exhaust(pool.claims, end)  # the helpers take no further item
        raise
    complete.wait()
    if failures:
        raise failures[0]
    if progress is not None:
        _report(progress, reported, total, total)
    cpu_ledger.append(SharedCpu(own, tuple(sorted(helpers.items()))))
    return out


def _report(progress: Callable[[int, int], None], reported: int, done: int,
            total: int) -> int:
    """Call ``progress`` for each item finished since ``reported``; the new count."""
    for n in range(reported + 1, done + 1):
        progress(n, total)
    return max(reported, done)


def _timed(fn: Callable[[Any], Any], item: Any) -> tuple[Any, int, float]:
    """``fn(item)`` in a worker, with the worker's pid and the CPU seconds it took."""
    start = time.process_time()
    value = fn(item)
    return value, os.getpid(), time.process_time() - start


def _share_ahead(fn: Callable[[Any], Any], items: Sequence[Any], pool: Executor,
                 progress: Callable[[int, int], None] | None) -> list[Any]:
    """:func:`share` on any executor: kept two items ahead per worker."""
    total = len(items)
    out: list[Any] = [None] * total
    slots = 2 * max(1, int(getattr(pool, "_max_workers", 1)))
    inflight: dict[Future[Any], int] = {}
    nxt = done = 0
    own = 0.0
    helpers: dict[int, float] = {}

    def finished(i: int, value: Any) -> None:
        nonlocal done
        out[i] = value
        done += 1
        if progress is not None:
            progress(done, total)

    while nxt < total or inflight:
        for fut in [f for f in inflight if f.done()]:
            value, pid, cpu = fut.result()
            helpers[pid] = helpers.get(pid, 0.0) + cpu
            finished(inflight.pop(fut), value)
        while nxt < total and len(inflight) < slots:
            inflight[pool.submit(_timed, fn, items[nxt])] = nxt
            nxt += 1
        if nxt < total:
            start = time.process_time()
            value = fn(items[nxt])
            own += time.process_time() - start
            finished(nxt, value)
            nxt += 1
        elif inflight:
            wait(inflight, return_when=FIRST_COMPLETED)
    cpu_ledger.append(SharedCpu(own, tuple(sorted(helpers.items()))))
    return out


def warm(plots: bool = False) -> None:
    """Import what a run (and, with ``plots``, a plot) needs: submitted first to a new
    pool, the workers' start-up overlaps the caller's own preparations."""
    with paused_collector():  # imports build objects that are never garbage
        import swarmsim.app.run
        import swarmsim.experiments.builtin_measures
        import swarmsim.input.scenario
        import swarmsim.metrics.replay  # noqa: F401

        if plots:
            import matplotlib.figure  # noqa: F401


def start_helpers(workers: int, plots: bool = False) -> HelperPool:
    """``workers`` started processes that share work with this one (:func:`share`), each
    warming up (:func:`warm`) while this process goes on.

    Where a process can be forked safely (Linux, this process single-threaded), this
    process first imports what a run needs and the helpers are forked copies of it: they
    start at once, without an interpreter start-up or imports of their own, and only
    the plotting library (with ``plots``) is imported again.  Elsewhere they are spawned.
    Every item is self-contained, so the results are the same either way.
    """
    fork = fork_safe()
    if fork:
        with paused_collector():  # frozen before any collection: what the helpers share
            warm()                # with this process is walked by neither's collections
            gc.freeze()
        for stream in (sys.stdout, sys.stderr):  # a copy never writes them a second time
            stream.flush()
    pool = HelperPool(workers, multiprocessing.get_context("fork" if fork else "spawn"))
    for _ in range(workers):
        pool.submit(warm, plots)
    return pool


def make_pool(workers: int) -> HelperPool:
    """A pool of ``workers`` helper processes with the spawn start method."""
    return HelperPool(workers, multiprocessing.get_context("spawn"))
