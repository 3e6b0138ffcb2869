"""Work shared between the calling process and helper processes: every item computed
once, results in item order whoever computed them, items claimed only when a process is
free to start them (a helper still busy or starting is never waited for), errors raised
in the caller, and the CPU each process spent recorded for the speed-up estimate."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from swarmsim.experiments.sharing import HelperPool, cpu_ledger, make_pool, share


@pytest.fixture(scope="module")
def pool() -> Iterator[HelperPool]:
    with make_pool(1) as helpers:
        helpers.submit(os.getpid).result()  # started
        yield helpers


def _square(item: int) -> tuple[int, int]:
    return item * item, os.getpid()


def _slow_here(item: tuple[int, int]) -> tuple[int, int]:
    """Slow in the calling process (pid ``item[1]``), quick in a helper."""
    if os.getpid() == item[1]:
        time.sleep(0.05)
    return item[0] * item[0], os.getpid()


def _burn(item: int) -> int:
    end = time.process_time() + 0.03
    while time.process_time() < end:
        pass
    return item


def _fails_at_five(item: int) -> int:
    if item == 5:
        raise ValueError("item 5")
    return item


def test_share_uses_the_pool_and_this_process(pool: HelperPool) -> None:
    me = os.getpid()
    got = share(_slow_here, [(i, me) for i in range(40)], pool)
    assert [v for v, _ in got] == [i * i for i in range(40)]
    pids = {p for _, p in got}
    assert me in pids and len(pids) == 2


@settings(max_examples=15, deadline=None)
@given(st.lists(st.integers(-1000, 1000), max_size=30))
def test_results_in_item_order_whoever_computed_them(pool: HelperPool,
                                                     items: list[int]) -> None:
    assert [v for v, _ in share(_square, items, pool)] == [i * i for i in items]


def test_a_busy_helper_is_not_waited_for(pool: HelperPool) -> None:
    # the helper is busy for 1.5 s: its queued requests must commit to no item, so the
    # calling process computes all of them and returns at once
    blocker = pool.submit(time.sleep, 1.5)
    start = time.perf_counter()
    got = share(_square, list(range(10)), pool)
    elapsed = time.perf_counter() - start
    assert [v for v, _ in got] == [i * i for i in range(10)]
    assert {p for _, p in got} == {os.getpid()}
    assert elapsed < 1.0
    blocker.result()
    # the requests left over from that call find nothing of the next call's items
    assert [v for v, _ in share(_square, list(range(20)), pool)] == [i * i for i in range(20)]


def test_an_error_is_raised_in_the_caller(pool: HelperPool) -> None:
    with pytest.raises(ValueError, match="item 5"):
        share(_fails_at_five, list(range(12)), pool)
    assert share(_fails_at_five, [1, 2, 3], pool) == [1, 2, 3]  # the pool still works


def test_progress_counts_every_item_once(pool: HelperPool) -> None:
    seen: list[tuple[int, int]] = []
    share(_square, list(range(25)), pool, lambda done, total: seen.append((done, total)))
    assert seen == [(n, 25) for n in range(1, 26)]


def test_the_cpu_of_each_process_is_recorded(pool: HelperPool) -> None:
    before = len(cpu_ledger)
    share(_burn, list(range(12)), pool)
    (part,) = cpu_ledger[before:]
    spent = part.own + sum(cpu for _, cpu in part.helpers)
    assert spent == pytest.approx(12 * 0.03, rel=0.3)  # every item's CPU, once
    assert all(pid != os.getpid() for pid, _ in part.helpers)


def test_any_executor_still_works() -> None:
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as threads:
        assert [v for v, _ in share(_square, list(range(9)), threads)] == [
            i * i for i in range(9)]



def test_forked_helpers_keep_the_simulator_out_of_their_collections() -> None:
    """Before forking its helpers the process imports what a run needs and freezes it:
    neither the helpers' collections nor its own walk those objects again.  Run in a
    fresh process: helpers are forked only from a single-threaded one."""
    import subprocess
    import sys

    code = """
import gc, sys
from swarmsim.experiments.sharing import fork_safe, start_helpers

def state():
    from swarmsim.simulation.engine import Simulation
    return gc.get_freeze_count(), any(o is Simulation for o in gc.get_objects())

if not fork_safe():
    print("unforkable")
    sys.exit(0)
helpers = start_helpers(1)
print(*helpers.submit(state).result(), *state())
helpers.shutdown()
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.split()
    if out == ["unforkable"]:
        pytest.skip("helpers are forked only where a process can be forked safely")
    frozen, walked, frozen_here, walked_here = out
    assert int(frozen) > 10_000 and int(frozen_here) > 10_000
    assert walked == walked_here == "False"
