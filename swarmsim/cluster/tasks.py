"""The task model: swarm's task states and the task record.

States are SwarmKit's ``api.TaskState`` values; they only ever move forward.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from enum import IntEnum

from swarmsim.input.specs import ServiceSpec


class TaskState(IntEnum):
    """SwarmKit's task states with their numeric values (``api/types.proto``)."""

    NEW = 0
    PENDING = 64
    ASSIGNED = 192
    ACCEPTED = 256
    PREPARING = 320
    READY = 384
    STARTING = 448
    RUNNING = 512
    COMPLETE = 576
    SHUTDOWN = 640
    FAILED = 704
    REJECTED = 768
    REMOVE = 800
    ORPHANED = 832

    @property
    def label(self) -> str:
        """The lowercase API name (``running``)."""
        return LABELS[self]

    @property
    def terminal(self) -> bool:
        """True once the container can no longer run (past ``running``)."""
        return self > TaskState.RUNNING


# The states as module constants, for the code that runs on every task transition: on
# Python 3.11 a member looked up on its enum class goes through the enum metaclass's
# attribute hook, several times slower than reading a global.
NEW = TaskState.NEW
PENDING = TaskState.PENDING
ASSIGNED = TaskState.ASSIGNED
ACCEPTED = TaskState.ACCEPTED
PREPARING = TaskState.PREPARING
READY = TaskState.READY
STARTING = TaskState.STARTING
RUNNING = TaskState.RUNNING
COMPLETE = TaskState.COMPLETE
SHUTDOWN = TaskState.SHUTDOWN
FAILED = TaskState.FAILED
REJECTED = TaskState.REJECTED
REMOVE = TaskState.REMOVE
ORPHANED = TaskState.ORPHANED

#: lowercase API names by state (``TaskState.RUNNING -> "running"``)
LABELS: dict[TaskState, str] = {s: s.name.lower() for s in TaskState}

#: the message each state carries when the agent or manager sets it (swarm's words)
STATE_MESSAGES = {
    TaskState.NEW: "created",
    TaskState.PENDING: "pending task scheduling",
    TaskState.ASSIGNED: "scheduler assigned task to node",
    TaskState.ACCEPTED: "accepted",
    TaskState.PREPARING: "preparing",
    TaskState.READY: "prepared",
    TaskState.STARTING: "starting",
    TaskState.RUNNING: "started",
    TaskState.COMPLETE: "finished",
    TaskState.SHUTDOWN: "shutdown",
    TaskState.FAILED: "started",
    TaskState.REJECTED: "preparing",
    TaskState.ORPHANED: "task orphaned",
}


@dataclass(slots=True, eq=False)
class Task:
    """One task: a slot's (or a node's) attempt at running the service's container.

    ``state`` is what the manager believes (the observed state reported by the agent);
    ``actual`` is the ground truth the simulator knows: whether the container is really
    alive. They differ while a node is down and the manager has not noticed.
    """

    id: str
    service: str  # ServiceSpec.name
    spec: ServiceSpec  # the spec the task was created from
    spec_version: int
    slot: int  # replicated: 1..n (jobs: 0..n-1); global: 0
    node_id: str | None
    created: float
    state: TaskState = TaskState.NEW
    desired: TaskState = TaskState.RUNNING
    message: str = "created"
    error: str = ""
    updated: float = 0.0  # time of the last observed-state change
    exit_code: int | None = None
    actual: bool = False  # the container is really alive
    preassigned: bool = False
    job_iteration: int = 0
    name: str = ""  # <service>.<slot> (replicated) or <service>.<node id> (global)

    def __post_init__(self) -> None:
        if not self.name:
            self.name = (
                f"{self.service}.{self.node_id}" if self.preassigned
                else f"{self.service}.{self.slot}"
            )


def container_id(task: Task) -> str:
    """The 64-hex id of a task's container (derived from the task id)."""
    return hashlib.sha256(f"container:{task.id}".encode()).hexdigest()
