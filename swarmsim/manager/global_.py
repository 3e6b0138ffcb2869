"""The global orchestrator: one task per eligible node (SwarmKit's ``global``).

Eligible nodes are those in the swarm that are neither drained nor down and meet the
service's constraints; paused nodes keep their task but get no new one.  Tasks are
created pre-assigned to their node (slot 0) and still pass through the scheduler.

* Service create/update: every eligible node without a runnable task gets one, nodes
  that no longer meet the constraints (or are drained, down or gone) have their tasks
  shut down, and the rest go to the rolling updater, one slot per node.
* A node joining, becoming active or ready, or changing (labels...): that node alone
  is reconciled for every global service; an out-of-date task there is replaced
  directly, not through the rolling updater.
* A node drained or down: its global tasks get desired ``shutdown``; nothing moves
  elsewhere.  A node removed: its global tasks are deleted.
* A task that stopped is restarted on its node by the restart supervisor, unless the
  node is paused or no longer meets the constraints (then it is only shut down).
"""

from __future__ import annotations

from swarmsim.cluster.state import TERMINAL, ClusterState, NodeRecord, ServiceRecord
from swarmsim.cluster.tasks import Task, TaskState
from swarmsim.input.specs import NodeSpec, ServiceSpec
from swarmsim.manager.dirty import is_task_dirty
from swarmsim.manager.leadership import Leadership
from swarmsim.manager.restart import RestartSupervisor, invalid_node, owner, service_tasks
from swarmsim.manager.updater import Updater
from swarmsim.scheduler.constraint import Constraint, node_matches, parse_constraints
from swarmsim.simulation.clock import Clock

RUNNING = TaskState.RUNNING
MODE = "global"


# --- pure decisions ------------------------------------------------------------------------
def constraints_of(spec: ServiceSpec) -> list[Constraint]:
    """The service's parsed constraints (unparsable ones count as none, as in swarm)."""
    try:
        return parse_constraints(spec.placement.constraints)
    except ValueError:
        return []


def eligible(node: NodeRecord) -> bool:
    """A node that can hold global tasks: in the swarm, not drained and not down."""
    return node.in_swarm and not invalid_node(node)


def meets(spec: ServiceSpec, node: NodeSpec) -> bool:
    """True when ``node`` satisfies the service's placement constraints."""
    return node_matches(constraints_of(spec), node)


