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


def piped_session(script: str) -> Session:
    """A fresh session with a pipe's clock, after ``script``'s lines."""
    from swarmsim.shell.clock import clock_for

    s = Session.start(clock=clock_for(tty=False))
    pipe(s, script)
    return s


def run_line(session: Session, line: str) -> tuple[str, str, int]:
    """One line: stdout, stderr, exit status."""
    reply = session.execute(line)
    return reply.output, reply.error, reply.exit_code
