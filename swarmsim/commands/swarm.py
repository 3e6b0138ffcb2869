"""``docker swarm init | join | join-token | leave``."""

from __future__ import annotations

from swarmsim.commands.context import Context
from swarmsim.compose.gostr import quote
from swarmsim.foundation.errors import CommandError
from swarmsim.input.cmdline.parse import Parsed
from swarmsim.manager.controlapi.membership import SWARM_PORT


def _availability(p: Parsed) -> str | None:
    """``--availability``, checked as the CLI checks it (only when given)."""
    if "availability" not in p.changed:
        return None
    value = str(p.values["availability"])
    if value.lower() not in ("active", "pause", "drain"):
        raise CommandError(
            f"invalid availability {quote(value)}, only active, pause and drain are supported"
        )
    return value.lower()


def _join_command(ctx: Context, role: str, token: str, addr: str) -> None:
    ctx.print(f"To add a {role} to this swarm, run the following command:")
    ctx.print()
    ctx.print(f"    docker swarm join --token {token} {addr}")
    ctx.print()


def _manager_addr(ctx: Context) -> str:
    node = ctx.api.node_of(ctx.machine)
    addr = node.spec.addr if node is not None else ""
    return f"{addr or ctx.machine}:{SWARM_PORT}"


def swarm_init(ctx: Context, p: Parsed) -> None:
    """``docker swarm init``: prints the node id and the worker join command."""
    node = ctx.api.init(ctx.machine, availability=_availability(p))
    tokens = ctx.sim.join_tokens
    assert tokens is not None  # set by init
    ctx.print(f"Swarm initialized: current node ({node.id}) is now a manager.")
    ctx.print()
    _join_command(ctx, "worker", tokens[0], _manager_addr(ctx))
    ctx.print("To add a manager to this swarm, run 'docker swarm join-token manager' and "
              "follow the instructions.")


def swarm_join(ctx: Context, p: Parsed) -> None:
    """``docker swarm join --token T HOST:PORT``."""
    node = ctx.api.join(ctx.machine, str(p.values["token"] or ""), p.args[0],
                        availability=_availability(p))
    ctx.print(f"This node joined a swarm as a {node.spec.role}.")


def swarm_join_token(ctx: Context, p: Parsed) -> None:
    """``docker swarm join-token [-q] worker|manager``."""
    role = p.args[0]
    if role not in ("worker", "manager"):
        raise CommandError(f"unknown role {role}")
    ctx.api.check_manager(ctx.machine)
    tokens = ctx.sim.join_tokens
    assert tokens is not None  # a manager exists, so the swarm was initialised
    token = tokens[0] if role == "worker" else tokens[1]
    if p.values["quiet"]:
        ctx.print(token)
        return
    _join_command(ctx, role, token, _manager_addr(ctx))


def swarm_leave(ctx: Context, p: Parsed) -> None:
    """``docker swarm leave [--force]``."""
    ctx.api.leave(ctx.machine, force=bool(p.values["force"]))
    ctx.print("Node left the swarm.")
