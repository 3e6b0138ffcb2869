"""``docker service ls | ps | scale | update | rollback | rm``.

Commands that update a service print what docker prints at once (the service as
given, or ``x scaled to n``); without ``--detach`` (docker's default) they then wait for
the service to converge, which :mod:`swarmsim.commands.progress` follows.
"""

from __future__ import annotations

from dataclasses import replace

from swarmsim.cluster.state import ServiceRecord
from swarmsim.commands.context import Context
from swarmsim.commands.progress import Wait
from swarmsim.commands.resolve import client_resolve
from swarmsim.commands.tables import service_table, task_table
from swarmsim.compose.gostr import parse_int, quote
from swarmsim.foundation.errors import CommandError
from swarmsim.input.cmdline.parse import Parsed
from swarmsim.input.specs import Platform
from swarmsim.manager.controlapi import tagged_image
from swarmsim.manager.restart import service_tasks


def service_ls(ctx: Context, p: Parsed) -> None:
    """``docker service ls``."""
    ctx.api.check_manager(ctx.machine)
    services = ctx.sim.state.services.values()
    ctx.out.append(service_table(ctx.sim.state, services, quiet=p.values["quiet"]))


def service_ps(ctx: Context, p: Parsed) -> None:
    """``docker service ps SERVICE...``: the tasks of the services, history included."""
    ctx.api.check_manager(ctx.machine)
    services = sorted(ctx.sim.state.services.values(), key=lambda s: s.id)
    found: list[ServiceRecord] = []
    missing: list[str] = []
    for ref in p.args:
        match = [s for s in services if s.id == ref] or [s for s in services if s.name == ref]
        if not match:
            match = [s for s in services if s.id.startswith(ref)]
            if len(match) > 1:
                raise CommandError(f"multiple services found with provided prefix: {ref}")
        if match:
            found.append(match[0])
        else:
            missing.append(f"no such service: {ref}")
    if not found:
        raise CommandError("\n".join(missing))
    tasks = {t.id: t for svc in found for t in service_tasks(ctx.sim.state, svc)}
    quiet = p.values["quiet"]
    ctx.out.append(task_table(
        ctx.sim.state, tasks.values(), ctx.sim.now, trunc=not (p.values["no-trunc"] or quiet),
        quiet=quiet, resolve=not p.values["no-resolve"],
    ))
    if missing:
        raise CommandError("\n".join(missing))


def service_scale(ctx: Context, p: Parsed) -> None:
    """``docker service scale SERVICE=REPLICAS...``."""
    command = p.command
    for arg in p.args:
        name, eq, value = arg.partition("=")
        if not eq or not name or not value:
            raise CommandError(  # lower-case in docker 29 (cli/command/service/scale.go)
                f"invalid scale specifier '{arg}'.\nSee '{command.path} --help'.\n\n"
                f"Usage:  {command.use_line}\n\n{command.short}"
            )
    errors: list[str] = []
    for arg in p.args:
        name, _, value = arg.partition("=")
        replicas = _uint(value)
        if isinstance(replicas, str):
            errors.append(f"{name}: invalid replicas value {value}: {replicas}")
            continue
        try:
            ctx.api.check_manager(ctx.machine)
            svc = ctx.api.scale(name, replicas)
        except CommandError as err:
            errors.append(f"{name}: {err.message}")
            continue
        ctx.print(f"{name} scaled to {replicas}")
        if not p.values["detach"] and not svc.spec.is_job:
            ctx.waits.append(Wait(svc.name, name, prefix_errors=True))
    if errors:
        raise CommandError("\n".join(errors))


def _uint(text: str) -> int | str:
    """Go's ``strconv.ParseUint(text, 10, 64)``: the value, or the error text."""
    value, reason = parse_int(text, 10, unsigned=True)
    return value if value is not None else f"strconv.ParseUint: parsing {quote(text)}: {reason}"


def service_update(ctx: Context, p: Parsed) -> None:
    """``docker service update [--image I] [--replicas N] [--force] [--rollback] SERVICE``."""
    ctx.api.check_manager(ctx.machine)
    ref = p.args[0]
    image = p.values["image"] if "image" in p.changed else None
    platforms, warning = None, ""
    if image is not None and not p.values["no-resolve-image"]:
        platforms, warning = _resolve_update(ctx, ref, image)
    svc = ctx.api.update_service(
        ref,
        image=image,
        force=bool(p.values["force"]),
        replicas=p.values["replicas"] if "replicas" in p.changed else None,
        rollback=bool(p.values["rollback"]),
        platforms=platforms,
    )
    if warning:  # printed only once the update is accepted
        ctx.eprint(warning)
    ctx.print(ref)
    _wait(ctx, p, svc, ref)


def _resolve_update(ctx: Context, ref: str, image: str) -> tuple[tuple[Platform, ...] | None, str]:
    """The client's resolution for ``service update --image``: docker/cli
    cli/command/service/update.go sets QueryRegistry only when ``--image`` is given
    (whatever its value; not for ``--force`` alone) and not ``--no-resolve-image``.
    The spec it resolves is the service's current one with the new image, so an image
    the registry does not answer for keeps the old platforms (moby client
    service_update.go, resolveContainerSpecImage). No credentials are sent: the
    command's ``--with-registry-auth`` is not simulated.

    Returns:
        the platforms to set (None: keep the spec's), and the warning ("" for none).
    """
    try:
        svc = ctx.api.find_service(ref)
    except CommandError:
        return None, ""  # the update itself reports it
    spec = replace(svc.spec, image=tagged_image(image))
    resolved, warning = client_resolve(ctx, spec, query=True, auth_from=None)
    return (None if resolved is spec else resolved.placement.platforms), warning


def service_rollback(ctx: Context, p: Parsed) -> None:
    """``docker service rollback SERVICE``."""
    ctx.api.check_manager(ctx.machine)
    svc = ctx.api.rollback(p.args[0])
    ctx.print(p.args[0])
    _wait(ctx, p, svc, p.args[0])


def _wait(ctx: Context, p: Parsed, svc: ServiceRecord, ref: str) -> None:
    if not p.values["detach"]:
        ctx.waits.append(Wait(svc.name, ref, quiet=bool(p.values["quiet"])))


def service_rm(ctx: Context, p: Parsed) -> None:
    """``docker service rm SERVICE...``: prints each service removed, as given."""
    ctx.remove_each(p.args, ctx.api.remove_service)
