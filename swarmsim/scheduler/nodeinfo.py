"""Per-node accounting, as SwarmKit's ``NodeInfo`` keeps it.

* Available resources are the node's capacity minus the reservations of every task the
  scheduler tracks there; they are given back only when the task leaves the scheduler's
  view (observed state past running, or deleted).
* Active counts (all services, and per service) cover tracked tasks whose desired state is
  still running or completed; asking a task to shut down drops it from the counts at once.
* Host-mode published ports are a set of ``(protocol, port)``.
* Recent failures are timestamps per ``(service, spec_version)``.
"""

from __future__ import annotations

from dataclasses import dataclass

from swarmsim.foundation import defaults
from swarmsim.input.specs import NodeSpec, ServiceSpec
from swarmsim.scheduler.constraint import NodeFacts

FailureKey = tuple[str, int]
KEY_STRIDE = 1 << 32  # rank < KEY_STRIDE, so total * KEY_STRIDE + rank orders by (total, rank)


@dataclass(frozen=True, slots=True)
class NodeUsage:
    """A snapshot of one node's accounting.

    Attributes:
        reserved_nano_cpus: CPU reserved by tracked tasks (nano-CPUs).
        reserved_memory: memory reserved by tracked tasks (bytes).
        active_tasks: tracked tasks not asked to shut down, all services.
        tasks_by_service: ``(service, active count)`` pairs, sorted, counts above zero.
        reserved_generic: ``(kind, count)`` generic resources reserved, sorted.
    """

    reserved_nano_cpus: int
    reserved_memory: int
    active_tasks: int
    tasks_by_service: tuple[tuple[str, int], ...]
    reserved_generic: tuple[tuple[str, int], ...] = ()


@dataclass(frozen=True, slots=True)
class TaskRecord:
    """What a tracked task holds on its node; shared by all tasks of one placement group."""

    service: str
    spec_version: int
    nano_cpus: int
    memory: int
    generic: tuple[tuple[str, int], ...]
    host_ports: tuple[tuple[str, int], ...]
    preassigned: bool

    @classmethod
    def of(cls, service: ServiceSpec, spec_version: int, preassigned: bool) -> TaskRecord:
        """The record for a task of ``service`` (reservations, host-mode ports)."""
        res = service.resources.reservations
        return cls(
            service=service.name,
            spec_version=spec_version,
            nano_cpus=res.nano_cpus,
            memory=res.memory_bytes,
            generic=tuple(g for g in res.generic if g[1]),
            host_ports=service.host_ports,
            preassigned=preassigned,
        )


class Records:
    """Task records interned as small integers, shared by the nodes of one node set.

    A node maps each task id to the number of its record, not to the record itself: a
    dict whose values are all integers is not tracked by Python's cyclic collector, so a
    node's first task does not put its map back among the young objects the next
    collection walks (one map per node: on 50,000 nodes that walk took 0.06 s, about a
    tenth of a 100,000-task pass).  A placement group uses one record, so the last one is
    cached.  The table keeps every record it numbered: one per service version and kind
    of placement (about 3,000 in the Swarm3k benchmark's day, a redeploy included).
    """

    __slots__ = ("_index", "_last", "_last_ref", "items")

    def __init__(self) -> None:
        self.items: list[TaskRecord] = []
        self._index: dict[TaskRecord, int] = {}
        self._last: TaskRecord | None = None
        self._last_ref = -1

    def ref(self, rec: TaskRecord) -> int:
        """The number of ``rec`` (given on first use)."""
        if rec is self._last:
            return self._last_ref
        found = self._index.get(rec)
        if found is None:
            found = self._index[rec] = len(self.items)
            self.items.append(rec)
        self._last, self._last_ref = rec, found
        return found


