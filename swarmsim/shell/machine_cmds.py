"""``docker-machine create | ls | env | ssh | stop | start | rm`` in the shell."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from swarmsim.cluster.hostfs import normalize
from swarmsim.shell import machines as dm
from swarmsim.shell.reply import Reply
from swarmsim.shell.vmshell import VmShell

if TYPE_CHECKING:
    from swarmsim.shell.laptop import Laptop

_USAGE = "Usage: docker-machine [OPTIONS] COMMAND [arg...]"


def _text(lines: list[str]) -> str:
    return "".join(f"{line}\n" for line in lines)


def machine_command(session: Laptop, args: list[str]) -> Reply:
    """One ``docker-machine`` command line (without the program name).

    Raises:
        MachineError: docker-machine's error text.
    """
    if not args:
        return Reply("", _USAGE + "\n", 1)
    cmd, rest = args[0], args[1:]
    names = [a for a in rest if not a.startswith("-")]
    if cmd == "create":
        name, cpus, memory = dm.parse_create(rest)
        session.add_vm(name, cpus, memory)
        return Reply(_text(dm.create_lines(name)))
    if cmd == "ls":
        if "-q" in rest or "--quiet" in rest:
            return Reply(_text(session.names()))
        return Reply(dm.ls_table(list(session.vms.values()), session.active))
    if cmd == "env":
        if "-u" in rest or "--unset" in rest:
            return Reply(_text(dm.unset_lines()))
        vm = session.vm(_one(names))
        if not vm.running:
            raise dm.MachineError("Error checking TLS connection: Host is not running")
        return Reply(_text(dm.env_lines(vm)))
    if cmd == "ip":
        return Reply(session.vm(_one(names)).addr + "\n")
    if cmd == "ssh":
        if not rest:
            raise dm.MachineError("Error: No machine name(s) specified and no \"default\" "
                                  "machine exists.")
        vm = session.vm(rest[0])
        if not vm.running:
            raise dm.MachineError(f'Error: Cannot run SSH command: Host "{vm.name}" is not '
                                  "running")
        shell = VmShell(session, vm.name)
        line = " ".join(rest[1:]).strip()
        if not line:  # an interactive login: the lines that follow run on the VM
            session.ssh = shell
            return Reply()
        reply = shell.run(line)
        return replace(reply, done=False)
    if cmd in ("stop", "start", "rm"):
        return _lifecycle(session, cmd, rest, names)
    if cmd == "restart":
        out = []
        for name in names or [""]:
            vm = session.vm(name)
            if vm.running:
                session.set_running(vm, False)
            session.set_running(vm, True)
            out += [f'Restarting "{name}"...', f"({name}) Check network to re-create if "
                    "needed...", f"({name}) Waiting for an IP...",
                    "Waiting for SSH to be available...", "Detecting the provisioner...",
                    "Restarted machines may have new IP addresses. You may need to re-run the "
                    "`docker-machine env` command."]
        return Reply(_text(out))
    if cmd == "active":
        active = session.vms.get(session.active or "")
        if active is None or not active.running:
            raise dm.MachineError("No active host found")
        return Reply(active.name + "\n")
    if cmd == "scp":
        return _scp(session, [a for a in rest if a not in ("-r", "--recursive", "-q")])
    raise dm.MachineError(f"docker-machine: '{cmd}' is not a docker-machine command.\n"
                          "See 'docker-machine --help'.")


def _scp(session: Laptop, args: list[str]) -> Reply:
    """``docker-machine scp SRC DST``: ``NAME:PATH`` on a VM, else a laptop file."""
    from pathlib import Path

    if len(args) != 2:
        raise dm.MachineError("Error: Expected two arguments: SOURCE and DESTINATION")
    (src_vm, src), (dst_vm, dst) = (_place(a) for a in args)
    if dst_vm is None:
        raise dm.MachineError("swarmsim: copying to the laptop is not simulated")
    if src_vm is None:
        local = session.cwd / src  # the laptop's file, from the session's directory
        if not local.is_file():
            raise dm.MachineError(f"{src}: No such file or directory\nexit status 1")
        content = local.read_text(errors="replace")
    else:
        files = session.vm_files(session.vm(src_vm).name)
        path = normalize(src or ".")
        if path not in files.files:
            raise dm.MachineError(f"scp: {src}: No such file or directory\nexit status 1")
        content = files.files[path]
    target = session.vm_files(session.vm(dst_vm).name)
    path = normalize(dst or ".")
    if path in target.dirs:
        path = path.rstrip("/") + "/" + Path(src).name
    target.files[path] = content
    return Reply()


def _place(arg: str) -> tuple[str | None, str]:
    """``myvm1:~/x`` -> (``myvm1``, ``~/x``); ``x`` -> (None, ``x``)."""
    name, colon, path = arg.partition(":")
    return (name, path) if colon and "/" not in name else (None, arg)


def _one(names: list[str]) -> str:
    if len(names) != 1:
        raise dm.MachineError("Error: Expected one machine name as an argument")
    return names[0]


def _lifecycle(session: Laptop, cmd: str, rest: list[str], names: list[str]) -> Reply:
    if not names:
        raise dm.MachineError('Error: No machine name(s) specified and no "default" machine '
                              "exists.")
    out: list[str] = []
    for name in names:
        vm = session.vm(name)
        if cmd == "stop":
            if not vm.running:
                out.append(f'Stopping "{name}"...')
                raise dm.MachineError(_text(out) + f'Machine "{name}" is already stopped.')
            session.set_running(vm, False)
            out += [f'Stopping "{name}"...', f'Machine "{name}" was stopped.']
        elif cmd == "start":
            if vm.running:
                out.append(f'Starting "{name}"...')
                raise dm.MachineError(_text(out) + f'Machine "{name}" is already running.')
            session.set_running(vm, True)
            out += [f'Starting "{name}"...',
                    f"({name}) Check network to re-create if needed...",
                    f"({name}) Waiting for an IP...",
                    f'Machine "{name}" was started.', "Waiting for SSH to be available...",
                    "Detecting the provisioner...",
                    "Started machines may have new IP addresses. You may need to re-run the "
                    "`docker-machine env` command."]
        else:
            if not ({"-y", "-f", "--force"} & set(rest)):
                out += [f"About to remove {name}",
                        "WARNING: This action will delete both local reference and remote "
                        "instance.",
                        "Are you sure? (y/n): y"]
            session.set_running(vm, False)
            vm.removed = True
            if session.active == name:
                session.active = None
            out.append(f"Successfully removed {name}")
    return Reply(_text(out))
