"""The laptop's own commands in the shell (``cd``, ``curl``, ``docker ps``, ``eval
$(docker-machine env NAME)``) and the address rule of ``docker swarm init`` on a VM."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import TYPE_CHECKING

from swarmsim.commands import control_api
from swarmsim.commands.curl import CONNECT_MS, curl_failed
from swarmsim.commands.getstarted import NO_REDIS, app_page
from swarmsim.foundation.errors import CommandError
from swarmsim.shell.containers import container_table
from swarmsim.shell.reply import Reply
from swarmsim.shell.vmshell import interfaces

if TYPE_CHECKING:
    from swarmsim.shell import machines as dm
    from swarmsim.shell.laptop import Laptop

#: the laptop the shell runs on: a docker engine in no swarm, not a docker-machine VM
LOCAL = "localhost"
#: the laptop's one network interface (``eth0``): what ``docker swarm init`` advertises
LAPTOP_ADDR = "192.168.1.10"
_EVAL = re.compile(r'eval\s+"?\$\(\s*docker-machine\s+env\s+')
_URL = re.compile(r"^(?:https?://)?([^/:\s]+)(?::(\d+))?(/.*)?$")


def ps_command(session: Laptop, machine: str, words: list[str]) -> Reply:
    """``docker ps`` / ``docker container ls [-a] [-q] [--format F]``."""
    flags = [w for w in words[2:] if w.startswith("-")] if words[1] != "ps" else [
        w for w in words[1:] if w.startswith("-")]
    shorts = "".join(f[1:] for f in flags if not f.startswith("--"))
    quiet = "q" in shorts or "--quiet" in flags
    everything = "a" in shorts or "--all" in flags
    node = control_api(session.sim).node_of(machine)
    tasks = [] if node is None else list(session.sim.state.tasks_on(node.id))
    fmt = next((words[at + 1] for at, w in enumerate(words[:-1]) if w == "--format"),
               next((w.split("=", 1)[1] for w in words if w.startswith("--format=")), ""))
    try:
        return Reply(container_table(tasks, session.sim.now, quiet=quiet,
                                     everything=everything, fmt=fmt,
                                     standalone=session.engines.of(machine).containers))
    except CommandError as err:
        return Reply("", err.message + "\n", err.exit_code)


def curl_command(session: Laptop, args: list[str]) -> Reply:
    """``curl http://ADDRESS:PORT/``: a standalone container's page or the mesh's."""
    urls = [a for a in args if not a.startswith("-")]
    if len(urls) != 1:
        return Reply("", "curl: try 'curl --help' for more information\n", 2)
    m = _URL.match(urls[0])
    if not m:
        return Reply("", "curl: (3) URL using bad/illegal format or missing URL\n", 3)
    host, port = m.group(1), int(m.group(2) or 80)
    target = None
    for vm in session.vms.values():
        if not vm.removed and host in (vm.addr, vm.name):
            target = vm
    if host in ("localhost", "127.0.0.1", LAPTOP_ADDR):
        machine = LOCAL
    elif target is None:
        return Reply("", f"curl: (6) Could not resolve host: {host}\n", 6)
    elif not target.running:
        return Reply("", curl_failed(7, host, port, CONNECT_MS["unreachable"],
                                     "No route to host"), 7)
    else:
        machine = target.name
    assert session.mesh is not None
    own = session.engines.serving(machine, port)
    if own is not None:  # a standalone container publishing the port (docker run -p)

        session.mesh.logs.served(session.sim.now, own.id, "172.17.0.1")  # the bridge gateway
        return Reply(app_page(own.id[:12], NO_REDIS) + "\n")
    node = control_api(session.sim).node_of(machine)
    out, err, code = session.mesh.curl(node, host, port)
    return Reply(out, err, code)


def change_dir(session: Laptop, args: list[str]) -> Reply:
    """The laptop's ``cd [DIR]`` (home without DIR), with bash's messages: it moves the
    session's directory (bash's logical path: ``..`` drops the last name), never the
    process's, so sessions sharing a process keep their own."""
    if len(args) > 1:
        return Reply("", "bash: cd: too many arguments\n", 1)
    target = Path(os.path.normpath(session.cwd / Path(args[0]).expanduser())) if args else (
        Path.home())
    shown = args[0] if args else str(target)
    if not target.exists():
        return Reply("", f"bash: cd: {shown}: No such file or directory\n", 1)
    if not target.is_dir():
        return Reply("", f"bash: cd: {shown}: Not a directory\n", 1)
    if not os.access(target, os.X_OK):
        return Reply("", f"bash: cd: {shown}: Permission denied\n", 1)
    session.cwd = target
    return Reply()


def advertise_error(vm: dm.Machine, words: list[str]) -> str:
    """Why ``docker swarm init`` cannot choose the address to advertise on a VM: it has
    two interfaces with global addresses (virtualbox's NAT ``eth0`` and host-only
    ``eth1``; ``docker0`` is docker's own and skipped), so without ``--advertise-addr``
    the daemon refuses (moby daemon/cluster/listen_addr.go, errMultipleIPs)."""
    for at, word in enumerate(words):
        if word == "--advertise-addr" or word.startswith("--advertise-addr="):
            value = word.partition("=")[2] if "=" in word else (
                words[at + 1] if at + 1 < len(words) else "")
            host = value.rsplit(":", 1)[0] if value.count(":") == 1 else value
            names = [name for name, _, _ in interfaces(vm)]
            if host and host not in names and not is_ip(host):
                return ("advertise address must be a non-zero IP address or network "
                        "interface (with optional port number)")
            return ""
    (a_if, a_addr, _), (b_if, b_addr, _) = interfaces(vm)[:2]
    return ("could not choose an IP address to advertise since this system has multiple "
            f"addresses on different interfaces ({a_addr} on {a_if} and {b_addr} on {b_if})")


def is_ip(text: str) -> bool:
    from ipaddress import ip_address

    try:
        return not ip_address(text).is_unspecified
    except ValueError:
        return False


def eval_target(text: str) -> str | None:
    """NAME in ``eval $(docker-machine env NAME)`` (or ``eval "$(...)"``), else None.

    The end is found by stripping, not by a lazy pattern: ``(.*?)\\s*\\)`` backtracks
    over every run of spaces and took seconds on a long line."""
    m = _EVAL.match(text)
    if m is None:
        return None
    rest = text[m.end():].rstrip()
    if rest.endswith('"'):
        rest = rest[:-1]
    if not rest.endswith(")"):
        return None
    target = rest[:-1].rstrip()
    return target if "\n" not in target else None
