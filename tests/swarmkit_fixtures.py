"""Builders and a small driver for the SwarmKit scheduler conformance tests.

SwarmKit's own scheduler tests put nodes and tasks into a memory store, start the
scheduler and watch task updates.  Here the same steps become direct calls on
:class:`swarmsim.scheduler.Scheduler`: a store commit followed by a scheduler pass is
one :meth:`Swarm.tick`, a task leaving the scheduler's view is
:meth:`Swarm.release`, and so on.  :class:`Swarm` keeps the bookkeeping the store
did upstream (which tasks are still pending, which node each placed task is on).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping

from swarmsim.input.specs import (
    NodeSpec,
    Placement,
    Platform,
    PortConfig,
    ResourceRequirements,
    Resources,
    ServiceSpec,
)
from swarmsim.scheduler import Decision, PendingTask, Scheduler

ASSIGNED = "scheduler assigned task to node"
CONFIRMED = "scheduler confirmed task can run on preassigned node"
NO_NODE = "no suitable node"


def node(node_id: str, *, name: str | None = None, **fields: object) -> NodeSpec:
    """A node whose hostname defaults to its id."""
    return NodeSpec(name=node_id if name is None else name, id=node_id, **fields)


def host_port(published: int, protocol: str = "tcp") -> PortConfig:
    """A host-mode published port."""
    return PortConfig(target=published, published=published, protocol=protocol, mode="host")


def service(
    name: str,
    *,
    mode: str = "replicated",
    nano_cpus: int = 0,
    memory_bytes: int = 0,
    generic: Mapping[str, int] | None = None,
    constraints: Iterable[str] = (),
    preferences: Iterable[str] = (),
    max_replicas: int = 0,
    platforms: Iterable[tuple[str, str]] = (),
    ports: Iterable[PortConfig] = (),
) -> ServiceSpec:
    """A service with the placement-relevant fields filled in.

    ``platforms`` holds ``(os, arch)`` pairs; ``generic`` maps a resource kind to the
    count each task reserves.
    """
    reservations = Resources(
        nano_cpus=nano_cpus,
        memory_bytes=memory_bytes,
        generic=tuple(sorted((generic or {}).items())),
    )
    return ServiceSpec(
        name=name,
        image="alpine:3.20",
        mode=mode,
        replicas=0 if mode.startswith("global") else 1,
        resources=ResourceRequirements(reservations=reservations),
        placement=Placement(
            constraints=tuple(constraints),
            preferences=tuple(preferences),
            max_replicas=max_replicas,
            platforms=tuple(Platform(os, arch) for os, arch in platforms),
        ),
        ports=tuple(ports),
    )


def task(
    task_id: str, service_name: str, *, version: int = 0, on: str | None = None
) -> PendingTask:
    """A task of ``service_name``; ``on`` pre-assigns it to a node (global services)."""
    return PendingTask(id=task_id, service=service_name, spec_version=version, node_id=on)


def check_decisions(
    pending: list[PendingTask], decisions: list[Decision], services: Mapping[str, ServiceSpec]
) -> None:
    """Assert the shape every scheduling pass must have, whatever it decided.

    One decision per pending task, in the order of ``pending``; assigned tasks carry
    SwarmKit's status message and no error; replicated tasks that stay pending carry
    the ``no suitable node`` error; pre-assigned tasks only ever land on their node; a
    task whose service is gone is dropped without a status.
    """
    assert [d.task_id for d in decisions] == [t.id for t in pending]
    for t, d in zip(pending, decisions, strict=True):
        if t.service not in services:
            assert (d.node_id, d.message, d.error) == (None, "", "")
        elif d.node_id is None:
            assert d.message == ""
            assert d.error != ""
            if t.node_id is None:
                assert d.error == NO_NODE or d.error.startswith(NO_NODE + " (")
            else:
                assert not d.error.startswith(NO_NODE)
        elif t.node_id is not None:
            assert (d.node_id, d.message, d.error) == (t.node_id, CONFIRMED, "")
        else:
            assert (d.message, d.error) == (ASSIGNED, "")


class Swarm:
    """A scheduler plus the store-side bookkeeping of the upstream tests.

    Attributes:
        scheduler: the scheduler under test.
        services: current service specs by name (what ``schedule`` is given).
        pending: tasks still waiting, in submission order; retried on every tick until
            placed or until their service is deleted.
        where: node of every task the scheduler is accounting for.
    """

    def __init__(self, nodes: Iterable[NodeSpec] = (), services: Iterable[ServiceSpec] = ()):
        self.scheduler = Scheduler()
        self.services: dict[str, ServiceSpec] = {}
        self.pending: list[PendingTask] = []
        self.where: dict[str, str] = {}
        for n in nodes:
            self.scheduler.add_node(n)
        self.define(*services)

    def define(self, *specs: ServiceSpec) -> None:
        """Create or update services."""
        for spec in specs:
            self.services[spec.name] = spec

    def delete_service(self, name: str) -> None:
        """``docker service rm``: its pending tasks are dropped on the next tick."""
        del self.services[name]

    def submit(self, *tasks: PendingTask) -> None:
        """Create pending tasks (they are scheduled on the next tick)."""
        self.pending.extend(tasks)

    def tick(self, now: float = 0.0) -> dict[str, Decision]:
        """One scheduling pass over every pending task; returns decisions by task id."""
        pending = list(self.pending)
        decisions = self.scheduler.schedule(pending, self.services, now)
        check_decisions(pending, decisions, self.services)
        self.pending = [
            t
            for t, d in zip(pending, decisions, strict=True)
            if d.node_id is None and t.service in self.services
        ]
        for d in decisions:
            if d.node_id is not None:
                self.where[d.task_id] = d.node_id
        return {d.task_id: d for d in decisions}

    def place(self, *tasks: PendingTask, now: float = 0.0) -> dict[str, str | None]:
        """Submit ``tasks``, tick once, and return where each of them went (None: pending)."""
        self.submit(*tasks)
        decisions = self.tick(now)
        return {t.id: decisions[t.id].node_id for t in tasks}

    def restore(self, t: PendingTask, node_id: str) -> None:
        """A task already running on ``node_id`` when the scheduler starts."""
        self.scheduler.add_task(t, node_id, self.services[t.service])
        self.where[t.id] = node_id

    def release(self, task_id: str) -> None:
        """The task stopped (observed state past running) or was deleted."""
        self.scheduler.release_task(task_id)
        del self.where[task_id]

    def fail(self, task_id: str, now: float) -> None:
        """The task's observed state became FAILED."""
        self.scheduler.task_failed(task_id, now)
        del self.where[task_id]

    def tasks_on(self, node_id: str) -> list[str]:
        """Ids of the accounted tasks on ``node_id``, sorted."""
        return sorted(t for t, n in self.where.items() if n == node_id)

    def spread(self, prefix: str = "") -> Counter[str]:
        """How many accounted tasks whose id starts with ``prefix`` each node holds."""
        return Counter(n for t, n in self.where.items() if t.startswith(prefix))
