"""The jobs orchestrator: run-to-completion services (SwarmKit's ``jobs``).

* ``replicated-job``: ``replicas`` total completions, at most ``replicas`` at once
  (compose sets MaxConcurrent = TotalCompletions = replicas).  Slots are 0..n-1; each
  pass creates ``min(max_concurrent - running, total - completed - running)`` tasks in
  the lowest free slots, with desired state ``complete``.
* ``global-job``: one task per node that meets the constraints and is active and
  ready, including nodes that join later.  Tasks on drained or down nodes that are
  still running are shut down.
* Completed tasks are never restarted (``any`` counts as ``on-failure``); failed ones
  go to the restart supervisor.
* A service update starts a new job iteration: tasks of older iterations get desired
  ``remove``.

A pass runs when a job service is created or updated, when one of its tasks stops
while still meant to complete, and (global jobs) when a node changes.
"""

from __future__ import annotations

from swarmsim.cluster.state import TERMINAL, ClusterState, NodeRecord, ServiceRecord
from swarmsim.cluster.tasks import Task, TaskState
from swarmsim.input.specs import NodeSpec
from swarmsim.manager.global_ import meets
from swarmsim.manager.leadership import Leadership
from swarmsim.manager.restart import RestartSupervisor, invalid_node, owner, service_tasks
from swarmsim.simulation.clock import Clock

COMPLETE = TaskState.COMPLETE
RUNNING = TaskState.RUNNING
MODES = ("replicated-job", "global-job")


# --- pure decisions ------------------------------------------------------------------------
def new_task_count(max_concurrent: int, total: int, running: int, completed: int) -> int:
    """How many tasks a replicated-job pass creates (never negative)."""
    return max(0, min(max_concurrent - running, total - completed - running))


def job_slots(total: int, used: set[int], count: int) -> list[int]:
    """The ``count`` lowest slot numbers in ``0..total-1`` not in ``used``."""
    return [s for s in range(total) if s not in used][:count]


