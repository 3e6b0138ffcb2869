"""Data kept on the nodes: named volumes and bind mounts, and stateful services' state.

A named volume of the ``local`` driver exists once per node (each node's engine creates
its own on first use); a bind mount is a path on the node.  Either holds data per node:
``(node, source)``.  A service with ``x-swarmsim.stateful: true`` keeps its state in its
first ``volume`` or ``bind`` mount (an anonymous volume is new for every task).

The model of the state is a count of items: a task adds one item per second it spends
``running`` (counted from the moment it is reported ``running`` to the moment its
container stops, or its machine dies).  A task that starts where earlier tasks wrote
finds their items: a restart on the same node keeps the data; a task on another node
starts from an empty volume.  Each start and stop leaves a ``state`` event.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, NamedTuple

from swarmsim.cluster.state import TERMINAL, ClusterState
from swarmsim.cluster.tasks import RUNNING, TaskState
from swarmsim.input.specs import NodeSpec
from swarmsim.simulation.clock import Clock

if TYPE_CHECKING:
    from swarmsim.cluster.state import NodeRecord
    from swarmsim.cluster.tasks import Task
    from swarmsim.input.specs import Mount, NodeSpec, ServiceSpec

#: items a running task adds per second
ITEMS_PER_SECOND = 1.0


class StateEvent(NamedTuple):
    """A stateful task found (``found``) or left (``saved``) its data."""

    time: float
    service: str
    task: str
    node: str
    volume: str
    items: int
    action: str  # found | saved
    kind: str = "state"


def state_mount(spec: ServiceSpec) -> Mount | None:
    """The mount a stateful service keeps its state in: its first volume or bind mount
    (None when the service is not stateful or has none)."""
    if not spec.sim.stateful:
        return None
    for mount in spec.mounts:
        if mount.type in ("volume", "bind"):
            return mount
    return None


def items_after(stored: float, running_s: float) -> float:
    """The items in the volume after a task ran ``running_s`` seconds on ``stored``."""
    return stored + max(0.0, running_s) * ITEMS_PER_SECOND


class Storage:
    """The data of every (node, volume source), and the tasks writing to it."""

    def __init__(
        self,
        state: ClusterState,
        clock: Clock,
        record: Callable[[Any], None],
        machines: Mapping[str, NodeSpec],
    ) -> None:
        self.state = state
        self.clock = clock
        self.record = record  # the simulation's event records (events.jsonl)
        self.machines = machines  # the scenario's machines, by name (shared, may grow)
        self.data: dict[tuple[str, str], float] = {}  # (node id, source) -> items
        self._open: dict[str, tuple[tuple[str, str], float]] = {}  # task -> (key, since)

    def start(self) -> None:
        """Subscribe to task and node changes."""
        self.state.on_task(self._on_task, states={RUNNING, *TERMINAL},
                               desired=False)
        self.state.on_node(self._on_node)

    def _key(self, task: Task) -> tuple[str, str] | None:
        mount = state_mount(task.spec)
        if mount is None or task.node_id is None:
            return None
        return (task.node_id, mount.source or f"anonymous:{task.id}")

    def _on_task(self, task: Task, old_state: TaskState, old_desired: TaskState) -> None:
        if task.state == RUNNING and old_state < RUNNING:
            key = self._key(task)
            if key is not None and task.id not in self._open:
                self._open[task.id] = (key, self.clock.now)
                self._emit(task, key, self.data.get(key, 0.0), "found")
        elif task.state in TERMINAL:
            self._close(task.id, task)

    def _on_node(self, node: NodeRecord, before: NodeSpec) -> None:
        if node.alive:
            return
        for task_id, (key, _since) in sorted(self._open.items()):
            if key[0] == node.id:
                self._close(task_id, self.state.tasks.get(task_id))

    def _close(self, task_id: str, task: Task | None) -> None:
        entry = self._open.pop(task_id, None)
        if entry is None:
            return
        key, since = entry
        self.data[key] = items_after(self.data.get(key, 0.0), self.clock.now - since)
        if task is not None:
            self._emit(task, key, self.data[key], "saved")

    def _emit(self, task: Task, key: tuple[str, str], items: float, action: str) -> None:
        self.record(StateEvent(
            self.clock.now, task.service, task.name, self._node_name(key[0]), key[1],
            math.floor(items), action,
        ))

    def _node_name(self, node_id: str) -> str:
        for spec in self.machines.values():
            if spec.id == node_id:
                return spec.name
        return node_id

    def items(self, key: tuple[str, str]) -> int:
        """Items in a volume now, counting the task writing to it."""
        total = self.data.get(key, 0.0)
        for open_key, since in self._open.values():
            if open_key == key:
                total = items_after(total, self.clock.now - since)
        return math.floor(total)

    def service_state(self, spec: ServiceSpec) -> list[dict[str, Any]]:
        """``services[].state`` of the ``--json`` document: every volume holding the
        service's state, by node name: ``{"node", "volume", "items"}``."""
        mount = state_mount(spec)
        if mount is None:
            return []
        keys = {k for k in self.data if k[1] == mount.source}
        keys |= {k for k, _ in self._open.values() if k[1] == mount.source}
        rows = [{"node": self._node_name(n), "volume": src, "items": self.items((n, src))}
                for n, src in keys]
        return sorted(rows, key=lambda r: (r["node"], r["volume"]))
