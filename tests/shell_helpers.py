"""Driving ``swarmsim shell`` sessions in tests as a pipe would."""

from __future__ import annotations

import io

from swarmsim.shell import Session
from swarmsim.shell.repl import run_lines


def pipe(session: Session, script: str) -> tuple[str, str]:
    """Run the lines of ``script``; what they printed on stdout and stderr."""
    out, err = io.StringIO(), io.StringIO()
    run_lines(session, script.splitlines(), out, err)
    return out.getvalue(), err.getvalue()
