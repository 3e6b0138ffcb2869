"""Frozen specification records: what a compose file and a scenario declare.

These are the converted, validated forms the rest of swarmsim works from; nothing
downstream ever sees a raw YAML mapping.  Mappings are stored as sorted tuples of
``(key, value)`` pairs so that every record is hashable and compares by value.
"""

from __future__ import annotations

from dataclasses import dataclass

from swarmsim.foundation import defaults

Pairs = tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class Resources:
    """CPU (nano-CPUs), memory (bytes) and generic resources (kind, count)."""

    nano_cpus: int = 0
    memory_bytes: int = 0
    generic: tuple[tuple[str, int], ...] = ()

    def is_zero(self) -> bool:
        """True when nothing is set (the resource filter is then disabled)."""
        return self.nano_cpus == 0 and self.memory_bytes == 0 and not any(
            v for _, v in self.generic
        )


@dataclass(frozen=True, slots=True)
class ResourceRequirements:
    """``deploy.resources``: limits are never used for placement, reservations are."""

    limits: Resources = Resources()
    reservations: Resources = Resources()
    pids_limit: int = 0


@dataclass(frozen=True, slots=True)
class Platform:
    """A platform a service can run on (``placement.platforms``) or a node reports."""

    os: str = ""
    arch: str = ""


@dataclass(frozen=True, slots=True)
class Placement:
    """``deploy.placement``.

    Attributes:
        constraints: raw constraint strings, e.g. ``node.role == manager``.
        preferences: spread descriptors in hierarchy order, e.g. ``node.labels.zone``.
        max_replicas: ``max_replicas_per_node``; 0 means unlimited.
        platforms: platforms the image supports; empty means any.
    """

    constraints: tuple[str, ...] = ()
    preferences: tuple[str, ...] = ()
    max_replicas: int = 0
    platforms: tuple[Platform, ...] = ()


@dataclass(frozen=True, slots=True)
class RestartPolicy:
    """``deploy.restart_policy`` with swarm's effective defaults filled in."""

    condition: str = defaults.RESTART_CONDITION  # none | on-failure | any
    delay_s: float = defaults.RESTART_DELAY_S
    max_attempts: int = defaults.RESTART_MAX_ATTEMPTS
    window_s: float = defaults.RESTART_WINDOW_S


@dataclass(frozen=True, slots=True)
class UpdateConfig:
    """``deploy.update_config`` or ``deploy.rollback_config`` with swarm's defaults."""

    parallelism: int = defaults.UPDATE_PARALLELISM  # 0 = all at once
    delay_s: float = defaults.UPDATE_DELAY_S
    failure_action: str = defaults.UPDATE_FAILURE_ACTION  # pause | continue | rollback
    monitor_s: float = defaults.UPDATE_MONITOR_S
    max_failure_ratio: float = defaults.UPDATE_MAX_FAILURE_RATIO
    order: str = defaults.UPDATE_ORDER  # stop-first | start-first


@dataclass(frozen=True, slots=True)
class PortConfig:
    """One published port. ``published == 0`` means swarm picks one (30000-32767)."""

    target: int
    published: int = 0
    protocol: str = "tcp"  # tcp | udp | sctp
    mode: str = "ingress"  # ingress | host


@dataclass(frozen=True, slots=True)
class Mount:
    """A service mount. ``source`` is the host path for binds, the scoped volume name
    (``<stack>_<key>``) for named volumes, empty for anonymous volumes and tmpfs."""

    type: str  # bind | volume | tmpfs | npipe | cluster
    target: str
    source: str = ""
    read_only: bool = False


@dataclass(frozen=True, slots=True)
class Healthcheck:
    """``healthcheck`` with the engine defaults filled in. ``test == ("NONE",)`` or
    ``disabled`` means no check."""

    test: tuple[str, ...] = ()
    interval_s: float = defaults.HEALTH_INTERVAL_S
    timeout_s: float = defaults.HEALTH_TIMEOUT_S
    retries: int = defaults.HEALTH_RETRIES
    start_period_s: float = defaults.HEALTH_START_PERIOD_S
    start_interval_s: float = defaults.HEALTH_START_INTERVAL_S
    disabled: bool = False

    @property
    def active(self) -> bool:
        """True when the container has a check that gates ``starting`` -> ``running``."""
        return not self.disabled and bool(self.test) and self.test[0] != "NONE"


