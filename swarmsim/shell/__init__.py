"""``swarmsim shell``: an interactive docker (and docker-machine) prompt on a simulation.

:class:`~swarmsim.shell.session.Session` runs one line at a time and returns what a
terminal would show; :mod:`swarmsim.shell.repl` reads lines from a terminal (history,
tab completion) or a pipe.

Layer: interfaces.  May import: :mod:`swarmsim.app` (a run), the docker command
interpreter and everything below.
"""

from __future__ import annotations

from swarmsim.shell.reply import Reply
from swarmsim.shell.session import Session

__all__ = ["Reply", "Session"]
