"""Placement constraints as written: their syntax, as SwarmKit's ``manager/constraint``
parses it (matching them against nodes is :mod:`swarmsim.scheduler.constraint`).

A constraint is ``key == value`` or ``key != value``.  Keys and values are validated by
two regular expressions.

The regular expressions are Go RE2 patterns with ``(?i)``; they are spelled out here
without Python's ``re.IGNORECASE`` because Python folds four extra non-ASCII letters into
``[a-z]`` (U+0130, U+0131, U+017F, U+212A) while RE2 folds only two (the long s U+017F and
the Kelvin sign U+212A), and because RE2's ``\\s`` is exactly ``[\\t\\n\\f\\r ]``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

OPERATORS = ("==", "!=")

_LETTERS = "a-zA-Z\u017f\u212a"
_KEY_RE = re.compile(f"[{_LETTERS}_][{_LETTERS}0-9\\-_.]+")
_VALUE_RE = re.compile(f"[{_LETTERS}0-9:\\-_\\t\\n\\f\\r .*()?+\\[\\]\\\\^$|/]+")
# Go's unicode.IsSpace, which strings.TrimSpace uses (Python's str.strip() also strips
# the ASCII separators 0x1c-0x1f, which Go keeps).
_GO_SPACE = (
    "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007"
    "\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)


@dataclass(frozen=True, slots=True)
class Constraint:
    """One parsed constraint.

    Attributes:
        key: the key as written, spaces trimmed (e.g. ``node.labels.zone``).
        operator: ``==`` or ``!=``.
        exp: the value as written, spaces trimmed.
    """

    key: str
    operator: str
    exp: str



def parse_constraints(exprs: Sequence[str]) -> list[Constraint]:
    """Parse constraint expressions (all must hold).

    Args:
        exprs: strings such as ``node.role == manager`` or ``node.labels.zone!=east``.

    Returns:
        The parsed constraints, in order.

    Raises:
        ValueError: with SwarmKit's message: ``constraint expected one operator from ==, !=``,
            ``key 'x' is invalid`` or ``value 'x' is invalid``.
    """
    parsed: list[Constraint] = []
    for expr in exprs:
        for op in OPERATORS:
            if op not in expr:
                continue
            left, right = expr.split(op, 1)
            key = left.strip(_GO_SPACE)
            if not _KEY_RE.fullmatch(key):
                raise ValueError(f"key '{key}' is invalid")
            value = right.strip(_GO_SPACE)
            if not _VALUE_RE.fullmatch(value):
                raise ValueError(f"value '{value}' is invalid")
            parsed.append(Constraint(key, op, value))
            break
        else:
            raise ValueError("constraint expected one operator from " + ", ".join(OPERATORS))
    return parsed