@dataclass(frozen=True, slots=True)
class RequestSpec:
    """``x-swarmsim.request``: how one task of the service serves requests.

    Attributes:
        cost_s: mean CPU time of one request on one full core (seconds).
        dist: ``constant``, ``exponential`` or ``lognormal``.
        cv: coefficient of variation of a ``lognormal`` cost.
        workers: requests one task serves at once.
        queue: requests waiting beyond the busy workers; more are rejected.
    """

    cost_s: float = 0.02
    dist: str = "exponential"
    cv: float = 0.5
    workers: int = 1
    queue: int = 100


@dataclass(frozen=True, slots=True)
class UsageProfile:
    """How one resource of a container's background usage moves (``x-swarmsim.usage``).

    Values are cores (CPU) or bytes (memory); times are seconds. ``kind`` is
    ``constant`` (``value``), ``steps`` (``points``: value from each time since the
    container started, repeating every ``period`` when set), ``trace`` (``points`` at
    ``step`` intervals, the same way), ``diurnal`` (``mean + amplitude * cos(2 pi (t -
    peak) / period)`` on the run's clock, sampled every ``step``) or ``random_walk``
    (from ``value``, a normal step of ``sigma`` every ``step``, kept within ``low`` and
    ``high``). See docs/metrics.md.
    """

    kind: str = "constant"
    value: float = 0.0
    points: tuple[tuple[float, float], ...] = ()
    period: float = 0.0
    mean: float = 0.0
    amplitude: float = 0.0
    peak: float = 0.0
    step: float = 0.0
    sigma: float = 0.0
    low: float = 0.0
    high: float = float("inf")


@dataclass(frozen=True, slots=True)
class UsageSpec:
    """``x-swarmsim.usage``: background CPU (cores) and memory working set (bytes);
    None where not declared (the documented defaults then apply)."""

    cpu: UsageProfile | None = None
    memory: UsageProfile | None = None


@dataclass(frozen=True, slots=True)
class SimParams:
    """The ``x-swarmsim`` mapping of a service: swarmsim's model of the container.

    Docker ignores ``x-`` keys inside a service; swarmsim reads these.
    """

    pull_s: float = defaults.SIM_PULL_S
    startup_s: float = defaults.SIM_STARTUP_S
    stop_s: float = defaults.SIM_STOP_S
    mtbf_s: float | None = None  # None: never crashes by itself
    exit_code: int = defaults.SIM_EXIT_CODE
    memory_used: int | None = None  # bytes; above the memory limit -> OOM kill (137)
    run_time_s: float = defaults.SIM_RUN_TIME_S
    unhealthy_after_s: float | None = None  # probes fail from this running time on
    request: RequestSpec | None = None  # None: served with RequestSpec()'s defaults
    cpu_used: int | None = None  # nano-CPUs the container uses while it runs (metrics only)
    # bytes of the image: its first task on a node waits size / bandwidth (shared by the
    # tasks arriving meanwhile), later ones none; None: every task waits `pull_s`
    image_size: int | None = None
    stateful: bool = False  # its state lives in its first volume or bind mount
    usage: UsageSpec | None = None  # background usage profiles (x-swarmsim.usage)
    # the image manifest's platforms ("os/arch[/variant]"); None: defaults.IMAGE_PLATFORMS
    image_platforms: tuple[str, ...] | None = None


