"""The replay's views of nodes and services, and the names of the metrics it samples."""

from __future__ import annotations

import math
import operator
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

NODE_METRICS = ("reserved_cpus", "reserved_memory", "limit_cpus", "limit_memory", "tasks",
                "containers", "up", "ready", "active")
SERVICE_METRICS = ("running", "running_reported", "pending", "starting", "stopping",
                   "desired", "converged")
CLUSTER_METRICS = ("reserved_cpus", "reserved_memory", "limit_cpus", "limit_memory", "tasks",
                   "containers", "cpus", "memory", "nodes_up", "nodes_ready", "nodes_in_use",
                   "running", "pending", "desired", "converged", "cv_tasks", "cv_reserved_cpus")
NANO = 1e9


@dataclass(slots=True, eq=False)
class NodeView:
    """A node as the replay sees it: status, capacity and the sums of its tasks' shares."""

    name: str
    cpus: int  # nano-CPUs
    memory: int
    role: str = "worker"
    status: str = "ready"
    availability: str = "active"
    alive: bool = True
    in_swarm: bool = False
    totals: tuple[int, ...] = (0, 0, 0, 0, 0, 0)  # NodeShare sums

    @property
    def schedulable(self) -> bool:
        """In the swarm, ready and active: a node the scheduler spreads over."""
        return self.in_swarm and self.status == "ready" and self.availability == "active"


@dataclass(slots=True, eq=False)
class ServiceView:
    """A service as the replay sees it: its spec's mode and replicas, and the sums of its
    tasks' shares."""

    name: str
    mode: str = "replicated"
    replicas: int = 0
    version: int = 1
    exists: bool = True
    known: bool = False  # created through a ServiceChange (else inferred from tasks)
    counts: tuple[int, ...] = (0, 0, 0, 0, 0, 0)  # ServiceShare sums

    @property
    def job(self) -> bool:
        """The service is a job."""
        return self.mode.endswith("-job")

    @property
    def desired(self) -> int:
        """Replicas (replicated modes) or tasks wanted running (global modes); 0 once
        removed."""
        if not self.exists:
            return 0
        if self.known and self.mode in ("replicated", "replicated-job"):
            return self.replicas
        return self.counts[5]

    @property
    def converged(self) -> bool:
        """Settled: as many running as desired, none pending, starting or stopping (jobs
        and removed services count as settled)."""
        if not self.exists or self.job:
            return True
        running, _rep, pending, starting, stopping, _w = self.counts
        return running == self.desired and not (pending or starting or stopping)


def add(a: tuple[int, ...], b: tuple[int, ...], sign: int) -> tuple[int, ...]:
    """``a + b`` (sign 1) or ``a - b`` (sign -1), element by element."""
    return tuple(map(operator.add, a, b) if sign > 0 else map(operator.sub, a, b))


def cv_of(acc: list[int]) -> float:
    """Coefficient of variation from ``[n, sum, sum of squares]`` (0 when the mean is 0)."""
    n, total, squares = acc
    if n <= 0 or total <= 0:
        return 0.0
    mean = total / n
    var = max(squares / n - mean * mean, 0.0)
    return math.sqrt(var) / mean


def machines_of(nodes: Iterable[Any]) -> dict[str, tuple[int, int]]:
    """``hostname -> (nano-CPUs, bytes)`` of a scenario's ``NodeSpec`` list."""
    return {n.name: (n.nano_cpus, n.memory_bytes) for n in nodes}