# --- the component ----------------------------------------------------------------------
class JobsOrchestrator:
    """Runs replicated and global jobs to completion."""

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
        self._services: dict[str, None] = {}
        self._versions: dict[str, int] = {}
        self._trigger = clock.coalesced(self._tick)

    def start(self) -> None:
        """Subscribe to services, tasks, nodes and leadership."""
        self.state.on_service(self._on_service)
        self.state.on_task(self._on_task, states=TERMINAL)
        self.state.on_node(self._on_node)
        self.leadership.on_leader(self._on_leader)

    # --- listeners ---------------------------------------------------------------------
    def _on_service(self, svc: ServiceRecord, what: str) -> None:
        if svc.spec.mode not in MODES:
            if what == "updated" and svc.name in self._versions:
                self._versions.pop(svc.name)  # no longer a job
            return
        if what == "removed":
            self._services.pop(svc.name, None)
            self._versions.pop(svc.name, None)
            self.clock.soon(self.restart.remove_service_tasks,
                          svc.name, service_tasks(self.state, svc))
            return
        if what == "updated" and self._versions.get(svc.name, svc.version) != svc.version:
            svc.job_iteration += 1  # part of the update: a new spec re-runs the job
        self._versions[svc.name] = svc.version
        self._services[svc.name] = None
        self._arm()

    def _on_task(self, task: Task, old_state: TaskState, old_desired: TaskState) -> None:
        if task.id not in self.state.tasks or task.state <= RUNNING or task.desired > COMPLETE:
            return
        svc = owner(self.state, task)
        if svc is not None and svc.spec.mode in MODES:
            self._services[svc.name] = None
            self._arm()

    def _on_node(self, node: NodeRecord, before: NodeSpec) -> None:
        for svc in self.state.services.values():
            if svc.spec.mode == "global-job":
                self._services[svc.name] = None
        self._arm()

    def _on_leader(self, ok: bool) -> None:
        if ok:
            self.clock.soon(self._init)

    # --- the loop ------------------------------------------------------------------------
    def _arm(self) -> None:
        if self._services:
            self._trigger()

    def _tick(self) -> None:
        if not self.leadership.has_leader:
            return
        services, self._services = sorted(self._services), {}
        for name in services:
            svc = self.state.services.get(name)
            if svc is None:
                continue
            if svc.spec.mode == "replicated-job":
                self.reconcile_replicated(svc)
            elif svc.spec.mode == "global-job":
                self.reconcile_global(svc)

    def _init(self) -> None:
        """A new leader: shut down global-job tasks on invalid nodes, then reconcile."""
        if not self.leadership.has_leader:
            return
        for svc in list(self.state.services.values()):
            if svc.spec.mode not in MODES:
                continue
            self._services[svc.name] = None
            if svc.spec.mode != "global-job":
                continue
            for task in service_tasks(self.state, svc):
                node = self.state.nodes.get(task.node_id or "")
                if task.desired <= COMPLETE and invalid_node(node):
                    self.state.set_desired(task, TaskState.SHUTDOWN)
        self._tick()

    # --- reconcile -----------------------------------------------------------------------
    def reconcile_replicated(self, svc: ServiceRecord) -> None:
        """One pass of a replicated job."""
        iteration = svc.job_iteration
        running = completed = 0
        used: set[int] = set()
        to_restart: list[Task] = []
        to_remove: list[Task] = []
        for task in service_tasks(self.state, svc):
            if task.job_iteration != iteration:
                if task.state <= RUNNING and task.desired != TaskState.REMOVE:
                    to_remove.append(task)
                continue
            if task.state == COMPLETE:
                completed += 1
                used.add(task.slot)
            elif task.desired <= COMPLETE:
                running += 1
                used.add(task.slot)
                if task.state > COMPLETE:
                    to_restart.append(task)
        total = svc.spec.replicas
        count = new_task_count(total, total, running, completed)
        for slot in job_slots(total, used, count):
            self.state.create_task(svc, slot=slot, desired=COMPLETE)
        self._restart_and_remove(to_restart, to_remove)

    def reconcile_global(self, svc: ServiceRecord) -> None:
        """One pass of a global job."""
        iteration = svc.job_iteration
        candidates: list[str] = []
        invalid: list[str] = []
        for node in sorted(self.state.nodes.values(), key=lambda n: n.id):
            if not meets(svc.spec, node.spec):
                continue
            if invalid_node(node):
                invalid.append(node.id)
            elif node.spec.availability == "active" and node.spec.status == "ready":
                candidates.append(node.id)
        on_node: dict[str, Task] = {}
        to_restart: list[Task] = []
        to_remove: list[Task] = []
        for task in service_tasks(self.state, svc):
            if task.job_iteration != iteration:
                if task.desired != TaskState.REMOVE:
                    to_remove.append(task)
                continue
            if task.desired <= COMPLETE:
                if task.state > COMPLETE:
                    to_restart.append(task)
                on_node[task.node_id or ""] = task
        for node_id in candidates:
            if node_id not in on_node:
                self.state.create_task(svc, node_id=node_id, desired=COMPLETE)
        self._restart_and_remove(to_restart, to_remove)
        for node_id in invalid:
            left = on_node.get(node_id)
            if left is not None and left.id in self.state.tasks and (
                    left.desired > COMPLETE or left.state <= RUNNING):
                self.state.set_desired(left, TaskState.SHUTDOWN)

    def _restart_and_remove(self, to_restart: list[Task], to_remove: list[Task]) -> None:
        restart = self.restart
        for task in to_restart:
            if task.id in self.state.tasks and task.desired <= COMPLETE:
                restart.restart(task)
        for task in to_remove:
            if task.id in self.state.tasks and task.desired != TaskState.REMOVE:
                self.state.set_desired(task, TaskState.REMOVE)

