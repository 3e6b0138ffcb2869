"""``docker service inspect`` and ``docker node inspect``: ``--pretty``, the JSON
(:mod:`swarmsim.commands.objects`' shapes) and ``--format`` templates.

The text follows docker/cli's templates (``cli/command/service/formatter.go``,
``serviceInspectPrettyTemplate``; ``cli/command/node/formatter.go``,
``nodeInspectPrettyTemplate``) with their tabs, which a terminal expands to 8-column
stops: docker writes these templates without a tabwriter.  Simulated time is shown as
wall time from :data:`swarmsim.foundation.defaults.SIM_EPOCH`.  Not modelled: image digests, the
node's TLS info (swarmsim has no certificates), a service's healthcheck block.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from swarmsim.commands import objects
from swarmsim.commands.context import Context
from swarmsim.commands.gotemplate import TemplateError, compile_template
from swarmsim.commands.views import view_of
from swarmsim.foundation import defaults
from swarmsim.foundation.errors import CommandError
from swarmsim.foundation.text import human_duration
from swarmsim.foundation.units import format_bytes, format_cpus, format_duration
from swarmsim.input.cmdline.parse import Parsed

if TYPE_CHECKING:
    from swarmsim.cluster.state import NodeRecord, ServiceRecord
    from swarmsim.input.specs import UpdateConfig

#: the plugins a docker 29 engine lists (``docker info``/``node inspect``)
PLUGINS = (
    ("Log", "awslogs, fluentd, gcplogs, gelf, journald, json-file, local, splunk, syslog"),
    ("Network", "bridge, host, ipvlan, macvlan, null, overlay"),
    ("Volume", "local"),
)


def wall(seconds: float) -> datetime:
    """The wall time of a simulated instant."""
    return datetime.fromisoformat(defaults.SIM_EPOCH) + timedelta(seconds=seconds)


def go_time(seconds: float) -> str:
    """Go's ``time.Time.String()`` of a simulated instant, as ``PrettyPrint`` shows it
    (``2026-01-01 00:00:03.05 +0000 utc``: lower-cased after the first letter)."""
    t = wall(seconds).astimezone(UTC)
    frac = f"{t.microsecond:06d}".rstrip("0")
    return t.strftime("%Y-%m-%d %H:%M:%S") + (f".{frac}" if frac else "") + " +0000 utc"


def _ago(now: float, then: float) -> str:
    return f"{human_duration(now - then)} ago"


def _update_block(title: str, order_label: str, cfg: UpdateConfig) -> list[str]:
    lines = [f"{title}:", f" Parallelism:\t{cfg.parallelism}"]
    if cfg.delay_s > 0:
        lines.append(f" Delay:\t\t{format_duration(cfg.delay_s)}")
    lines.append(f" On failure:\t{cfg.failure_action}")
    if cfg.monitor_s > 0:
        lines.append(f" Monitoring Period: {format_duration(cfg.monitor_s)}")
    ratio = f"{cfg.max_failure_ratio:g}"
    lines += [f" Max failure ratio: {ratio}", f" {order_label}{cfg.order}"]
    return lines


def service_pretty(svc: ServiceRecord, now: float, networks: dict[str, str] | None = None
                   ) -> str:
    """``docker service inspect --pretty SERVICE`` for one service."""
    spec = svc.spec
    out = ["", f"ID:\t\t{svc.id}", f"Name:\t\t{spec.name}"]
    if spec.labels:
        out.append("Labels:")
        out += [f" {k}={v}" if v else f" {k}" for k, v in sorted(spec.labels)]
    if spec.mode in ("global", "global-job"):
        out.append("Service Mode:\tGlobal")
    else:
        out += ["Service Mode:\tReplicated", f" Replicas:\t{spec.replicas}"]
    if svc.update_state:
        out += ["UpdateStatus:", f" State:\t\t{svc.update_state}",
                f" Started:\t{_ago(now, svc.updated)}"]
        if svc.update_state == "completed":
            out.append(f" Completed:\t{_ago(now, svc.updated)}")
        out.append(f" Message:\t{svc.update_message}")
    out.append("Placement:")
    if spec.placement.constraints:
        out.append(f" Constraints:\t[{' '.join(spec.placement.constraints)}]")
    if spec.placement.preferences:
        prefs = " ".join(f"spread={p}" for p in spec.placement.preferences)
        out.append(f" Preferences:   [{prefs}]")
    if spec.placement.max_replicas:
        out.append(f" Max Replicas Per Node:   {spec.placement.max_replicas}")
    created = not spec.stack  # `docker service create` always sends both configs
    if created or spec.update_config_given:
        out += _update_block("UpdateConfig", "Update order:      ", spec.update)
    if created:
        out += _update_block("RollbackConfig", "Rollback order:    ", spec.rollback)
    out += ["ContainerSpec:", f" Image:\t\t{spec.image}"]
    text = "\n".join(out)
    if spec.command:
        text += "\n Args:\t\t" + "".join(f"{a} " for a in spec.command)
    if spec.env:
        text += "\n Env:\t\t" + "".join(f"{e} " for e in spec.env)
    if spec.mounts:
        text += "\nMounts:"
    for m in spec.mounts:
        text += (f"\n Target:\t{m.target}\n  Source:\t{m.source}\n  ReadOnly:\t"
                 f"{str(m.read_only).lower()}\n  Type:\t\t{m.type}")
    res = spec.resources
    text += "\nResources:"
    if res.reservations.nano_cpus or res.reservations.memory_bytes:
        text += "\n Reservations:"
        if res.reservations.nano_cpus:
            text += f"\n  CPU:\t\t{format_cpus(res.reservations.nano_cpus)}"
        if res.reservations.memory_bytes:
            text += f"\n  Memory:\t{format_bytes(res.reservations.memory_bytes)}"
    if res.limits.nano_cpus or res.limits.memory_bytes or res.pids_limit:
        text += "\n Limits:"
        if res.limits.nano_cpus:
            text += f"\n  CPU:\t\t{format_cpus(res.limits.nano_cpus)}"
        if res.limits.memory_bytes:
            text += f"\n  Memory:\t{format_bytes(res.limits.memory_bytes)}"
    if res.pids_limit:
        text += f"\n  PIDs:\t\t{res.pids_limit}"
    if spec.networks:
        names = networks or {}
        text += "\nNetworks:" + "".join(f" {names.get(n, n)}" for n in spec.networks) + " "
    text += f"\nEndpoint Mode:\t{spec.endpoint_mode}"
    if spec.ports:
        text += "\nPorts:"
        for p in spec.ports:
            text += (f"\n PublishedPort = {p.published}\n  Protocol = {p.protocol}\n"
                     f"  TargetPort = {p.target}\n  PublishMode = {p.mode}")
        text += " "
    return text + "\n"


def node_pretty(node: NodeRecord, created: float, leader: bool) -> str:
    """``docker node inspect --pretty NODE`` for one node."""
    spec = node.spec
    lines = [f"ID:\t\t\t{node.id}"]
    if spec.labels:
        lines.append("Labels:")
        lines += [f" - {k}={v}" if v else f" - {k}" for k, v in sorted(spec.labels)]
    lines += [f"Hostname:              \t{spec.name}",
              f"Joined at:             \t{go_time(created)}",
              "Status:", f" State:\t\t\t{spec.status.capitalize()}"]
    if node.status_message:
        lines.append(f" Message:              \t{node.status_message.capitalize()}")
    lines.append(f" Availability:         \t{spec.availability.capitalize()}")
    if spec.addr:
        lines.append(f" Address:\t\t{spec.addr}")
    if spec.role == "manager":
        reach = {"Unreachable": "Unreachable"}.get(node.manager_status, "Reachable")
        lines += ["Manager Status:", f" Address:\t\t{spec.addr}:2377",
                  f" Raft Status:\t\t{reach}", f" Leader:\t\t{'Yes' if leader else 'No'}"]
    lines += ["Platform:", f" Operating System:\t{spec.platform.os}",
              f" Architecture:\t\t{spec.platform.arch}", "Resources:",
              f" CPUs:\t\t\t{spec.nano_cpus // 1_000_000_000}",
              f" Memory:\t\t{format_bytes(spec.memory_bytes)}", "Plugins:"]
    lines += [f" {kind}:\t\t{names}" for kind, names in PLUGINS]
    lines.append(f"Engine Version:\t\t{defaults.ENGINE_VERSION}")
    if spec.engine_labels:
        lines.append("Engine Labels:")
        lines += [f" - {k}={v}" if v else f" - {k}" for k, v in sorted(spec.engine_labels)]
    return "\n".join(lines) + "\n"


def render(items: list[dict[str, Any]], fmt: str) -> str:
    """What docker's inspector prints for these objects (cli/command/inspect/
    inspector.go): an indented JSON list (``[]`` for none), a compact one for
    ``--format json``, else each object through the template, one line each (a blank
    line when nothing printed).

    Raises:
        TemplateError: the template does not parse (``parse``) or fails on an object.
    """
    if not fmt:
        return json.dumps(items, indent=4, ensure_ascii=False) + "\n" if items else "[]\n"
    if fmt == "json":
        return json.dumps(items, separators=(",", ":"), ensure_ascii=False) + "\n"
    template = compile_template(fmt)
    out = "".join(template(item) + "\n" for item in items)
    return out or "\n"


def _write(ctx: Context, items: list[dict[str, Any]], fmt: str) -> None:
    try:
        ctx.out.append(render(items, fmt))
    except TemplateError as err:
        if not err.parse:
            ctx.out.append("\n")
        raise CommandError(f"template parsing error: {err}",
                           exit_code=64 if err.parse else 1) from None


def _format(p: Parsed) -> str:
    fmt = str(p.values["format"] or "")
    if p.values["pretty"]:
        if fmt:
            raise CommandError("--format is incompatible with human friendly format")
        return "pretty"
    if fmt.startswith("pretty") and fmt != "pretty":
        raise CommandError("cannot supply extra formatting options to the pretty template")
    return fmt


def service_inspect(ctx: Context, p: Parsed) -> None:
    """``docker service inspect [--pretty] SERVICE...``."""
    ctx.api.check_manager(ctx.machine)
    fmt = _format(p)
    pretty = fmt == "pretty"
    found: list[ServiceRecord] = []
    missing: list[str] = []
    for ref in p.args:
        try:
            found.append(ctx.api.find_service(ref))
        except CommandError:
            missing.append(ref)
    if pretty:
        ctx.out.append("\n".join(service_pretty(s, ctx.sim.now) for s in found))
    else:  # service inspect's raw format (cli/command/service/formatter.go)
        view = view_of(ctx.sim)
        _write(ctx, [objects.service(view, s) for s in found], fmt)
    if missing:  # cli/command/service/inspect.go
        raise CommandError("\n".join(f"no such service: {m}" for m in missing))


def node_inspect(ctx: Context, p: Parsed) -> None:
    """``docker node inspect [--pretty] self|NODE...``."""
    ctx.api.check_manager(ctx.machine)
    fmt = _format(p)
    pretty = fmt == "pretty"
    texts: list[str] = []
    docs: list[dict[str, Any]] = []
    for ref in p.args:
        node = ctx.api.node_of(ctx.machine) if ref == "self" else ctx.api.find_node(ref)
        assert node is not None
        leader = node.manager_status == "Leader"
        texts.append(node_pretty(node, _joined(ctx, node), leader))
        docs.append(objects.node(view_of(ctx.sim), node))
    if pretty:
        ctx.out.append("\n".join(texts))
    else:
        _write(ctx, docs, fmt)


def _joined(ctx: Context, node: NodeRecord) -> float:
    """When the node joined: its first ``ready`` record in the event log."""
    for ev in ctx.sim.events:
        if getattr(ev, "node", None) == node.spec.name and getattr(ev, "status", "") == "ready":
            return float(ev.time)
    return 0.0
