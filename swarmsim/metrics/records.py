"""Frozen records the metrics are built from and made of.

The recorder adds a few facts to a run that ``sim.events`` does not carry (what a task
reserves, when a task is deleted, how a service's spec changed); each such record keeps
``at``, the number of events recorded before it, so a replay can put it back in order.
The two made once per task are named tuples (cheap to build by the hundred thousand).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple


class TaskCreated(NamedTuple):
    """A task was created: what it reserves and what its container uses.

    Attributes:
        at: index in ``sim.events`` right after the task's ``new`` event.
        time: simulated seconds.
        task: the task id.
        service: the service name.
        slot: replicated slot (0 for global tasks).
        node: hostname of a global task's node, else None.
        spec_version: the service spec version the task runs.
        reserved_cpus: CPU reservation in nano-CPUs.
        reserved_memory: memory reservation in bytes.
        limit_cpus: its CPU limit in nano-CPUs (0: none).
        limit_memory: its memory limit in bytes (0: none).
        oom: the container's ``memory_used`` exceeds its memory limit.
        job: the service is a job.
    """

    at: int
    time: float
    task: str
    service: str
    slot: int
    node: str | None
    spec_version: int
    reserved_cpus: int
    reserved_memory: int
    limit_cpus: int
    limit_memory: int
    oom: bool = False
    job: bool = False


class TaskDeleted(NamedTuple):
    """A task left the store (task reaper, dead slot, removed node)."""

    at: int
    time: float
    task: str


@dataclass(frozen=True, slots=True)
class ServiceChange:
    """A service was created, updated or removed.

    Attributes:
        what: ``created``, ``updated`` or ``removed``.
        change: for updates, ``scale`` (only the replica count changed), ``update`` (the
            task template changed) or ``none``; empty otherwise.
        replicas: replica count (0 for global modes).
    """

    at: int
    time: float
    service: str
    what: str
    mode: str
    replicas: int
    version: int
    change: str = ""


@dataclass(frozen=True, slots=True)
class NodeRemoved:
    """``docker node rm``: the node left the node list."""

    at: int
    time: float
    node: str


@dataclass(frozen=True, slots=True)
class Disturbance:
    """Something that moved the cluster away from its steady state.

    Attributes:
        time: simulated seconds.
        kind: ``deploy``, ``scale``, ``update``, ``remove``, ``crash``, ``recover``,
            ``kill``, ``drain``, ``pause``, ``active``, ``join``, ``node_removed`` or
            ``task_failed``.
        target: the service, node or task it concerns.
        detail: a few words (``replicas 5 -> 8``, ``exit 137 (oom)``).
        service: the one service it concerns, or "" when it concerns every service (a
            node or machine event).
        converged_after: seconds until the services it disturbed had settled again
            (None: not settled before the next disturbance of those services or the end).
    """

    time: float
    kind: str
    target: str
    detail: str = ""
    service: str = ""
    converged_after: float | None = None


@dataclass(frozen=True, slots=True)
class TaskRow:
    """One task's life, a row of ``tasks.csv``. Times are simulated seconds (None: never).

    Attributes:
        task_id: the 25-character task id.
        name: ``<service>.<slot>`` or ``<service>.<node id>``.
        service: the service name.
        slot: replicated slot (0 for global tasks).
        node: hostname of the node it was assigned to (empty if never assigned).
        spec_version: the service spec version it ran.
        created: when it was created.
        pending_at: when it became ``pending``.
        assigned_at: when the scheduler assigned it.
        running_at: when it was first reported ``running``.
        container_start: when its container really started (ground truth).
        container_end: when its container really stopped or died (ground truth).
        stopped_at: when it reached a state past ``running``.
        deleted_at: when it left the store.
        final_state: its last observed state.
        desired_state: its last desired state.
        exit_code: the container's exit code when it failed or completed.
        error: the task error.
        ended_because: why it stopped or was told to stop: ``exit``, ``oom``,
            ``unhealthy``, ``complete``, ``rejected``, ``orphaned``, ``node_down``,
            ``drain``, ``update``, ``scale_down``, ``service_removed``, ``shutdown``;
            empty while it runs.
        ended_at: when that happened.
        restart_of: the task it replaced in its slot (empty for a first task or a reused
            slot).
        pending_time: seconds it spent ``pending`` (up to the end of the run if it still
            is).
    """

    task_id: str
    name: str
    service: str
    slot: int
    node: str
    spec_version: int
    created: float
    pending_at: float | None
    assigned_at: float | None
    running_at: float | None
    container_start: float | None
    container_end: float | None
    stopped_at: float | None
    deleted_at: float | None
    final_state: str
    desired_state: str
    exit_code: int | None
    error: str
    ended_because: str
    ended_at: float | None
    restart_of: str
    pending_time: float


@dataclass(frozen=True, slots=True)
class NodeRow:
    """One node change, a row of ``nodes.csv``."""

    time: float
    node: str
    role: str
    status: str
    availability: str
    alive: bool
    in_swarm: bool
    cpus: float
    memory: int
    message: str = ""


#: causes that are not restarts: the slot was emptied on purpose
NOT_RESTARTS = frozenset({"scale_down", "service_removed"})
