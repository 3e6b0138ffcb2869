"""The laptop a shell session simulates, as the shell's commands see it.

:class:`~swarmsim.shell.session.Session` is the one implementation; the command modules
(``*_cmd.py``, :mod:`.hostcmds`, :mod:`.local_cmds`) take a :class:`Laptop`, so they do
not import the session that dispatches to them.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from swarmsim.cluster.hostfs import MachineFiles
    from swarmsim.commands.curl import Mesh
    from swarmsim.commands.views import SimView
    from swarmsim.shell.engine_local import Engines
    from swarmsim.shell.machines import Machine
    from swarmsim.shell.reply import Reply
    from swarmsim.shell.vmshell import VmShell
    from swarmsim.simulation.engine import Simulation


class Laptop(Protocol):
    """A simulated laptop with docker-machine VMs, its own directory and engine.

    Attributes:
        vms: the docker-machine VMs by name.
        active: the VM the docker CLI talks to (``eval $(docker-machine env NAME)``).
        mesh: the routing mesh (``curl``).
        ssh: the VM shell of an interactive ``docker-machine ssh NODE``.
        engines: the machines' own images and containers.
        ask: a terminal's prompt (text, hidden) -> what the user typed; None when lines
            come from a pipe.
        cwd: the session's working directory (``cd``): files the laptop's commands read
            by a relative path are found from here, not from the process's directory.
    """

    vms: dict[str, Machine]
    active: str | None
    mesh: Mesh | None
    ssh: VmShell | None
    engines: Engines
    ask: Callable[[str, bool], str] | None
    cwd: Path

    @property
    def sim(self) -> Simulation: ...

    @property
    def view(self) -> SimView: ...

    def names(self) -> list[str]: ...

    def advance(self, until: float) -> str: ...

    def settle(self) -> None: ...

    def catch_up(self) -> None: ...

    def docker(self, line: str, machine: str, stdin: str | None = None,
               read_file: Callable[[str], tuple[str, str] | None] | None = None) -> Reply: ...

    def vm(self, name: str) -> Machine: ...

    def vm_files(self, name: str) -> MachineFiles: ...

    def add_vm(self, name: str, cpus: int, memory_mb: int) -> Machine: ...

    def set_running(self, vm: Machine, running: bool) -> None: ...
