"""Load-balancer membership and IPVS round robin.

A task joins its service's balancer when it is ``running`` (with a healthcheck, the
engine only reports ``running`` after the first healthy probe) and leaves it:

* when it starts shutting down (desired state ``shutdown`` or later): the engine
  deactivates the service binding, waits swarm's gossip delay (2 s, moby's
  ``defaultGossipConvergeDelay``) and only then stops the container, so the task keeps
  serving for those 2 s and leaves every node's balancer at their end;
* at once when its container dies by itself (it fails or completes while still wanted
  running) or the task is deleted.

A task on a crashed machine is still ``running`` as far as the manager knows, so it
stays in the balancer until the manager notices the crash and shuts it down (plus the
gossip delay): connections sent to it meanwhile time out.

Each node's IPVS keeps its own round-robin position (per receiving node, per
connection).  As in the kernel's ``rr`` scheduler, a new backend is inserted at the
head of the list, the next connection goes to the backend after the last one used
(wrapping around), and deleting the last-used backend moves the position back to its
predecessor.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from swarmsim.cluster.tasks import TaskState
from swarmsim.input.specs import RequestSpec
from swarmsim.workload.fifo import QueueState

#: moby daemon/cluster/executor/container: time between deactivating a task's service
#: binding and stopping its container, for the removal to spread through gossip
GOSSIP_DELAY_S = 2.0


def membership_change(state: TaskState, desired: TaskState, member: bool,
                      leaving: bool) -> str | None:
    """What a task change means for its balancer membership.

    Returns:
        ``"join"`` (it starts receiving connections), ``"drain"`` (it leaves after the
        gossip delay, serving meanwhile), ``"leave"`` (it leaves now: its container
        died) or None.
    """
    if not member:
        if state == TaskState.RUNNING and desired <= TaskState.RUNNING and not leaving:
            return "join"
        return None
    if state > TaskState.RUNNING and desired < TaskState.SHUTDOWN:
        return "leave"
    if desired >= TaskState.SHUTDOWN and not leaving:
        return "drain"
    return None


@dataclass(slots=True, eq=False)
class Backend:
    """One task as a load-balancer backend and request server.

    Attributes:
        index: its row in the traffic tables.
        task_id: the task id.
        name: the task name (``<service>.<slot>``).
        service: the service name.
        node: machine index of its node.
        request: how it serves requests.
        limit_cpus: its CPU limit in cores (0: none).
        queue: its request queue.
        member: in the balancer now.
        leaving: shutting down (leaves after the gossip delay).
        lost: its container died with its machine: connections to it time out.
        pending_ids: requests (ids) still at the task after the last batch.
        pending_finish: when each of those finishes (arrives, if rejected).
    """

    index: int
    task_id: str
    name: str
    service: str
    node: int
    request: RequestSpec
    limit_cpus: float
    queue: QueueState
    member: bool = False
    leaving: bool = False
    lost: bool = False
    pending_ids: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.intp))
    pending_finish: np.ndarray = field(default_factory=lambda: np.empty(0))

    def worker_speed(self, node_cores: float, node_workers: int) -> float:
        """Cores one busy worker gets: min(1 core, its share of the task's CPU limit, its
        share of the node's cores among the workers of every backend on the node)."""
        workers = self.request.workers
        speed = min(1.0, node_cores / max(node_workers, 1))
        if self.limit_cpus > 0:
            speed = min(speed, self.limit_cpus / workers)
        return speed

    def keep_pending(self, after: float) -> None:
        """Forget requests finished by ``after``."""
        keep = self.pending_finish > after
        self.pending_ids = self.pending_ids[keep]
        self.pending_finish = self.pending_finish[keep]


class Balancer:
    """One service's backends, as every node's IPVS sees them, with each receiving
    node's round-robin position."""

    def __init__(self) -> None:
        self.members: list[int] = []  # backend indexes, newest first
        self._last: dict[tuple[str, int], int] = {}  # (balancer kind, node) -> last used

    def add(self, backend: int) -> None:
        """A backend joins (at the head of the list)."""
        if backend not in self.members:
            self.members.insert(0, backend)

    def remove(self, backend: int) -> None:
        """A backend leaves; positions on it move back to its predecessor."""
        if backend not in self.members:
            return
        i = self.members.index(backend)
        before = self.members[i - 1] if i > 0 else None
        for key, last in list(self._last.items()):
            if last == backend:
                if before is None:
                    del self._last[key]
                else:
                    self._last[key] = before
        del self.members[i]

    def round_robin(self, kind: str, node: int, count: int) -> np.ndarray:
        """The backends of the next ``count`` connections received by ``node``'s
        ``kind`` balancer (``ingress`` or ``vip``)."""
        m = len(self.members)
        last = self._last.get((kind, node))
        pos = self.members.index(last) if last is not None else -1
        picks = np.asarray(self.members, dtype=np.intp)[(pos + 1 + np.arange(count)) % m]
        self._last[(kind, node)] = int(picks[-1])
        return picks
