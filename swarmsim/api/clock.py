"""The live clock: simulated time that follows the wall clock x speed.

The engine has no wall clock; the server owns this one and advances the simulation
to :meth:`LiveClock.target` before every request and on a steady tick, from a single
place (the server's event loop), so every API call sees one consistent instant.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from swarmsim.simulation.engine import Simulation


class LiveClock:
    """Maps wall-clock time to simulated time and moves the simulation forward.

    Args:
        sim: the simulation to advance.
        speed: simulated seconds per wall-clock second (> 0).
        wall: a monotonic wall clock in seconds (``time.monotonic`` by default).
        epoch: the calendar clock, for the timestamps the API shows.
    """

    def __init__(self, sim: Simulation, speed: float = 1.0, *,
                 wall: Callable[[], float] = time.monotonic,
                 epoch: Callable[[], float] = time.time) -> None:
        if not speed > 0:
            raise ValueError("speed must be positive")
        self.sim = sim
        self.speed = float(speed)
        self._wall = wall
        self._epoch = epoch
        self._start_wall = wall()
        self._start_sim = sim.now
        self.paused = False
        self._anchor = self._epoch() - sim.now
        self._last_advance = float("-inf")

    def anchor(self) -> float:
        """Calendar seconds of simulated instant 0: the calendar's now minus
        ``sim.now``, kept while it drifts by less than a second (so the timestamps of
        an unchanged object, and their cached JSON, stay the same between calls)."""
        fresh = self._epoch() - self.sim.now
        if abs(fresh - self._anchor) >= 1.0:
            self._anchor = fresh
        return self._anchor

    def pause(self) -> None:
        """Stop simulated time where it is (the wall clock no longer moves it)."""
        self.advance()
        self.paused = True

    def resume(self) -> None:
        """Let simulated time follow the wall clock again, from where it stopped."""
        self._start_wall = self._wall()
        self._start_sim = self.sim.now
        self.paused = False

    def target(self) -> float:
        """The simulated time the wall clock has reached."""
        if self.paused:
            return self.sim.now
        return self._start_sim + (self._wall() - self._start_wall) * self.speed

    def advance(self, budget: float | None = None, *, every: float = 0.0) -> float:
        """Run the simulation up to :meth:`target`; returns the simulated time.

        With a ``budget`` (wall-clock seconds), stop early once it is spent, between
        two events: the next call goes on from there, and meanwhile the simulation
        stands at a consistent instant a little behind the wall clock.  With ``every``
        (wall-clock seconds), do nothing if the last advance was more recent: polling
        clients then share one state, and the answers rendered for it, for that long.
        """
        wall = self._wall()
        if every and wall - self._last_advance < every:
            return self.sim.now
        self._last_advance = wall
        goal = self.target()
        env = self.sim.env
        if budget is None:
            if goal > self.sim.now:
                env.run(until=goal)
            return self.sim.now
        deadline = time.perf_counter() + budget
        while env.peek() < goal:
            env.step()
            if time.perf_counter() > deadline:
                return self.sim.now
        if goal > self.sim.now:
            env.run(until=goal)  # no event left before the goal: only the time moves
        return self.sim.now

    def settle(self) -> None:
        """Run what is due at the present instant: a change's consequences at that
        instant (the components' work a store commit triggers, such as the managers'
        raft status after a promotion), so the next read sees them even when it comes
        within ``every`` of the last advance, or while the clock is paused."""
        self.sim.settle()

    def stamp(self, sim_time: float) -> str:
        """An API timestamp (RFC 3339, UTC) for a simulated instant: the instant lies
        as many seconds before the calendar's now as it lies before ``sim.now``, so the
        docker CLI's ``x seconds ago`` reads in simulated seconds (to within a second)."""
        at = self.anchor() + sim_time
        return datetime.fromtimestamp(at, tz=UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")

    def unix(self, sim_time: float) -> float:
        """The same instant as seconds since the epoch (``/events``' ``time``)."""
        return self.anchor() + sim_time
