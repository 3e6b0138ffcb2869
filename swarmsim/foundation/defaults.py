"""Every default swarmsim uses, in one place, each with where it comes from.

Times are float seconds; sizes are bytes; CPUs are nano-CPUs (1e9 = one core).
"""

from __future__ import annotations

# --- SwarmKit api/defaults/service.go ---------------------------------------------------
RESTART_CONDITION = "any"  # RestartOnAny
RESTART_DELAY_S = 5.0  # Restart.Delay
RESTART_MAX_ATTEMPTS = 0  # 0 = unlimited
RESTART_WINDOW_S = 0.0  # 0 = unbounded
STOP_GRACE_PERIOD_S = 10.0  # ContainerSpec.StopGracePeriod
UPDATE_PARALLELISM = 1
UPDATE_DELAY_S = 0.0
UPDATE_FAILURE_ACTION = "pause"
UPDATE_MONITOR_S = 5.0  # 0 in a spec also means 5 s
UPDATE_MAX_FAILURE_RATIO = 0.0
UPDATE_ORDER = "stop-first"
ENDPOINT_MODE = "vip"

# --- SwarmKit manager/scheduler/scheduler.go --------------------------------------------
SCHEDULER_DEBOUNCE_S = 0.05  # commitDebounceGap
SCHEDULER_MAX_LATENCY_S = 1.0  # maxLatency
MONITOR_FAILURES_S = 300.0  # monitorFailures: look-back window for recent failures
MAX_FAILURES = 5  # maxFailures in the window that down-weight a node

# --- SwarmKit manager/dispatcher/dispatcher.go ------------------------------------------
HEARTBEAT_PERIOD_S = 5.0  # DefaultHeartBeatPeriod
HEARTBEAT_EPSILON_S = 0.5  # defaultHeartBeatEpsilon
HEARTBEAT_GRACE_MULTIPLIER = 3  # defaultGracePeriodMultiplier
NODE_DOWN_PERIOD_S = 86_400.0  # defaultNodeDownPeriod: DOWN this long -> ORPHANED

# --- SwarmKit manager/manager.go, orchestrator ------------------------------------------
TASK_HISTORY_LIMIT = 5  # defaultTaskHistoryRetentionLimit
OLD_TASK_TIMEOUT_S = 60.0  # restart.defaultOldTaskTimeout

# --- SwarmKit manager/allocator/portallocator.go ----------------------------------------
DYNAMIC_PORT_START = 30000
DYNAMIC_PORT_END = 32767

# --- compose: latest schema docker/cli reads when `version` is absent, "" or "3" -------
COMPOSE_DEFAULT_VERSION = "3.13"

# --- engine healthcheck defaults (moby) -------------------------------------------------
HEALTH_INTERVAL_S = 30.0
HEALTH_TIMEOUT_S = 30.0
HEALTH_RETRIES = 3
HEALTH_START_PERIOD_S = 0.0
HEALTH_START_INTERVAL_S = 5.0

# --- scenario nodes (swarmsim's own choices) --------------------------------------------
NODE_CPUS = 1  # cores
NODE_MEMORY = 1 << 30  # 1 GiB, the size docker-machine's virtualbox driver gives a VM
#: the platforms of an image's manifest when ``x-swarmsim.image_platforms`` is absent: a
#: typical multi-arch Linux image (the client turns arm into "any architecture")
IMAGE_PLATFORMS = ("linux/amd64", "linux/arm64", "linux/arm/v7")
NODE_OS = "linux"
NODE_ARCH = "x86_64"
NODE_FIRST_ADDR = "192.168.99.100"  # docker-machine's virtualbox driver hands these out
ENGINE_VERSION = "29.7.2"  # shown in `docker node ls`
SIM_EPOCH = "2026-01-01T00:00:00+00:00"  # the wall time of simulated t=0 (shown in inspect)

# --- x-swarmsim service keys (swarmsim's own model parameters) ---------------------------
SIM_PULL_S = 2.0  # time a task spends in `preparing`
SIM_STARTUP_S = 1.0  # `starting` -> `running` (or until the first healthy probe)
SIM_STOP_S = 0.0  # time to exit after being asked to stop, capped by stop_grace_period
SIM_EXIT_CODE = 1  # exit code of a crash drawn from `mtbf`
SIM_RUN_TIME_S = 30.0  # jobs: time for one task to complete
NODE_POWER_IDLE_W = 100.0  # watts a machine draws idle (swarmsim's default, docs/metrics.md)
NODE_POWER_MAX_W = 250.0  # watts at full CPU use
NODE_BANDWIDTH = 50 * 1024 * 1024  # bytes/s a node downloads images at: 50M (100M in 2 s)

# --- raft (SwarmKit manager/state/raft, moby daemon/cluster) ----------------------------
RAFT_ELECTION_S = 10.0  # ElectionTick 10 x TickInterval 1 s: time to elect a new leader

# --- scenarios ---------------------------------------------------------------------------
SCENARIO_UNTIL_S = 600.0  # `until:` default: 10 simulated minutes
KILL_EXIT_CODE = 1  # timeline `kill:` default exit code

# --- input limits (swarmsim's own; each MAX_<NAME> but the depth is raised by the
# environment variable SWARMSIM_MAX_<NAME>, see swarmsim.foundation.limits). docker has none of
# these: they keep a mistyped number from taking all the memory or time of the machine.
MAX_YAML_FILE_BYTES = 2 << 20  # a compose, scenario or sweep file (YAML costs ~100x its size)
MAX_DATA_FILE_BYTES = 32 << 20  # a trace CSV, a workload times file or an env_file
MAX_YAML_NODES = 250_000  # keys, values and items of one YAML file (Swarm3k's: ~50,000)
MAX_YAML_DEPTH = 100  # nesting of YAML lists and mappings (yaml.v3: 10,000); fixed, as
# every stage after the parser walks the tree recursively
MAX_NODES = 20_000  # machines of a scenario (Swarm3k had 4,700)
MAX_REPLICAS = 200_000  # replicas of one service (compose, `docker service scale`, traces)
MAX_TASKS = 200_000  # tasks all services of a scenario's stacks and traces ask for at once
MAX_REQUESTS = 10_000_000  # requests of one run (rate x window, summed over workloads)
