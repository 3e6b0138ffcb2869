"""A progress bar for long runs, on a terminal only (tqdm, on stderr).

The engine never shows progress: ``run_scenario(..., progress=callback)`` calls back
with the simulated time, and this module turns that into a bar when stderr is a
terminal. A bar appears only once the run has lasted :data:`DELAY_S` wall seconds.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import IO, Any

DELAY_S = 1.0


class Progress:
    """A callable ``(now, until)`` that drives a tqdm bar in simulated seconds; inert
    when ``stream`` is not a terminal. Use as a context manager to close the bar."""

    def __init__(self, stream: IO[str] | None = None, desc: str = "simulating",
                 delay: float = DELAY_S) -> None:
        self.stream = sys.stderr if stream is None else stream
        self.desc = desc
        self.delay = delay
        self.bar: Any = None
        self.enabled = bool(getattr(self.stream, "isatty", lambda: False)())
        self._started = time.monotonic()  # wall clock: the CLI's, never the simulation's

    def __call__(self, now: float, until: float) -> None:
        if not self.enabled:
            return
        if self.bar is None:
            if time.monotonic() - self._started < self.delay:
                return
            from tqdm import tqdm

            self.bar = tqdm(total=round(until, 3), desc=self.desc, unit="sim s",
                            file=self.stream, leave=False,
                            bar_format="{desc}: {percentage:3.0f}%|{bar}| {n:.0f}/{total:.0f}"
                            " simulated s [{elapsed}<{remaining}]")
        self.bar.update(round(now, 3) - self.bar.n)

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


def progress_for(stream: IO[str] | None = None) -> Callable[[float, float], None] | None:
    """A :class:`Progress` when ``stream`` (default stderr) is a terminal, else None."""
    p = Progress(stream)
    return p if p.enabled else None
