"""The replicated orchestrator: ``replicas`` slots, each with one task meant to run.

Reconcile (on service create/update, and when a task still meant to run is deleted)
groups a service's tasks by slot.  A slot is *runnable* if it has a task with desired
state <= ``running``, or if its newest task stopped and its restart policy says it must
not be restarted; every other slot is *dead* and its tasks are deleted.  Missing slots
are added with the lowest free numbers from 1; extra slots get desired ``remove`` in
swarm's removal order; the runnable slots go to the rolling updater.

Task-level: a task still meant to run whose observed state passed ``running``, or whose
node is down, drained or removed, is handed to the restart supervisor.  Nodes going
down, being drained or removed do the same for all their tasks; pausing a node does
nothing and nothing moves back when a node returns.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from swarmsim.cluster.state import TERMINAL, ClusterState, NodeRecord, ServiceRecord
from swarmsim.cluster.tasks import ASSIGNED, REMOVE, RUNNING, Task, TaskState
from swarmsim.input.specs import NodeSpec
from swarmsim.manager.leadership import Leadership
from swarmsim.manager.restart import RestartSupervisor, invalid_node, owner, service_tasks
from swarmsim.manager.updater import Updater
from swarmsim.simulation.clock import Clock

MODE = "replicated"


# --- pure decisions ------------------------------------------------------------------------
def slots_of(tasks: Sequence[Task]) -> dict[int, list[Task]]:
    """Tasks grouped by slot number, slots in ascending order, tasks in input order."""
    grouped: dict[int, list[Task]] = {}
    for t in tasks:
        grouped.setdefault(t.slot, []).append(t)
    return {slot: grouped[slot] for slot in sorted(grouped)}


def scale_down_order(slots: Mapping[int, Sequence[Task]]) -> list[int]:
    """Slot numbers in the order swarm keeps them when scaling down (keep the first
    ``replicas``, remove the rest).

    1. Slots with a task observed ``running`` first, then by slot number.
    2. Walking that order, a slot with exactly one task that has a node gets index k
       ("the k-th task of the service on that node"); any other slot gets -1.
    3. Stable sort by index, -1 last.

    So nodes with the most copies lose tasks first, non-running tasks go before running
    ones, higher slot numbers before lower ones and unscheduled tasks first of all.
    (Swarm's sort is not stable; ties keep step 1's order here.)
    """
    first = sorted(
        slots,
        key=lambda s: (not any(t.state == RUNNING for t in slots[s]), s),
    )
    per_node: dict[str, int] = {}
    indexed: list[tuple[int, int]] = []
    for s in first:
        tasks = slots[s]
        if len(tasks) == 1 and tasks[0].node_id is not None:
            node = tasks[0].node_id
            per_node[node] = per_node.get(node, 0) + 1
            indexed.append((per_node[node], s))
        else:
            indexed.append((-1, s))
    indexed.sort(key=lambda pair: (pair[0] < 0, pair[0] if pair[0] >= 0 else 0))
    return [s for _, s in indexed]


def free_slots(runnable: Sequence[int] | Mapping[int, object], count: int) -> list[int]:
    """The ``count`` lowest slot numbers from 1 that are not runnable."""
    taken = set(runnable)
    out: list[int] = []
    slot = 0
    while len(out) < count:
        slot += 1
        if slot not in taken:
            out.append(slot)
    return out


# --- the component ----------------------------------------------------------------------
class ReplicatedOrchestrator:
    """Keeps replicated services at their replica count (SwarmKit's ``replicated``)."""

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
        self._services: dict[str, None] = {}  # services to reconcile, in request order
        self._restarts: dict[str, None] = {}  # task ids to restart, in request order
        self._trigger = clock.coalesced(self._tick)

    def start(self) -> None:
        """Subscribe to services, tasks, nodes and leadership."""
        self.state.on_service(self._on_service)
        self.state.on_task(self._on_task, states={ASSIGNED} | TERMINAL)
        self.state.on_node(self._on_node)
        self.leadership.on_leader(self._on_leader)
        self.updater.on_status(self._on_status)

    # --- listeners ---------------------------------------------------------------------
    def _on_service(self, svc: ServiceRecord, what: str) -> None:
        if svc.spec.mode != MODE:
            return
        if what == "removed":
            self._services.pop(svc.name, None)
            self.clock.soon(self.restart.remove_service_tasks,
                          svc.name, service_tasks(self.state, svc))
            return
        self._services[svc.name] = None
        self._arm()

    def _on_status(self, svc: ServiceRecord) -> None:
        """The updater wrote the service's update status: reconcile it, as SwarmKit's
        orchestrator does on that store event (replicated/services.go,
        handleServiceEvent -> reconcile); a slot with two tasks goes to the updater."""
        if svc.spec.mode == MODE and svc.name in self.state.services:
            self._services[svc.name] = None
            self._arm()

    def _on_task(self, task: Task, old_state: TaskState, old_desired: TaskState) -> None:
        svc = owner(self.state, task)
        if svc is None or svc.spec.mode != MODE or task.desired > RUNNING:
            return
        if task.id not in self.state.tasks:  # deleted while still meant to run
            self._services[svc.name] = None
            self._arm()
            return
        if task.state > RUNNING or (
            task.node_id is not None and invalid_node(self.state.nodes.get(task.node_id))
        ):
            self._restarts[task.id] = None
            self._arm()

    def _on_node(self, node: NodeRecord, before: NodeSpec) -> None:
        if node.in_swarm and not invalid_node(node):
            return  # pause, a return, a label change: nothing moves
        for task in self.state.tasks_on(node.id):
            if task.desired > RUNNING:
                continue
            svc = owner(self.state, task)
            if svc is not None and svc.spec.mode == MODE:
                self._restarts[task.id] = None
        self._arm()

    def _on_leader(self, ok: bool) -> None:
        if ok:
            self.clock.soon(self._init)

    # --- the loop ------------------------------------------------------------------------
    def _arm(self) -> None:
        if self._services or self._restarts:
            self._trigger()

    def _tick(self) -> None:
        """Task-level restarts first, then service reconciliation."""
        if not self.leadership.has_leader:
            return  # the new leader starts over from the store
        restarts, self._restarts = list(self._restarts), {}
        for tid in restarts:
            task = self.state.tasks.get(tid)
            if task is None or task.desired > RUNNING:
                continue
            svc = owner(self.state, task)
            if svc is not None and svc.spec.mode == MODE:
                self.restart.restart(task)
        services, self._services = list(self._services), {}
        for name in services:
            svc = self.state.services.get(name)
            if svc is not None and svc.spec.mode == MODE:
                self.reconcile(svc)

    def _init(self) -> None:
        """A new leader: re-check every task, then reconcile every service."""
        if not self.leadership.has_leader:
            return
        for svc in list(self.state.services.values()):
            if svc.spec.mode != MODE:
                continue
            self._services[svc.name] = None
            for task in service_tasks(self.state, svc):
                if task.desired > RUNNING:
                    continue
                if task.state > RUNNING or (
                    task.node_id is not None
                    and invalid_node(self.state.nodes.get(task.node_id))
                ):
                    self._restarts[task.id] = None
        self._tick()

    # --- reconcile -----------------------------------------------------------------------
    def reconcile(self, svc: ServiceRecord) -> None:
        """Create, remove or update tasks so ``svc`` has ``replicas`` runnable slots."""
        restart = self.restart
        runnable: dict[int, list[Task]] = {}
        dead: dict[int, list[Task]] = {}
        for slot, tasks in slots_of(service_tasks(self.state, svc)).items():
            occupants = restart.updatable_tasks_in_slot(tasks, svc)
            if occupants:
                runnable[slot] = occupants
            else:
                dead[slot] = tasks
        wanted = svc.spec.replicas
        have = len(runnable)
        updater = self.updater
        if wanted > have:
            updater.update(svc, list(runnable.values()))
            for slot in free_slots(runnable, wanted - have):
                dead.pop(slot, None)  # a reused dead slot keeps its history
                self.state.create_task(svc, slot=slot, desired=RUNNING)
            self._delete(dead)
        elif wanted < have:
            order = scale_down_order(runnable)
            updater.update(svc, [runnable[s] for s in order[:wanted]])
            self._delete(dead)
            for slot in order[wanted:]:
                for task in runnable[slot]:
                    if task.id in self.state.tasks and task.desired <= REMOVE:
                        self.state.set_desired(task, REMOVE)
        else:
            self._delete(dead)
            updater.update(svc, list(runnable.values()))

    def _delete(self, dead: dict[int, list[Task]]) -> None:
        for tasks in dead.values():
            for task in tasks:
                self.state.delete_task(task)

