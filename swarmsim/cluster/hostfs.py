"""The files of machines whose disks the simulation models (docker-machine VMs made in
``swarmsim shell``): directories and small text files, per machine.

A machine with no entry is not modelled: every path on it exists (a scenario's machines
are assumed prepared).  On a modelled machine, a bind mount whose source directory is
missing fails where docker fails it: the container is not created, the task is
rejected with the daemon's text (moby ``daemon/volume/mounts/validate.go`` and
``linux_parser.go``: ``invalid mount config for type "bind": bind source path does not
exist: <path>``), and swarm retries it under its restart policy until the directory
exists.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from swarmsim.input.specs import ServiceSpec

#: the home directory of the ``docker`` user on a boot2docker VM
VM_HOME = "/home/docker"
#: the directories a fresh boot2docker VM has (the part a student meets)
VM_DIRS = ("/", "/bin", "/etc", "/home", VM_HOME, "/mnt", "/root", "/tmp", "/usr", "/var",
           "/var/lib", "/var/lib/boot2docker", "/var/lib/docker", "/var/run")
#: files a fresh VM has besides ``/etc/hostname``: the engine's socket (the visualizer's
#: bind mount)
VM_FILES = ("/var/run/docker.sock",)


def normalize(path: str, cwd: str = VM_HOME) -> str:
    """``path`` made absolute against ``cwd`` (``~`` is the home), without ``.``/``..``."""
    if path == "~" or path.startswith("~/"):
        path = VM_HOME + path[1:]
    return posixpath.normpath(posixpath.join(cwd, path)).replace("//", "/")


@dataclass
class MachineFiles:
    """One machine's directories and files (path -> content)."""

    dirs: set[str] = field(default_factory=lambda: set(VM_DIRS))
    files: dict[str, str] = field(default_factory=dict)
    strict: bool = True  # False: bind sources are assumed to exist (a scenario's machine)

    def exists(self, path: str) -> bool:
        """A directory or a file at the absolute ``path``."""
        return path in self.dirs or path in self.files


@dataclass
class HostFiles:
    """The modelled machines' files, by machine name."""

    machines: dict[str, MachineFiles] = field(default_factory=dict)

    def model(self, machine: str, *, strict: bool = True) -> MachineFiles:
        """Start modelling ``machine``'s disk (a fresh VM); returns its files. Not
        ``strict``: its files can be listed and changed, but bind mounts are not
        checked (a scenario's machine, prepared for its stacks)."""
        files = self.machines[machine] = MachineFiles(strict=strict)
        files.files["/etc/hostname"] = f"{machine}\n"
        files.files.update(dict.fromkeys(VM_FILES, ""))
        return files

    def bind_error(self, spec: ServiceSpec, machine: str) -> str | None:
        """Why a task of ``spec`` cannot create its container on ``machine``: a bind
        mount's source directory is missing there (None: nothing missing)."""
        files = self.machines.get(machine)
        if files is None or not files.strict:
            return None
        for mount in spec.mounts:
            if mount.type == "bind" and mount.source and not files.exists(mount.source):
                return ('invalid mount config for type "bind": bind source path does not '
                        f"exist: {mount.source}")
        return None
