"""The restart supervisor: replacing tasks that stopped, with swarm's delays and limits.

``restart(task)`` is SwarmKit's ``Supervisor.Restart``: the old task gets desired state
``shutdown``; if the task's restart policy allows it, a replacement is created in the
same slot (replicated, with no node: the scheduler picks one) or on the same node
(global) with desired state ``ready``; after the restart delay, and once the old task
has stopped (bounded by one minute), the replacement is told to run.

``delay_start`` is that last step on its own; the rolling updater uses it too.

Restart history (for ``max_attempts``/``window``) is kept per slot, or per node for
global services, and starts afresh when the service's spec version changes.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from swarmsim.cluster.state import TERMINAL, NodeRecord, ServiceRecord
from swarmsim.cluster.tasks import COMPLETE, READY, REMOVE, RUNNING, SHUTDOWN, Task, TaskState
from swarmsim.foundation import defaults
from swarmsim.input.specs import NodeSpec, RestartPolicy
from swarmsim.manager.leadership import Leadership
from swarmsim.simulation.clock import Clock

if TYPE_CHECKING:
    from swarmsim.cluster.state import ClusterState



# --- pure decisions ------------------------------------------------------------------------
def should_restart(
    policy: RestartPolicy,
    task_state: TaskState,
    history_times: Sequence[float],
    fail_time: float,
    is_job: bool,
) -> bool:
    """Whether a stopped task gets a replacement (SwarmKit's ``shouldRestart``).

    Args:
        policy: the restart policy of the task's own spec.
        task_state: the task's observed state.
        history_times: creation times of the replacements already made for this slot
            under the task's spec version (empty when there is no such history).
        fail_time: the task's status timestamp (when its observed state last changed).
        is_job: the service is a job (``any`` then behaves like ``on-failure``).

    Returns:
        ``none`` never restarts; ``on-failure`` (and ``any`` for jobs) does not restart
        a ``complete`` task; with ``max_attempts`` > 0 the restarts counted are all of
        them (``window`` 0) or those created strictly inside
        ``(fail_time - window, fail_time)``, and a restart is allowed while that count
        is below ``max_attempts``.
    """
    condition = policy.condition
    if condition == "none":
        return False
    if task_state == COMPLETE and (condition == "on-failure" or is_job):
        return False
    if policy.max_attempts <= 0:
        return True
    if policy.window_s <= 0:
        return len(history_times) < policy.max_attempts
    lookback = fail_time - policy.window_s
    recent = sum(1 for t in history_times if lookback < t < fail_time)
    return recent < policy.max_attempts


def invalid_node(node: NodeRecord | None) -> bool:
    """SwarmKit's ``InvalidNode``: the node is gone, down or drained."""
    return node is None or node.spec.status == "down" or node.spec.availability == "drain"


def owner(state: ClusterState, task: Task) -> ServiceRecord | None:
    """The service a task belongs to, or None (removed, or a later service that reuses
    the name: tasks are filed by service name, so a re-created service must not adopt
    the tasks of its predecessor)."""
    svc = state.services.get(task.service)
    if svc is None or task.created < svc.created:
        return None
    return svc


def service_tasks(state: ClusterState, svc: ServiceRecord) -> list[Task]:
    """The tasks of ``svc`` (not of an earlier service of the same name), oldest first."""
    return [t for t in state.tasks_of(svc.name) if t.created >= svc.created]


def newest(tasks: Sequence[Task]) -> Task:
    """The task whose status changed last (the first such one on a tie)."""
    best = tasks[0]
    for t in tasks[1:]:
        if t.updated > best.updated:
            best = t
    return best


# --- delayed starts -----------------------------------------------------------------------
@dataclass(eq=False, slots=True)
class DelayedStart:
    """A pending ``ready`` -> ``running`` transition of one task.

    Attributes:
        task_id: the task to start.
        done: True once it started or was cancelled.
        cancelled: True when it was cancelled before starting.
    """

    task_id: str
    wait: bool
    done: bool = False
    cancelled: bool = False
    delay_over: bool = False
    old_stopped: bool = False
    timed_out: bool = False
    waiter: bool = False
    watch_task: str | None = None
    watch_node: str | None = None
    callbacks: list[Callable[[], None]] = field(default_factory=list)


@dataclass(slots=True)
class _History:
    spec_version: int
    times: list[float] = field(default_factory=list)


class RestartSupervisor:
    """Restarts tasks and delays their start (SwarmKit's ``restart.Supervisor``)."""

    def __init__(
        self,
        state: ClusterState,
        clock: Clock,
        leadership: Leadership,
    ) -> None:
        self.state = state
        self.clock = clock
        self.leadership = leadership
        self.task_timeout_s = defaults.OLD_TASK_TIMEOUT_S
        self._delays: dict[str, DelayedStart] = {}
        self._by_old_task: dict[str, list[DelayedStart]] = {}
        self._by_old_node: dict[str, list[DelayedStart]] = {}
        self._history: dict[str, dict[tuple[int, str | None], _History]] = {}
        self._queued: dict[str, None] = {}  # restarts asked for without a leader
        self._deferred_starts: dict[str, None] = {}
        self._timeouts: list[tuple[float, int, DelayedStart]] = []  # heap of old-task waits
        self._timeouts_at: float | None = None  # when the shared timeout timer fires
        self._timeout_seq = 0

    def start(self) -> None:
        """Subscribe to task, node and leadership changes."""
        self.state.on_task(self._on_task, states=TERMINAL, desired=False)
        self.state.on_node(self._on_node)
        self.leadership.on_leader(self._on_leader)

    # --- restarts ----------------------------------------------------------------------
    def restart(self, task: Task) -> Task | None:
        """Shut ``task`` down and, if its restart policy allows, create its replacement.

        Returns:
            The replacement (desired ``ready``), or None (no restart, or deferred: the
            task is still inside a restart delay of its own, or there is no leader).
        """
        if not self.leadership.has_leader:
            self._queued[task.id] = None
            return None
        pending = self._delays.get(task.id)
        if pending is not None:
            if not pending.waiter:
                pending.waiter = True
                pending.callbacks.append(lambda: self._restart_after_delay(task.id))
            return None
        if task.desired > COMPLETE or task.id not in self.state.tasks:
            return None  # already shut down by an earlier restart
        svc = owner(self.state, task)
        if svc is None:
            return None
        self.state.set_desired(task, SHUTDOWN)
        is_job = svc.spec.is_job
        if not should_restart(task.spec.restart, task.state, self._times_for(task, svc),
                              task.updated, is_job):
            return None
        if svc.spec.is_global:
            new = self.state.create_task(svc, node_id=task.node_id, desired=READY)
        else:
            new = self.state.create_task(svc, slot=task.slot, desired=READY)
        node = self.state.nodes.get(task.node_id or "")
        delay = task.spec.restart.delay_s
        if node is not None and node.spec.availability == "drain":
            delay = 0.0  # no restart delay for tasks leaving a drained node
        wait_stop = not ((node is not None and node.spec.status == "down")
                         or task.state > RUNNING)
        self._record(new)
        self.delay_start(new, delay, wait_for=task if wait_stop else None)
        return new

    def _restart_after_delay(self, task_id: str) -> None:
        task = self.state.tasks.get(task_id)
        if task is None or task.desired > RUNNING:
            return
        self.restart(task)

    def updatable_tasks_in_slot(self, tasks: Sequence[Task], svc: ServiceRecord) -> list[Task]:
        """The tasks of one slot that count as the slot's occupants (SwarmKit's
        ``UpdatableTasksInSlot``).

        Tasks with desired state <= ``running``; failing that, the newest task alone when
        it stopped and must not be restarted (so ``max_attempts`` exhaustion and
        condition ``none`` leave the slot occupied); otherwise nothing (a dead slot).
        During an automatic or manual rollback, stopped slots are dead.
        """
        if not tasks:
            return []
        live = [t for t in tasks if t.desired <= RUNNING]
        if live:
            return live
        if svc.update_state == "rollback_started":
            return []
        last = newest(tasks)
        if not should_restart(last.spec.restart, last.state, self._times_for(last, svc),
                              last.updated, svc.spec.is_job):
            return [last]
        return []

    def clear_service_history(self, service: str) -> None:
        """Forget the restart history of a (removed) service."""
        self._history.pop(service, None)

    def remove_service_tasks(self, name: str, tasks: Sequence[Task]) -> None:
        """``docker service rm`` as every orchestrator carries it out: the service's
        tasks still in the store get desired ``remove``, its restart history goes."""
        for task in tasks:
            if task.id in self.state.tasks and task.desired <= REMOVE:
                self.state.set_desired(task, REMOVE)
        self.clear_service_history(name)

    def history_times(self, task: Task, svc: ServiceRecord) -> list[float]:
        """Creation times of the restarts counted against ``task``'s slot."""
        return list(self._times_for(task, svc))

    def _times_for(self, task: Task, svc: ServiceRecord) -> list[float]:
        # SwarmKit looks global services up by node, everything else by slot (so a
        # global job, recorded by node below, never finds its history).
        key = (task.slot, task.node_id if svc.spec.mode == "global" else None)
        info = self._history.get(task.service, {}).get(key)
        if info is None or info.spec_version != task.spec_version:
            return []
        return info.times

    def _record(self, new: Task) -> None:
        if new.spec.restart.max_attempts <= 0:
            return
        key = (new.slot, new.node_id if new.preassigned else None)
        slots = self._history.setdefault(new.service, {})
        info = slots.get(key)
        if info is None or info.spec_version != new.spec_version:
            info = slots[key] = _History(new.spec_version)
        info.times.append(new.created)

    # --- delayed start -----------------------------------------------------------------
    def delay_start(self, task: Task, delay: float, wait_for: Task | None = None) -> DelayedStart:
        """Move ``task`` from desired ``ready`` to ``running`` (``complete`` for jobs)
        after ``delay`` seconds and, when ``wait_for`` is given and still running, once
        that old task has stopped or its node is down or removed, or one minute after
        this call (SwarmKit's ``DelayStart``). A delay already pending for ``task`` is
        cancelled first.

        Returns:
            The pending start; ``add_done_callback`` tells when it started or was
            cancelled.
        """
        old = self._delays.get(task.id)
        if old is not None:
            self._finish(old, cancelled=True)
        waits = wait_for is not None and wait_for.state <= RUNNING
        d = DelayedStart(task.id, wait=waits)
        self._delays[task.id] = d
        if waits and wait_for is not None:
            d.watch_task = wait_for.id
            self._by_old_task.setdefault(wait_for.id, []).append(d)
            if wait_for.node_id is not None:
                d.watch_node = wait_for.node_id
                self._by_old_node.setdefault(wait_for.node_id, []).append(d)
            self._add_timeout(d)
        if delay > 0:
            self.clock.later(delay, self._delay_over, d)
        else:
            d.delay_over = True
            if not d.wait:
                self.clock.soon(self._check, d)
        return d

    def _add_timeout(self, d: DelayedStart) -> None:
        """Give up waiting for the old task ``task_timeout_s`` from now. The pending
        timeouts share one timer, armed for the earliest one still open (most starts
        end long before theirs)."""
        self._timeout_seq += 1
        heapq.heappush(self._timeouts, (self.clock.now + self.task_timeout_s,
                                        self._timeout_seq, d))
        self._arm_timeouts()

    def _arm_timeouts(self) -> None:
        heap = self._timeouts
        while heap and heap[0][2].done:
            heapq.heappop(heap)
        if heap and (self._timeouts_at is None or heap[0][0] < self._timeouts_at):
            at = self._timeouts_at = heap[0][0]
            self.clock.later(at - self.clock.now, self._timeouts_due, at)

    def _timeouts_due(self, at: float) -> None:
        if at != self._timeouts_at:
            return  # superseded by an earlier timer
        self._timeouts_at = None
        heap, now = self._timeouts, self.clock.now
        while heap and heap[0][0] <= now:
            d = heapq.heappop(heap)[2]
            if not d.done:
                self._timeout(d)
        self._arm_timeouts()

    def add_done_callback(self, d: DelayedStart, fn: Callable[[], None]) -> None:
        """Call ``fn()`` once ``d`` has started its task or was cancelled."""
        if d.done:
            self.clock.soon(fn)
        else:
            d.callbacks.append(fn)

    def cancel(self, task_id: str) -> None:
        """Cancel the pending start of ``task_id``, if any."""
        d = self._delays.get(task_id)
        if d is not None:
            self._finish(d, cancelled=True)

    def start_now(self, task: Task) -> None:
        """Desired ``running`` (``complete`` for a job task) if it is still below."""
        if task.id not in self.state.tasks or task.desired >= RUNNING:
            return
        if not self.leadership.has_leader:
            self._deferred_starts[task.id] = None
            return
        self.state.set_desired(task, COMPLETE if task.spec.is_job else RUNNING)

    def _delay_over(self, d: DelayedStart) -> None:
        d.delay_over = True
        self._check(d)

    def _timeout(self, d: DelayedStart) -> None:
        d.timed_out = True
        self._check(d)

    def _check(self, d: DelayedStart) -> None:
        if d.done or not d.delay_over:
            return
        if d.wait and not (d.old_stopped or d.timed_out):
            return
        task = self.state.tasks.get(d.task_id)
        self._finish(d, cancelled=False)
        if task is not None:
            self.start_now(task)

    def _finish(self, d: DelayedStart, *, cancelled: bool) -> None:
        if d.done:
            return
        d.done = True
        d.cancelled = cancelled
        if self._delays.get(d.task_id) is d:
            del self._delays[d.task_id]
        for index, key in ((self._by_old_task, d.watch_task), (self._by_old_node, d.watch_node)):
            if key is not None and key in index:
                index[key] = [x for x in index[key] if x is not d]
                if not index[key]:
                    del index[key]
        for fn in d.callbacks:
            self.clock.soon(fn)
        d.callbacks.clear()

    # --- listeners ---------------------------------------------------------------------
    def _on_task(self, task: Task, old_state: TaskState, old_desired: TaskState) -> None:
        if task.id not in self.state.tasks:
            if task.id in self._delays:
                self.clock.soon(self.cancel, task.id)
            return
        if task.state > RUNNING and task.id in self._by_old_task:
            self._old_stopped(self._by_old_task[task.id])

    def _on_node(self, node: NodeRecord, before: NodeSpec) -> None:
        if node.id not in self._by_old_node:
            return
        if not node.in_swarm or (node.spec.status == "down" and node.spec != before):
            self._old_stopped(self._by_old_node[node.id])

    def _old_stopped(self, waiting: list[DelayedStart]) -> None:
        for d in list(waiting):
            d.old_stopped = True
            self.clock.soon(self._check, d)

    def _on_leader(self, ok: bool) -> None:
        if ok:
            self.clock.soon(self._resume)
        else:
            for d in list(self._delays.values()):
                self._finish(d, cancelled=True)

    def _resume(self) -> None:
        """A new leader: queued restarts run, and tasks left in desired ``ready`` get
        the rest of their restart delay (SwarmKit's ``taskinit.CheckTasks``)."""
        if not self.leadership.has_leader:
            return
        queued, self._queued = list(self._queued), {}
        starts, self._deferred_starts = list(self._deferred_starts), {}
        for tid in queued:
            task = self.state.tasks.get(tid)
            if task is not None and task.desired <= RUNNING:
                self.restart(task)
        for tid in starts:
            task = self.state.tasks.get(tid)
            if task is not None:
                self.start_now(task)
        now = self.clock.now
        for task in list(self.state.tasks.values()):
            if task.desired != READY or task.state > COMPLETE:
                continue
            if task.id in self._delays or owner(self.state, task) is None:
                continue
            delay = task.spec.restart.delay_s
            if delay > 0:
                delay = min(delay, task.updated + delay - now)
            if delay > 0:
                self.delay_start(task, delay)
            else:
                self.start_now(task)
