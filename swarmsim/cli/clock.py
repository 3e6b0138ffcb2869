"""Simulated time as the CLI shows it."""

from __future__ import annotations


def clock(seconds: float) -> str:
    """Simulated time as ``h:mm:ss.mmm``."""
    ms = round(seconds * 1000)
    h, rem = divmod(ms, 3_600_000)
    m, rem = divmod(rem, 60_000)
    s, ms = divmod(rem, 1000)
    return f"{h}:{m:02d}:{s:02d}.{ms:03d}"
