"""Running one docker command line against a simulation."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from swarmsim.commands.context import Context
from swarmsim.commands.handlers import handler
from swarmsim.commands.progress import Wait
from swarmsim.foundation.errors import CommandError
from swarmsim.input.cmdline.parse import Parsed, parse, split, substitute_tokens
from swarmsim.manager import controlapi

if TYPE_CHECKING:
    from pathlib import Path

    from swarmsim.simulation.engine import Simulation

@dataclass(frozen=True, slots=True)
class CommandResult:
    """What a docker command printed and how it exited.

    Attributes:
        output: its stdout, exactly (every line ends with a newline).
        error: its stderr, exactly.
        exit_code: 0 on success, 1 for errors, 125 for flag errors.
        waits: services the command goes on waiting for (without ``--detach``); see
            :func:`swarmsim.commands.progress.follow` for what it prints meanwhile.
    """

    output: str
    error: str
    exit_code: int
    waits: tuple[Wait, ...] = ()


def control_api(sim: Simulation) -> controlapi.ControlAPI:
    """The simulation's control API (one per simulation: it remembers which machines
    left the swarm and which networks the stacks created)."""
    return sim.controlapi


def default_machine(sim: Simulation, api: controlapi.ControlAPI) -> str:
    """The machine commands run on by default: the leader, else the scenario's first
    manager (else its first machine)."""
    leader = getattr(getattr(sim, "quorum", None), "leader", None)
    if leader is not None and sim.has_leader:
        machine = api.machine_of(leader)
        if machine is not None:
            return machine
    nodes = sim.scenario.nodes
    for spec in nodes:
        if spec.role == "manager":
            return spec.name
    if not nodes:
        raise ValueError("the scenario has no machines to run docker commands on")
    return nodes[0].name


def checked_parse(words: list[str]) -> Parsed:
    """A docker command line read as the CLI reads it, refusing the flags swarmsim does
    not simulate.

    Raises:
        CommandError: docker's parse errors, or ``swarmsim: flag --X of '...' is not
            simulated``.
    """
    parsed = parse(words)
    command = parsed.command
    for flag in command.flags:
        if flag.name in parsed.changed and not flag.supported:
            raise CommandError(f"swarmsim: flag --{flag.name} of '{command.path}' is not "
                               "simulated")
    return parsed


def run_command(sim: Simulation, line: str, *, on: str | None = None,
                read_file: Callable[[str], tuple[str, str] | None] | None = None,
                cwd: Path | None = None) -> CommandResult:
    """Run a docker command line as docker would on machine ``on``.

    ``$(docker swarm join-token -q worker)`` (or ``manager``) is replaced by the
    current token first.  Changes take effect in the simulation at ``sim.now``.

    Args:
        sim: the simulation.
        line: e.g. ``docker service scale web=3``.
        on: the machine's hostname (default: the leader, else the scenario's first
            manager).
        read_file: reads the machine's own files (a VM's) instead of this process's
            disk: a path as typed -> (absolute path, content), or None.
        cwd: the directory the CLI runs in (a shell session's), where the files it
            reads by a relative path are; None: see :class:`Context`.

    Returns:
        stdout, stderr and the exit status, exactly as docker prints them.

    Raises:
        ValueError: ``on`` is not a machine of the scenario.
    """
    api = control_api(sim)
    machine = on if on is not None else default_machine(sim, api)
    if machine not in sim.machines:
        raise ValueError(f"no machine named {machine!r} in the scenario")
    ctx = Context(sim, api, machine, read_file=read_file, cwd=cwd)
    code = 0
    try:
        parsed = checked_parse(split(substitute_tokens(line, sim.join_tokens)))
        ctx.out.extend(f"{notice}\n" for notice in parsed.notices)
        command = parsed.command
        handler(command.group, command.name)(ctx, parsed)
    except CommandError as err:
        ctx.out.extend(f"{text}\n" for text in err.output)
        if err.message:
            ctx.err.append(err.message + "\n")
        code = err.exit_code
    return CommandResult("".join(ctx.out), "".join(ctx.err), code, tuple(ctx.waits))
