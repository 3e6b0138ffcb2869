"""What one line typed in the shell printed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Reply:
    """What a line printed: stdout, stderr, exit status; ``done`` after ``exit``;
    ``follow``: for a command that goes on printing (``docker service logs -f``), what
    it prints next each time it is called (a terminal calls it until Ctrl-C), on stderr
    when ``follow_stderr`` (the logs of a program that writes there)."""

    output: str = ""
    error: str = ""
    exit_code: int = 0
    done: bool = False
    follow: Callable[[], str] | None = None
    follow_stderr: bool = False
