"""The get-started app's visit counter, kept by redis.

redis keeps the counter in memory and in ``/data``.  With a bind mount (or volume) on
``/data``, the data belong to the node's directory: a new redis task on the same node
finds the count again.  Without one, the data die with the task's container.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from swarmsim.cluster.tasks import Task


def data_key(task: Task, node_name: str) -> tuple[str, ...]:
    """Where a redis task keeps its data: ``(node, mount source)`` when ``/data`` is
    mounted from the node, else the task itself."""
    for mount in task.spec.mounts:
        if mount.target.rstrip("/") == "/data" and mount.type in ("bind", "volume"):
            return ("node", node_name, mount.type, mount.source)
    return ("task", task.id)


@dataclass
class VisitCounter:
    """``INCR counter`` on each redis data store."""

    counts: dict[tuple[str, ...], int] = field(default_factory=dict)

    def incr(self, key: tuple[str, ...]) -> int:
        """Add one visit; the new count (1 on a fresh store)."""
        self.counts[key] = self.counts.get(key, 0) + 1
        return self.counts[key]
