"""What the daemon rejects when ``docker stack deploy`` creates or updates a service.

The CLI accepts these specs; the engine refuses them at service creation, after the
stack's networks, secrets and configs already exist.  Two layers answer, in this order:

* the engine's API conversion (moby ``daemon/cluster/convert``): restart condition,
  update/rollback failure action and order, endpoint mode; plain messages;
* SwarmKit's control API (``manager/controlapi``): gRPC errors the CLI shows as
  ``rpc error: code = InvalidArgument desc = ...`` (constraint syntax errors are not
  wrapped in a status, so they show as ``code = Unknown``).

The CLI prints ``failed to create service <name>: Error response from daemon: <msg>``
(``failed to update`` for a service that already exists).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from swarmsim.compose.gostr import format_float, quote
from swarmsim.foundation.errors import InputError
from swarmsim.input.constraint import parse_constraints
from swarmsim.input.specs import Resources, ServiceSpec, Stack

Keys = tuple[str | int, ...]
_INVALID = "rpc error: code = InvalidArgument desc = "
_UNKNOWN = "rpc error: code = Unknown desc = "
_UNIMPLEMENTED = "rpc error: code = Unimplemented desc = "
_DNS_NAME = re.compile(r"[a-zA-Z0-9](?:[-_]*[A-Za-z0-9]+)*\Z")
_MIN_NANO_CPUS = 1_000_000  # 0.001 CPU
_MIN_MEMORY = 4 * 1024 * 1024
_MIN_HEALTH_S = 0.001  # SwarmKit's minimumDuration, 1ms


def validate_for_daemon(stack: Stack, *, existing: Sequence[ServiceSpec] = ()) -> None:
    """Check every service of ``stack`` as the daemon would when the deploy creates it.

    Services are created in stack order, so a published port taken by an earlier
    service of the same stack conflicts too.  A service whose name is already in
    ``existing`` is an update: it is not compared with itself, its ports are only
    re-checked if they changed, and its mode may not change.

    Args:
        stack: the converted stack.
        existing: the services already in the swarm (any stack).

    Raises:
        InputError: ``failed to create service <name>: Error response from daemon:
            <message>`` with ``keys`` pointing into the service's compose entry.
    """
    store: dict[str, ServiceSpec] = {spec.name: spec for spec in existing}
    for spec in stack.services:
        old = store.get(spec.name)
        # read only if ``spec`` publishes a port; ``store`` does not change until it returns
        others = (s for name, s in store.items() if name != spec.name)
        problem = daemon_error(spec, others, old)
        if problem is not None:
            message, keys = problem
            verb = "update" if old is not None else "create"
            raise InputError(
                f"failed to {verb} service {spec.name}: Error response from daemon: {message}",
                keys=("services", spec.short_name, *keys),
            )
        store[spec.name] = spec


def daemon_error(
    spec: ServiceSpec, others: Iterable[ServiceSpec] = (), old: ServiceSpec | None = None
) -> tuple[str, Keys] | None:
    """The daemon's first objection to ``spec``, or ``None``.

    Args:
        spec: the service as the CLI sends it.
        others: the other services in the swarm (for published-port conflicts).
        old: the current spec when this is an update of an existing service.

    Returns:
        ``(message, keys)``: the daemon's message (with the gRPC prefix where the CLI
        shows one) and the key path under ``services.<name>`` it is about.
    """
    for check in (_engine_error, _spec_error):
        problem = check(spec)
        if problem is not None:
            return problem
    if "ingress" in spec.networks:
        message = 'Service cannot be explicitly attached to the ingress network "ingress"'
        return _INVALID + message, ("networks",)
    if old is None or (old.ports, old.endpoint_mode) != (spec.ports, spec.endpoint_mode):
        problem = _port_conflict(spec, others)
        if problem is not None:
            return problem
    if old is not None and old.mode != spec.mode:
        return _UNIMPLEMENTED + "service mode change is not allowed", ("deploy", "mode")
    return None


def _engine_error(spec: ServiceSpec) -> tuple[str, Keys] | None:
    """moby's API-to-SwarmKit conversion, which runs first."""
    if spec.restart.condition not in ("none", "on-failure", "any"):
        keys = ("deploy", "restart_policy", "condition")
        return f"invalid RestartCondition: {quote(spec.restart.condition)}", keys
    for key, cfg in (("update_config", spec.update), ("rollback_config", spec.rollback)):
        if cfg.failure_action not in ("pause", "continue", "rollback"):
            message = f"unrecognized update failure action {cfg.failure_action}"
            return message, ("deploy", key, "failure_action")
        if cfg.order not in ("stop-first", "start-first"):
            return f"unrecognized update order {cfg.order}", ("deploy", key, "order")
    if spec.endpoint_mode not in ("vip", "dnsrr"):
        return f"invalid resolution mode: {quote(spec.endpoint_mode)}", ("deploy", "endpoint_mode")
    return None


