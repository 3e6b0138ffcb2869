"""Value formats shared by compose files and scenarios.

* durations: Go's ``time.ParseDuration`` grammar (``1m30s``, ``.5s``, ``0``), in seconds;
* byte sizes: go-units ``RAMInBytes`` (every unit base 1024, ``50M`` == ``50MiB``);
* CPUs: exact decimal or fraction strings turned into nano-CPUs as docker does.
"""

from __future__ import annotations

import re
from fractions import Fraction

_DURATION_UNITS = {
    "ns": 1,
    "us": 1_000,
    "\u00b5s": 1_000,  # micro sign
    "\u03bcs": 1_000,  # greek mu
    "ms": 1_000_000,
    "s": 1_000_000_000,
    "m": 60 * 1_000_000_000,
    "h": 3600 * 1_000_000_000,
}
_DURATION_PART = re.compile(r"(\d+\.?\d*|\.\d+)(ns|us|\u00b5s|\u03bcs|ms|s|m|h)")
_MAX_INT64 = (1 << 63) - 1


def parse_duration_ns(text: str) -> int:
    """Parse a Go duration string into integer nanoseconds.

    Raises:
        ValueError: with Go's message (``time: invalid duration "x"`` or
            ``time: missing unit in duration "x"``).
    """
    if not isinstance(text, str):
        raise ValueError(f"time: invalid duration {text!r}")
    orig = text
    sign = 1
    if text[:1] in "+-" and text:
        sign = -1 if text[0] == "-" else 1
        text = text[1:]
    if text == "0":
        return 0
    if text == "":
        raise ValueError(f'time: invalid duration "{orig}"')
    pos = 0
    total = Fraction(0)
    while pos < len(text):
        m = _DURATION_PART.match(text, pos)
        if not m:
            if re.match(r"(\d+\.?\d*|\.\d+)$", text[pos:]):
                raise ValueError(f'time: missing unit in duration "{orig}"')
            raise ValueError(f'time: invalid duration "{orig}"')
        number, unit = m.group(1), m.group(2)
        if number == ".":
            raise ValueError(f'time: invalid duration "{orig}"')
        total += Fraction(number) * _DURATION_UNITS[unit]
        pos = m.end()
    ns = int(total)  # Go truncates fractions of a nanosecond
    if ns > _MAX_INT64:
        raise ValueError(f'time: invalid duration "{orig}"')
    return sign * ns


def parse_duration(text: str) -> float:
    """Parse a Go duration string into float seconds."""
    return parse_duration_ns(text) / 1e9


def is_duration(text: object) -> bool:
    """True when ``text`` is a string Go's ParseDuration accepts."""
    if not isinstance(text, str):
        return False
    try:
        parse_duration_ns(text)
    except ValueError:
        return False
    return True


def format_duration(seconds: float) -> str:
    """Format seconds the way Go's ``Duration.String`` does (``1m30s``, ``500ms``)."""
    ns = round(seconds * 1e9)
    if ns == 0:
        return "0s"
    neg = ns < 0
    ns = abs(ns)
    if ns < 1_000_000_000:
        for unit, size in (("ms", 1_000_000), ("\u00b5s", 1_000), ("ns", 1)):
            if ns >= size:
                text = _trim(ns / size) + unit
                break
    else:
        h, rem = divmod(ns, 3600 * 10**9)
        m, rem = divmod(rem, 60 * 10**9)
        s = _trim(rem / 1e9)
        text = (f"{h}h" if h else "") + (f"{m}m" if h or m else "") + f"{s}s"
    return ("-" if neg else "") + text


def _trim(value: float) -> str:
    text = f"{value:.9f}".rstrip("0").rstrip(".")
    return text or "0"


_SIZE_SPLIT = re.compile(r"^(.*?[\d. ]*?)([^\d. ]*)$")
_SIZE_UNITS = {"k": 1, "m": 2, "g": 3, "t": 4, "p": 5}


