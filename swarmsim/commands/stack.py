"""``docker stack deploy | ls | ps | services | rm``."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from swarmsim.commands.context import Context
from swarmsim.commands.progress import Wait
from swarmsim.commands.resolve import client_resolve, digest_warning, registry_answers
from swarmsim.commands.tables import service_table, stack_table, task_table
from swarmsim.compose import load_stack
from swarmsim.compose.container import IMAGE_LABEL
from swarmsim.compose.gostr import quote
from swarmsim.foundation.errors import CommandError, InputError
from swarmsim.input.cmdline.parse import Parsed
from swarmsim.input.specs import Stack
from swarmsim.manager.controlapi.errors import CLI_NOT_MANAGER
from swarmsim.simulation.images import query_registry

DETACH_NOTICE = (
    "Since --detach=false was not specified, tasks will be created in the background.\n"
    "In a future release, --detach=false will become the default."
)
_RESOLVE = ("always", "changed", "never")


def check_stack_name(name: str) -> None:
    """docker's only check of a stack name: something left once quotes and whitespace
    are trimmed.

    Raises:
        CommandError: ``invalid stack name: "  "``.
    """
    if not name.strip(" \t\n\r\v\f\x85\xa0\"'"):
        raise CommandError(f"invalid stack name: {quote(name)}")


def stack_deploy(ctx: Context, p: Parsed) -> None:
    """``docker stack deploy -c FILE [-c FILE...] [--prune] STACK``.

    Compose files are read relative to the directory the CLI runs in (a shell
    session's), else to the scenario file's directory; docker's loader
    warnings go to stderr first, as docker prints them, also before an error found
    after them (an image reference, a service docker cannot convert).
    """
    name = p.args[0]
    check_stack_name(name)
    given = [f for f in p.values["compose-file"]]
    if not given:
        raise CommandError("specify a Compose file (with --compose-file)")
    if "-" in given:
        raise CommandError("swarmsim: reading a compose file from stdin is not simulated")
    scenario_path = ctx.sim.scenario.path
    base = ctx.cwd if ctx.cwd is not None else (
        scenario_path.parent if scenario_path is not None else Path.cwd())
    paths = [Path(f) if Path(f).is_absolute() else base / f for f in given]
    texts = None
    if ctx.read_file is not None:  # the CLI runs on a VM: its own files (os.ReadFile)
        found = [ctx.read_file(f) for f in given]
        for f, hit in zip(given, found, strict=True):
            if hit is None:
                raise CommandError(f"open {f}: no such file or directory")
        paths = [Path(hit[0]) for hit in found if hit is not None]
        texts = [hit[1] for hit in found if hit is not None]
    try:
        stack = load_stack(paths, name, env=ctx.sim.env_vars, display=given, texts=texts)
    except InputError as err:
        if err.warnings:  # printed before a failure that comes after them
            ctx.err.append(err.warnings)
        raise CommandError(err.message) from None
    for line in stack.log_warnings:
        ctx.eprint(line)
    if stack.warnings:
        ctx.err.append(stack.warnings)
    resolve = str(p.values["resolve-image"])
    if resolve not in _RESOLVE:
        raise CommandError(f"invalid option {resolve} for flag --resolve-image")
    if p.values["detach"] and "detach" not in p.changed:
        ctx.eprint(DETACH_NOTICE)
    ctx.api.check_daemon(ctx.machine)
    node = ctx.api.node_of(ctx.machine)
    if node is None or node.spec.role != "manager":
        raise CommandError(CLI_NOT_MANAGER)
    auth_from = ctx.machine if p.values["with-registry-auth"] else None
    before = {s.name: s.spec.image for s in ctx.sim.state.services.values()}
    stack = resolved_stack(ctx, stack, resolve, auth_from)
    lines = ctx.api.deploy_stack(stack, prune=p.values["prune"], auth_from=auth_from)
    ctx.out.extend(f"{line}\n" for line in lines)
    for warning in digest_warnings(ctx, lines, resolve, auth_from, before):
        ctx.eprint(warning)
    if not p.values["detach"]:  # --detach=false: wait on every service of the stack, by id
        services = sorted((s for s in ctx.sim.state.services.values()
                           if s.spec.stack == name and not s.spec.is_job), key=lambda s: s.name)
        ctx.waits.extend(Wait(s.name, s.id, quiet=bool(p.values["quiet"]), prefix_errors=True)
                         for s in services)


def resolved_stack(ctx: Context, stack: Stack, resolve: str, auth_from: str | None) -> Stack:
    """The stack's services with the platforms the client copies from each image's
    manifest when it queries the registry (:mod:`swarmsim.commands.resolve`); a private
    registry answers only a deploy that sends credentials for it."""
    services = []
    for spec in stack.services:
        old = ctx.sim.state.services.get(spec.name)
        label = dict(old.spec.labels).get(IMAGE_LABEL) if old is not None else None
        query = query_registry(resolve, spec.image, "" if old and label is None else label)
        services.append(client_resolve(ctx, spec, query=query, auth_from=auth_from)[0])
    return replace(stack, services=tuple(services))


def digest_warnings(ctx: Context, lines: list[str], resolve: str,
                    auth_from: str | None, before: dict[str, str]) -> list[str]:
    """Warnings ``docker stack deploy`` prints for the services it updated.

    With ``--resolve-image always`` (the default), and with ``changed`` when the image
    changed, the client asks the registry for the image's digest; a private registry
    refuses it unless the deploy sent credentials for it (``--with-registry-auth`` from
    a machine logged in there). Creations print no warning (docker ignores them), and
    swarmsim keeps the tag itself: registries have no content here to pin.
    """
    images = getattr(ctx.sim, "images", None)
    if images is None or resolve == "never":
        return []
    out = []
    for line in lines:
        if not line.startswith("Updating service "):
            continue
        svc = ctx.sim.state.services.get(line.split()[2])
        if svc is None:
            continue
        image = svc.spec.image
        if resolve == "changed" and before.get(svc.name) == image:
            continue
        if registry_answers(ctx, image, auth_from):
            continue
        out.append(digest_warning(image))  # printed with Fprintln: a blank line follows
    return out


def stack_ls(ctx: Context, p: Parsed) -> None:
    """``docker stack ls``: NAME, SERVICES."""
    ctx.api.check_manager(ctx.machine)
    ctx.out.append(stack_table(ctx.sim.state.services.values()))


def stack_ps(ctx: Context, p: Parsed) -> None:
    """``docker stack ps STACK``: every task of the stack's services, history included."""
    name = p.args[0]
    check_stack_name(name)
    ctx.api.check_manager(ctx.machine)
    tasks = [t for t in ctx.sim.state.tasks.values() if t.spec.stack == name]
    if not tasks:
        raise CommandError(f"nothing found in stack: {name}")
    ctx.out.append(task_table(
        ctx.sim.state, tasks, ctx.sim.now, trunc=not p.values["no-trunc"],
        quiet=p.values["quiet"], resolve=not p.values["no-resolve"],
    ))


def stack_services(ctx: Context, p: Parsed) -> None:
    """``docker stack services STACK``."""
    name = p.args[0]
    check_stack_name(name)
    ctx.api.check_manager(ctx.machine)
    services = [s for s in ctx.sim.state.services.values() if s.spec.stack == name]
    if not services:
        ctx.eprint(f"Nothing found in stack: {name}")
        return
    ctx.out.append(service_table(ctx.sim.state, services, quiet=p.values["quiet"]))


def stack_rm(ctx: Context, p: Parsed) -> None:
    """``docker stack rm STACK...``: services, secrets, configs, then networks."""
    for name in p.args:
        check_stack_name(name)
    ctx.api.check_manager(ctx.machine)
    for name in p.args:
        if not ctx.api.stack_exists(name):
            ctx.eprint(f"Nothing found in stack: {name}")
            continue
        ctx.out.extend(f"{line}\n" for line in ctx.api.remove_stack(name))
