"""The policy interface: a typed protocol and the read-only views a policy sees."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

import numpy as np

from swarmsim.foundation.defaults import MONITOR_FAILURES_S


class NodeView:
    """A node that passed swarm's filters for the task being placed (read-only).

    Every attribute is read from the scheduler's accounting when it is accessed, so a
    view costs nothing to make and a policy pays only for what it reads.  A view is
    valid during the call that received it (the node changes as tasks are placed).

    Attributes:
        id: the node id (25 base36 characters).
        hostname: the node's hostname.
        role: ``manager`` or ``worker``.
        nano_cpus: CPU capacity in nano-CPUs.
        memory_bytes: memory capacity in bytes.
        reserved_nano_cpus: CPU reserved by the tasks the scheduler tracks on it.
        reserved_memory: memory reserved by those tasks, in bytes.
        used_nano_cpus: CPU the node's containers get now, from the resource model
            (CFS-like sharing of the cores, ``docs/metrics.md``), in nano-CPUs; 0 where
            no resource model runs (``swarmsim plan``).
        used_memory: the containers' working sets now, from the resource model, in
            bytes; 0 where no resource model runs.
        tasks: active tasks on the node, all services.
        service_tasks: active tasks of the task's own service on the node.
        task_list: the active tasks on the node as ``(service, nano_cpus, memory)``
            reservations, sorted.
        labels: ``node.labels`` as sorted ``(key, value)`` pairs.
        engine_labels: ``engine.labels`` as sorted pairs.
        generic: generic resources as sorted ``(kind, free)`` pairs (capacity minus
            reservations).
        recent_failures: task failures recorded on the node in the last five minutes
            (SwarmKit's ``monitorFailures`` window), all services.
        time: the simulated time of the scheduling pass.
    """

    __slots__ = ("_node", "_service", "_time")

    def __init__(self, node: Any, service: str = "", time: float = 0.0) -> None:
        self._node = node
        self._service = service
        self._time = time

    def __repr__(self) -> str:
        return f"NodeView({self.hostname!r}, tasks={self.tasks})"

    @property
    def id(self) -> str:
        return self._node.id  # type: ignore[no-any-return]

    @property
    def hostname(self) -> str:
        return self._node.spec.name  # type: ignore[no-any-return]

    @property
    def role(self) -> str:
        return self._node.spec.role  # type: ignore[no-any-return]

    @property
    def nano_cpus(self) -> int:
        return self._node.spec.nano_cpus  # type: ignore[no-any-return]

    @property
    def memory_bytes(self) -> int:
        return self._node.spec.memory_bytes  # type: ignore[no-any-return]

    @property
    def reserved_nano_cpus(self) -> int:
        n = self._node
        return n.spec.nano_cpus - n.avail_cpu  # type: ignore[no-any-return]

    @property
    def reserved_memory(self) -> int:
        n = self._node
        return n.spec.memory_bytes - n.avail_mem  # type: ignore[no-any-return]

    @property
    def used_nano_cpus(self) -> int:
        return self._node.used_cpu  # type: ignore[no-any-return]

    @property
    def used_memory(self) -> int:
        return self._node.used_mem  # type: ignore[no-any-return]

    @property
    def tasks(self) -> int:
        return self._node.total  # type: ignore[no-any-return]

    @property
    def service_tasks(self) -> int:
        return self._node.by_service.get(self._service, 0)  # type: ignore[no-any-return]

    @property
    def task_list(self) -> tuple[tuple[str, int, int], ...]:
        n = self._node
        return tuple(sorted((rec.service, rec.nano_cpus, rec.memory)
                            for tid, rec in n.task_records() if tid not in n.inactive))

    @property
    def labels(self) -> tuple[tuple[str, str], ...]:
        return self._node.spec.labels  # type: ignore[no-any-return]

    @property
    def engine_labels(self) -> tuple[tuple[str, str], ...]:
        return tuple(sorted(self._node.spec.engine_labels))

    @property
    def generic(self) -> tuple[tuple[str, int], ...]:
        return tuple(sorted(self._node.avail_generic.items()))

    @property
    def recent_failures(self) -> int:
        n, now = self._node, self._time
        return sum(1 for stamps in n.failures.values() for t in stamps
                   if now - t < MONITOR_FAILURES_S)

    @property
    def time(self) -> float:
        return self._time

    def allocated_fraction(self, task: TaskView | None = None) -> float:
        """Mean of the reserved CPU and memory fractions (with ``task`` added if given)."""
        n = self._node
        spec = n.spec
        cpu = spec.nano_cpus - n.avail_cpu + (task.nano_cpus if task else 0)
        mem = spec.memory_bytes - n.avail_mem + (task.memory_bytes if task else 0)
        fc = cpu / spec.nano_cpus if spec.nano_cpus else 0.0
        fm = mem / spec.memory_bytes if spec.memory_bytes else 0.0
        return (fc + fm) / 2

    def used_fraction(self) -> float:
        """Mean of the used CPU and memory fractions (the resource model's figures)."""
        spec = self._node.spec
        fc = self.used_nano_cpus / spec.nano_cpus if spec.nano_cpus else 0.0
        fm = self.used_memory / spec.memory_bytes if spec.memory_bytes else 0.0
        return (fc + fm) / 2


@dataclass(frozen=True, slots=True)
class TaskView:
    """The task being placed.

    Attributes:
        id: the task id.
        service: its service name.
        nano_cpus: its CPU reservation in nano-CPUs.
        memory_bytes: its memory reservation in bytes.
    """

    id: str
    service: str
    nano_cpus: int
    memory_bytes: int


@dataclass(frozen=True, slots=True)
class Move:
    """One task a policy wants rescheduled (the rebalancing what-if).

    Attributes:
        service: the service whose task moves.
        node_id: the node it leaves; its replacement goes where the scheduler, with the
            policy, places it (the replacement's own pass), as docker would.
    """

    service: str
    node_id: str


@runtime_checkable
class Policy(Protocol):
    """Ranks the feasible nodes for one task; the first node returned takes it.

    ``nodes`` arrive in node-id order, all of them passing swarm's filters (readiness,
    resources, constraints, platform, host ports, max replicas per node).  ``rank`` must
    return some or all of them, best first; returning none leaves the task pending.
    ``rng`` is the simulation's ``policy`` stream: draw from it, never from a global
    generator, so runs stay reproducible.

    Optional: ``key(node, task)`` returning a sortable value, smaller first.  A policy
    whose ranking is "sorted by ``(key, node id)``" should declare it: the scheduler then
    keeps the nodes in key order and re-keys only the nodes that change, instead of
    filtering and ranking every node for every task (``docs/research.md``).  A key may
    read the node and the task's reservations (``task.nano_cpus``,
    ``task.memory_bytes``), not the task's id or service (they are empty there, and
    ``node.service_tasks`` is 0), nor ``time`` or ``recent_failures`` (they change
    without the node changing; the key sees time 0).

    Optional: ``place_group(nodes, tasks, rng)`` places all the pending tasks of one
    service (same spec version) in one call: ``nodes`` pass the filters for the group
    before any of it is placed, ``tasks`` are the group's :class:`TaskView`, and the
    result has a node (or None) per task, in order.  Each placement is checked against
    the filters with the earlier ones counted, like any placement; the first task whose
    node is None or fails a filter, and every task after it, stay pending for the next
    pass.  A policy with ``place_group`` is asked for every group; ``rank`` still
    orders the nodes in ``swarmsim explain``.

    Optional: ``migrate(nodes, rng)`` proposes moves for the rebalancing what-if
    (``rebalance:`` in a scenario, NOT swarm behaviour): ``nodes`` are the ready, active
    nodes; the result is a list of ``(service, node id)`` pairs, each asking to
    reschedule one task of ``service`` running on that node.  See :class:`Move`.
    """

    name: str

    def rank(
        self, nodes: Sequence[NodeView], task: TaskView, rng: np.random.Generator
    ) -> Sequence[NodeView]:
        """The nodes, best first."""
        ...
