"""``docker service create [OPTIONS] IMAGE [COMMAND] [ARG...]``.

The flags become the service spec docker/cli builds (``cli/command/service/opts.go``):
they are written as the equivalent compose service and converted as ``docker stack
deploy`` converts one, so ports, mounts, resources, restart and update settings read
exactly as in a compose file; the result carries no stack labels or stack network.
The daemon's checks are the stack deploy's (published-port conflicts, bad mounts ...).
As docker 29 does, the command prints the new service's id, then (without
``--detach``) follows the service until it converges.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from swarmsim.commands.context import Context
from swarmsim.commands.progress import Wait
from swarmsim.commands.resolve import client_resolve
from swarmsim.compose.convert import convert_stack
from swarmsim.compose.daemon import daemon_error
from swarmsim.foundation.errors import CommandError, InputError
from swarmsim.input.cmdline.parse import Parsed
from swarmsim.manager.controlapi import tagged_image
from swarmsim.manager.controlapi.errors import DAEMON
from swarmsim.simulation.images import registry_of

#: docker's names generator draws "<adjective>_<surname>"; a few of its words
_LEFT = ("admiring", "brave", "clever", "eager", "focused", "gifted", "happy", "jolly",
         "keen", "loving", "nifty", "quirky", "sharp", "upbeat", "vibrant", "zealous")
_RIGHT = ("bell", "curie", "darwin", "euler", "hopper", "kepler", "lovelace", "newton",
          "noether", "pascal", "ritchie", "shannon", "tesla", "turing", "wozniak", "yalow")
_MOUNT_KEYS = {"src": "source", "source": "source", "dst": "target", "destination": "target",
               "target": "target", "type": "type"}


def _pairs(text: str) -> dict[str, str]:
    """``k=v,k=v`` (a bare ``k`` is ``k=true``)."""
    out = {}
    for part in text.split(","):
        key, eq, value = part.partition("=")
        out[key.strip().lower()] = value if eq else "true"
    return out


def _port(text: str) -> Any:
    if "=" not in text:
        return text
    given = _pairs(text)
    port: dict[str, Any] = {}
    for key in ("published", "target"):
        if key in given:
            try:
                port[key] = int(given[key])
            except ValueError:
                raise CommandError(f'invalid argument "{text}" for "-p, --publish" flag: '
                                   f"invalid {key} port: {given[key]}") from None
    for key in ("mode", "protocol"):
        if key in given:
            port[key] = given[key]
    return port


def _mount(text: str) -> dict[str, Any]:
    given = _pairs(text)
    vol: dict[str, Any] = {"type": given.get("type", "volume")}
    for key, value in given.items():
        if key in _MOUNT_KEYS:
            vol[_MOUNT_KEYS[key]] = value
        elif key in ("readonly", "ro"):
            vol["read_only"] = value.lower() in ("1", "true")
        else:
            raise CommandError(f'invalid argument "{text}" for "--mount" flag: unexpected key '
                               f"'{key}' in '{key}={given[key]}'")
    if "target" not in vol:
        raise CommandError(f'invalid argument "{text}" for "--mount" flag: target is required')
    return vol


def compose_service(p: Parsed) -> dict[str, Any]:
    """The compose service equivalent to the command's flags and arguments."""
    v, given = p.values, p.changed
    deploy: dict[str, Any] = {}
    svc: dict[str, Any] = {"image": p.args[0], "deploy": deploy}
    if len(p.args) > 1:
        svc["command"] = list(p.args[1:])
    if "mode" in given:
        deploy["mode"] = v["mode"]
    if "replicas" in given:
        deploy["replicas"] = v["replicas"]
    if v["publish"]:
        svc["ports"] = [_port(x) for x in v["publish"]]
    if v["mount"]:
        svc["volumes"] = [_mount(x) for x in v["mount"]]
    if v["env"]:
        svc["environment"] = list(v["env"])
    if v["label"]:
        deploy["labels"] = list(v["label"])
    placement: dict[str, Any] = {}
    if v["constraint"]:
        placement["constraints"] = list(v["constraint"])
    if v["placement-pref"]:
        prefs = []
        for pref in v["placement-pref"]:
            kind, _, value = pref.partition("=")
            if kind != "spread":
                raise CommandError(f'invalid argument "{pref}" for "--placement-pref" flag: '
                                   f"unsupported placement preference {kind} (only spread is "
                                   "supported)")
            prefs.append({"spread": value})
        placement["preferences"] = prefs
    if placement:
        deploy["placement"] = placement
    resources: dict[str, Any] = {}
    for kind, prefix in (("limits", "limit"), ("reservations", "reserve")):
        part = {key: v[f"{prefix}-{flag}"] for key, flag in (("cpus", "cpu"), ("memory", "memory"))
                if f"{prefix}-{flag}" in given}
        if part:
            resources[kind] = part
    if resources:
        deploy["resources"] = resources
    restart = {key: v[f"restart-{flag}"] for key, flag in (
        ("condition", "condition"), ("max_attempts", "max-attempts"), ("delay", "delay"))
        if f"restart-{flag}" in given}
    if restart:
        deploy["restart_policy"] = restart
    deploy["update_config"] = {key: v[f"update-{flag}"] for key, flag in (
        ("parallelism", "parallelism"), ("delay", "delay"),
        ("failure_action", "failure-action"), ("order", "order")) if f"update-{flag}" in given}
    return svc


