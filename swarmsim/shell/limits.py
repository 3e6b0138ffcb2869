"""What one shell line may hold, and how long one ``sleep`` may last.

A line's words go to a program as ``execve`` arguments, so Linux's limits hold: one
word of at most ``MAX_ARG_STRLEN`` (32 pages, 128 KiB) and all of them within
``ARG_MAX`` (2 MiB with the default 8 MiB stack), counting each word's terminating
NUL and its pointer; past them bash says ``Argument list too long`` and exits with 126
(linux include/uapi/linux/binfmts.h, fs/exec.c). A piped line longer than
:data:`MAX_LINE` is not read at all.

``sleep`` reads its operands as GNU coreutils' sleep does (src/sleep.c): each is a
number with an optional ``s``, ``m``, ``h`` or ``d`` suffix (a Go duration such as
``1m30s`` is also taken), they add up, and a word starting with ``-`` is an option.
One sleep moves simulated time by at most :data:`MAX_SLEEP_S`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from typing import TextIO

from swarmsim.foundation.units import parse_duration

#: the longest word a program can be given (MAX_ARG_STRLEN)
MAX_ARG_STRLEN = 32 * 4096
#: all the words of a command, with a NUL and an 8-byte pointer each (ARG_MAX)
ARG_MAX = 2 * 1024 * 1024
#: the longest line the shell reads from a pipe
MAX_LINE = 4 * ARG_MAX
#: the most simulated time one ``sleep`` lets pass
MAX_SLEEP_S = 24 * 3600.0

_GNU = re.compile(r"(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?([smhd]?)")
_UNIT = {"": 1.0, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}


def too_long(words: list[str]) -> bool:
    """True when ``execve`` would refuse ``words`` with E2BIG."""
    total = 0
    for word in words:
        size = len(word.encode("utf-8", "surrogateescape")) + 1
        if size > MAX_ARG_STRLEN:
            return True
        total += size + 8
    return total > ARG_MAX


def sleep_seconds(args: list[str]) -> tuple[float | None, str]:
    """The seconds ``sleep ARGS`` sleeps, or None and coreutils' error text."""
    operands: list[str] = []
    options = True
    for arg in args:
        if options and arg == "--":
            options = False
        elif options and arg.startswith("--"):
            return None, (f"sleep: unrecognized option '{arg}'\n"
                          "Try 'sleep --help' for more information.\n")
        elif options and arg.startswith("-") and arg != "-":
            return None, (f"sleep: invalid option -- '{arg[1]}'\n"
                          "Try 'sleep --help' for more information.\n")
        else:
            operands.append(arg)
    if not operands:
        return None, "sleep: missing operand\nTry 'sleep --help' for more information.\n"
    total = 0.0
    for text in operands:
        seconds = _operand(text)
        if seconds is None:
            return None, (f"sleep: invalid time interval '{text}'\n"
                          "Try 'sleep --help' for more information.\n")
        total += seconds
    if not total <= MAX_SLEEP_S:
        return None, (f"sleep: at most {MAX_SLEEP_S / 3600:g}h of simulated time at once "
                      "(a scenario's `until` runs longer)\n")
    return total, ""


def _operand(text: str) -> float | None:
    m = _GNU.fullmatch(text)
    if m:
        try:
            value = float(m.group(1) + (m.group(2) or "")) * _UNIT[m.group(3)]
        except OverflowError:
            return math.inf
        return value if not math.isnan(value) else None
    if len(text) > 64:
        return None
    try:
        value = parse_duration(text)
    except ValueError:
        return None
    return value if value >= 0 else None


def read_lines(stream: TextIO, err: TextIO, limit: int = MAX_LINE) -> Iterator[str]:
    """The lines of ``stream``, each read with at most ``limit`` characters held; a
    longer line is skipped (read through to its end, a chunk at a time) with one line
    on ``err``."""
    number = 0
    while True:
        line = stream.readline(limit + 1)
        if not line:
            return
        number += 1
        if len(line) <= limit or line.endswith("\n"):
            yield line
            continue
        while line and not line.endswith("\n"):
            line = stream.readline(limit)
        err.write(f"swarmsim: line {number} is longer than {limit // (1024 * 1024)} MiB; "
                  "skipped\n")
