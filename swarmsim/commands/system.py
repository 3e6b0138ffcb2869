"""``docker version`` and ``docker info`` of a simulated engine.

``docker version`` follows docker/cli ``cli/command/system/version.go`` (its template
through a tabwriter of minimum width 20); the versions, commits and build dates are
those of docker CLI v29.7.2 and moby docker-v29.7.2 (API 1.55, minimum 1.40).  The
server lists only its Engine component (containerd, runc and docker-init are not
modelled).

``docker info`` follows ``cli/command/system/info.go`` (``prettyPrintInfo``): its
Swarm section is the simulation's (node id, manager or not, cluster id, managers,
nodes, the node and manager addresses, swarmkit's defaults); the host lines describe
a boot2docker-like VM of the machine's size.
"""

from __future__ import annotations

import hashlib

from swarmsim.commands.context import Context
from swarmsim.commands.inspect import PLUGINS
from swarmsim.foundation import defaults
from swarmsim.foundation.errors import CommandError
from swarmsim.foundation.units import format_bytes
from swarmsim.input.cmdline.parse import Parsed

API_VERSION = "1.55"
MIN_API_VERSION = "1.40"
GO_VERSION = "go1.26.5"
CLI_COMMIT = "a7dcaa6"
ENGINE_COMMIT = "6a43e3d"
BUILT = "Wed Aug  5 18:24:27 2026"  # time.ANSIC of the release, UTC


def _tabbed(lines: list[str], minwidth: int = 20, padding: int = 1) -> str:
    """Go's tabwriter on ``label\\tvalue`` lines (cells padded to ``minwidth``); a line
    without a tab ends a column block, as in text/tabwriter."""
    out: list[str] = []
    block: list[list[str]] = []

    def flush() -> None:
        width = max([minwidth, *(len(c[0]) + padding for c in block)])
        out.extend(c[0].ljust(width) + c[1] for c in block)
        block.clear()

    for line in lines:
        if "\t" in line:
            block.append(line.split("\t", 1))
            continue
        flush()
        out.append(line)
    flush()
    return "\n".join(out) + "\n"


def docker_version(ctx: Context, p: Parsed) -> None:
    """``docker version``."""
    lines = [
        "Client:", f" Version:\t{defaults.ENGINE_VERSION}", f" API version:\t{API_VERSION}",
        f" Go version:\t{GO_VERSION}", f" Git commit:\t{CLI_COMMIT}", f" Built:\t{BUILT}",
        " OS/Arch:\tlinux/amd64", " Context:\tdefault", "",
        "Server:", " Engine:", f"  Version:\t{defaults.ENGINE_VERSION}",
        f"  API version:\t{API_VERSION} (minimum version {MIN_API_VERSION})",
        f"  Go version:\t{GO_VERSION}", f"  Git commit:\t{ENGINE_COMMIT}",
        f"  Built:\t{BUILT}", "  OS/Arch:\tlinux/amd64", "  Experimental:\tfalse",
    ]
    ctx.out.append(_tabbed(lines))


def _cluster_id(ctx: Context) -> str:
    tokens = ctx.sim.join_tokens or ("", "")
    digest = hashlib.sha256(f"cluster:{tokens[0]}".encode()).digest()
    alphabet = "0123456789abcdefghijklmnopqrstuvwxyz"
    n = int.from_bytes(digest, "big")
    return "".join(alphabet[(n >> (5 * i)) % 36] for i in range(25))


def docker_info(ctx: Context, p: Parsed) -> None:
    """``docker info`` on the machine the CLI talks to."""
    spec = ctx.sim.machines[ctx.machine]
    node = ctx.api.node_of(ctx.machine)
    tasks = list(ctx.sim.state.tasks_on(node.id)) if node is not None else []
    running = sum(1 for t in tasks if t.actual)
    lines = ["Client:", " Version:    " + defaults.ENGINE_VERSION, " Context:    default",
             " Debug Mode: false", "", "Server:",
             f" Containers: {running}", f"  Running: {running}", "  Paused: 0",
             "  Stopped: 0", f" Images: {len({t.spec.image for t in tasks})}",
             f" Server Version: {defaults.ENGINE_VERSION}", " Storage Driver: overlay2",
             " Logging Driver: json-file", " Cgroup Driver: cgroupfs", " Cgroup Version: 2",
             " Plugins:", "  Volume: local",
             "  Network: " + dict(PLUGINS)["Network"].replace(",", ""),
             "  Log: " + dict(PLUGINS)["Log"].replace(",", "")]
    if node is None or not node.spec.joined:
        lines.append(" Swarm: inactive")
    else:
        manager = node.spec.role == "manager"
        nodes = [n for n in ctx.sim.state.nodes.values()]
        managers = [n for n in nodes if n.spec.role == "manager"]
        lines += [" Swarm: active", f"  NodeID: {node.id}", f"  Is Manager: {str(manager).lower()}"]
        if manager:
            lines += [f"  ClusterID: {_cluster_id(ctx)}", f"  Managers: {len(managers)}",
                      f"  Nodes: {len(nodes)}", "  Default Address Pool: 10.0.0.0/8  ",
                      "  SubnetSize: 24", "  Data Path Port: 4789", "  Orchestration:",
                      "   Task History Retention Limit: 5", "  Raft:",
                      "   Snapshot Interval: 10000", "   Number of Old Snapshots to Retain: 0",
                      "   Heartbeat Tick: 1", "   Election Tick: 10", "  Dispatcher:",
                      "   Heartbeat Period: 5 seconds", "  CA Configuration:",
                      "   Expiry Duration: 3 months", "   Force Rotate: 0",
                      "  Autolock Managers: false", "  Root Rotation In Progress: false"]
        lines.append(f"  Node Address: {node.spec.addr}")
        lines.append("  Manager Addresses:")
        lines += sorted(f"   {m.spec.addr}:2377" for m in managers)
    lines += [" Runtimes: io.containerd.runc.v2 runc", " Default Runtime: runc",
              " Init Binary: docker-init",
              f" Operating System: {'Boot2Docker' if ctx.machine != 'localhost' else 'Linux'}",
              f" OSType: {spec.platform.os}", f" Architecture: {_arch(spec.platform.arch)}",
              f" CPUs: {spec.nano_cpus // 1_000_000_000}",
              f" Total Memory: {format_bytes(spec.memory_bytes)}", f" Name: {spec.name}",
              " Docker Root Dir: /var/lib/docker", " Debug Mode: false",
              " Experimental: false", " Insecure Registries:", "  ::1/128", "  127.0.0.0/8",
              " Live Restore Enabled: false", ""]
    ctx.out.append("\n".join(lines) + "\n")


def _arch(arch: str) -> str:
    """The kernel's name of an architecture (``docker info`` shows ``uname -m``)."""
    return {"amd64": "x86_64", "arm64": "aarch64"}.get(arch, arch)


def docker_logs(ctx: Context, p: Parsed) -> None:
    """``docker logs CONTAINER`` outside the shell: a timeline has no containers to
    name (``swarmsim shell`` answers it for the get-started app)."""
    raise CommandError("swarmsim: docker logs is simulated in `swarmsim shell` only")
