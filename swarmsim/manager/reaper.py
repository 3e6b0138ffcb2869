"""The task reaper: bounded task history, and removal of tasks meant to go away.

* History: each slot (replicated service) or (node, service) pair (global service)
  keeps at most ``TASK_HISTORY_LIMIT`` (5) tasks counting the current one, or
  ``max_attempts + 1`` when the restart policy sets ``max_attempts``.  The oldest tasks
  (by status timestamp) that stopped, or will never run, are deleted first.  A slot is
  looked at when a task is created in it.  (Swarm does not prune job history.)
* Tasks with desired state ``remove`` (scale-down, service removal) are deleted once
  they have stopped (``complete`` or later) or if they were never assigned.

Work is batched: one pass 250 ms (``reaperBatchingInterval``) after the first piece of
work, or at once beyond 1000 pending items (SwarmKit's ``taskreaper``).
"""

from __future__ import annotations

from collections.abc import Sequence

from swarmsim.cluster.state import TERMINAL, ClusterState, ServiceRecord
from swarmsim.cluster.tasks import ASSIGNED, COMPLETE, NEW, REMOVE, RUNNING, Task, TaskState
from swarmsim.foundation import defaults
from swarmsim.input.specs import ServiceSpec
from swarmsim.manager.leadership import Leadership
from swarmsim.simulation.clock import Clock

BATCHING_INTERVAL_S = 0.25  # reaperBatchingInterval
MAX_DIRTY = 1000  # maxDirty

SlotKey = tuple[str, int, str | None]  # service, slot, node (global)


def retention(spec: ServiceSpec, limit: int = defaults.TASK_HISTORY_LIMIT) -> int:
    """Tasks kept per slot: ``max_attempts + 1`` when set, else the cluster limit."""
    if spec.restart.max_attempts > 0:
        return spec.restart.max_attempts + 1
    return limit


def removable(task: Task) -> bool:
    """A task with desired ``remove`` that can be deleted now."""
    return task.desired == REMOVE and (
        task.state < ASSIGNED or task.state >= COMPLETE
    )


def history_to_delete(tasks: Sequence[Task], keep: int) -> tuple[list[Task], int]:
    """The tasks to delete from one slot's history.

    Args:
        tasks: every task of the slot.
        keep: how many tasks the slot may hold (negative: never prune).

    Returns:
        (tasks to delete, number of tasks that are neither stopped nor doomed). Oldest
        first by status timestamp; only stopped tasks (past ``running``) and tasks that
        will never run (not yet assigned, desired past ``running``) are deleted.
    """
    if keep < 0 or len(tasks) <= keep:
        return [], 0
    ordered = sorted(tasks, key=lambda t: (t.updated, t.created))
    out: list[Task] = []
    live = 0
    for t in ordered:
        stopped = t.state > RUNNING
        never = t.state < ASSIGNED and t.desired > RUNNING
        if stopped or never:
            out.append(t)
            keep += 1
            if len(tasks) <= keep:
                break
        else:
            live += 1
    return out, live


class TaskReaper:
    """Deletes old and removed tasks in batches."""

    def __init__(
        self,
        state: ClusterState,
        clock: Clock,
        leadership: Leadership,
    ) -> None:
        self.state = state
        self.clock = clock
        self.leadership = leadership
        self.history_limit = defaults.TASK_HISTORY_LIMIT
        self._dirty: dict[SlotKey, None] = {}
        self._cleanup: dict[str, None] = {}
        # tasks per slot key, so that a slot that cannot exceed the limit is skipped
        # without grouping its service's tasks
        self._count: dict[SlotKey, int] = {}
        self._armed = False
        self._now = False

    def start(self) -> None:
        """Subscribe to task changes and leadership."""
        self.state.on_task(self._on_task, states={NEW} | TERMINAL)
        self.leadership.on_leader(lambda ok: self._arm() if ok else None)

    def _on_task(self, task: Task, old_state: TaskState, old_desired: TaskState) -> None:
        if task.id not in self.state.tasks:
            key = (task.service, task.slot, task.node_id if task.preassigned else None)
            left = self._count.get(key, 0) - 1
            if left > 0:
                self._count[key] = left
            else:
                self._count.pop(key, None)
            return
        created = task.state == old_state == NEW and old_desired == task.desired
        if created:  # a new task: its slot may now hold too many
            node = task.node_id if task.preassigned else None
            key = (task.service, task.slot, node)
            self._count[key] = self._count.get(key, 0) + 1
            self._dirty[key] = None
        elif removable(task):
            self._cleanup[task.id] = None
        else:
            return
        if len(self._dirty) + len(self._cleanup) > MAX_DIRTY:
            if not self._now:
                self._now = True
                self.clock.soon(self._fire_now)
        else:
            self._arm()

    def _arm(self) -> None:
        if not self._armed and (self._dirty or self._cleanup):
            self._armed = True
            self.clock.later(BATCHING_INTERVAL_S, self._fire)

    def _fire(self) -> None:
        self._armed = False
        self.tick()

    def _fire_now(self) -> None:
        self._now = False
        self.tick()

    def tick(self) -> None:
        """One cleanup pass."""
        if not self.leadership.has_leader or not (self._dirty or self._cleanup):
            return
        doomed: dict[str, Task] = {}
        for tid in self._cleanup:
            task = self.state.tasks.get(tid)
            if task is not None:
                doomed[tid] = task
        self._cleanup = {}
        by_slot: dict[str, dict[int, list[Task]]] = {}
        for key in list(self._dirty):
            name, slot, node_id = key
            svc = self.state.services.get(name)
            if svc is None:
                del self._dirty[key]
                continue
            keep = retention(svc.spec, self.history_limit)
            if 0 <= self._count.get(key, 0) <= keep and svc.spec.mode in ("replicated", "global"):
                del self._dirty[key]  # cannot hold too many: nothing to group
                continue
            history = self._history(svc, slot, node_id, by_slot)
            if history is None:
                del self._dirty[key]
                continue
            delete, live = history_to_delete(history, retention(svc.spec, self.history_limit))
            for t in delete:
                doomed[t.id] = t
            if live <= 1:
                del self._dirty[key]
        for task in doomed.values():
            self.state.delete_task(task)

    def _history(self, svc: ServiceRecord, slot: int, node_id: str | None,
                 cache: dict[str, dict[int, list[Task]]]) -> list[Task] | None:
        mode = svc.spec.mode
        if mode == "replicated":
            if svc.name not in cache:
                grouped: dict[int, list[Task]] = {}
                for t in self.state.tasks_of(svc.name):
                    if t.created >= svc.created:
                        grouped.setdefault(t.slot, []).append(t)
                cache[svc.name] = grouped
            return cache[svc.name].get(slot, [])
        if mode == "global" and node_id is not None:
            return [t for t in self.state.tasks_on(node_id)
                    if t.service == svc.name and t.created >= svc.created]
        return None
