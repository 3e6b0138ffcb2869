"""docker commands against a simulation: ``run_command(sim, "docker service ls")``.

The command line is read as the docker CLI reads it, answered as docker (CLI and
daemon) would answer on the given machine, and applied to the simulation through the
control API (:class:`~swarmsim.manager.controlapi.ControlAPI`).  Output, error text
and exit status are docker's, byte for byte where swarmsim models the behaviour.
"""

from __future__ import annotations

from swarmsim.commands.errors import CommandError
from swarmsim.commands.run import CommandResult, control_api, default_machine, run_command

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
