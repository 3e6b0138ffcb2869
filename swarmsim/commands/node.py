"""``docker node ls | ps | update | promote | demote | rm``."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from swarmsim.cluster.tasks import Task
from swarmsim.commands.context import Context
from swarmsim.commands.tables import node_table, task_table
from swarmsim.foundation.errors import CommandError
from swarmsim.input.cmdline.parse import Parsed


def node_ls(ctx: Context, p: Parsed) -> None:
    """``docker node ls``."""
    ctx.api.check_manager(ctx.machine)
    nodes = ctx.sim.state.nodes.values()
    ctx.out.append(node_table(nodes, ctx.api.node_id(ctx.machine), quiet=p.values["quiet"]))


def node_ps(ctx: Context, p: Parsed) -> None:
    """``docker node ps [NODE...]`` (default: the node the command runs on)."""
    errors: list[str] = []
    tasks: list[Task] = []
    for ref in p.args or ("self",):
        try:
            ctx.api.check_manager(ctx.machine)
            if ref == "self":
                node_id = ctx.api.node_id(ctx.machine)
                assert node_id is not None  # a manager is in the swarm
            else:
                node_id = ctx.api.find_node(ref).id
        except CommandError as err:
            errors.append(err.message)
            continue
        tasks.extend(ctx.sim.state.tasks_on(node_id))
    if not errors or tasks:
        ctx.out.append(task_table(
            ctx.sim.state, tasks, ctx.sim.now, trunc=not p.values["no-trunc"],
            quiet=p.values["quiet"], resolve=not p.values["no-resolve"],
        ))
    if errors:
        raise CommandError("\n".join(errors))


def node_update(ctx: Context, p: Parsed) -> None:
    """``docker node update [--availability A] [--label-add k=v] [--label-rm k]
    [--role R] NODE``: prints the node as given."""
    ctx.api.check_manager(ctx.machine)
    ref = p.args[0]
    ctx.api.update_node(
        ref,
        availability=p.values["availability"] if "availability" in p.changed else None,
        label_add=tuple(p.values["label-add"]),
        label_rm=tuple(p.values["label-rm"]),
        role=p.values["role"] if "role" in p.changed else None,
    )
    ctx.print(ref)


def node_promote(ctx: Context, p: Parsed) -> None:
    """``docker node promote NODE...``."""
    _change_role(ctx, p.args, ctx.api.promote, "Node {ref} promoted to a manager in the swarm.",
                 "Node {id} is already a manager.")


def node_demote(ctx: Context, p: Parsed) -> None:
    """``docker node demote NODE...``."""
    _change_role(ctx, p.args, ctx.api.demote, "Manager {ref} demoted in the swarm.",
                 "Node {id} is already a worker.")


def _change_role(ctx: Context, refs: Sequence[str], change: Callable[[str], bool], done: str,
                 already: str) -> None:
    """Promote or demote each node in turn: ``done`` when its role changed, ``already``
    when it had the role (docker/cli's node promote/demote messages)."""
    ctx.api.check_manager(ctx.machine)
    for ref in refs:
        node = ctx.api.find_node(ref)
        if change(ref):
            ctx.print(done.format(ref=ref))
        else:
            ctx.print(already.format(id=node.id))


def node_rm(ctx: Context, p: Parsed) -> None:
    """``docker node rm [--force] NODE...``: prints each node removed, as given."""
    force = bool(p.values["force"])
    ctx.remove_each(p.args, lambda ref: ctx.api.remove_node(ref, force=force))
