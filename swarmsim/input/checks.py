"""Small validators shared by the scenario readers: each raises an
:class:`~swarmsim.foundation.errors.InputError` worded like docker's schema errors and carrying the
key path, so the caller can add the file and line."""

from __future__ import annotations

from typing import Any

from swarmsim.foundation.errors import InputError, dotted
from swarmsim.foundation.units import parse_bytes, parse_duration


def key_error(message: str, *keys: str | int) -> InputError:
    """``<dotted path> <message>``, located at ``keys``."""
    return InputError(f"{dotted(keys)} {message}", keys=tuple(keys))


def duration(value: Any, *keys: str | int, negative: bool = False) -> float:
    """A Go duration string in seconds (``"1m30s"`` -> 90.0).

    Raises:
        InputError: ``must be a string``, ``Does not match format 'duration'`` or, unless
            ``negative``, ``must not be negative``.
    """
    if not isinstance(value, str):
        raise key_error("must be a string", *keys)
    try:
        seconds = parse_duration(value)
    except ValueError:
        raise key_error("Does not match format 'duration'", *keys) from None
    if seconds < 0 and not negative:
        raise key_error("must not be negative", *keys)
    return seconds


def positive_size(value: Any, *keys: str | int) -> int:
    """A byte size (``512M``, ``1G`` or a number of bytes) greater than 0.

    Raises:
        InputError: ``must be a string``, go-units' message, or ``must be greater
            than 0``.
    """
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise key_error("must be a string", *keys)
    try:
        size = parse_bytes(str(value))
    except ValueError as exc:
        raise key_error(str(exc), *keys) from None
    if size <= 0:
        raise key_error("must be greater than 0", *keys)
    return size