def _spec_error(spec: ServiceSpec) -> tuple[str, Keys] | None:
    """SwarmKit's ``validateServiceSpec``, in its order."""
    problem = _name_error(spec.name) or _task_error(spec) or _update_error(spec)
    if problem is not None:
        return problem
    seen: set[tuple[str, int]] = set()
    for port in spec.ports:
        if spec.endpoint_mode == "dnsrr" and port.mode == "ingress":
            message = "EndpointSpec: port published with ingress mode can't be used with dnsrr mode"
            return _INVALID + message, ("ports",)
        if port.published == 0:
            continue
        if (port.protocol, port.published) in seen:
            return _INVALID + "EndpointSpec: duplicate published ports provided", ("ports",)
        seen.add((port.protocol, port.published))
    return None


def _name_error(name: str) -> tuple[str, Keys] | None:
    if not _DNS_NAME.match(name):
        return _INVALID + "name must be valid as a DNS name component", ()
    if len(name) > 63:
        return _INVALID + "name must be 63 characters or fewer", ()
    return None


def _task_error(spec: ServiceSpec) -> tuple[str, Keys] | None:
    for key, res in (
        ("limits", spec.resources.limits),
        ("reservations", spec.resources.reservations),
    ):
        problem = _resources_error(res)
        if problem is not None:
            message, field = problem
            return _INVALID + message, ("deploy", "resources", key, field)
    for value, what in ((spec.restart.delay_s, "delay"), (spec.restart.window_s, "window")):
        if value < 0:
            message = f"TaskSpec: restart-{what} cannot be negative"
            return _INVALID + message, ("deploy", "restart_policy", what)
    try:
        parse_constraints(list(spec.placement.constraints))
    except ValueError as err:
        return _UNKNOWN + str(err), ("deploy", "placement", "constraints")
    targets: set[str] = set()
    for mount in spec.mounts:
        if mount.target in targets:
            return _INVALID + f"ContainerSpec: duplicate mount point: {mount.target}", ("volumes",)
        targets.add(mount.target)
    hc = spec.healthcheck
    if hc is not None:
        for value, field, key in (
            (hc.interval_s, "Interval", "interval"),
            (hc.timeout_s, "Timeout", "timeout"),
            (hc.start_period_s, "StartPeriod", "start_period"),
            (hc.start_interval_s, "StartInterval", "start_interval"),
        ):
            if value != 0 and value < _MIN_HEALTH_S:
                message = f"ContainerSpec: {field} in HealthConfig cannot be less than 1ms"
                return _INVALID + message, ("healthcheck", key)
        if hc.retries < 0:
            message = "ContainerSpec: Retries in HealthConfig cannot be negative"
            return _INVALID + message, ("healthcheck", "retries")
    return None


def _resources_error(res: Resources) -> tuple[str, str] | None:
    if res.nano_cpus != 0 and res.nano_cpus < _MIN_NANO_CPUS:
        shown = format_float(res.nano_cpus / 1e9)
        return f"invalid cpu value {shown}: Must be at least 0.001", "cpus"
    if res.memory_bytes != 0 and res.memory_bytes < _MIN_MEMORY:
        return f"invalid memory value {res.memory_bytes}: Must be at least 4MiB", "memory"
    return None


def _update_error(spec: ServiceSpec) -> tuple[str, Keys] | None:
    if spec.is_job:
        if spec.update_config_given:
            return _INVALID + "Jobs may not have an update config", ("deploy", "update_config")
        return None
    cfg = spec.update
    for value, what in ((cfg.delay_s, "delay"), (cfg.monitor_s, "monitor")):
        if value < 0:
            message = f"TaskSpec: update-{what} cannot be negative"
            return _INVALID + message, ("deploy", "update_config", what)
    if not 0 <= cfg.max_failure_ratio <= 1:
        message = "TaskSpec: update-maxfailureratio cannot be less than 0 or bigger than 1"
        return _INVALID + message, ("deploy", "update_config", "max_failure_ratio")
    return None


def _port_conflict(spec: ServiceSpec, others: Iterable[ServiceSpec]) -> tuple[str, Keys] | None:
    """SwarmKit's ``checkPortConflicts`` (another service's id is shown as its name)."""
    ingress = {(p.protocol, p.published) for p in spec.ports if p.published and p.mode == "ingress"}
    host = {(p.protocol, p.published) for p in spec.ports if p.published and p.mode == "host"}
    if not ingress and not host:
        return None
    for other in others:
        for port in other.ports:
            key = (port.protocol, port.published)
            if not port.published:
                continue
            if port.mode == "host" and key in ingress:
                kind = "a host-published port"
            elif port.mode == "ingress" and (key in ingress or key in host):
                kind = "an ingress port"
            else:
                continue
            message = (
                f"port '{port.published}' is already in use by service '{other.name}' "
                f"({other.name}) as {kind}"
            )
            return _INVALID + message, ("ports",)
    return None
