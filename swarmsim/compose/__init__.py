"""Compose files read exactly as ``docker stack deploy`` (docker/cli's own loader) reads them.

* :func:`load_stack` / :func:`load_stack_text`: files -> :class:`~swarmsim.input.specs.Stack`,
  with docker's messages, plus the file, line and key path of every error;
* :func:`convert_stack`: a validated mapping -> :class:`~swarmsim.input.specs.Stack`;
* :func:`validate_for_daemon`: the checks the daemon applies when services are created.

Layer: input.  May import: :mod:`swarmsim.input` (the specs it produces) and
:mod:`swarmsim.foundation`.
"""

from __future__ import annotations

from typing import Any

from swarmsim.compose.loader import ComposeFile, load_stack, load_stack_text

__all__ = ["ComposeFile", "convert_stack", "load_stack", "load_stack_text", "validate_for_daemon"]


def __getattr__(name: str) -> Any:
    # The converter and the daemon checks import this package; load them on first use.
    if name == "convert_stack":
        from swarmsim.compose.convert import convert_stack

        return convert_stack
    if name == "validate_for_daemon":
        from swarmsim.compose.daemon import validate_for_daemon

        return validate_for_daemon
    raise AttributeError(f"module 'swarmsim.compose' has no attribute {name!r}")