def generated_name(seed: str) -> str:
    """A name as docker's names generator makes them, drawn from ``seed`` (an id)."""
    n = int(seed[:8], 36)
    return f"{_LEFT[n % len(_LEFT)]}_{_RIGHT[n // len(_LEFT) % len(_RIGHT)]}"


def _name(ctx: Context, p: Parsed) -> str:
    if "name" in p.changed:
        return str(p.values["name"])
    return generated_name(ctx.sim.ids.new_id())


def service_create(ctx: Context, p: Parsed) -> None:
    """``docker service create``: prints the id; without ``-d`` waits for convergence."""
    ctx.api.check_manager(ctx.machine)
    name = _name(ctx, p)
    config = {"version": "3.9", "services": {name: compose_service(p)}}
    try:
        stack = convert_stack(config, "x", base_dir=ctx.cwd or Path.cwd(), env={})
    except InputError as err:
        raise CommandError(err.message.removeprefix(f"service {name}: ")) from None
    spec = stack.services[0]
    for net in p.values["network"]:
        if net not in ctx.api.networks and net != "ingress":
            raise CommandError(f"{DAEMON}network {net} not found")
    spec = replace(
        spec, name=name, stack="", short_name=name, image=tagged_image(spec.image),
        labels=tuple(kv for kv in spec.labels if not kv[0].startswith("com.docker.stack.")),
        container_labels=(), networks=tuple(p.values["network"]), update_config_given=True,
    )
    existing = [s.spec for s in ctx.sim.state.services.values()]
    if name in {s.name for s in existing}:
        raise CommandError(f"{DAEMON}rpc error: code = AlreadyExists desc = name conflicts "
                           f"with an existing object: service {name} already exists")
    problem = daemon_error(spec, existing)
    if problem is not None:
        raise CommandError(f"{DAEMON}{problem[0]}")
    if p.values["with-registry-auth"]:
        images = ctx.sim.images

        spec = replace(spec, registry_auth=bool(images.has_login(ctx.machine,
                                                                  registry_of(spec.image))))
    # docker/cli cli/command/service/create.go: QueryRegistry unless --no-resolve-image,
    # with the credentials only --with-registry-auth sends
    spec, warning = client_resolve(
        ctx, spec, query=not p.values["no-resolve-image"],
        auth_from=ctx.machine if p.values["with-registry-auth"] else None)
    spec, dynamic = ctx.api._allocate(spec, None)  # ports published as 0: SwarmKit picks
    svc = ctx.sim.state.create_service(spec)
    ctx.api.ports.keep(spec.name, dynamic)
    if warning:
        ctx.eprint(warning)
    ctx.print(svc.id)
    if not p.values["detach"]:
        ctx.waits.append(Wait(svc.name, svc.id, quiet=bool(p.values["quiet"])))
