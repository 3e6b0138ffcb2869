"""The input limits of :mod:`swarmsim.foundation.defaults`, each raisable by an
environment variable.

A limit ``MAX_NODES`` is raised with ``SWARMSIM_MAX_NODES=50000``: the variable must be
a positive whole number. Limits guard memory and time only: raising one never changes a
run's results, only whether an input is refused.
"""

from __future__ import annotations

import os

from swarmsim.foundation import defaults
from swarmsim.foundation.errors import InputError

ENV_PREFIX = "SWARMSIM_MAX_"


def limit(name: str) -> int:
    """The effective maximum ``name`` (``"NODES"``, ``"TASKS"``, ...).

    Raises:
        InputError: the environment variable is set but not a positive whole number.
    """
    default = int(getattr(defaults, f"MAX_{name}"))
    text = os.environ.get(ENV_PREFIX + name)
    if text is None or text.strip() == "":
        return default
    digits = text.strip().replace("_", "")
    if not (digits.isascii() and digits.isdigit()) or len(digits) > 30 or int(digits) < 1:
        raise InputError(f"{ENV_PREFIX}{name}={text!r}: must be a positive whole number")
    return int(digits)


def over(name: str, value: float, what: str) -> str | None:
    """The problem when ``value`` exceeds limit ``name`` (None when it does not).

    ``what`` names the quantity (``"nodes"``, ``"bytes"``): the message reads
    ``1,000,000,000 nodes is over swarmsim's limit of 20,000 (SWARMSIM_MAX_NODES
    raises it)``.
    """
    most = limit(name)
    if value <= most:
        return None
    shown = f"{value:,}" if isinstance(value, int) else f"{value:,.6g}"
    return f"{shown} {what} is over swarmsim's limit of {most:,} ({ENV_PREFIX}{name} raises it)"
