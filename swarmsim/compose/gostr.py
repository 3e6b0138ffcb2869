"""Go's number parsing and value printing (and yaml.v3's scalar typing), as docker sees them.

docker's messages embed values the way Go prints them (``%v``, ``%q``) and decide types
with Go's ``strconv`` rules, which differ from Python's in many small ways (``"08"`` is
not an int, ``"1_000"`` is one only with a base prefix, ``%v`` of ``1e6`` is ``1e+06``).
These pure functions reproduce the handful of rules the loader needs.
"""

from __future__ import annotations

import math
import re
import unicodedata
from decimal import Decimal
from functools import lru_cache
from typing import Any

_MAX_INT64 = (1 << 63) - 1
_MAX_UINT64 = (1 << 64) - 1

_ESCAPES = {
    "\a": "\\a",
    "\b": "\\b",
    "\f": "\\f",
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
    "\v": "\\v",
    "\\": "\\\\",
    '"': '\\"',
}


def _printable(ch: str) -> bool:
    """Go's ``unicode.IsPrint``: letters, marks, numbers, punctuation, symbols, ASCII space."""
    return ch == " " or unicodedata.category(ch)[0] in "LMNPS"


def quote(text: str) -> str:
    """Go's ``strconv.Quote`` (also what ``%q`` and ``%#v`` print for a string)."""
    out = ['"']
    for ch in text:
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif _printable(ch):
            out.append(ch)
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\x{ord(ch):02x}")
        elif ord(ch) < 0x10000:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(f"\\U{ord(ch):08x}")
    out.append('"')
    return "".join(out)


def parse_int(text: str, base: int = 0, *, unsigned: bool = False) -> tuple[int | None, str]:
    """Go's ``strconv.ParseInt(text, base, 64)`` / ``ParseUint``.

    Returns:
        ``(value, "")`` on success, ``(None, "invalid syntax")`` or
        ``(None, "value out of range")`` on failure.
    """
    s = text
    neg = False
    if not unsigned and s[:1] in ("+", "-"):
        neg = s[0] == "-"
        s = s[1:]
    underscores_ok = False
    if base == 0:
        base = 10
        low = s[:2].lower()
        if low == "0x":
            base, s = 16, s[2:]
        elif low == "0o":
            base, s = 8, s[2:]
        elif low == "0b":
            base, s = 2, s[2:]
        elif s[:1] == "0" and len(s) > 1:
            base, s = 8, s[1:]
        underscores_ok = True
        if "_" in text and not _underscore_ok(text):
            return None, "invalid syntax"
    digits = s.replace("_", "") if underscores_ok else s
    if not digits or not all(_digit_value(c) < base for c in digits):
        return None, "invalid syntax"
    if len(digits.lstrip("0")) > 64:  # more than 64 bits in any base: no int() of it
        return None, "value out of range"
    value = int(digits, base)
    limit = _MAX_UINT64 if unsigned else (_MAX_INT64 + 1 if neg else _MAX_INT64)
    if value > limit:
        return None, "value out of range"
    return (-value if neg else value), ""


def _digit_value(ch: str) -> int:
    if "0" <= ch <= "9":
        return ord(ch) - ord("0")
    if "a" <= ch.lower() <= "z":
        return ord(ch.lower()) - ord("a") + 10
    return 99


def _underscore_ok(text: str) -> bool:
    """Go's rule: an underscore must sit between digits (or after a base prefix)."""
    s = text[1:] if text[:1] in ("+", "-") else text
    saw = "^"
    i = 0
    hexa = False
    if len(s) >= 2 and s[0] == "0" and s[1].lower() in "box":
        i, saw, hexa = 2, "0", s[1].lower() == "x"
    for ch in s[i:]:
        if (ch.isdigit() and ch.isascii()) or (hexa and ch.lower() in "abcdef"):
            saw = "0"
        elif ch == "_":
            if saw != "0":
                return False
            saw = "_"
        else:
            if saw == "_":
                return False
            saw = "!"
    return saw != "_"


_DEC_FLOAT = re.compile(r"[0-9_]*\.?[0-9_]*(?:[eE][+-]?[0-9_]+)?\Z")
_HEX_FLOAT = re.compile(r"0[xX]([0-9a-fA-F_]*\.?[0-9a-fA-F_]*)[pP]([+-]?[0-9_]+)\Z")


def parse_float(text: str) -> tuple[float | None, str]:
    """Go's ``strconv.ParseFloat(text, 64)``.

    Returns:
        ``(value, "")``, or ``(None, "invalid syntax" | "value out of range")``.
    """
    s = text
    sign = ""
    if s[:1] in ("+", "-"):
        sign, s = s[0], s[1:]
    low = s.lower()
    if low in ("inf", "infinity"):
        return (-math.inf if sign == "-" else math.inf), ""
    if low == "nan" and not sign:
        return math.nan, ""
    if "_" in s and not _underscore_ok(s):
        return None, "invalid syntax"
    hexm = _HEX_FLOAT.match(s)
    if hexm:
        mant = hexm.group(1).replace("_", "")
        if not mant.replace(".", ""):
            return None, "invalid syntax"
        try:
            value = float.fromhex(f"0x{mant}p{hexm.group(2).replace('_', '')}")
        except OverflowError:
            return None, "value out of range"
    else:
        mantissa = re.split(r"[eE]", s)[0].replace("_", "")
        if not _DEC_FLOAT.match(s) or not mantissa.replace(".", ""):
            return None, "invalid syntax"
        value = float(s.replace("_", ""))
    if math.isinf(value):
        return None, "value out of range"
    return (-value if sign == "-" else value), ""


