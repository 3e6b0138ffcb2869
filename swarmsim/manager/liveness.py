"""Node liveness as computed deadlines, not heartbeat messages.

At each heartbeat the dispatcher draws one period ``p = 5 s +- 0.5 s``, tells the node to
beat again after ``p`` and arms a ``3 p`` timer (SwarmKit manager/dispatcher/nodes.go,
``nodeStore.Heartbeat``: ``period := Choose(); grace := period * multiplier``).  So a
machine that dies at ``t``, ``since`` seconds into its current period, is noticed at
``t - since + 3 p``: 9 s to 16.5 s after the crash.  Nothing runs per node while nodes
are healthy.  A node ``down`` for 24 h has its tasks marked ``orphaned``.
"""

from __future__ import annotations

import numpy as np

from swarmsim.cluster.state import ClusterState, NodeRecord
from swarmsim.cluster.tasks import TaskState
from swarmsim.foundation import defaults
from swarmsim.input.specs import NodeSpec
from swarmsim.manager.leadership import Leadership
from swarmsim.simulation.clock import Clock


def choose_period(u: float, period: float = defaults.HEARTBEAT_PERIOD_S) -> float:
    """SwarmKit's ``period.Choose``: the period plus jitter, ``u`` uniform in [0, 1)."""
    return period + (2 * u - 1) * defaults.HEARTBEAT_EPSILON_S


def detection_deadline(crash_time: float, u_since: float, u_period: float,
                       heartbeat: float = defaults.HEARTBEAT_PERIOD_S) -> float:
    """When the manager marks a node that died at ``crash_time`` as down.

    The two ``u`` values are uniform draws in [0, 1): where the crash falls within the
    node's current heartbeat period, and that period's jitter.  The period drawn at the
    last heartbeat is both the wait until the next beat and the base of the grace
    (SwarmKit manager/dispatcher/nodes.go, ``nodeStore.Heartbeat``).
    """
    period = choose_period(u_period, heartbeat)
    return crash_time - u_since * period + period * defaults.HEARTBEAT_GRACE_MULTIPLIER


class Liveness:
    """The dispatcher's view of node health."""

    def __init__(
        self,
        state: ClusterState,
        clock: Clock,
        leadership: Leadership,
        rng: np.random.Generator,
    ) -> None:
        self.state = state
        self.clock = clock
        self.leadership = leadership
        self.rng = rng
        self._token: dict[str, int] = {}
        self._seq = 0
        # the cluster's Dispatcher.HeartbeatPeriod (`docker swarm update --dispatcher-heartbeat`)
        self.heartbeat_period = defaults.HEARTBEAT_PERIOD_S

    def start(self) -> None:
        """Subscribe to node changes and to quorum changes."""
        self.state.on_node(self._on_node)
        self.leadership.on_leader(self._on_leader)

    def _on_node(self, node: NodeRecord, before: NodeSpec) -> None:
        if not node.in_swarm:
            self._token.pop(node.id, None)
            return
        if not node.alive and node.spec.status == "ready" and node.id not in self._token:
            u = self.rng.random(2)
            deadline = detection_deadline(self.clock.now, float(u[0]), float(u[1]),
                                          self.heartbeat_period)
            self._arm(node.id, deadline, "heartbeat failure")
        elif node.alive and node.id in self._token:
            self._token.pop(node.id)
        if (node.alive and node.spec.status in ("down", "unknown")
                and before.status == node.spec.status):
            # the machine is back and re-registers with the dispatcher
            self.clock.soon(self._register, node.id)

    def _arm(self, node_id: str, deadline: float, message: str) -> None:
        self._seq += 1
        self._token[node_id] = self._seq
        self.clock.later(deadline - self.clock.now, self._expire, node_id, self._seq, message)

    def _expire(self, node_id: str, token: int, message: str) -> None:
        if self._token.get(node_id) != token:
            return
        node = self.state.nodes.get(node_id)
        if node is None or node.alive:
            self._token.pop(node_id, None)
            return
        if not self.leadership.has_leader:
            return  # the dispatcher runs on the leader; re-armed when quorum returns
        self._token.pop(node_id, None)
        self.state.update_node(node_id, status="down", message=message)
        self.clock.later(defaults.NODE_DOWN_PERIOD_S, self._orphan, node_id, self.clock.now)

    def _register(self, node_id: str) -> None:
        node = self.state.nodes.get(node_id)
        if (node is not None and node.alive and node.spec.status in ("down", "unknown")
                and self.leadership.has_leader):
            self.state.update_node(node_id, status="ready", message="")

    def _orphan(self, node_id: str, down_at: float) -> None:
        node = self.state.nodes.get(node_id)
        if node is None or node.spec.status != "down" or node.down_since != down_at:
            return
        for task in self.state.tasks_on(node_id):
            if TaskState.ASSIGNED <= task.state <= TaskState.RUNNING:
                self.state.set_state(task, TaskState.ORPHANED, message="task orphaned")

    def _mark_unknown(self, node_id: str) -> None:
        node = self.state.nodes.get(node_id)
        if node is not None and not node.alive and node.spec.status == "ready":
            self.state.update_node(
                node_id,
                status="unknown",
                message='Node moved to "unknown" state due to leadership change in cluster',
            )

    def _on_leader(self, ok: bool) -> None:
        if not ok:
            return
        # a new leader: nodes not heard from get the "unknown" state's longer timeout
        for node in list(self.state.nodes.values()):
            if node.alive:
                if node.spec.status == "down":
                    self.clock.soon(self._register, node.id)
                continue
            if node.spec.status != "down":
                # alive nodes re-register at once; a dead one stays "unknown" until its
                # longer timeout expires
                self.clock.soon(self._mark_unknown, node.id)
                u = float(self.rng.random())
                timeout = (choose_period(u, self.heartbeat_period)
                           * defaults.HEARTBEAT_GRACE_MULTIPLIER * 2)
                self._arm(node.id, self.clock.now + timeout,
                          'heartbeat failure for node in "unknown" state')