@dataclass(frozen=True, slots=True)
class ServiceSpec:
    """A swarm service as ``docker stack deploy`` would create it.

    ``name`` is the scoped name (``<stack>_<service>``); ``short_name`` the compose key.
    ``mode`` is ``replicated``, ``global``, ``replicated-job`` or ``global-job``;
    ``replicas`` is the replica count (replicated) or total completions (replicated-job)
    and 0 for global modes.
    """

    name: str
    image: str
    stack: str = ""
    short_name: str = ""
    mode: str = "replicated"
    replicas: int = 1
    command: tuple[str, ...] | None = None  # compose `command` -> ContainerSpec.Args
    entrypoint: tuple[str, ...] | None = None  # compose `entrypoint` -> ContainerSpec.Command
    env: tuple[str, ...] = ()  # sorted KEY=VAL (or bare KEY)
    labels: Pairs = ()  # service labels (deploy.labels + stack labels)
    container_labels: Pairs = ()  # service-level `labels`
    resources: ResourceRequirements = ResourceRequirements()
    placement: Placement = Placement()
    restart: RestartPolicy = RestartPolicy()
    update: UpdateConfig = UpdateConfig()
    rollback: UpdateConfig = UpdateConfig()
    endpoint_mode: str = defaults.ENDPOINT_MODE  # vip | dnsrr
    ports: tuple[PortConfig, ...] = ()
    networks: tuple[str, ...] = ()  # scoped network names
    mounts: tuple[Mount, ...] = ()
    healthcheck: Healthcheck | None = None
    stop_grace_period_s: float = defaults.STOP_GRACE_PERIOD_S
    hostname: str = ""
    sim: SimParams = SimParams()
    # True when the compose file gave `deploy.update_config` (even `{}`): ``update`` is
    # always filled with swarm's defaults, but the daemon rejects any update config on a job.
    update_config_given: bool = False
    # TaskTemplate.ForceUpdate: `docker service update --force` increments it, so every
    # task becomes out of date although nothing else changed.
    force_update: int = 0
    # `docker stack deploy --with-registry-auth` attached the deploying machine's
    # credentials for the image's registry: every node can pull it.
    registry_auth: bool = False

    @property
    def is_global(self) -> bool:
        """True for ``global`` and ``global-job``."""
        return self.mode in ("global", "global-job")

    @property
    def is_job(self) -> bool:
        """True for ``replicated-job`` and ``global-job``."""
        return self.mode.endswith("-job")

    @property
    def host_ports(self) -> tuple[tuple[str, int], ...]:
        """``(protocol, published)`` of host-mode ports with a number (HostPortFilter)."""
        return tuple((p.protocol, p.published) for p in self.ports
                     if p.mode == "host" and p.published)


@dataclass(frozen=True, slots=True)
class NetworkSpec:
    """A stack network (``<stack>_<key>`` unless ``name:`` is set)."""

    name: str
    driver: str = "overlay"
    external: bool = False
    attachable: bool = False
    internal: bool = False


@dataclass(frozen=True, slots=True)
class VolumeSpec:
    """A top-level named volume (created lazily by each node's engine)."""

    name: str
    driver: str = "local"
    external: bool = False


@dataclass(frozen=True, slots=True)
class Stack:
    """Everything one ``docker stack deploy -c FILE NAME`` would create.

    ``warnings`` holds docker's stderr text (``Ignoring unsupported options: ...``)
    exactly as docker prints it, or ``""``; ``log_warnings`` holds its logrus warnings
    (``ignoring IP-address ...``) one per entry.
    """

    name: str
    services: tuple[ServiceSpec, ...] = ()
    networks: tuple[NetworkSpec, ...] = ()
    volumes: tuple[VolumeSpec, ...] = ()
    secrets: tuple[str, ...] = ()
    configs: tuple[str, ...] = ()
    # (service key, "secret"/"config", name): the external objects the services use,
    # which must exist before the deploy creates the services
    external_refs: tuple[tuple[str, str, str], ...] = ()
    warnings: str = ""
    log_warnings: tuple[str, ...] = ()
    source: str = ""  # the compose file's path as given


@dataclass(frozen=True, slots=True)
class NodeSpec:
    """A machine in the scenario, as it joins the swarm.

    Attributes:
        name: hostname (``node.hostname``).
        id: 25-character base36 node id, derived from the scenario seed.
        role: ``manager`` or ``worker``.
        nano_cpus: cores x 1e9 (what the engine reports as ``NCPU*1e9``).
        memory_bytes: total memory.
        labels: ``node.labels.*`` (set by ``docker node update --label-add``).
        engine_labels: ``engine.labels.*`` (daemon configuration).
        platform: the node's OS and architecture.
        availability: ``active``, ``pause`` or ``drain``.
        status: ``ready`` or ``down``.
        addr: the node's IP address (``node.ip``).
        generic: generic resources the node offers, e.g. ``(("gpu", 2),)``.
        joined: False for a machine that exists but has not joined the swarm yet.
    """

    name: str
    id: str
    role: str = "worker"
    nano_cpus: int = defaults.NODE_CPUS * 1_000_000_000
    memory_bytes: int = defaults.NODE_MEMORY
    labels: Pairs = ()
    engine_labels: Pairs = ()
    platform: Platform = Platform(defaults.NODE_OS, defaults.NODE_ARCH)
    availability: str = "active"
    status: str = "ready"
    addr: str = ""
    generic: tuple[tuple[str, int], ...] = ()
    joined: bool = True
    bandwidth: int = defaults.NODE_BANDWIDTH  # bytes per second the node pulls images at
    power: tuple[float, float] = (defaults.NODE_POWER_IDLE_W, defaults.NODE_POWER_MAX_W)  # W
