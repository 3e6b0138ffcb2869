"""swarmsim's service specs as the Engine API shows them (``swarm.ServiceSpec``).

Field names and nesting follow moby's ``api/types/swarm/service.go`` and
``task.go``; durations are nanoseconds, as Go's ``time.Duration`` marshals.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from swarmsim.input.specs import (
    Healthcheck,
    Mount,
    PortConfig,
    Resources,
    ServiceSpec,
    UpdateConfig,
)

NS = 1_000_000_000


def ns(seconds: float) -> int:
    """Seconds as a Go duration (nanoseconds)."""
    return round(seconds * NS)


def _resources(res: Resources, *, with_pids: int = 0) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if res.nano_cpus:
        out["NanoCPUs"] = res.nano_cpus
    if res.memory_bytes:
        out["MemoryBytes"] = res.memory_bytes
    if with_pids:
        out["Pids"] = with_pids
    if res.generic:
        out["GenericResources"] = [
            {"DiscreteResourceSpec": {"Kind": kind, "Value": value}} for kind, value in res.generic
        ]
    return out


def _update(cfg: UpdateConfig) -> dict[str, Any]:
    return {
        "Parallelism": cfg.parallelism,
        "Delay": ns(cfg.delay_s),
        "FailureAction": cfg.failure_action,
        "Monitor": ns(cfg.monitor_s),
        "MaxFailureRatio": cfg.max_failure_ratio,
        "Order": cfg.order,
    }


def _mount(m: Mount) -> dict[str, Any]:
    out: dict[str, Any] = {"Type": m.type, "Target": m.target}
    if m.source:
        out["Source"] = m.source
    if m.read_only:
        out["ReadOnly"] = True
    return out


def _health(hc: Healthcheck) -> dict[str, Any]:
    if hc.disabled:
        return {"Test": ["NONE"]}
    return {
        "Test": list(hc.test),
        "Interval": ns(hc.interval_s),
        "Timeout": ns(hc.timeout_s),
        "Retries": hc.retries,
        "StartPeriod": ns(hc.start_period_s),
        "StartInterval": ns(hc.start_interval_s),
    }


def port(p: PortConfig) -> dict[str, Any]:
    """One ``PortConfig``."""
    out: dict[str, Any] = {"Protocol": p.protocol, "TargetPort": p.target,
                           "PublishMode": p.mode}
    if p.published:
        out["PublishedPort"] = p.published
    return out


def mode(spec: ServiceSpec) -> dict[str, Any]:
    """``ServiceMode``."""
    if spec.mode == "global":
        return {"Global": {}}
    if spec.mode == "global-job":
        return {"GlobalJob": {}}
    if spec.mode == "replicated-job":
        return {"ReplicatedJob": {"MaxConcurrent": 1, "TotalCompletions": spec.replicas}}
    return {"Replicated": {"Replicas": spec.replicas}}


def task_template(spec: ServiceSpec, network_id: Callable[[str], str]) -> dict[str, Any]:
    """``TaskSpec`` of a service (also each task's ``Spec``)."""
    container: dict[str, Any] = {"Image": spec.image}
    if spec.container_labels:
        container["Labels"] = dict(spec.container_labels)
    if spec.entrypoint is not None:
        container["Command"] = list(spec.entrypoint)
    if spec.command is not None:
        container["Args"] = list(spec.command)
    if spec.hostname:
        container["Hostname"] = spec.hostname
    if spec.env:
        container["Env"] = list(spec.env)
    if spec.mounts:
        container["Mounts"] = [_mount(m) for m in spec.mounts]
    container["StopGracePeriod"] = ns(spec.stop_grace_period_s)
    if spec.healthcheck is not None:
        container["Healthcheck"] = _health(spec.healthcheck)
    container["Isolation"] = "default"
    r = spec.resources
    placement: dict[str, Any] = {}
    p = spec.placement
    if p.constraints:
        placement["Constraints"] = list(p.constraints)
    if p.preferences:
        placement["Preferences"] = [{"Spread": {"SpreadDescriptor": d}} for d in p.preferences]
    if p.max_replicas:
        placement["MaxReplicas"] = p.max_replicas
    if p.platforms:
        placement["Platforms"] = [{"Architecture": x.arch, "OS": x.os} for x in p.platforms]
    alias = [spec.short_name] if spec.stack and spec.short_name else []
    out: dict[str, Any] = {
        "ContainerSpec": container,
        "Resources": {
            "Limits": _resources(r.limits, with_pids=r.pids_limit),
            "Reservations": _resources(r.reservations),
        },
        "RestartPolicy": {
            "Condition": spec.restart.condition,
            "Delay": ns(spec.restart.delay_s),
            "MaxAttempts": spec.restart.max_attempts,
            "Window": ns(spec.restart.window_s),
        },
        "Placement": placement,
        "ForceUpdate": spec.force_update,
        "Runtime": "container",
    }
    if spec.networks:
        out["Networks"] = [
            {"Target": network_id(n), **({"Aliases": alias} if alias else {})}
            for n in spec.networks
        ]
    return out


def service_spec(spec: ServiceSpec, network_id: Callable[[str], str]) -> dict[str, Any]:
    """``ServiceSpec``: what ``docker service inspect`` shows under ``Spec``."""
    out: dict[str, Any] = {
        "Name": spec.name,
        "Labels": dict(spec.labels),
        "TaskTemplate": task_template(spec, network_id),
        "Mode": mode(spec),
    }
    if not spec.is_job:
        out["UpdateConfig"] = _update(spec.update)
        out["RollbackConfig"] = _update(spec.rollback)
    out["EndpointSpec"] = {"Mode": spec.endpoint_mode}
    if spec.ports:
        out["EndpointSpec"]["Ports"] = [port(p) for p in spec.ports]
    return out