def format_float(value: float, fmt: str = "v") -> str:
    """Format a float as Go does for ``%v`` (``fmt="v"``) or in JSON (``fmt="json"``)."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    sign = "-" if math.copysign(1.0, value) < 0 else ""
    if value == 0:
        return sign + "0" if fmt == "v" else "0"
    dec = Decimal(repr(abs(value)))
    digits = "".join(str(d) for d in dec.as_tuple().digits).rstrip("0") or "0"
    exp = dec.adjusted()
    if fmt == "json":
        use_exp = abs(value) < 1e-6 or abs(value) >= 1e21
    else:
        use_exp = exp < -4 or exp >= 6
    if use_exp:
        mant = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
        width = 2 if fmt == "v" else 1
        return f"{sign}{mant}e{'-' if exp < 0 else '+'}{abs(exp):0{width}d}"
    if exp < 0:
        return f"{sign}0.{'0' * (-exp - 1)}{digits}"
    if len(digits) <= exp + 1:
        return f"{sign}{digits}{'0' * (exp + 1 - len(digits))}"
    return f"{sign}{digits[: exp + 1]}.{digits[exp + 1 :]}"


def format_value(value: Any) -> str:
    """Go's ``fmt.Sprintf("%v", value)`` for values decoded from YAML."""
    if value is None:
        return "<nil>"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return format_float(value)
    if isinstance(value, list):
        return "[" + " ".join(format_value(v) for v in value) + "]"
    if isinstance(value, dict):
        items = sorted(value.items(), key=lambda kv: format_value(kv[0]))
        return "map[" + " ".join(f"{format_value(k)}:{format_value(v)}" for k, v in items) + "]"
    return str(value)


# --- yaml.v3's resolve.go: the type of a plain scalar ------------------------------

STR, INT, FLOAT, BOOL, NULL = "!!str", "!!int", "!!float", "!!bool", "!!null"
TIMESTAMP, BINARY, MERGE, SEQ, MAP = "!!timestamp", "!!binary", "!!merge", "!!seq", "!!map"
_CONSTANTS: dict[str, tuple[str, Any]] = {
    **{s: (BOOL, True) for s in ("true", "True", "TRUE")},
    **{s: (BOOL, False) for s in ("false", "False", "FALSE")},
    **{s: (NULL, None) for s in ("", "~", "null", "Null", "NULL")},
    **{s: (FLOAT, float("nan")) for s in (".nan", ".NaN", ".NAN")},
    **{s: (FLOAT, float("inf")) for s in (".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF")},
    **{s: (FLOAT, float("-inf")) for s in ("-.inf", "-.Inf", "-.INF")},
    "<<": (MERGE, "<<"),
}
_YAML_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?\Z")
_TIMESTAMP = re.compile(  # the four layouts yaml.v3 tries with time.Parse
    r"\d{4}-\d{1,2}-\d{1,2}(?:[Tt]\d{1,2}:\d{1,2}:\d{1,2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})"
    r"| \d{1,2}:\d{1,2}:\d{1,2}(?:\.\d+)?)?\Z"
)


def yaml_resolve(tag: str, text: str) -> tuple[str, Any]:
    """yaml.v3's ``resolve``: the tag and value of a scalar (``tag`` "" when implicit).

    Timestamps keep their text (docker's Go value would be a ``time.Time``).

    Raises:
        ValueError: an explicit tag the text cannot have (yaml.v3's message).
    """
    if tag not in ("", STR, BOOL, INT, FLOAT, NULL, TIMESTAMP):
        return tag, text
    rtag, out = resolve_plain(text, tag in ("", TIMESTAMP)) if tag != STR else (STR, text)
    if tag in ("", rtag, STR):
        return rtag, out
    if tag == FLOAT and rtag == INT:
        return FLOAT, float(out)
    raise ValueError(f"yaml: cannot decode {rtag} `{text}` as a {tag}")


@lru_cache(maxsize=4096)
def resolve_plain(text: str, timestamps: bool = True) -> tuple[str, Any]:
    """The tag and value yaml.v3 gives a plain scalar (dates only if ``timestamps``).

    Cached: a pure function of its arguments with an immutable result, and a big compose
    file repeats the same keys and values (``deploy``, ``replicas``, ``100``) per service.
    """
    hint = text[:1]
    if text in _CONSTANTS:
        return _CONSTANTS[text]
    if hint == ".":
        value, err = parse_float(text)
        if not err:
            return FLOAT, value
    elif hint and ((hint.isdigit() and hint.isascii()) or hint in "+-"):
        if timestamps and _TIMESTAMP.match(text):
            return TIMESTAMP, text
        plain = text.replace("_", "")
        for unsigned in (False, True):
            ivalue, err = parse_int(plain, 0, unsigned=unsigned)
            if not err:
                return INT, ivalue
        if _YAML_FLOAT.match(plain):
            value, err = parse_float(plain)
            if not err:
                return FLOAT, value
        for prefix, base in (("0b", 2), ("-0b", 2), ("0o", 8), ("-0o", 8)):
            if plain.startswith(prefix):
                digits = ("-" if prefix[0] == "-" else "") + plain[len(prefix) :]
                for unsigned in (False, True):
                    ivalue, err = parse_int(digits, base, unsigned=unsigned)
                    if not err:
                        return INT, ivalue
    return STR, text
