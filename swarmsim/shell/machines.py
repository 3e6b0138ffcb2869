"""docker-machine's side of the shell: the VMs a student creates, starts and stops.

A machine is a :class:`~swarmsim.input.specs.NodeSpec` in ``sim.machines`` (so docker
commands can run on it) plus its VM state here.  Texts are docker-machine's (the
virtualbox driver, as Docker's get-started tutorial uses it).
"""

from __future__ import annotations

from dataclasses import dataclass
from ipaddress import IPv4Address

from swarmsim.commands.tables import tabwrite
from swarmsim.foundation import defaults
from swarmsim.input.specs import NodeSpec

#: the simulated laptop user's home directory, in docker-machine's paths
HOME = "/home/student"

#: the Docker version in ``docker-machine ls``: the VM's engine, the one ``docker node ls``
#: and ``docker version`` show (docker-machine prints the server version with a ``v``)
MACHINE_DOCKER_VERSION = f"v{defaults.ENGINE_VERSION}"
DOCKER_PORT = 2376
VBOX_CPUS = 1  # the virtualbox driver's defaults
VBOX_MEMORY_MB = 1024


class MachineError(Exception):
    """docker-machine refused; ``message`` is its stderr text."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(slots=True)
class Machine:
    """One VM: its name, address and whether it runs."""

    name: str
    addr: str
    running: bool = True
    removed: bool = False

    @property
    def url(self) -> str:
        """The Docker endpoint docker-machine prints: ``tcp://<addr>:2376``."""
        return f"tcp://{self.addr}:{DOCKER_PORT}"


def create_lines(name: str) -> list[str]:
    """What ``docker-machine create --driver virtualbox NAME`` prints on success."""
    vm = f"({name})"
    return [
        "Running pre-create checks...",
        "Creating machine...",
        f"{vm} Copying {HOME}/.docker/machine/cache/boot2docker.iso to "
        f"{HOME}/.docker/machine/machines/{name}/boot2docker.iso...",
        f"{vm} Creating VirtualBox VM...",
        f"{vm} Creating SSH key...",
        f"{vm} Starting the VM...",
        f"{vm} Check network to re-create if needed...",
        f"{vm} Waiting for an IP...",
        "Waiting for machine to be running, this may take a few minutes...",
        "Detecting operating system of created instance...",
        "Waiting for SSH to be available...",
        "Detecting the provisioner...",
        "Provisioning with boot2docker...",
        "Copying certs to the local machine directory...",
        "Copying certs to the remote machine...",
        "Setting Docker configuration on the remote daemon...",
        "Checking connection to Docker...",
        "Docker is up and running!",
        "To see how to connect your Docker Client to the Docker Engine running on this "
        f"virtual machine, run: docker-machine env {name}",
    ]


def env_lines(machine: Machine) -> list[str]:
    """``docker-machine env NAME`` (bash)."""
    return [
        'export DOCKER_TLS_VERIFY="1"',
        f'export DOCKER_HOST="{machine.url}"',
        f'export DOCKER_CERT_PATH="{HOME}/.docker/machine/machines/{machine.name}"',
        f'export DOCKER_MACHINE_NAME="{machine.name}"',
        "# Run this command to configure your shell: ",
        f"# eval $(docker-machine env {machine.name})",
    ]


def unset_lines() -> list[str]:
    """``docker-machine env -u`` (bash)."""
    return [
        "unset DOCKER_TLS_VERIFY",
        "unset DOCKER_HOST",
        "unset DOCKER_CERT_PATH",
        "unset DOCKER_MACHINE_NAME",
        "# Run this command to configure your shell: ",
        "# eval $(docker-machine env -u)",
    ]


def ls_table(machines: list[Machine], active: str | None) -> str:
    """``docker-machine ls``: NAME ACTIVE DRIVER STATE URL SWARM DOCKER ERRORS."""
    rows = [["NAME", "ACTIVE", "DRIVER", "STATE", "URL", "SWARM", "DOCKER", "ERRORS"]]
    for m in sorted(machines, key=lambda m: m.name):
        if m.removed:
            continue
        rows.append([
            m.name,
            "*" if m.name == active and m.running else "-",
            "virtualbox",
            "Running" if m.running else "Stopped",
            m.url if m.running else "",
            "",
            MACHINE_DOCKER_VERSION if m.running else "Unknown",
            "",
        ])
    return tabwrite(rows, minwidth=5, padding=3)


def new_spec(name: str, node_id: str, addr: str, cpus: int, memory_mb: int) -> NodeSpec:
    """The node a new VM would bring to a swarm (not joined yet)."""
    return NodeSpec(name=name, id=node_id, nano_cpus=cpus * 1_000_000_000,
                    memory_bytes=memory_mb * 1024 * 1024, addr=addr)


def next_addr(taken: list[str]) -> str:
    """The next free address of virtualbox's host-only network (192.168.99.100 up)."""
    addr = IPv4Address(defaults.NODE_FIRST_ADDR)
    while str(addr) in taken:
        addr += 1
    return str(addr)


def parse_create(args: list[str]) -> tuple[str, int, int]:
    """``create [-d virtualbox] [--virtualbox-cpu-count N] [--virtualbox-memory MB] NAME``.

    Returns:
        (name, cpus, memory in MB).

    Raises:
        MachineError: docker-machine's usage errors.
    """
    cpus, memory = VBOX_CPUS, VBOX_MEMORY_MB
    names: list[str] = []
    i = 0
    while i < len(args):
        arg = args[i]
        key, eq, value = arg.partition("=")
        if key in ("-d", "--driver", "--virtualbox-cpu-count", "--virtualbox-memory"):
            if not eq:
                i += 1
                if i >= len(args):
                    raise MachineError(f"flag needs an argument: {key}")
                value = args[i]
            if key in ("-d", "--driver") and value != "virtualbox":
                raise MachineError(f"swarmsim: only the virtualbox driver is simulated, "
                                   f"not {value!r}")
            try:
                if key == "--virtualbox-cpu-count":
                    cpus = int(value)
                elif key == "--virtualbox-memory":
                    memory = int(value)
            except ValueError:
                raise MachineError(f'invalid value "{value}" for flag -{key}') from None
        elif arg.startswith("-"):
            raise MachineError(f"flag provided but not defined: {key}")
        else:
            names.append(arg)
        i += 1
    if len(names) != 1:
        raise MachineError("Error: No machine name specified")
    return names[0], max(cpus, 1), memory
