"""The policy interface: a typed protocol and the read-only views a policy sees."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import numpy as np


@dataclass(frozen=True, slots=True)
class NodeView:
    """A node that passed swarm's filters for the task being placed (read-only).

    Attributes:
        id: the node id (25 base36 characters).
        hostname: the node's hostname.
        nano_cpus: CPU capacity in nano-CPUs.
        memory_bytes: memory capacity in bytes.
        reserved_nano_cpus: CPU reserved by the tasks the scheduler tracks on it.
        reserved_memory: memory reserved by those tasks, in bytes.
        tasks: active tasks on the node, all services.
        service_tasks: active tasks of the task's own service on the node.
        labels: ``node.labels`` as sorted ``(key, value)`` pairs.
    """

    id: str
    hostname: str
    nano_cpus: int
    memory_bytes: int
    reserved_nano_cpus: int
    reserved_memory: int
    tasks: int
    service_tasks: int
    labels: tuple[tuple[str, str], ...] = ()

    def allocated_fraction(self, task: TaskView | None = None) -> float:
        """Mean of the reserved CPU and memory fractions (with ``task`` added if given)."""
        cpu = self.reserved_nano_cpus + (task.nano_cpus if task else 0)
        mem = self.reserved_memory + (task.memory_bytes if task else 0)
        fc = cpu / self.nano_cpus if self.nano_cpus else 0.0
        fm = mem / self.memory_bytes if self.memory_bytes else 0.0
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


@runtime_checkable
class Policy(Protocol):
    """Ranks the feasible nodes for one task; the first node returned takes it.

    ``nodes`` arrive in node-id order, all of them passing swarm's filters (readiness,
    resources, constraints, platform, host ports, max replicas per node).  ``rank`` must
    return some or all of them, best first; returning none leaves the task pending.
    ``rng`` is the simulation's ``policy`` stream: draw from it, never from a global
    generator, so runs stay reproducible.
    """

    name: str

    def rank(
        self, nodes: Sequence[NodeView], task: TaskView, rng: np.random.Generator
    ) -> Sequence[NodeView]:
        """The nodes, best first."""
        ...