class NodeInfo:
    """Mutable accounting for one node of the scheduler's node set."""

    __slots__ = (
        "avail_cpu",
        "avail_generic",
        "avail_mem",
        "by_service",
        "facts",
        "failures",
        "id",
        "inactive",
        "key",
        "rank",
        "ready",
        "records",
        "reserved_generic",
        "spec",
        "tasks",
        "total",
        "used_cpu",
        "used_mem",
        "used_ports",
    )

    def __init__(self, spec: NodeSpec, records: Records | None = None) -> None:
        self.id = spec.id
        #: the record numbers of the node's tasks are read in this table
        self.records = Records() if records is None else records
        self.rank = 0
        self.total = 0
        self.key = 0  # total * KEY_STRIDE + rank: the node's place in the spread order
        self.by_service: dict[str, int] = {}
        self.tasks: dict[str, int] = {}  # task id -> record number (see Records)
        self.inactive: set[str] = set()
        self.used_ports: set[tuple[str, int]] = set()
        self.failures: dict[FailureKey, list[float]] = {}
        self.reserved_generic: dict[str, int] = {}
        self.spec = spec
        self.avail_cpu = spec.nano_cpus
        self.avail_mem = spec.memory_bytes
        #: what the node's containers use (nano-CPUs, bytes), as the engine last told
        #: (:meth:`swarmsim.scheduler.Scheduler.observe_usage`); 0 where nothing runs
        self.used_cpu = 0
        self.used_mem = 0
        self.set_spec(spec)

    def set_rank(self, rank: int) -> None:
        """Set the node's position in node-id order (the last tie-break of the order)."""
        self.rank = rank
        self.key = self.total * KEY_STRIDE + rank

    def set_spec(self, spec: NodeSpec) -> None:
        """Take a new version of the node record; available = capacity - reservations."""
        reserved_cpu = self.spec.nano_cpus - self.avail_cpu
        reserved_mem = self.spec.memory_bytes - self.avail_mem
        self.spec = spec
        self.facts = NodeFacts.of(spec)
        self.ready = spec.status == "ready" and spec.availability == "active"
        self.avail_cpu = spec.nano_cpus - reserved_cpu
        self.avail_mem = spec.memory_bytes - reserved_mem
        generic = dict(spec.generic)
        for kind, count in self.reserved_generic.items():
            generic[kind] = generic.get(kind, 0) - count
        self.avail_generic = generic

    def add_task(self, task_id: str, rec: TaskRecord) -> None:
        """Track a new task: reserve its resources and host ports, count it as active."""
        self.tasks[task_id] = self.records.ref(rec)
        if rec.nano_cpus or rec.memory:
            self.avail_cpu -= rec.nano_cpus
            self.avail_mem -= rec.memory
        if rec.generic:
            for kind, count in rec.generic:
                self.reserved_generic[kind] = self.reserved_generic.get(kind, 0) + count
                self.avail_generic[kind] = self.avail_generic.get(kind, 0) - count
        if rec.host_ports:
            self.used_ports.update(rec.host_ports)
        self.total += 1
        self.key += KEY_STRIDE
        by_service = self.by_service
        by_service[rec.service] = by_service.get(rec.service, 0) + 1

    def remove_task(self, task_id: str) -> TaskRecord | None:
        """Stop tracking a task and free what it held; None if it is not tracked here."""
        ref = self.tasks.pop(task_id, None)
        if ref is None:
            return None
        rec = self.records.items[ref]
        if task_id in self.inactive:
            self.inactive.discard(task_id)
        else:
            self._uncount(rec.service)
        self.avail_cpu += rec.nano_cpus
        self.avail_mem += rec.memory
        for kind, count in rec.generic:
            self.reserved_generic[kind] -= count
            if not self.reserved_generic[kind]:
                del self.reserved_generic[kind]
            self.avail_generic[kind] = self.avail_generic.get(kind, 0) + count
        for port in rec.host_ports:
            self.used_ports.discard(port)
        return rec

    def record(self, task_id: str) -> TaskRecord | None:
        """The record of a task tracked here, or None."""
        ref = self.tasks.get(task_id)
        return None if ref is None else self.records.items[ref]

    def task_records(self) -> list[tuple[str, TaskRecord]]:
        """``(task id, record)`` of every task tracked here, in tracking order."""
        items = self.records.items
        return [(task_id, items[ref]) for task_id, ref in self.tasks.items()]

    def deactivate(self, task_id: str) -> str | None:
        """Desired state past completed: drop the task from the active counts only.

        Returns:
            The task's service if the counts changed, else None.
        """
        rec = self.record(task_id)
        if rec is None or task_id in self.inactive:
            return None
        self.inactive.add(task_id)
        self._uncount(rec.service)
        return rec.service

    def _uncount(self, svc: str) -> None:
        self.total -= 1
        self.key -= KEY_STRIDE
        left = self.by_service[svc] - 1
        if left:
            self.by_service[svc] = left
        else:
            del self.by_service[svc]

    def record_failure(self, key: FailureKey, now: float) -> None:
        """Remember a failure at ``now``, dropping the leading entries that have expired."""
        stamps = self.failures.get(key, [])
        expired = 0
        for stamp in stamps:
            if now - stamp < defaults.MONITOR_FAILURES_S:
                break
            expired += 1
        self.failures[key] = [*stamps[expired:], now]

    def recent_failures(self, key: FailureKey, now: float) -> int:
        """Failures of ``key`` at most ``MONITOR_FAILURES_S`` old, counted from the newest."""
        stamps = self.failures.get(key)
        if not stamps:
            return 0
        count = len(stamps)
        for i in range(count - 1, -1, -1):
            if now - stamps[i] > defaults.MONITOR_FAILURES_S:
                return count - (i + 1)
        return count

    def usage(self) -> NodeUsage:
        """A frozen snapshot of this node's accounting."""
        return NodeUsage(
            reserved_nano_cpus=self.spec.nano_cpus - self.avail_cpu,
            reserved_memory=self.spec.memory_bytes - self.avail_mem,
            active_tasks=self.total,
            tasks_by_service=tuple(sorted(self.by_service.items())),
            reserved_generic=tuple(sorted(self.reserved_generic.items())),
        )
