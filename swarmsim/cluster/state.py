"""ClusterState: nodes, services and tasks, and the only way to change them.

Every component reads the state and changes it through the methods here; each change
is recorded (for ``events.jsonl``) and announced to subscribers, which is how components
talk to each other (SwarmKit's store and watch queue). Subscribers must not change the
state from inside a callback: they note what to do and do it in their own process.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, NamedTuple

from swarmsim.cluster.tasks import ASSIGNED, LABELS, NEW, RUNNING, STATE_MESSAGES, Task, TaskState
from swarmsim.input.specs import NodeSpec, ServiceSpec

if TYPE_CHECKING:
    import simpy

TaskListener = Callable[[Task, TaskState, TaskState], None]  # task, old state, old desired
NodeListener = Callable[["NodeRecord", NodeSpec], None]  # node, previous spec
ServiceListener = Callable[["ServiceRecord", str], None]  # service, what: created|updated|removed


@dataclass(slots=True, eq=False)
class NodeRecord:
    """A machine and what the manager believes of it.

    ``spec.status`` is the manager's belief (``ready``/``down``); ``alive`` is the truth
    (the machine is up). ``spec.role`` is the observed role.
    """

    spec: NodeSpec
    alive: bool = True
    in_swarm: bool = True
    manager_status: str = ""  # Leader | Reachable | Unreachable | "" for workers
    status_message: str = ""
    down_since: float | None = None

    @property
    def id(self) -> str:
        """The node id."""
        return self.spec.id

    @property
    def name(self) -> str:
        """The hostname."""
        return self.spec.name


@dataclass(slots=True, eq=False)
class ServiceRecord:
    """A service as the manager stores it."""

    id: str
    spec: ServiceSpec
    created: float
    updated: float
    version: int = 1  # SpecVersion: bumped by every update
    previous_spec: ServiceSpec | None = None
    update_state: str = ""  # "" | updating | paused | completed | rollback_started | ...
    update_message: str = ""
    job_iteration: int = 0

    @property
    def name(self) -> str:
        """The scoped service name."""
        return self.spec.name


class TaskEvent(NamedTuple):
    """One task transition, as written to ``events.jsonl``."""

    time: float
    task: str
    id: str
    service: str
    node: str | None
    state: str
    desired_state: str
    actual: bool
    message: str
    error: str
    kind: str = "task"


class NodeEvent(NamedTuple):
    """One node change, as written to ``events.jsonl``."""

    time: float
    node: str
    status: str
    availability: str
    role: str
    alive: bool
    message: str = ""
    kind: str = "node"


_new_tuple = tuple.__new__

# the message a state carries unless told otherwise: swarm's, else the state's name
_MESSAGES: dict[TaskState, str] = {s: STATE_MESSAGES.get(s, LABELS[s]) for s in TaskState}

#: observed states past ``running``: the ones most components react to
TERMINAL: frozenset[TaskState] = frozenset(s for s in TaskState if s > RUNNING)


@dataclass(slots=True)
class _Listeners:
    task: list[tuple[TaskListener, frozenset[TaskState], bool]] = field(default_factory=list)
    node: list[NodeListener] = field(default_factory=list)
    service: list[ServiceListener] = field(default_factory=list)
    # task listeners to call, in registration order, by new state, then by whether the
    # desired state changed (index 0: no, 1: yes)
    routes: dict[TaskState, tuple[list[TaskListener], ...]] = field(default_factory=dict)


class ClusterState:
    """The single source of truth of one simulation.

    Args:
        clock: a callable returning the current simulated time, or an object with a
            ``now`` attribute (a simpy environment).
        new_id: a callable returning a fresh 25-character id.
        record: receives every :class:`TaskEvent` / :class:`NodeEvent` (or None).
    """

    def __init__(
        self,
        clock: Callable[[], float] | simpy.Environment,
        new_id: Callable[[], str],
        record: Callable[[Any], None] | None = None,
    ) -> None:
        if hasattr(clock, "now"):
            env: Any = clock
            self._clock: Callable[[], float] = type(env).now.fget.__get__(env)  # env.now
        else:
            self._clock = clock
        self._new_id = new_id
        self._record = record or (lambda _e: None)
        self.nodes: dict[str, NodeRecord] = {}
        self.services: dict[str, ServiceRecord] = {}
        self.tasks: dict[str, Task] = {}
        self._by_service: dict[str, dict[str, Task]] = {}
        self._by_node: dict[str, dict[str, Task]] = {}
        self._listen = _Listeners()

    # --- subscriptions -----------------------------------------------------------------
    def on_task(
        self,
        fn: TaskListener,
        *,
        states: frozenset[TaskState] | set[TaskState] | None = None,
        desired: bool = True,
    ) -> None:
        """Call ``fn(task, old_state, old_desired)`` after task changes.

        Args:
            fn: the listener.
            states: only changes that leave the task in one of these observed states
                (None: every state). Creation is a change to ``new``.
            desired: also every change of the desired state, whatever the state.

        Deletions are announced to every listener (the task is then no longer in
        :attr:`tasks`).  Routing by state keeps the many intermediate transitions
        (``accepted``, ``preparing``...) away from components that ignore them.
        """
        wanted = frozenset(TaskState) if states is None else frozenset(states)
        self._listen.task.append((fn, wanted, desired))
        self._listen.routes = {
            state: tuple([f for f, st, des in self._listen.task
                          if state in st or (changed and des)]
                         for changed in (False, True))
            for state in TaskState
        }

    def on_node(self, fn: NodeListener) -> None:
        """Call ``fn(node, previous_spec)`` after every node change."""
        self._listen.node.append(fn)

    def on_service(self, fn: ServiceListener) -> None:
        """Call ``fn(service, what)`` after a service is created, updated or removed."""
        self._listen.service.append(fn)

    @property
    def now(self) -> float:
        """The current simulated time."""
        return self._clock()

    # --- nodes -------------------------------------------------------------------------
    def add_node(
        self, spec: NodeSpec, *, manager_status: str = "", alive: bool = True
    ) -> NodeRecord:
        """A machine joins the swarm (or is known to it); ``alive=False``: it is off."""
        node = NodeRecord(spec=spec, manager_status=manager_status, alive=alive)
        self.nodes[spec.id] = node
        self._by_node.setdefault(spec.id, {})
        self._node_changed(node, spec)
        return node

    def update_node(self, node_id: str, *, message: str = "", **changes: Any) -> NodeRecord:
        """Change fields of a node's spec (status, availability, role, labels...)."""
        node = self.nodes[node_id]
        before = node.spec
        node.spec = replace(before, **changes)
        if "status" in changes:
            node.down_since = self.now if node.spec.status == "down" else None
        if message:
            node.status_message = message
        self._node_changed(node, before)
        return node

    def set_alive(self, node_id: str, alive: bool) -> None:
        """The machine really goes down or comes back (ground truth)."""
        node = self.nodes[node_id]
        node.alive = alive
        self._node_changed(node, node.spec)

    def remove_node(self, node_id: str) -> None:
        """``docker node rm``: the node leaves the node list."""
        node = self.nodes.pop(node_id)
        node.in_swarm = False
        self._node_changed(node, node.spec)

    def node_by_name(self, name: str) -> NodeRecord | None:
        """The node with this hostname (or id), if any."""
        for node in self.nodes.values():
            if node.spec.name == name or node.spec.id == name:
                return node
        return None

    def _node_changed(self, node: NodeRecord, before: NodeSpec) -> None:
        s = node.spec
        self._record(
            NodeEvent(self.now, s.name, s.status, s.availability, s.role, node.alive,
                      node.status_message)
        )
        for fn in self._listen.node:
            fn(node, before)

    # --- services ----------------------------------------------------------------------
    def create_service(self, spec: ServiceSpec) -> ServiceRecord:
        """Create a service (``docker service create`` / a stack deploy)."""
        now = self.now
        svc = ServiceRecord(id=self._new_id(), spec=spec, created=now, updated=now)
        self.services[spec.name] = svc
        self._by_service.setdefault(spec.name, {})
        for fn in self._listen.service:
            fn(svc, "created")
        return svc

    def update_service(self, name: str, spec: ServiceSpec, *, bump: bool = True) -> ServiceRecord:
        """Replace a service's spec; ``bump`` makes a new spec version (any real update)."""
        svc = self.services[name]
        svc.previous_spec = svc.spec
        svc.spec = spec
        svc.updated = self.now
        if bump:
            svc.version += 1
        for fn in self._listen.service:
            fn(svc, "updated")
        return svc

    def remove_service(self, name: str) -> ServiceRecord:
        """Remove a service; its tasks get desired state ``remove``."""
        svc = self.services.pop(name)
        for fn in self._listen.service:
            fn(svc, "removed")
        return svc

    # --- tasks -------------------------------------------------------------------------
    def tasks_of(self, service: str) -> Iterator[Task]:
        """Tasks of a service, oldest first."""
        return iter(list(self._by_service.get(service, {}).values()))

    def tasks_on(self, node_id: str) -> Iterator[Task]:
        """Tasks assigned to a node, oldest first."""
        return iter(list(self._by_node.get(node_id, {}).values()))

    def create_task(
        self,
        svc: ServiceRecord,
        *,
        slot: int = 0,
        node_id: str | None = None,
        desired: TaskState = RUNNING,
    ) -> Task:
        """A new task in state ``new`` (the orchestrators' job)."""
        now = self.now
        task = Task(
            id=self._new_id(),
            service=svc.name,
            spec=svc.spec,
            spec_version=svc.version,
            slot=slot,
            node_id=node_id,
            created=now,
            updated=now,
            desired=desired,
            preassigned=node_id is not None,
            job_iteration=svc.job_iteration,
            name=f"{svc.name}.{node_id}" if node_id is not None else f"{svc.name}.{slot}",
        )
        self.tasks[task.id] = task
        self._by_service.setdefault(svc.name, {})[task.id] = task
        if node_id is not None:
            self._by_node.setdefault(node_id, {})[task.id] = task
        self._task_changed(task, NEW, desired)
        return task

    def set_state(
        self,
        task: Task,
        state: TaskState,
        *,
        message: str | None = None,
        error: str | None = None,
        exit_code: int | None = None,
    ) -> bool:
        """Move a task's observed state forward; returns False (and changes nothing) if
        ``state`` is not later than the current one: states never go backwards."""
        if state <= task.state:
            return False
        old = task.state
        task.state = state
        task.updated = self.now
        task.message = _MESSAGES[state] if message is None else message
        if error is not None:
            task.error = error
        if exit_code is not None:
            task.exit_code = exit_code
        self._task_changed(task, old, task.desired)
        return True

    def assign(self, task: Task, node_id: str, message: str) -> None:
        """The scheduler's decision: ``pending`` -> ``assigned`` on ``node_id``."""
        if task.node_id != node_id:
            if task.node_id is not None:
                self._by_node.get(task.node_id, {}).pop(task.id, None)
            task.node_id = node_id
            self._by_node.setdefault(node_id, {})[task.id] = task
        task.error = ""
        self.set_state(task, ASSIGNED, message=message)

    def set_pending_error(self, task: Task, error: str) -> None:
        """The scheduler could not place the task: record why (state stays pending)."""
        if task.error != error:
            task.error = error
            self._task_changed(task, task.state, task.desired)

    def set_desired(self, task: Task, desired: TaskState) -> None:
        """Change what the manager wants of a task (the orchestrators' job)."""
        if desired == task.desired:
            return
        old = task.desired
        task.desired = desired
        self._task_changed(task, task.state, old)

    def set_actual(self, task: Task, alive: bool) -> None:
        """Ground truth: the container really starts or dies. Recorded, not announced."""
        if task.actual != alive:
            task.actual = alive
            self._record_task(task)

    def delete_task(self, task: Task) -> None:
        """Remove a task from the store (reaper, or a dead slot)."""
        if self.tasks.pop(task.id, None) is None:
            return
        self._by_service.get(task.service, {}).pop(task.id, None)
        if task.node_id is not None:
            self._by_node.get(task.node_id, {}).pop(task.id, None)
        for fn, _states, _desired in self._listen.task:
            fn(task, task.state, task.desired)

    def _task_changed(self, task: Task, old_state: TaskState, old_desired: TaskState) -> None:
        self._record_task(task)
        routes = self._listen.routes.get(task.state)
        if routes is not None:
            for fn in routes[task.desired != old_desired]:
                fn(task, old_state, old_desired)

    def _record_task(self, task: Task) -> None:
        node = self.nodes.get(task.node_id) if task.node_id else None
        event = (
            self._clock(),
            task.name,
            task.id,
            task.service,
            node.spec.name if node else None,
            LABELS[task.state],
            LABELS[task.desired],
            task.actual,
            task.message,
            task.error,
            "task",
        )
        # TaskEvent(*event), built without the NamedTuple's Python-level __new__
        self._record(_new_tuple(TaskEvent, event))
