"""What one line typed in the shell printed."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Reply:
    """What a line printed: stdout, stderr, exit status; ``done`` after ``exit``."""

    output: str = ""
    error: str = ""
    exit_code: int = 0
    done: bool = False
