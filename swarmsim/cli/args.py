"""Checked command-line values: each bad value is one line on stderr and exit status 2.

argparse reports a bad value with its usage block and then the error; swarmsim's
:class:`Parser` prints the error alone, on one line, pointing at ``--help``.
"""

from __future__ import annotations

import argparse
import math
from typing import NoReturn

from swarmsim.foundation.units import parse_duration

#: the largest ``--seed`` (seeds are unsigned 64-bit numbers)
MAX_SEED = 2**64 - 1
#: the most replications ``compare --seeds`` runs
MAX_SEEDS = 10_000
#: the most local worker processes ``--workers`` starts
MAX_WORKERS = 256


#: characters that end a line (str.splitlines) or move a terminal's cursor: shown escaped
_BREAKS = {c: repr(chr(c))[1:-1] for c in [*range(0x20), 0x7F, 0x85, 0x2028, 0x2029]
           if c != 0x09}


def one_line(text: str) -> str:
    """``text`` with every line break and control character written as an escape
    (``\\r``, ``\\x1b``), so that an error naming a strange file name stays one line."""
    return text.translate(_BREAKS)


class Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line: ``swarmsim run: --seed: ...``."""

    def error(self, message: str) -> NoReturn:
        text = " ".join(message.split())  # argparse's messages may hold newlines
        self.exit(2, f"{self.prog}: {text} (see `{self.prog} --help`)\n")


def _integer(text: str, low: int, high: int, what: str) -> int:
    """``text`` as an integer from ``low`` to ``high``; ``what`` says what it must be."""
    try:
        value = int(text, 10) if len(text) <= 40 else None
    except ValueError:
        value = None
    if value is None or not low <= value <= high:
        raise argparse.ArgumentTypeError(f"must be {what} from {low} to {high}")
    return value


def seed(text: str) -> int:
    """``--seed N``: 0 to 2**64-1."""
    return _integer(text, 0, MAX_SEED, "an integer")


def seeds(text: str) -> int:
    """``--seeds N``: 1 to :data:`MAX_SEEDS` replications."""
    return _integer(text, 1, MAX_SEEDS, "a number of replications")


def workers(text: str) -> int:
    """``--workers W``: 1 to :data:`MAX_WORKERS` processes."""
    return _integer(text, 1, MAX_WORKERS, "a number of processes")


def speed(text: str) -> float:
    """``shell --speed N``: a positive, finite number of simulated seconds."""
    try:
        value = float(text) if len(text) <= 40 else None
    except ValueError:
        value = None
    if value is None or not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError("must be a positive number of simulated seconds")
    return value


def _seconds(text: str) -> tuple[str, float]:
    """``text`` shortened for messages, and the seconds of the Go duration it holds."""
    shown = text if len(text) <= 40 else text[:40] + "..."
    try:
        return shown, parse_duration(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{shown!r}: {str(exc)[:120]}") from None


def duration(text: str) -> str:
    """A positive duration (``--until``): checked here, parsed by the command."""
    shown, seconds = _seconds(text)
    if seconds <= 0:
        raise argparse.ArgumentTypeError(f"{shown!r}: must be a positive duration, like 10m")
    return text


def instant(text: str) -> str:
    """A time in a run (``--at``): a duration of zero or more."""
    shown, seconds = _seconds(text)
    if seconds < 0:
        raise argparse.ArgumentTypeError(f"{shown!r}: must not be negative")
    return text


def path(text: str) -> str:
    """A file or directory to read: any text a file system can hold (no NUL)."""
    if "\0" in text:
        raise argparse.ArgumentTypeError("a path cannot hold a NUL character")
    return text


def out_dir(text: str) -> str:
    """``--out DIR``: a non-empty path (what may be written there is checked later)."""
    if not text:
        raise argparse.ArgumentTypeError("an empty name; give a directory")
    if "\0" in text:
        raise argparse.ArgumentTypeError("a path cannot hold a NUL character")
    return text
