"""docker commands against a simulation: ``run_command(sim, "docker service ls")``.

The command line is read as the docker CLI reads it, answered as docker (CLI and
daemon) would answer on the given machine, and applied to the simulation through the
control API (:class:`~swarmsim.manager.controlapi.ControlAPI`).  Output, error text
and exit status are docker's, byte for byte where swarmsim models the behaviour.
"""

from __future__ import annotations

import re

from swarmsim.commands.errors import CommandError
from swarmsim.commands.run import CommandResult, control_api, default_machine, run_command

#: ``curl http://HOST[:PORT][/PATH]``, the request a timeline step may send
CURL_URL = re.compile(r"^curl\s+(?:https?://)?([^/:\s]+)(?::(\d+))?(/\S*)?\s*$")

__all__ = [
    "CommandError",
    "CommandResult",
    "check_command",
    "control_api",
    "default_machine",
    "run_command",
]


def check_command(line: str) -> str | None:
    """Problems with a command line that no swarm state can fix (syntax, unknown
    commands or flags, flags swarmsim does not simulate): docker's message folded onto
    one line, or None when the line is a valid command."""
    from swarmsim.commands.parse import parse, split, substitute_tokens  # noqa: PLC0415

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
