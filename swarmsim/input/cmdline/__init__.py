"""The docker command line, read as the docker CLI reads it: its catalog of commands
and flags (:mod:`.catalog`), its usage and help texts (:mod:`.usage`) and its parser
(:mod:`.parse`).  Syntax only: what a command does is :mod:`swarmsim.commands`.

Owns the syntax check of a command line in a scenario's timeline (:func:`check_command`).
May import: :mod:`swarmsim.foundation` and :mod:`swarmsim.compose.gostr` (Go's string
forms).
"""

from __future__ import annotations

import re

from swarmsim.foundation.errors import CommandError
from swarmsim.input.cmdline.parse import parse, split, substitute_tokens

__all__ = ["CURL_URL", "check_command"]

#: ``curl http://HOST[:PORT][/PATH]``, the request a timeline step may send
CURL_URL = re.compile(r"^curl\s+(?:https?://)?([^/:\s]+)(?::(\d+))?(/\S*)?\s*$")


def check_command(line: str) -> str | None:
    """Problems with a command line that no swarm state can fix (syntax, unknown
    commands or flags, flags swarmsim does not simulate): docker's message folded onto
    one line, or None when the line is a valid command."""
    if line.split(None, 1)[:1] == ["curl"]:  # a request through the routing mesh
        return None if CURL_URL.match(line) else "curl: (3) URL using bad/illegal format or " \
            "missing URL (a timeline's curl takes one http://ADDRESS[:PORT]/ URL)"
    try:
        parsed = parse(split(substitute_tokens(line, ("SWMTKN-1-x-y", "SWMTKN-1-x-z"))))
    except CommandError as err:
        if err.exit_code == 0:
            return None  # help
        return " ".join(part.strip() for part in err.message.splitlines() if part.strip())
    command = parsed.command
    for flag in command.flags:
        if flag.name in parsed.changed and not flag.supported:
            return f"swarmsim: flag --{flag.name} of '{command.path}' is not simulated"
    return None