# --- the component ----------------------------------------------------------------------
class GlobalOrchestrator:
    """Keeps one task of each global service on every eligible node."""

    def __init__(
        self,
        state: ClusterState,
        clock: Clock,
        leadership: Leadership,
        restart: RestartSupervisor,
        updater: Updater,
    ) -> None:
        self.state = state
        self.clock = clock
        self.leadership = leadership
        self.restart = restart
        self.updater = updater
        self._services: dict[str, None] = {}
        self._nodes: dict[str, None] = {}
        self._restarts: dict[str, None] = {}
        self._global: set[str] = set()  # names of the global services in the store
        self._arm = clock.coalesced(self._tick)

    def start(self) -> None:
        """Subscribe to services, tasks, nodes and leadership."""
        self.state.on_service(self._on_service)
        self.state.on_task(self._on_task, states=TERMINAL)
        self.state.on_node(self._on_node)
        self.leadership.on_leader(self._on_leader)
        self.updater.on_status(self._on_status)

    # --- listeners ---------------------------------------------------------------------
    def _on_status(self, svc: ServiceRecord) -> None:
        """An update-status write is a service update event (global/global.go)."""
        if svc.spec.mode == MODE and svc.name in self.state.services:
            self._services[svc.name] = None
            self._arm()

    def _on_service(self, svc: ServiceRecord, what: str) -> None:
        if svc.spec.mode != MODE:
            self._global.discard(svc.name)  # (a name a global service had before)
            return
        if what == "removed":
            self._global.discard(svc.name)
            self._services.pop(svc.name, None)
            self.clock.soon(self.restart.remove_service_tasks,
                          svc.name, service_tasks(self.state, svc))
            return
        self._global.add(svc.name)
        self._services[svc.name] = None
        self._arm()

    def _on_task(self, task: Task, old_state: TaskState, old_desired: TaskState) -> None:
        if task.id not in self.state.tasks or task.desired > RUNNING or task.state <= RUNNING:
            return
        svc = owner(self.state, task)
        if svc is not None and svc.spec.mode == MODE:
            self._restarts[task.id] = None
            self._arm()

    def _on_node(self, node: NodeRecord, before: NodeSpec) -> None:
        self._nodes[node.id] = None
        self._arm()

    def _on_leader(self, ok: bool) -> None:
        if ok:
            self.clock.soon(self._init)

    # --- the loop ------------------------------------------------------------------------
    def _tick(self) -> None:
        if not self.leadership.has_leader:
            return
        nodes, self._nodes = list(self._nodes), {}
        for node_id in nodes:
            self._node_event(node_id)
        services, self._services = list(self._services), {}
        for name in services:
            svc = self.state.services.get(name)
            if svc is not None and svc.spec.mode == MODE:
                self.reconcile(svc)
        restarts, self._restarts = list(self._restarts), {}
        for tid in restarts:
            self._restart(tid)

    def _init(self) -> None:
        """A new leader: fix every task, then reconcile every global service."""
        if not self.leadership.has_leader:
            return
        for svc in self._global_services():
            self._services[svc.name] = None
            for task in service_tasks(self.state, svc):
                if task.desired > RUNNING:
                    continue
                node = self.state.nodes.get(task.node_id or "")
                if node is None or invalid_node(node):
                    self.state.set_desired(task, TaskState.SHUTDOWN)
                elif task.state > RUNNING:
                    self._restarts[task.id] = None
        self._tick()

    def _global_services(self) -> list[ServiceRecord]:
        return [self.state.services[name] for name in sorted(self._global)]

    def _eligible_nodes(self) -> list[NodeRecord]:
        return sorted((n for n in self.state.nodes.values() if eligible(n)), key=lambda n: n.id)

    def _restart(self, task_id: str) -> None:
        task = self.state.tasks.get(task_id)
        if task is None or task.desired > RUNNING:
            return
        svc = owner(self.state, task)
        node = self.state.nodes.get(task.node_id or "")
        if svc is None or svc.spec.mode != MODE or node is None or not eligible(node):
            return
        if node.spec.availability == "pause" or not meets(svc.spec, node.spec):
            self.state.set_desired(task, TaskState.SHUTDOWN)
            return
        self.restart.restart(task)

    # --- reconcile -----------------------------------------------------------------------
    def _runnable_by_node(self, svc: ServiceRecord, tasks: list[Task]) -> dict[str, list[Task]]:
        restart = self.restart
        grouped: dict[str, list[Task]] = {}
        for t in tasks:
            grouped.setdefault(t.node_id or "", []).append(t)
        out: dict[str, list[Task]] = {}
        for node_id in sorted(grouped):
            occupants = restart.updatable_tasks_in_slot(grouped[node_id], svc)
            if occupants:
                out[node_id] = occupants
        return out

    def reconcile(self, svc: ServiceRecord) -> None:
        """Bring one global service to one task per eligible node."""
        by_node = self._runnable_by_node(svc, service_tasks(self.state, svc))
        to_update: list[list[Task]] = []
        for node in self._eligible_nodes():
            tasks = by_node.pop(node.id, [])
            if not meets(svc.spec, node.spec):
                self._shutdown(tasks)
                continue
            if node.spec.availability == "pause":
                continue
            if tasks:
                to_update.append(tasks)
            else:
                self.state.create_task(svc, node_id=node.id)
        for tasks in by_node.values():  # nodes drained, down or gone
            self._shutdown(tasks)
        if to_update:
            self.updater.update(svc, to_update)

    def _node_event(self, node_id: str) -> None:
        node = self.state.nodes.get(node_id)
        if node is None:  # removed from the swarm: its global tasks are deleted
            for task in self.state.tasks_on(node_id):
                svc = owner(self.state, task)
                if svc is not None and svc.spec.mode == MODE:
                    self.state.delete_task(task)
            return
        if invalid_node(node):
            self._shutdown([t for t in self.state.tasks_on(node_id)
                            if (s := owner(self.state, t)) is not None and s.spec.mode == MODE])
            return
        if node.spec.availability == "pause":
            return
        self.reconcile_node(node)

    def reconcile_node(self, node: NodeRecord) -> None:
        """A node joined or changed: give it one up-to-date task of every global
        service whose constraints it meets (replacing out-of-date ones directly)."""
        on_node = list(self.state.tasks_on(node.id))  # read once per service
        for svc in self._global_services():
            if not meets(svc.spec, node.spec):
                continue  # the constraint enforcer deals with tasks already there
            mine = [t for t in on_node if t.service == svc.name and t.created >= svc.created]
            tasks = self.restart.updatable_tasks_in_slot(mine, svc)
            clean = [t for t in tasks if not is_task_dirty(t, svc.spec, node.spec, svc.version)]
            dirty = [t for t in tasks if t not in clean]
            if clean:
                dirty.extend(clean[1:])
            else:
                self.state.create_task(svc, node_id=node.id)
            self._shutdown(dirty)

    def _shutdown(self, tasks: list[Task]) -> None:
        for task in tasks:
            if task.id in self.state.tasks and task.desired < TaskState.SHUTDOWN:
                self.state.set_desired(task, TaskState.SHUTDOWN)

