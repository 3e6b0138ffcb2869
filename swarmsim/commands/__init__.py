"""docker commands against a simulation: ``run_command(sim, "docker service ls")``.

The command line is read as the docker CLI reads it, answered as docker (CLI and
daemon) would answer on the given machine, and applied to the simulation through the
control API (:class:`~swarmsim.manager.controlapi.ControlAPI`).  Output, error text
and exit status are docker's, byte for byte where swarmsim models the behaviour.
``curl`` through the routing mesh (:mod:`~swarmsim.commands.curl`) reaches Docker's
get-started app, whose replies, visit counter and request log lines
:mod:`~swarmsim.commands.getstarted` models.

Layer: interfaces.  May import: the simulation (the control API), the model, the input
layer (the command line's syntax, :mod:`swarmsim.input.cmdline`) and the foundation.
"""

from __future__ import annotations

from swarmsim.commands.run import CommandResult, control_api, default_machine, run_command
from swarmsim.foundation.errors import CommandError
from swarmsim.input.cmdline import CURL_URL, check_command

__all__ = [
    "CURL_URL",
    "CommandError",
    "CommandResult",
    "check_command",
    "control_api",
    "default_machine",
    "run_command",
]
