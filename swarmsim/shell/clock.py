"""The shell's clock: how much simulated time passes between two command lines.

The engine has no notion of wall-clock time; the shell decides, before each command
line, up to which simulated instant the simulation runs:

* ``wall`` (a terminal): simulated time follows the wall clock, ``speed`` simulated
  seconds per second (1 by default), so a deploy that was typed ten seconds ago shows
  tasks running for about ten seconds;
* ``step`` (a pipe): every command line is preceded by a fixed ``speed`` simulated
  seconds (1 by default), so a transcript gives the same output on every run;
* ``paused``: time moves only on ``sleep``.

``sleep`` always fast-forwards by its argument.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

PAUSED, STEP, WALL = "paused", "step", "wall"
#: simulated seconds before each command line read from a pipe
PIPE_STEP_S = 1.0


@dataclass
class Clock:
    """Where simulated time should be before the next command.

    Attributes:
        mode: ``wall``, ``step`` or ``paused``.
        speed: simulated seconds per wall second (``wall``) or per command (``step``).
        wall: the wall clock (seconds, monotonic); replaceable for tests.
    """

    mode: str = PAUSED
    speed: float = 1.0
    wall: Callable[[], float] = time.monotonic
    _anchor: tuple[float, float] | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if self.mode not in (PAUSED, STEP, WALL):
            raise ValueError(f"unknown clock mode {self.mode!r}")
        if not self.speed > 0:
            raise ValueError(f"--speed must be positive, not {self.speed}")

    def due(self, now: float) -> float:
        """The simulated instant the next command runs at, given the simulation is at
        ``now`` (never earlier than ``now``)."""
        if self.mode == PAUSED:
            return now
        if self.mode == STEP:
            return now + self.speed
        if self._anchor is None:
            self.resync(now)
            return now
        wall0, sim0 = self._anchor
        return max(now, sim0 + (self.wall() - wall0) * self.speed)

    def resync(self, now: float) -> None:
        """The simulation is at ``now`` at this wall instant (after a command, a
        ``sleep`` or a wait moved it)."""
        self._anchor = (self.wall(), now)


def clock_for(*, tty: bool, paused: bool = False, speed: float | None = None) -> Clock:
    """The clock ``swarmsim shell`` uses: the wall clock on a terminal, a fixed step
    per line on a pipe, none with ``--paused``."""
    if paused:
        return Clock(PAUSED)
    if tty:
        return Clock(WALL, 1.0 if speed is None else speed)
    return Clock(STEP, PIPE_STEP_S if speed is None else speed)
