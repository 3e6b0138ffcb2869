"""Compose files read exactly as ``docker stack deploy`` (docker/cli's own loader) reads them.

* :func:`load_stack` / :func:`load_stack_text`: files -> :class:`~swarmsim.input.specs.Stack`,
  with docker's messages, plus the file, line and key path of every error;
* :func:`convert_stack`: a validated mapping -> :class:`~swarmsim.input.specs.Stack`;
* :func:`validate_for_daemon`: the checks the daemon applies when services are created.

Layer: input.  May import: :mod:`swarmsim.input` (the specs it produces) and
:mod:`swarmsim.foundation`.
"""

from __future__ import annotations

from swarmsim.compose.convert import convert_stack
from swarmsim.compose.daemon import validate_for_daemon
from swarmsim.compose.loader import ComposeFile, load_stack, load_stack_text

__all__ = ["ComposeFile", "convert_stack", "load_stack", "load_stack_text", "validate_for_daemon"]
