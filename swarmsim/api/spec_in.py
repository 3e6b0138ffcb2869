"""Engine API service specs (``swarm.ServiceSpec`` JSON) read into swarmsim's
:class:`~swarmsim.input.specs.ServiceSpec`.

The docker CLI and SDK send what moby's ``api/types/swarm`` types marshal to; fields
swarmsim does not model are accepted and dropped.  A value of the wrong JSON type is
refused as Go's decoder refuses it (``json: cannot unmarshal ...``), the checks
SwarmKit's ``controlapi`` makes are made with its words (``manager/controlapi/
service.go``); defaults are swarm's (``api/defaults``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from swarmsim.api.errors import ApiError, bad_request
from swarmsim.compose import imageref
from swarmsim.compose.gostr import quote
from swarmsim.foundation import defaults
from swarmsim.input.specs import (
    Healthcheck,
    Mount,
    Placement,
    Platform,
    PortConfig,
    ResourceRequirements,
    Resources,
    RestartPolicy,
    ServiceSpec,
    UpdateConfig,
)
from swarmsim.manager.controlapi.errors import grpc

NAMESPACE = "com.docker.stack.namespace"
_GO = {dict: "object", list: "array", str: "string", bool: "bool", int: "number",
       float: "number", type(None): "null"}


def _invalid(message: str) -> ApiError:
    return bad_request(grpc("InvalidArgument", message))


class _Reader:
    """Typed access to a decoded JSON object, with Go's error words."""

    def __init__(self, data: Any, path: str) -> None:
        if data is None:
            data = {}
        if not isinstance(data, dict):
            raise self._type_error(data, path, "struct")
        self.data = data
        self.path = path

    @staticmethod
    def _type_error(value: Any, path: str, want: str) -> ApiError:
        got = _GO.get(type(value), "value")
        return bad_request(
            f"invalid JSON: json: cannot unmarshal {got} into Go struct field {path} of type {want}"
        )

    def get(self, key: str) -> Any:
        """A field as Go's decoder finds it: the exact key, else any case-insensitive
        match (encoding/json's rule)."""
        if key in self.data:
            return self.data[key]
        folded = key.casefold()
        for k, v in self.data.items():
            if isinstance(k, str) and k.casefold() == folded:
                return v
        return None

    def sub(self, key: str) -> _Reader:
        return _Reader(self.get(key), f"{self.path}.{key}")

    def has(self, key: str) -> bool:
        return self.get(key) is not None

    def text(self, key: str, default: str = "") -> str:
        value = self.get(key)
        if value is None:
            return default
        if not isinstance(value, str):
            raise self._type_error(value, f"{self.path}.{key}", "string")
        return value

    def integer(self, key: str, default: int = 0, *, unsigned: bool = True) -> int:
        value = self.get(key)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, int | float) or (
            isinstance(value, float) and not value.is_integer()
        ) or (unsigned and value < 0):
            raise self._type_error(value, f"{self.path}.{key}", "uint64" if unsigned else "int64")
        return int(value)

    def number(self, key: str, default: float = 0.0) -> float:
        value = self.get(key)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self._type_error(value, f"{self.path}.{key}", "float32")
        return float(value)

    def seconds(self, key: str, default: float) -> float:
        """A ``time.Duration`` in nanoseconds, as seconds."""
        return self.integer(key, round(default * 1e9), unsigned=False) / 1e9

    def strings(self, key: str) -> tuple[str, ...] | None:
        value = self.get(key)
        if value is None:
            return None
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self._type_error(value, f"{self.path}.{key}", "[]string")
        return tuple(value)

    def labels(self, key: str) -> tuple[tuple[str, str], ...]:
        value = self.get(key)
        if value is None:
            return ()
        if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
            raise self._type_error(value, f"{self.path}.{key}", "map[string]string")
        return tuple(sorted(value.items()))

    def items(self, key: str) -> list[_Reader]:
        value = self.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            raise self._type_error(value, f"{self.path}.{key}", "array")
        return [_Reader(v, f"{self.path}.{key}") for v in value]


def _resources(r: _Reader) -> Resources:
    generic = tuple(
        (g.sub("DiscreteResourceSpec").text("Kind"), g.sub("DiscreteResourceSpec").integer("Value"))
        for g in r.items("GenericResources") if g.has("DiscreteResourceSpec")
    )
    return Resources(r.integer("NanoCPUs", unsigned=False),
                     r.integer("MemoryBytes", unsigned=False),
                     generic)


def _update(r: _Reader) -> UpdateConfig:
    if not r.data:
        return UpdateConfig()
    action = r.text("FailureAction") or defaults.UPDATE_FAILURE_ACTION
    order = r.text("Order") or defaults.UPDATE_ORDER
    # daemon/cluster/convert/service.go: updateConfigToGRPC
    if action not in ("pause", "continue", "rollback"):
        raise bad_request(f"unrecognized update failure action {action}")
    if order not in ("stop-first", "start-first"):
        raise bad_request(f"unrecognized update order {order}")
    return UpdateConfig(
        parallelism=r.integer("Parallelism", 0),
        delay_s=r.seconds("Delay", 0.0),
        failure_action=action,
        monitor_s=r.seconds("Monitor", 0.0) or defaults.UPDATE_MONITOR_S,
        max_failure_ratio=r.number("MaxFailureRatio"),
        order=order,
    )


