"""One task's life as the replay sees it: its current view, what it holds, why it ended.

Pure helpers over a small mutable view; the replay owns the views.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from swarmsim.cluster.tasks import LABELS, TaskState
from swarmsim.metrics.records import TaskCreated, TaskRow

#: task state by its lowercase name (``"running" -> TaskState.RUNNING``)
STATES: dict[str, TaskState] = {label: state for state, label in LABELS.items()}

NEW, PENDING, ASSIGNED = TaskState.NEW, TaskState.PENDING, TaskState.ASSIGNED
READY, RUNNING, COMPLETE = TaskState.READY, TaskState.RUNNING, TaskState.COMPLETE

_EXIT = re.compile(r"non-zero exit \((\d+)\)")

#: what a task adds to its node: reserved CPU, reserved memory, CPU limit, memory limit,
#: tasks, containers
NodeShare = tuple[int, int, int, int, int, int]
#: what a task adds to its service: running, running_reported, pending, starting,
#: stopping, wanted
ServiceShare = tuple[int, int, int, int, int, int]
NO_NODE_SHARE: NodeShare = (0, 0, 0, 0, 0, 0)
NO_SERVICE_SHARE: ServiceShare = (0, 0, 0, 0, 0, 0)


@dataclass(slots=True, eq=False)
class TaskView:
    """The replay's running picture of one task (and the makings of its ``tasks.csv``
    row)."""

    id: str
    name: str
    service: str
    created: float
    slot: int = 0
    node: str | None = None
    state: TaskState = NEW
    desired: TaskState = RUNNING
    actual: bool = False
    info: TaskCreated | None = None
    deleted: bool = False
    lost: bool = False  # its container died with its machine
    oom_killed: bool = False  # an OOM killer killed its container (OOMKilled)
    pending_at: float | None = None
    assigned_at: float | None = None
    running_at: float | None = None
    container_start: float | None = None
    container_end: float | None = None
    stopped_at: float | None = None
    deleted_at: float | None = None
    error: str = ""
    ended_because: str = ""
    ended_at: float | None = None
    pending_since: float | None = None
    pending_time: float = 0.0
    previous: TaskView | None = None  # the task before it in its slot
    nshare: NodeShare = NO_NODE_SHARE  # what it adds to its node's totals now
    sshare: ServiceShare = NO_SERVICE_SHARE  # what it adds to its service's counts now

    @property
    def spec_version(self) -> int:
        """The spec version it runs (0 when unknown)."""
        return self.info.spec_version if self.info else 0


def node_share(t: TaskView) -> NodeShare:
    """What ``t`` adds to its node's totals now.

    A task holds its reservation from ``assigned`` until its observed state passes
    ``running`` or it is deleted (the scheduler's accounting); its container's limits
    count while it is really alive.
    """
    if t.deleted or t.node is None:
        return NO_NODE_SHARE
    info = t.info
    holds = ASSIGNED <= t.state <= RUNNING
    alive = t.actual
    if info is None:
        return (0, 0, 0, 0, int(holds), int(alive))
    return (
        info.reserved_cpus if holds else 0,
        info.reserved_memory if holds else 0,
        info.limit_cpus if alive else 0,
        info.limit_memory if alive else 0,
        int(holds),
        int(alive),
    )


def service_share(t: TaskView) -> ServiceShare:
    """What ``t`` adds to its service's counts now.

    ``running``: reported running, container alive, still wanted; ``running_reported``:
    reported running (``docker service ls``); ``pending``: not yet assigned and wanted;
    ``starting``: assigned but not yet running and wanted; ``stopping``: told to stop
    while its container still runs; ``wanted``: desired ``ready`` to ``complete``.
    """
    if t.deleted:
        return NO_SERVICE_SHARE
    s, d = t.state, t.desired
    wanted = d <= COMPLETE
    return (
        int(s == RUNNING and t.actual and wanted),
        int(s == RUNNING),
        int(s <= PENDING and wanted),
        int(ASSIGNED <= s < RUNNING and wanted),
        int(t.actual and not wanted),
        int(READY <= d <= COMPLETE),
    )


def exit_code(error: str) -> int | None:
    """The exit code in a task error (``task: non-zero exit (137)``), if any."""
    m = _EXIT.search(error)
    return int(m.group(1)) if m else None


def failure_cause(t: TaskView) -> str:
    """Why a ``failed`` task failed: ``node_down``, ``unhealthy``, ``oom`` or ``exit``."""
    if t.lost:
        return "node_down"
    if "unhealthy" in t.error:
        return "unhealthy"
    if (t.oom_killed or (t.info is not None and t.info.oom)) and exit_code(t.error) == 137:
        return "oom"
    return "exit"


def stop_cause(t: TaskView, *, service_exists: bool, service_version: int,
               node_status: str, node_availability: str) -> str:
    """Why the manager told a task to stop (its desired state passed ``complete``)."""
    if t.lost or node_status == "down":
        return "node_down"
    if t.desired == TaskState.REMOVE:
        return "scale_down" if service_exists else "service_removed"
    if not service_exists:
        return "service_removed"
    if node_availability == "drain":
        return "drain"
    if t.info is not None and service_version > t.info.spec_version:
        return "update"
    return "shutdown"


_END_STATES = {
    TaskState.COMPLETE: "complete",
    TaskState.SHUTDOWN: "shutdown",
    TaskState.REJECTED: "rejected",
    TaskState.REMOVE: "shutdown",
    TaskState.ORPHANED: "orphaned",
}


def end_cause(t: TaskView) -> str:
    """Why a task whose observed state passed ``running`` on its own stopped."""
    if t.state == TaskState.FAILED:
        return failure_cause(t)
    return _END_STATES.get(t.state, "shutdown")


def to_row(t: TaskView, restart_of: str) -> TaskRow:
    """The ``tasks.csv`` row of a task at the end of the run."""
    code = exit_code(t.error)
    if code is None and t.state == TaskState.COMPLETE:
        code = 0
    return TaskRow(
        task_id=t.id,
        name=t.name,
        service=t.service,
        slot=t.slot,
        node=t.node or "",
        spec_version=t.spec_version,
        created=t.created,
        pending_at=t.pending_at,
        assigned_at=t.assigned_at,
        running_at=t.running_at,
        container_start=t.container_start,
        container_end=t.container_end,
        stopped_at=t.stopped_at,
        deleted_at=t.deleted_at,
        final_state=LABELS[t.state],
        desired_state=LABELS[t.desired],
        exit_code=code,
        error=t.error,
        ended_because=t.ended_because,
        ended_at=t.ended_at,
        restart_of=restart_of,
        pending_time=t.pending_time,
    )