def parse_bytes(text: str) -> int:
    """Parse a byte size as go-units ``RAMInBytes`` does (base 1024, case-insensitive).

    Raises:
        ValueError: with go-units' message (``invalid suffix: 'x'``, ``invalid size:
            'lots'``) or Go's ``strconv.ParseFloat: parsing " 1": invalid syntax``.
    """
    s = str(text)
    # split at the last character that is a digit, '.' or ' '
    idx = -1
    for i, ch in enumerate(s):
        if ch.isdigit() or ch in ". ":
            idx = i
    if idx < 0:
        raise ValueError(f"invalid size: '{s}'")
    num, suffix = s[: idx + 1], s[idx + 1 :]
    if num.startswith("-"):
        raise ValueError(f"invalid size: '{s}'")
    try:
        if num.strip() != num.rstrip(" ") or num.startswith(" "):
            raise ValueError
        value = float(num.rstrip(" ")) if num.count(" ") <= 1 else float("x")
        if num.rstrip(" ") != num and not suffix:
            raise ValueError
        if not re.fullmatch(r"(\d+\.?\d*|\.\d+)", num.rstrip(" ")):
            raise ValueError
    except ValueError:
        raise ValueError(f'strconv.ParseFloat: parsing "{num}": invalid syntax') from None
    if value < 0:
        raise ValueError(f"invalid size: '{s}'")
    if value == float("inf"):  # Go's ParseFloat: ErrRange
        raise ValueError(f'strconv.ParseFloat: parsing "{num}": value out of range')
    low = suffix.lower()
    if low in ("", "b"):
        mult = 1
    else:
        unit, rest = low[0], low[1:]
        if unit not in _SIZE_UNITS or rest not in ("", "b", "ib"):
            raise ValueError(f"invalid suffix: '{low}'")
        mult = 1024 ** _SIZE_UNITS[unit]
    if value * mult > _MAX_INT64:  # Go's int64(size) would wrap; swarmsim refuses it
        raise ValueError(f"invalid size: '{s}' is over 8 EiB")
    return int(value * mult)


def format_bytes(n: int) -> str:
    """Human size in base 1024 as ``docker`` prints (``1GiB``, ``50MiB``, ``1.5GiB``)."""
    for unit, size in (("TiB", 1 << 40), ("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= size:
            return f"{n / size:.4g}{unit}"
    return f"{n}B"


def parse_cpus(text: str) -> int:
    """Parse a CPU count string (``"0.5"``, ``"1/2"``, ``"2"``) into nano-CPUs.

    Mirrors docker's ``opts.ParseCPUs``: the value is an exact rational; it must be a
    whole number of nano-CPUs. ``""`` means unset and gives 0.

    Raises:
        ValueError: ``failed to parse X as a rational number`` or ``value is too
            precise``.
    """
    if text == "":
        return 0
    value = _parse_rat(text)
    if value is None:
        raise ValueError(f"failed to parse {text} as a rational number")
    nano = value * 1_000_000_000
    if nano.denominator != 1:
        raise ValueError("value is too precise")
    if abs(nano) > _MAX_INT64:  # Go's Int64() would wrap; swarmsim refuses it
        raise ValueError(f"{text} CPUs is out of range")
    return int(nano)


def _parse_rat(text: str) -> Fraction | None:
    """Parse like Go's ``big.Rat.SetString`` (decimal, exponent or ``a/b``)."""
    s = text
    if "/" in s:
        num, _, den = s.partition("/")
        if not re.fullmatch(r"[+-]?\d+", num) or not re.fullmatch(r"\d+", den):
            return None
        if int(den) == 0:
            return None
        return Fraction(int(num), int(den))
    m = re.fullmatch(r"[+-]?(\d*)\.?(\d*)(?:[eE]([+-]?\d+))?", s)
    if not m or not (m.group(1) or m.group(2)):
        return None
    # math/big ratconv.go refuses a power of ten beyond 1e6 ("avoid excessively large
    # exponents"): the exponent less the digits after the point
    exp = m.group(3) or "0"
    if len(exp.lstrip("+-0")) > 7 or abs(int(exp) - len(m.group(2))) > 1_000_000:
        return None
    whole = m.group(1).lstrip("0")
    if whole and len(whole) + int(exp) > 40:  # far beyond any int64 of nano-CPUs:
        return _HUGE  # skip computing 10**exp
    return Fraction(s)


_HUGE = Fraction(10**40)


def format_cpus(nano: int) -> str:
    """Format nano-CPUs as a short decimal (``0.1``, ``2``)."""
    text = f"{nano / 1e9:.9f}".rstrip("0").rstrip(".")
    return text or "0"
