"""Text the docker CLI prints: tables, human durations, state names.

Pure functions returning strings; only the CLI writes them out.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime


def human_duration(seconds: float) -> str:
    """go-units ``HumanDuration`` (duration.go): ``Less than a second``, ``About a minute``,
    ``3 hours``.  Each unit truncates the float duration as Go's ``int()`` does, except hours,
    which go-units rounds half up (``int(d.Hours() + 0.5)``: 2 h 30 m reads ``3 hours``); the
    years branch divides the unrounded hours."""
    s = int(seconds)
    if s < 1:
        return "Less than a second"
    if s == 1:
        return "1 second"
    if s < 60:
        return f"{s} seconds"
    minutes = int(seconds / 60)
    if minutes == 1:
        return "About a minute"
    if minutes < 60:
        return f"{minutes} minutes"
    hours = int(seconds / 3600 + 0.5)
    if hours == 1:
        return "About an hour"
    if hours < 48:
        return f"{hours} hours"
    if hours < 24 * 7 * 2:
        return f"{hours // 24} days"
    if hours < 24 * 30 * 2:
        return f"{hours // 24 // 7} weeks"
    if hours < 24 * 365 * 2:
        return f"{hours // 24 // 30} months"
    return f"{int(seconds / 3600) // 24 // 365} years"


def sim_clock(seconds: float) -> str:
    """Simulated time as ``h:mm:ss.mmm`` (a run's log, the traffic table)."""
    ms = round(seconds * 1000)
    h, rem = divmod(ms, 3_600_000)
    m, rem = divmod(rem, 60_000)
    s, ms = divmod(rem, 1000)
    return f"{h}:{m:02d}:{s:02d}.{ms:03d}"


def rfc3339_nano_fixed(at: datetime) -> str:
    """An instant in the daemon's log timestamp layout, ``RFC3339NanoFixed``
    (``2006-01-02T15:04:05.000000000Z07:00``, moby's
    ``daemon/server/httputils/logstream/logstream.go``): always nine digits of fraction,
    in UTC (the log copier stamps ``time.Now().UTC()``), so ``Z``.  ``at`` must be
    timezone-aware; its microseconds are all a simulated instant holds, so the last three
    digits are zeros."""
    at = at.astimezone(UTC)
    return at.strftime("%Y-%m-%dT%H:%M:%S") + f".{at.microsecond:06d}000Z"


def current_state(state: str, since: float, now: float) -> str:
    """``docker service ps`` CURRENT STATE: ``Running 44 seconds ago``."""
    return f"{state.capitalize()} {human_duration(now - since).lower()} ago"


def truncate_error(err: str, width: int = 30) -> str:
    """``docker service ps`` ERROR column: quoted, cut to 29 characters plus an ellipsis."""
    if not err:
        return ""
    if len(err) > width:
        err = err[: width - 1] + "\u2026"
    return f'"{err}"'


def natural_key(text: str) -> list[object]:
    """Sort key that orders ``web.2`` before ``web.10`` (docker's natural sort)."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", text)]


def table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """Align columns as docker's tabwriter does (min width 10, padding 3)."""
    columns = len(headers)
    cols = list(zip(*rows, strict=True)) if rows else [()] * columns
    widths = [
        max(10, max(len(headers[i]), max(map(len, cols[i]), default=0)) + 3)
        for i in range(columns - 1)
    ]
    # one format string for every row: ``{:<w}`` pads as ``str.ljust`` does
    line = "".join(f"{{{i}:<{w}}}" for i, w in enumerate(widths)) + f"{{{columns - 1}}}"
    fmt = line.format
    return "\n".join([fmt(*headers).rstrip(), *[fmt(*r).rstrip() for r in rows]])
