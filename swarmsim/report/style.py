"""Shared look of the plots and pages: one colour per service, readable numbers."""

from __future__ import annotations

import colorsys
import re
from collections.abc import Sequence

from matplotlib import colormaps
from matplotlib.colors import to_hex


def natural_key(text: str) -> list[object]:
    """Sort key that puts ``node2`` before ``node10``."""
    return [int(p) if p.isdigit() else p for p in re.split(r"(\d+)", text)]


def service_colors(names: Sequence[str]) -> dict[str, str]:
    """A hex colour per service, stable for a given set of names: matplotlib's
    ``tab10``/``tab20`` for up to 20 services, evenly spread hues beyond."""
    ordered = sorted(set(names), key=natural_key)
    n = len(ordered)
    if n <= 10:
        cmap = colormaps["tab10"]
        return {name: to_hex(cmap(i)) for i, name in enumerate(ordered)}
    if n <= 20:
        cmap = colormaps["tab20"]
        return {name: to_hex(cmap(i)) for i, name in enumerate(ordered)}
    out = {}
    for i, name in enumerate(ordered):
        hue = (i * 0.618033988749895) % 1.0
        light = 0.45 if i % 2 else 0.6
        r, g, b = colorsys.hls_to_rgb(hue, light, 0.65)
        out[name] = to_hex((r, g, b))
    return out


def short_service(name: str, stacks: Sequence[str] = ()) -> str:
    """A service name without its stack prefix when the stack is known (``web``)."""
    for stack in sorted(stacks, key=len, reverse=True):
        if stack and name.startswith(f"{stack}_"):
            return name[len(stack) + 1:]
    return name


def fmt_bytes(n: float) -> str:
    """``1.5 GiB``-style size."""
    value = float(n)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if abs(value) < 1024 or unit == "TiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} TiB"


def fmt_cpus(c: float) -> str:
    """``2 CPUs`` / ``0.5 CPU``."""
    text = f"{c:g}"
    return f"{text} CPU" if c <= 1 else f"{text} CPUs"


def fmt_seconds(s: float | None) -> str:
    """A duration for tables: ``-`` for none, ``850 ms``, ``3.05 s``, ``17.5 s``,
    ``3 min 5 s``."""
    if s is None:
        return "-"
    if s < 1:
        return f"{s * 1000:.0f} ms"
    if s < 10:
        return f"{s:.2f} s"
    if s < 120:
        return f"{s:.1f} s"
    minutes, sec = divmod(round(s), 60)
    if minutes < 120:
        return f"{minutes} min {sec} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min"


def fmt_clock(s: float) -> str:
    """Simulated time as ``h:mm:ss`` (with tenths under a minute's resolution)."""
    whole = int(s)
    h, rem = divmod(whole, 3600)
    m, sec = divmod(rem, 60)
    frac = s - whole
    tail = f".{int(frac * 10)}" if frac >= 0.05 else ""
    return f"{h}:{m:02d}:{sec:02d}{tail}"


def fmt_pct(x: float | None) -> str:
    """A fraction as a percentage (``-`` for none)."""
    return "-" if x is None else f"{100 * x:.1f}%"