def _health(r: _Reader) -> Healthcheck | None:
    if not r.data:
        return None
    test = r.strings("Test") or ()
    if test[:1] == ("NONE",):
        return Healthcheck(test=("NONE",), disabled=True)
    return Healthcheck(
        test=test,
        interval_s=r.seconds("Interval", 0.0) or defaults.HEALTH_INTERVAL_S,
        timeout_s=r.seconds("Timeout", 0.0) or defaults.HEALTH_TIMEOUT_S,
        retries=r.integer("Retries", 0) or defaults.HEALTH_RETRIES,
        start_period_s=r.seconds("StartPeriod", defaults.HEALTH_START_PERIOD_S),
        start_interval_s=r.seconds("StartInterval", 0.0) or defaults.HEALTH_START_INTERVAL_S,
    )


def _mode(r: _Reader) -> tuple[str, int]:
    if not r.data:
        return "replicated", 1
    if sum(r.has(k) for k in ("Global", "GlobalJob", "ReplicatedJob", "Replicated")) > 1:
        raise bad_request("must specify only one service mode")  # convert: ServiceSpecToGRPC
    if r.has("Global"):
        return "global", 0
    if r.has("GlobalJob"):
        return "global-job", 0
    if r.has("ReplicatedJob"):
        job = r.sub("ReplicatedJob")
        return "replicated-job", job.integer("TotalCompletions", job.integer("MaxConcurrent", 1))
    return "replicated", r.sub("Replicated").integer("Replicas", 1)


def read_service_spec(data: Any, network_name: Callable[[str], str | None]) -> ServiceSpec:
    """A service spec from the JSON body of ``POST /services/create`` or ``/update``.

    Args:
        data: the decoded body.
        network_name: the name of the network a ``Networks[].Target`` (id or name) is,
            None when there is no such network.

    Raises:
        ApiError: docker's 400 answers.
    """
    top = _Reader(data, "ServiceSpec")
    name = top.text("Name")
    labels = top.labels("Labels")
    tt = top.sub("TaskTemplate")
    cs = tt.sub("ContainerSpec")
    image = cs.text("Image")
    if not image:
        raise _invalid("ContainerSpec: image reference must be provided")
    try:
        imageref.parse(image)
    except imageref.ReferenceError:
        raise _invalid(f"ContainerSpec: {quote(image)} is not a valid repository/tag") from None
    mode, replicas = _mode(top.sub("Mode"))
    stack = dict(labels).get(NAMESPACE, "")
    short = name[len(stack) + 1:] if stack and name.startswith(stack + "_") else name
    res = tt.sub("Resources")
    limits = res.sub("Limits")
    place = tt.sub("Placement")
    restart = tt.sub("RestartPolicy")
    condition = restart.text("Condition") or defaults.RESTART_CONDITION
    if condition not in ("none", "on-failure", "any"):  # convert: restartPolicyToGRPC
        raise bad_request(f"invalid RestartCondition: {quote(condition)}")
    networks: list[str] = []
    for att in tt.items("Networks") or top.items("Networks"):
        target = att.text("Target")
        found = network_name(target)
        if found is None:
            raise bad_request(f"network {target} not found")
        networks.append(found)
    endpoint = top.sub("EndpointSpec")
    resolution = endpoint.text("Mode") or defaults.ENDPOINT_MODE
    if resolution.lower() not in ("vip", "dnsrr"):
        raise bad_request(f"invalid resolution mode: {quote(resolution)}")
    ports = []
    for p in endpoint.items("Ports"):
        # convert/service.go: an unknown protocol or mode is the enum's zero, tcp/ingress
        protocol = p.text("Protocol").lower()
        publish = p.text("PublishMode").lower()
        protocol = protocol if protocol in ("tcp", "udp", "sctp") else "tcp"
        publish = publish if publish in ("ingress", "host") else "ingress"
        ports.append(PortConfig(p.integer("TargetPort"), p.integer("PublishedPort"), protocol,
                                publish))
    mounts = tuple(
        Mount(m.text("Type") or "volume", m.text("Target"), m.text("Source"),
              bool(m.get("ReadOnly")))
        for m in cs.items("Mounts")
    )
    update = top.sub("UpdateConfig")
    return ServiceSpec(
        name=name,
        image=image,
        stack=stack,
        short_name=short,
        mode=mode,
        replicas=replicas,
        command=cs.strings("Args"),
        entrypoint=cs.strings("Command"),
        env=tuple(sorted(cs.strings("Env") or ())),
        labels=labels,
        container_labels=cs.labels("Labels"),
        resources=ResourceRequirements(_resources(limits), _resources(res.sub("Reservations")),
                                       limits.integer("Pids", unsigned=False)),
        placement=Placement(
            constraints=place.strings("Constraints") or (),
            preferences=tuple(p.sub("Spread").text("SpreadDescriptor")
                              for p in place.items("Preferences")),
            max_replicas=place.integer("MaxReplicas"),
            platforms=tuple(Platform(p.text("OS"), p.text("Architecture"))
                            for p in place.items("Platforms")),
        ),
        restart=RestartPolicy(
            condition=condition,
            delay_s=restart.seconds("Delay", defaults.RESTART_DELAY_S),
            max_attempts=restart.integer("MaxAttempts"),
            window_s=restart.seconds("Window", defaults.RESTART_WINDOW_S),
        ),
        update=_update(update),
        rollback=_update(top.sub("RollbackConfig")),
        update_config_given=bool(update.data),
        endpoint_mode=(endpoint.text("Mode") or defaults.ENDPOINT_MODE).lower(),
        ports=tuple(ports),
        networks=tuple(networks),
        mounts=mounts,
        healthcheck=_health(cs.sub("Healthcheck")),
        stop_grace_period_s=cs.seconds("StopGracePeriod", defaults.STOP_GRACE_PERIOD_S),
        hostname=cs.text("Hostname"),
        force_update=tt.integer("ForceUpdate"),
    )
