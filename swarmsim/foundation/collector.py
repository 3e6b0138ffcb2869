"""Pausing CPython's cyclic garbage collector around bulk work.

Building or walking a large batch of small objects (a scheduling pass over 100,000 tasks,
a plan's 100,000 records, a simulation's events) makes the cyclic collector re-scan
every live object again and again: its young generation fills every 700 allocations and
each older pass walks the whole heap. That work finds nothing here (these objects form
no reference cycles: reference counting frees them), yet it cost a quarter to a third of
such a batch, and more the larger the heap around it.  Inside :func:`paused_collector`
the collector does not run; it is re-enabled afterwards (if it was on), and reclaims
the few cycles there are at its next pass.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused_collector() -> Iterator[None]:
    """Run the body with the cyclic collector off; restore its previous state."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
