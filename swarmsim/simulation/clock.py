"""The simulated clock: the simpy environment's time and the timers components set on it.

Every component that waits is handed the one :class:`Clock` of its simulation; none
reads a wall clock (determinism: same scenario and seed, same bytes).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import simpy


class Clock:
    """Simulated time in float seconds from 0, and bare timers on it (no process each).

    Args:
        env: the simulation's simpy environment.
    """

    __slots__ = ("env",)

    def __init__(self, env: simpy.Environment) -> None:
        self.env = env

    @property
    def now(self) -> float:
        """The simulated time in seconds."""
        return self.env.now

    def later(self, delay: float, fn: Callable[..., Any], *args: Any) -> simpy.events.Timeout:
        """Call ``fn(*args)`` after ``delay`` simulated seconds (a bare timer, no process)."""
        ev = self.env.timeout(max(0.0, delay))
        ev.callbacks.append(lambda _ev: fn(*args))
        return ev

    def soon(self, fn: Callable[..., Any], *args: Any) -> simpy.events.Timeout:
        """Call ``fn(*args)`` at the current time, after the event being processed."""
        return self.later(0.0, fn, *args)

    def coalesced(self, fn: Callable[[], Any]) -> Coalesced:
        """A trigger that runs ``fn`` once at the current instant, however many events
        pull it before then (the components' batch of work per store commit)."""
        return Coalesced(self, fn)


class Coalesced:
    """Calling it schedules ``fn`` for the current instant unless already scheduled."""

    __slots__ = ("_armed", "_clock", "_fn")

    def __init__(self, clock: Clock, fn: Callable[[], Any]) -> None:
        self._clock = clock
        self._fn = fn
        self._armed = False

    def __call__(self) -> None:
        if not self._armed:
            self._armed = True
            self._clock.soon(self._run)

    def _run(self) -> None:
        self._armed = False
        self._fn()
