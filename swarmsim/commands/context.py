"""The context a command runs in: the simulation, the machine, what it printed."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from swarmsim.commands.progress import Wait
from swarmsim.foundation.errors import CommandError
from swarmsim.input.cmdline.parse import Parsed

if TYPE_CHECKING:
    from swarmsim.manager.controlapi import ControlAPI
    from swarmsim.simulation.engine import Simulation


@dataclass
class Context:
    """One command being run: where, against what, and what it printed so far."""

    sim: Simulation
    api: ControlAPI
    machine: str
    out: list[str] = field(default_factory=list)
    err: list[str] = field(default_factory=list)
    waits: list[Wait] = field(default_factory=list)  # services the command then waits on
    #: the machine's own files, when they are not this process's disk (a VM's): a path
    #: as typed -> (its absolute path, its content), None when there is no such file
    read_file: Callable[[str], tuple[str, str] | None] | None = None
    #: the directory the CLI runs in (a shell session's own): the files it reads by a
    #: relative path are found from there; None: the scenario file's directory for
    #: compose files, else this process's directory
    cwd: Path | None = None

    def print(self, text: str = "") -> None:
        """A line on stdout."""
        self.out.append(text + "\n")

    def eprint(self, text: str = "") -> None:
        """A line on stderr."""
        self.err.append(text + "\n")

    def remove_each(self, refs: Sequence[str], remove: Callable[[str], object]) -> None:
        """``docker node rm``/``service rm``: remove each of ``refs`` in turn (on a
        manager), printing each one removed as given; the refusals, one a line, make one
        error after all were tried."""
        errors: list[str] = []
        for ref in refs:
            try:
                self.api.check_manager(self.machine)
                remove(ref)
            except CommandError as err:
                errors.append(err.message)
                continue
            self.print(ref)
        if errors:
            raise CommandError("\n".join(errors))


Handler = Callable[[Context, Parsed], None]
