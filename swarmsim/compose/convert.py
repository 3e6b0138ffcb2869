"""Compose file -> the swarm objects ``docker stack deploy`` would create.

:func:`convert_stack` follows docker/cli's ``convert`` package (``Services``,
``Networks``, ``Volumes``) and fills in what the daemon fills when a field is left
unset (restart delay 5s, update parallelism 1 and monitor 5s, endpoint mode vip, ...),
so the resulting :class:`~swarmsim.input.specs.ServiceSpec` is what ``docker service
inspect`` would show.  :func:`decode_check` (from :mod:`swarmsim.compose.decode`) is the
stage before it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from swarmsim.compose import container, fileobjects
from swarmsim.compose import decode as decoding
from swarmsim.compose import ports as port_syntax
from swarmsim.compose import volumes as vol_syntax
from swarmsim.compose.decode import section, to_uint
from swarmsim.compose.xswarmsim import parse_sim_params
from swarmsim.foundation import defaults, units
from swarmsim.foundation.errors import InputError
from swarmsim.foundation.limits import over
from swarmsim.input.specs import (
    Healthcheck,
    NetworkSpec,
    Placement,
    ResourceRequirements,
    Resources,
    RestartPolicy,
    ServiceSpec,
    Stack,
    UpdateConfig,
    VolumeSpec,
)

if TYPE_CHECKING:
    from swarmsim.compose.yamlv3 import LineMap

__all__ = ["convert_stack", "decode_check"]


def decode_check(config: Mapping[str, Any], lines: LineMap | None = None) -> None:
    """Raise the error docker's typed decode gives for a schema-valid compose mapping.

    Examples: ``decoding failed due to the following error(s):\\n\\n'Deploy.Replicas'
    cannot parse value as 'uint64': -1 overflows uint``, ``'Ports' invalid type float64
    for port``, ``invalid mount config for type "bind": field Source must not be
    empty``, ``conflicting parameters "external" and "driver" specified for volume "v"``.

    Args:
        config: the interpolated, schema-validated compose mapping.
        lines: where each key is in the file, to put a line number on the error.

    Raises:
        InputError: docker's exact text; ``keys`` is the path to the offending value.
    """
    try:
        decoding.check(config)
    except InputError as err:
        raise _locate(err, lines) from None


def convert_stack(
    config: Mapping[str, Any],
    stack: str,
    *,
    base_dir: Path,
    env: Mapping[str, str],
    lines: LineMap | None = None,
) -> Stack:
    """Convert a schema-valid compose mapping into the stack docker would deploy.

    Runs :func:`decode_check` first, so it is safe on its own.

    Args:
        config: the interpolated, schema-validated compose mapping.
        stack: the stack name (``docker stack deploy -c FILE STACK``).
        base_dir: the compose file's directory (relative bind sources, ``env_file``).
        env: the CLI's environment (``~`` in bind sources, ``KEY`` without a value).
        lines: where each key is in the file, to put a line number on errors.

    Returns:
        The stack with services in file order; ``warnings`` and ``source`` are left
        for the loader, ``log_warnings`` holds docker's logrus lines.

    Raises:
        InputError: the first error docker would print, e.g. ``service web: undefined
            network "front"`` or ``service web: unknown mode: replicate``.
    """
    try:
        decoding.check(config)
        return _convert(config, stack, base_dir, env)
    except InputError as err:
        raise _locate(err, lines) from None


def _convert(
    config: Mapping[str, Any], stack: str, base_dir: Path, env: Mapping[str, str]
) -> Stack:
    services = section(config, "services")
    warnings: list[str] = []
    decoded: dict[str, tuple[Any, ...]] = {}
    for name, svc in services.items():  # the loader's per-service decode, in docker's order
        ports = port_syntax.convert_ports(svc.get("ports") or (), warnings)
        try:
            environment = container.environment(
                svc.get("env_file"), svc.get("environment"), base_dir, env
            )
        except container.EnvFileError as err:
            raise InputError(str(err), keys=("services", name, "env_file", err.index)) from None
        vols = [
            vol_syntax.resolve_bind(_volume(item), base_dir, env, warnings)
            for item in svc.get("volumes") or ()
        ]
        decoded[name] = (ports, environment, vols)
    networks, volumes = decoding.top_level(config, warnings)
    # docker/cli stack deploy reads the secrets' then the configs' files before it
    # converts the services (cli/command/stack/deploy_composefile.go)
    secrets = fileobjects.created(stack, config, "secret", base_dir)
    configs = fileobjects.created(stack, config, "config", base_dir)
    specs = [
        _service(stack, name, svc, decoded[name], config, networks, volumes)
        for name, svc in services.items()
    ]
    specs = [  # swarmsim's own keys, once docker itself would have accepted the file
        replace(
            spec, sim=parse_sim_params(services[spec.short_name]["x-swarmsim"], spec.short_name)
        )
        if "x-swarmsim" in services[spec.short_name]
        else spec
        for spec in specs
    ]
    return Stack(
        name=stack,
        services=tuple(specs),
        networks=_stack_networks(stack, services, networks),
        volumes=_stack_volumes(stack, decoded, volumes),
        secrets=secrets,
        configs=configs,
        external_refs=fileobjects.external_refs(config),
        log_warnings=tuple(warnings),
    )


def _service(
    stack: str,
    name: str,
    svc: Mapping[str, Any],
    decoded: tuple[Any, ...],
    config: Mapping[str, Any],
    networks: Mapping[str, Mapping[str, Any]],
    volumes: Mapping[str, vol_syntax.TopVolume],
) -> ServiceSpec:
    """One service, checked in docker/cli's order: secrets, configs, mode, mounts,
    resources, restart policy, healthcheck, networks."""
    ports, environment, vols = decoded
    deploy = svc.get("deploy") or {}
    for kind in ("secret", "config"):
        declared = section(config, kind + "s")
        refs: list[tuple[object, tuple[str | int, ...]]] = [
            (ref.get("source") if isinstance(ref, Mapping) else ref, (kind + "s", index))
            for index, ref in enumerate(svc.get(kind + "s") or ())
        ]
        if kind == "config" and (svc.get("credential_spec") or {}).get("config"):
            refs.append((svc["credential_spec"]["config"], ("credential_spec", "config")))
        for source, keys in refs:
            if source not in declared:
                raise _fail(name, f'undefined {kind} "{source or ""}"', *keys)
    mode = str(deploy.get("mode") or "")
    replicas_raw = deploy.get("replicas")
    if mode in ("global", "global-job"):
        if replicas_raw is not None:
            message = "replicas can only be used with replicated or replicated-job mode"
            raise _fail(name, message, "deploy", "replicas")
        replicas = 0
    elif mode in ("", "replicated", "replicated-job"):
        mode = mode or "replicated"
        replicas = 1 if replicas_raw is None else to_uint(replicas_raw)
        problem = over("REPLICAS", replicas, "replicas")
        if problem:
            raise _fail(name, problem, "deploy", "replicas")
    else:
        raise _fail(name, f"unknown mode: {mode}", "deploy", "mode")
    mounts = []
    for index, vol in enumerate(vols):
        try:
            mounts.append(vol_syntax.to_mount(vol, stack, volumes))
        except ValueError as err:
            raise _fail(name, str(err), "volumes", index) from None
    resources = _resources(name, deploy.get("resources") or {})
    restart = _restart(name, deploy.get("restart_policy"), svc.get("restart"))
    healthcheck = _healthcheck(name, svc.get("healthcheck"))
    image = str(svc.get("image") or "")
    return ServiceSpec(
        name=f"{stack}_{name}",
        image=image,
        stack=stack,
        short_name=name,
        mode=mode,
        replicas=replicas,
        command=container.command(svc.get("command")),
        entrypoint=container.command(svc.get("entrypoint")),
        env=environment,
        labels=container.labels(deploy.get("labels"), stack, image=image),
        container_labels=container.labels(svc.get("labels"), stack),
        resources=resources,
        placement=_placement(deploy.get("placement") or {}),
        restart=restart,
        update=_update(deploy.get("update_config")),
        rollback=_update(deploy.get("rollback_config")),
        update_config_given=deploy.get("update_config") is not None,
        endpoint_mode=str(deploy.get("endpoint_mode") or defaults.ENDPOINT_MODE).lower(),
        ports=ports,
        networks=_service_networks(stack, name, svc, networks),
        mounts=tuple(mounts),
        healthcheck=healthcheck,
        stop_grace_period_s=_seconds(svc.get("stop_grace_period"), defaults.STOP_GRACE_PERIOD_S),
        hostname=str(svc.get("hostname") or ""),
    )


def _resources(name: str, res: Mapping[str, Any]) -> ResourceRequirements:
    def part(key: str) -> Resources:
        part_cfg = res.get(key) or {}
        try:
            cpus = units.parse_cpus(str(part_cfg.get("cpus") or ""))
        except ValueError as err:
            raise _fail(name, str(err), "deploy", "resources", key, "cpus") from None
        memory = part_cfg.get("memory") or 0
        generic = []
        for item in part_cfg.get("generic_resources") or ():
            spec = (item or {}).get("discrete_resource_spec")
            if spec:
                generic.append((str(spec.get("kind") or ""), int(spec.get("value") or 0)))
        return Resources(
            cpus,
            units.parse_bytes(memory) if isinstance(memory, str) else int(memory),
            tuple(generic),
        )

    limits = res.get("limits") or {}
    return ResourceRequirements(part("limits"), part("reservations"), int(limits.get("pids") or 0))


def _placement(placement: Mapping[str, Any]) -> Placement:
    return Placement(
        constraints=tuple(str(c) for c in placement.get("constraints") or ()),
        preferences=tuple(
            str((p or {}).get("spread") or "") for p in placement.get("preferences") or ()
        ),
        max_replicas=to_uint(placement.get("max_replicas_per_node") or 0),
    )


def _restart(name: str, policy: Mapping[str, Any] | None, legacy: object) -> RestartPolicy:
    """``deploy.restart_policy``, else the service-level ``restart:`` docker still honours."""
    if policy is not None:
        return RestartPolicy(
            condition=str(policy.get("condition") or defaults.RESTART_CONDITION),
            delay_s=_seconds(policy.get("delay"), defaults.RESTART_DELAY_S),
            max_attempts=to_uint(policy.get("max_attempts") or 0),
            window_s=_seconds(policy.get("window"), defaults.RESTART_WINDOW_S),
        )
    text = str(legacy or "")
    mode, colon, count = text.partition(":")
    if colon and not mode:
        raise _fail(
            name, "invalid restart policy format: no policy provided before colon", "restart"
        )
    if count and not (count.lstrip("+-").isdigit() and count.lstrip("+-").isascii()):
        raise _fail(
            name, "invalid restart policy format: maximum retry count must be an integer", "restart"
        )
    attempts = int(count) if count else 0
    if attempts < 0:
        raise _fail(
            name, "invalid restart policy: maximum retry count cannot be negative", "restart"
        )
    if mode in ("", "no"):
        return RestartPolicy()
    if mode in ("always", "unless-stopped"):
        return RestartPolicy(condition="any", max_attempts=attempts)
    if mode == "on-failure":
        return RestartPolicy(condition="on-failure", max_attempts=attempts)
    raise _fail(
        name,
        f"invalid restart policy: unknown policy '{mode}' (must be one of 'no', 'always', "
        "'on-failure', or 'unless-stopped')",
        "restart",
    )


def _update(section: Mapping[str, Any] | None) -> UpdateConfig:
    if section is None:
        return UpdateConfig()
    parallelism = section.get("parallelism")
    monitor = _seconds(section.get("monitor"), 0.0)
    return UpdateConfig(
        parallelism=defaults.UPDATE_PARALLELISM if parallelism is None else to_uint(parallelism),
        delay_s=_seconds(section.get("delay"), defaults.UPDATE_DELAY_S),
        failure_action=str(section.get("failure_action") or defaults.UPDATE_FAILURE_ACTION),
        monitor_s=monitor or defaults.UPDATE_MONITOR_S,
        max_failure_ratio=float(section.get("max_failure_ratio") or 0.0),
        order=str(section.get("order") or defaults.UPDATE_ORDER),
    )


def _healthcheck(name: str, hc: Mapping[str, Any] | None) -> Healthcheck | None:
    if hc is None:
        return None
    test = hc.get("test")
    test = ("CMD-SHELL", test) if isinstance(test, str) else tuple(str(t) for t in test or ())
    if hc.get("disable"):
        if test:
            raise _fail(name, "test and disable can't be set at the same time", "healthcheck")
        return Healthcheck(test=("NONE",), disabled=True)
    return Healthcheck(
        test=test,
        interval_s=_seconds(hc.get("interval"), 0.0) or defaults.HEALTH_INTERVAL_S,
        timeout_s=_seconds(hc.get("timeout"), 0.0) or defaults.HEALTH_TIMEOUT_S,
        retries=to_uint(hc.get("retries") or 0) or defaults.HEALTH_RETRIES,
        start_period_s=_seconds(hc.get("start_period"), defaults.HEALTH_START_PERIOD_S),
        start_interval_s=_seconds(hc.get("start_interval"), 0.0)
        or defaults.HEALTH_START_INTERVAL_S,
    )


def _service_networks(
    stack: str, name: str, svc: Mapping[str, Any], networks: Mapping[str, Mapping[str, Any]]
) -> tuple[str, ...]:
    targets = []
    attached = svc.get("networks") or ()
    for index, key in enumerate(list(attached) or ["default"]):
        if key not in networks and key != "default":
            where = key if isinstance(attached, Mapping) else index
            raise _fail(name, f'undefined network "{key}"', "networks", where)
        targets.append(str(networks.get(key, {}).get("name") or f"{stack}_{key}"))
    return tuple(sorted(set(targets)))


def _stack_networks(
    stack: str, services: Mapping[str, Any], networks: Mapping[str, Mapping[str, Any]]
) -> tuple[NetworkSpec, ...]:
    """The networks some service uses, in order of first use (``<stack>_default`` if needed)."""
    out: dict[str, NetworkSpec] = {}
    for svc in services.values():
        for key in list(svc.get("networks") or ()) or ["default"]:
            net = networks.get(key, {})
            spec = NetworkSpec(
                name=str(net.get("name") or f"{stack}_{key}"),
                driver=str(net.get("driver") or "overlay"),
                external=bool(net.get("external")),
                attachable=bool(net.get("attachable")),
                internal=bool(net.get("internal")),
            )
            out.setdefault(spec.name, spec)
    return tuple(out.values())


def _stack_volumes(
    stack: str, decoded: Mapping[str, tuple[Any, ...]], volumes: Mapping[str, vol_syntax.TopVolume]
) -> tuple[VolumeSpec, ...]:
    """The top-level volumes some service mounts, in order of first use."""
    out: dict[str, VolumeSpec] = {}
    for _, _, vols in decoded.values():
        for vol in vols:
            if vol.type in ("volume", "cluster", "") and vol.source in volumes:
                out.setdefault(
                    vol.source, vol_syntax.volume_spec(vol.source, volumes[vol.source], stack)
                )
    return tuple(out.values())


def _volume(item: object) -> vol_syntax.VolumeConfig:
    if isinstance(item, Mapping):
        return vol_syntax.volume_from_mapping(item)
    return vol_syntax.parse_volume_spec(str(item))


def _seconds(value: object, default: float) -> float:
    return default if value is None else units.parse_duration(str(value))


def _fail(service: str, message: str, *keys: str | int) -> InputError:
    return InputError(f"service {service}: {message}", keys=("services", service, *keys))


def _locate(err: InputError, lines: LineMap | None) -> InputError:
    if lines is None or err.keys is None or err.line is not None:
        return err
    return err.located(line=lines.lookup(err.keys))
