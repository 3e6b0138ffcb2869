"""The recorder: the few facts metrics need that ``sim.events`` does not hold.

It listens to the cluster state like any component, never changes it, and keeps
:mod:`~swarmsim.metrics.records` entries, each stamped with the number of events
recorded before it so that a replay can interleave them with ``sim.events``.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from swarmsim.cluster.tasks import Task, TaskState
from swarmsim.input.specs import ServiceSpec
from swarmsim.metrics.records import NodeRemoved, ServiceChange, TaskCreated, TaskDeleted

if TYPE_CHECKING:
    from swarmsim.cluster.state import NodeRecord, ServiceRecord
    from swarmsim.input.specs import NodeSpec
    from swarmsim.simulation.engine import Simulation


def task_usage(spec: ServiceSpec) -> tuple[int, int, int, int, bool]:
    """What one task of ``spec`` reserves and may use (what it really uses comes from
    the resource model, :mod:`swarmsim.resources`).

    Returns:
        (reserved nano-CPUs, reserved bytes, CPU limit in nano-CPUs, memory limit in
        bytes, oom): ``oom`` is True when ``x-swarmsim.memory_used`` exceeds the memory
        limit (the agent kills such a container once it runs).
    """
    res = spec.resources.reservations
    lim = spec.resources.limits
    oom = bool(lim.memory_bytes and spec.sim.memory_used is not None
               and spec.sim.memory_used > lim.memory_bytes)
    return res.nano_cpus, res.memory_bytes, lim.nano_cpus, lim.memory_bytes, oom


def spec_change(before: ServiceSpec | None, after: ServiceSpec) -> str:
    """``scale`` when only the replica count changed, ``update`` when anything else
    did, ``none`` when nothing did."""
    if before is None:
        return "update"
    if before == after:
        return "none"
    if replace(before, replicas=after.replicas) == after:
        return "scale"
    return "update"


class Recorder:
    """Listens to one simulation's state and keeps what the metrics need.

    Attributes:
        records: :class:`TaskCreated`, :class:`TaskDeleted`, :class:`ServiceChange` and
            :class:`NodeRemoved` entries in the order they happened.
    """

    def __init__(self, sim: Simulation) -> None:
        self.sim = sim
        self.records: list[Any] = []
        self._seen: set[str] = set()
        self._replicas: dict[str, int] = {}
        self.cache: dict[str, Any] = {}  # derived results, kept by swarmsim.metrics
        self._usage_of: ServiceSpec | None = None
        self._usage = (0, 0, 0, 0, False)

    @classmethod
    def attach(cls, sim: Simulation) -> Recorder:
        """A recorder listening to ``sim`` from now on (attach before the run)."""
        rec = cls(sim)
        sim.state.on_task(rec._on_task, states={TaskState.NEW}, desired=False)
        sim.state.on_service(rec._on_service)
        sim.state.on_node(rec._on_node)
        return rec

    def _at(self) -> int:
        return len(self.sim.events)

    def _on_task(self, task: Task, old_state: TaskState, old_desired: TaskState) -> None:
        state = self.sim.state
        if task.id not in state.tasks:
            if task.id in self._seen:
                self._seen.discard(task.id)
                self.records.append(TaskDeleted(self._at(), state.now, task.id))
            return
        if task.id in self._seen:
            return
        self._seen.add(task.id)
        spec = task.spec
        if spec is not self._usage_of:  # tasks come in runs of one spec
            self._usage_of, self._usage = spec, task_usage(spec)
        rc, rm, uc, um, oom = self._usage
        node = state.nodes.get(task.node_id) if task.preassigned and task.node_id else None
        self.records.append(
            TaskCreated(len(self.sim.events), state.now, task.id, task.service, task.slot,
                        node.spec.name if node else None, task.spec_version, rc, rm, uc, um,
                        oom, spec.is_job)
        )

    def _on_service(self, svc: ServiceRecord, what: str) -> None:
        change = spec_change(svc.previous_spec, svc.spec) if what == "updated" else ""
        self.records.append(
            ServiceChange(self._at(), self.sim.state.now, svc.name, what, svc.spec.mode,
                          svc.spec.replicas, svc.version, change)
        )

    def _on_node(self, node: NodeRecord, before: NodeSpec) -> None:
        if not node.in_swarm:
            self.records.append(NodeRemoved(self._at(), self.sim.state.now, node.spec.name))
