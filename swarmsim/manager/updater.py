"""The rolling updater: replacing out-of-date tasks slot by slot (SwarmKit's ``update``).

A run hands the dirty slots of a service, in slot order (swarm uses map order; the
tie-break here is slot number, then node id), to ``parallelism`` workers (0: one per
slot).  A worker reuses a clean task of the slot, or creates a replacement with desired
``ready``: ``stop-first`` starts it once the old task has stopped (at most one minute),
``start-first`` at once, shutting the old one down when the new one runs.  The worker
waits for the new task to reach ``running`` (or fail), then sleeps ``delay``.  Tasks of
the run that fail before ``running`` or within ``monitor`` of it are failures; beyond
``max_failure_ratio`` the run pauses or rolls back.  After the last slot it monitors
for ``monitor`` seconds, then completes.  Status: ``ServiceRecord.update_state/_message``.

Each status write is a write of the service in SwarmKit's store (``startUpdate``,
``pauseUpdate``, ``completeUpdate`` in manager/orchestrator/update/updater.go), and that
event makes the orchestrator reconcile the service: a slot left holding two tasks meant
to run (a restart and the update racing for it) is dirty and goes to a new run, whose
worker keeps one task and shuts the others down (``useExistingTask``).  Listeners added
with :meth:`Updater.on_status` stand for that event.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from swarmsim.cluster.state import TERMINAL, ClusterState, ServiceRecord
from swarmsim.cluster.tasks import READY, RUNNING, SHUTDOWN, Task, TaskState
from swarmsim.foundation import defaults
from swarmsim.input.specs import ServiceSpec, UpdateConfig
from swarmsim.manager.dirty import (
    ENDPOINT,
    NOT_IN_TASK,
    failure_threshold_exceeded,
    is_task_dirty,
    monitor_period,
    slot_key,
)
from swarmsim.manager.leadership import Leadership
from swarmsim.manager.restart import DelayedStart, RestartSupervisor
from swarmsim.simulation.clock import Clock

__all__ = [
    "ENDPOINT",
    "NOT_IN_TASK",
    "Updater",
    "failure_threshold_exceeded",
    "is_task_dirty",
    "monitor_period",
    "slot_key",
]


# --- one update run ------------------------------------------------------------------------
@dataclass(eq=False)
class _Run:
    service: str
    spec: ServiceSpec
    version: int
    config: UpdateConfig
    rolling_back: bool
    dirty: list[list[Task]]
    workers: int
    monitor_s: float
    idle: int = 0
    next_slot: int = 0
    phase: str = "dispatch"  # dispatch | drain | monitor | done
    stopped: bool = False
    cancelled: bool = False
    failures: set[str] = field(default_factory=set)
    queued_failures: list[Task] = field(default_factory=list)
    started: dict[str, float | None] = field(default_factory=dict)  # task id -> running at


class Updater:
    """Runs rolling updates and rollbacks (SwarmKit's ``update.Supervisor``)."""

    def __init__(
        self,
        state: ClusterState,
        clock: Clock,
        leadership: Leadership,
        restart: RestartSupervisor,
    ) -> None:
        self.state = state
        self.clock = clock
        self.leadership = leadership
        self.restart = restart
        self._runs: dict[str, _Run] = {}
        self._waiting: dict[str, tuple[_Run, list[Task], bool]] = {}  # new task id -> run
        self._own_version: dict[str, int] = {}  # service -> version of our own rollback
        self._status_listeners: list[Callable[[ServiceRecord], None]] = []

    def on_status(self, fn: Callable[[ServiceRecord], None]) -> None:
        """Call ``fn(service)`` after the updater writes a service's update status (the
        store event on which SwarmKit's orchestrators reconcile the service)."""
        self._status_listeners.append(fn)

    def _status_written(self, svc: ServiceRecord) -> None:
        for fn in self._status_listeners:
            fn(svc)

    def start(self) -> None:
        """Subscribe to service and task changes and to leadership."""
        self.state.on_service(self._on_service)
        self.state.on_task(self._on_task, states={RUNNING} | TERMINAL, desired=False)
        self.leadership.on_leader(self._on_leader)

    # --- entry points ------------------------------------------------------------------
    def update(self, svc: ServiceRecord, slots: list[list[Task]]) -> None:
        """Bring ``slots`` (each the tasks of one slot or node) to ``svc``'s spec.

        A run already working towards the same spec is left alone; one towards another
        spec is cancelled. Nothing happens while the update is paused.
        """
        current = self._runs.get(svc.name)
        if current is not None:
            if current.spec == svc.spec:
                return
            self._end(current, cancel=True)
        if svc.update_state in ("paused", "rollback_paused"):
            return
        dirty = sorted((s for s in slots if len(s) > 1 or (
            s and self._dirty(s[0], svc.spec, svc.version))), key=slot_key)
        if not dirty:
            if svc.update_state in ("updating", "rollback_started"):
                self._complete(svc.name)
            return
        rolling_back = svc.update_state == "rollback_started"
        config = svc.spec.rollback if rolling_back else svc.spec.update
        workers = config.parallelism if config.parallelism > 0 else len(dirty)
        monitor = config.monitor_s if config.monitor_s > 0 else defaults.UPDATE_MONITOR_S
        run = _Run(svc.name, svc.spec, svc.version, config, rolling_back, dirty, workers,
                   monitor, idle=workers)
        self._runs[svc.name] = run
        if svc.update_state == "":
            svc.update_state, svc.update_message = "updating", "update in progress"
            self._status_written(svc)
        self.clock.soon(self._pump, run)

    def rollback(self, name: str) -> ServiceRecord:
        """``docker service rollback``: go back to the previous spec with the rollback
        config.

        Raises:
            ValueError: ``service <id> does not have a previous spec``.
        """
        svc = self.state.services[name]
        if svc.previous_spec is None:
            raise ValueError(f"service {svc.id} does not have a previous spec")
        svc.update_state, svc.update_message = "rollback_started", "manually requested rollback"
        self._own_version[name] = svc.version + 1
        return self.state.update_service(name, svc.previous_spec)

    # --- the run -----------------------------------------------------------------------
    def _dirty(self, task: Task, spec: ServiceSpec, version: int) -> bool:
        node = self.state.nodes.get(task.node_id or "")
        return is_task_dirty(task, spec, node.spec if node else None, version)

    def _pump(self, run: _Run) -> None:
        """Hand slots to idle workers; move on when every slot is handed out."""
        if run.cancelled or run.phase == "done":
            return
        if run.phase == "dispatch":
            while run.idle > 0 and run.next_slot < len(run.dirty) and not run.stopped:
                run.next_slot += 1
                run.idle -= 1
                self._work(run, run.dirty[run.next_slot - 1])
                if run.cancelled:
                    return
            if run.stopped or run.next_slot >= len(run.dirty):
                run.phase = "drain"
        if run.phase == "drain" and run.idle == run.workers:
            if run.stopped:
                self._end(run)
            else:
                self._monitor(run)

    def _work(self, run: _Run, slot: list[Task]) -> None:
        running_task = clean_task = None
        for t in slot:
            if not self._dirty(t, run.spec, run.version):
                if t.desired == RUNNING:
                    running_task = t
                    break
                if t.desired < RUNNING:
                    clean_task = t
        existing = running_task or clean_task
        if existing is not None:
            self._use_existing(run, slot, existing)
            return
        svc = self.state.services.get(run.service)
        if svc is None or svc.version != run.version:
            self._slot_done(run)  # the service changed under us: this run is obsolete
            return
        if svc.spec.is_global:
            new = self.state.create_task(svc, node_id=slot[0].node_id, desired=READY)
        else:
            new = self.state.create_task(svc, slot=slot[0].slot, desired=READY)
        run.started[new.id] = None
        start_first = run.config.order == "start-first"
        old = None if start_first else self._remove_old(slot)  # stop-first: old one first
        d = self.restart.delay_start(new, 0.0, wait_for=old)
        self._after(run, d, lambda: self._reached_running(run, slot, new, start_first))

    def _use_existing(self, run: _Run, slot: list[Task], existing: Task) -> None:
        old = self._remove_old([t for t in slot if t is not existing])
        if existing.desired == RUNNING:
            self._slot_done(run)
        else:
            d = self.restart.delay_start(existing, 0.0, wait_for=old)
            self._after(run, d, lambda: self._slot_done(run))

    def _after(self, run: _Run, d: DelayedStart, fn: Callable[[], None]) -> None:
        self.restart.add_done_callback(d, lambda: None if run.cancelled else fn())

    def _reached_running(self, run: _Run, slot: list[Task], new: Task, start_first: bool) -> None:
        if run.cancelled:
            return
        if new.state < RUNNING:
            self._waiting[new.id] = (run, slot, start_first)  # woken by _on_task
            return
        run.started[new.id] = self.clock.now
        if start_first and new.state == RUNNING:
            self._remove_old(slot)
        self._slot_done(run)

    def _slot_done(self, run: _Run) -> None:
        if not run.cancelled:
            self.clock.later(run.config.delay_s, self._worker_free, run)

    def _worker_free(self, run: _Run) -> None:
        if not run.cancelled:
            run.idle += 1
            self._pump(run)

    def _remove_old(self, tasks: list[Task]) -> Task | None:
        """Desired ``shutdown`` on the tasks still meant to run; returns the last one."""
        removed = None
        for t in tasks:
            if t.id in self.state.tasks and t.desired <= RUNNING:
                self.state.set_desired(t, SHUTDOWN)
                removed = t
        return removed

    def _monitor(self, run: _Run) -> None:
        run.phase = "monitor"
        run.monitor_s = monitor_period(run.config)
        queued, run.queued_failures = run.queued_failures, []
        for task in queued:
            if self._failure(run, task):
                self._finish_monitoring(run)
                return
        self.clock.later(run.monitor_s, self._finish_monitoring, run, True)

    def _finish_monitoring(self, run: _Run, timer: bool = False) -> None:
        if timer and (run.cancelled or run.phase != "monitor"):
            return
        if not run.stopped:
            self._complete(run.service)
        self._end(run)

    def _end(self, run: _Run, *, cancel: bool = False) -> None:
        """The run is over (stale ``_waiting`` entries go with their task's next event)."""
        run.phase = "done"
        run.cancelled = run.cancelled or cancel
        if self._runs.get(run.service) is run:
            del self._runs[run.service]

    # --- failures ----------------------------------------------------------------------
    def _on_task(self, task: Task, old_state: TaskState, old_desired: TaskState) -> None:
        if task.id not in self.state.tasks:
            self._waiting.pop(task.id, None)
            return
        if task.state >= RUNNING and task.id in self._waiting:
            run, slot, start_first = self._waiting.pop(task.id)
            self.clock.soon(self._reached_running, run, slot, task, start_first)
        current = self._runs.get(task.service)
        if current is None or task.state <= RUNNING or current.config.failure_action == "continue":
            return
        if current.phase == "drain":
            current.queued_failures.append(task)  # seen once the workers are done
        elif current.phase in ("dispatch", "monitor"):
            self.clock.soon(self._failure_now, current, task)

    def _failure_now(self, run: _Run, task: Task) -> None:
        if run.cancelled or run.phase == "done":
            return
        if run.phase == "drain":
            run.queued_failures.append(task)
            return
        if self._failure(run, task):
            if run.phase == "dispatch":
                run.phase = "drain"
                self._pump(run)
            else:
                self._finish_monitoring(run)

    def _failure(self, run: _Run, task: Task) -> bool:
        """Count a failed task of this run; True when the failure action stops the
        dispatching or the monitoring."""
        if task.id in run.failures or task.id not in run.started:
            return False
        started = run.started[task.id]
        if started is not None and self.clock.now - started > run.monitor_s:
            return False
        run.failures.add(task.id)
        if not failure_threshold_exceeded(len(run.failures), len(run.dirty),
                                          run.config.max_failure_ratio):
            return False
        action = run.config.failure_action
        why = f"due to failure or early termination of task {task.id}"
        if action == "pause":
            run.stopped = True
            self._pause(run.service, f"update paused {why}")
        elif action == "rollback" and run.rolling_back:
            # never roll back a rollback: pause, but (as swarm does) without stopping, so
            # the completion that follows overwrites the pause
            self._pause(run.service, f"rollback paused {why}")
        elif action == "rollback":
            run.stopped = True
            self._rollback_update(run.service, f"update rolled back {why}")
        return action in ("pause", "rollback")

    # --- status (a service updated since the run began has status "": left alone) ------
    def _pause(self, name: str, message: str) -> None:
        svc = self.state.services.get(name)
        if svc is not None and svc.update_state != "":
            back = svc.update_state == "rollback_started"
            svc.update_state = "rollback_paused" if back else "paused"
            svc.update_message = message
            self._status_written(svc)

    def _complete(self, name: str) -> None:
        svc = self.state.services.get(name)
        if svc is not None and svc.update_state != "":
            back = svc.update_state == "rollback_started"
            svc.update_state, svc.update_message = (
                ("rollback_completed", "rollback completed") if back
                else ("completed", "update completed"))
            self._status_written(svc)

    def _rollback_update(self, name: str, message: str) -> None:
        svc = self.state.services.get(name)
        if svc is None or svc.update_state == "" or svc.previous_spec is None:
            return
        svc.update_state, svc.update_message = "rollback_started", message
        self._own_version[name] = svc.version + 1
        self.state.update_service(name, svc.previous_spec)
        svc.previous_spec = None

    def _on_service(self, svc: ServiceRecord, what: str) -> None:
        if what == "removed":
            if (run := self._runs.get(svc.name)) is not None:
                self._end(run, cancel=True)
            self._own_version.pop(svc.name, None)
        elif what == "updated" and self._own_version.pop(svc.name, None) != svc.version:
            # a user's update clears the update status (controlapi sets it to nil)
            svc.update_state, svc.update_message = "", ""

    def _on_leader(self, ok: bool) -> None:
        if not ok:
            for run in list(self._runs.values()):
                self._end(run, cancel=True)
