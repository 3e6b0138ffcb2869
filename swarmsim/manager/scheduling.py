"""The allocator and the scheduler as a simpy-timed component.

* Allocator: a new task becomes ``pending`` at once (networks and ports were allocated
  when the service was created).
* Scheduler: pending tasks are placed in batches. Every task or node event restarts a
  50 ms debounce, but no batch waits more than 1 s after the first event
  (``commitDebounceGap``/``maxLatency``). The placement itself is the pure
  :class:`swarmsim.scheduler.Scheduler`.
* Accounting: a task leaves the scheduler's view when its observed state passes
  ``running`` (resources freed; ``failed``/``rejected`` also count as a recent failure
  on the node) and its active counts drop as soon as its desired state passes
  ``complete``.
"""

from __future__ import annotations

from typing import Protocol

from swarmsim.cluster.state import TERMINAL, ClusterState, NodeRecord
from swarmsim.cluster.tasks import (
    ASSIGNED,
    COMPLETE,
    FAILED,
    NEW,
    PENDING,
    REJECTED,
    RUNNING,
    SHUTDOWN,
    Task,
    TaskState,
)
from swarmsim.foundation import defaults
from swarmsim.input.specs import NodeSpec
from swarmsim.manager.leadership import Leadership
from swarmsim.scheduler import PendingTask, Scheduler
from swarmsim.simulation.clock import Clock


class UsageByNode(Protocol):
    """What the scheduler's policies read of the resource model: each measured node's
    used CPU (nano-CPUs) and memory (bytes) now."""

    def used_by_node(self) -> dict[str, tuple[int, int]]: ...


class SchedulingComponent:
    """Allocates new tasks and schedules pending ones, with swarm's batching."""

    def __init__(
        self,
        state: ClusterState,
        clock: Clock,
        leadership: Leadership,
        scheduler: Scheduler,
        usage: UsageByNode,
    ) -> None:
        self.state = state
        self.clock = clock
        self.leadership = leadership
        self.scheduler = scheduler
        self.usage = usage  # the resource model (policies other than spread read it)
        self._pending: dict[str, Task] = {}
        self._tracked: set[str] = set()
        self._shutdown_counted: set[str] = set()
        self._first: float | None = None
        self._due = 0.0
        self._timer_at: float | None = None
        self._to_allocate: list[Task] = []
        self._known_nodes: set[str] = set()

    def start(self) -> None:
        """Subscribe to the state."""
        self.state.on_task(
            self._on_task,
            states={NEW, PENDING, ASSIGNED} | TERMINAL,
        )
        self.state.on_node(self._on_node)
        self.leadership.on_leader(lambda ok: self.commit() if ok else None)

    # --- listeners ---------------------------------------------------------------------
    def _on_task(self, task: Task, old_state: TaskState, old_desired: TaskState) -> None:
        tid = task.id
        if tid not in self.state.tasks:  # deleted
            self._pending.pop(tid, None)
            if tid in self._tracked:
                self._tracked.discard(tid)
                self._shutdown_counted.discard(tid)
                self.scheduler.release_task(tid)
            self.commit()
            return
        state = task.state
        if state == NEW:
            if not self._to_allocate:
                self.clock.soon(self._allocate)
            self._to_allocate.append(task)
            return
        if state == PENDING:
            if tid not in self._pending:
                self._pending[tid] = task
                self.commit()
            elif task.desired != old_desired:
                self.commit()
            return
        if ASSIGNED <= state <= RUNNING:
            if tid not in self._tracked:
                # assigned by someone else (e.g. restored); count it
                self._tracked.add(tid)
                if task.node_id is not None:
                    self.scheduler.add_task(self._pending_task(task), task.node_id, task.spec)
            if task.desired > COMPLETE and tid not in self._shutdown_counted:
                self._shutdown_counted.add(tid)
                self.scheduler.set_desired_shutdown(tid)
            return
        # past running: leaves the scheduler's view
        self._pending.pop(tid, None)
        if tid in self._tracked:
            self._tracked.discard(tid)
            self._shutdown_counted.discard(tid)
            if state in (FAILED, REJECTED):
                self.scheduler.task_failed(tid, self.clock.now)
            else:
                self.scheduler.release_task(tid)
            self.commit()

    def _on_node(self, node: NodeRecord, before: NodeSpec) -> None:
        nid = node.id
        if not node.in_swarm:
            self.scheduler.remove_node(nid)
        elif nid in self._known_nodes:
            if node.spec != before:
                self.scheduler.update_node(node.spec)
        else:
            self._known_nodes.add(nid)
            self.scheduler.add_node(node.spec)
        self.commit()

    # --- allocator ---------------------------------------------------------------------
    def _allocate(self) -> None:
        batch, self._to_allocate = self._to_allocate, []
        for task in batch:
            if task.id in self.state.tasks and task.state == NEW:
                self.state.set_state(task, PENDING)

    # --- debounce ----------------------------------------------------------------------
    def commit(self) -> None:
        """Something changed: schedule a pass within the debounce window."""
        if not self._pending:
            return
        now = self.clock.now
        if self._first is None:
            self._first = now
        self._due = min(now + defaults.SCHEDULER_DEBOUNCE_S,
                        self._first + defaults.SCHEDULER_MAX_LATENCY_S)
        if self._timer_at is None or self._timer_at > self._due:
            self._timer_at = self._due
            self.clock.later(self._due - now, self._fire, self._due)

    def _fire(self, at: float) -> None:
        if self._timer_at != at:
            return  # superseded by an earlier timer
        if self.clock.now < self._due:
            self._timer_at = self._due
            self.clock.later(self._due - self.clock.now, self._fire, self._due)
            return
        self._timer_at = None
        self._first = None
        self.tick()

    # --- a scheduling pass -------------------------------------------------------------
    def tick(self) -> None:
        """Place every pending task (swarm's ``schedule()``)."""
        if not self.leadership.has_leader:
            return
        batch: list[PendingTask] = []
        tasks: dict[str, Task] = {}
        for tid, task in list(self._pending.items()):
            if task.state != PENDING or tid not in self.state.tasks:
                del self._pending[tid]
                continue
            if task.desired >= SHUTDOWN:
                if task.desired == SHUTDOWN:
                    del self._pending[tid]
                    self.state.set_state(task, SHUTDOWN)
                continue  # desired remove: the reaper deletes it
            if task.service not in self.state.services:
                continue
            batch.append(self._pending_task(task))
            tasks[tid] = task
        if not batch:
            return
        specs = {name: svc.spec for name, svc in self.state.services.items()}
        if self.scheduler.policy is not None:  # spread never reads what containers use
            self.scheduler.observe_usage(self.usage.used_by_node())
        for decision in self.scheduler.schedule(batch, specs, self.clock.now):
            task = tasks[decision.task_id]
            if decision.node_id is None:
                self.state.set_pending_error(task, decision.error)
                continue
            del self._pending[task.id]
            self._tracked.add(task.id)
            self.state.assign(task, decision.node_id, decision.message)
            if task.desired > COMPLETE:
                self._shutdown_counted.add(task.id)
                self.scheduler.set_desired_shutdown(task.id)

    @staticmethod
    def _pending_task(task: Task) -> PendingTask:
        return PendingTask(
            id=task.id,
            service=task.service,
            spec_version=task.spec_version,
            slot=task.slot,
            node_id=task.node_id if task.preassigned else None,
        )
