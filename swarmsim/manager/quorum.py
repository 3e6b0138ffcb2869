"""Raft quorum among the managers.

The swarm has a leader while more than half of its managers are up. Losing the
majority stops every manager component at once (nothing is scheduled, restarted or
marked down; manager commands fail), and the leader steps down: SwarmKit runs etcd's
raft with ``CheckQuorum: true`` (``DefaultNodeConfig`` in
moby/swarmkit manager/state/raft/raft.go), under which a leader that has not heard from
a majority within an election timeout becomes a follower. So a majority that comes
back always needs an election, even when the old leader never went down: a new leader
is elected one raft election timeout (10 s: ``ElectionTick`` 10 x ``TickInterval``
1 s) after a majority is available again, or after the leader itself dies.

Simplified: raft notices the lost majority at its next quorum check (within one to two
election timeouts) and randomises each election timeout between one and two
``ElectionTick``; here the leader steps down at once and every election takes 10 s.
"""

from __future__ import annotations

from dataclasses import replace

from swarmsim.cluster.state import ClusterState, NodeRecord
from swarmsim.foundation import defaults
from swarmsim.foundation.rng import IdFactory
from swarmsim.input.specs import NodeSpec
from swarmsim.manager.leadership import Leadership
from swarmsim.simulation.clock import Clock

NO_LEADER = (
    "The swarm does not have a leader. It's possible that too few managers are online. "
    "Make sure more than half of the managers are online."
)


def majority(managers: int) -> int:
    """Votes needed: floor(N/2) + 1."""
    return managers // 2 + 1


class Quorum:
    """Tracks the managers, the leader and whether the raft has quorum."""

    def __init__(
        self,
        state: ClusterState,
        clock: Clock,
        leadership: Leadership,
        ids: IdFactory,
    ) -> None:
        self.state = state
        self.clock = clock
        self.leadership = leadership
        self.ids = ids
        self.join_tokens: tuple[str, str] | None = None  # (worker, manager) once initialised
        self.leader: str | None = None
        self._election: int = 0
        self._electing = False  # an election is under way (a majority, no leader)
        self._evaluate_soon = clock.coalesced(self._evaluate)

    def start(self) -> None:
        """Subscribe to node changes."""
        self.state.on_node(self._on_node)

    def init_swarm(self, node: NodeSpec) -> None:
        """``docker swarm init`` on ``node``: a one-manager swarm led by it, with its
        join tokens."""
        self.join_tokens = self.ids.join_token_pair()
        self.state.add_node(replace(node, role="manager"))
        self.init_leader(node.id)

    def managers(self) -> list[NodeRecord]:
        """Raft members: nodes in the swarm whose role is manager."""
        return [n for n in self.state.nodes.values() if n.spec.role == "manager"]

    def has_quorum(self) -> bool:
        """True when more than half of the managers are up."""
        members = self.managers()
        return bool(members) and sum(n.alive for n in members) >= majority(len(members))

    def _on_node(self, node: NodeRecord, before: NodeSpec) -> None:
        self._evaluate_soon()

    def _evaluate(self) -> None:
        leader = self.state.nodes.get(self.leader or "")
        leader_ok = leader is not None and leader.alive and leader.spec.role == "manager"
        quorum = self.has_quorum()
        if quorum and leader_ok:
            self.leadership.set_leader(True)
            self._update_statuses()
            return
        # no usable leader: a dead or demoted one, or one without a majority, which steps
        # down (CheckQuorum); the raft needs an election, and an election a majority
        self.leader = None
        self.leadership.set_leader(False)
        self._update_statuses()
        if not quorum:
            self._electing = False  # an election under way cannot finish
            self._election += 1
        elif not self._electing:  # a change of some other node does not restart it
            self._electing = True
            self._election += 1
            self.clock.later(defaults.RAFT_ELECTION_S, self._elect, self._election)

    def _elect(self, election: int) -> None:
        if election != self._election or not self.has_quorum():
            return
        self._electing = False
        alive = sorted((n for n in self.managers() if n.alive), key=lambda n: n.id)
        self.leader = alive[0].id
        self.leadership.set_leader(True)
        self._update_statuses()

    def init_leader(self, node_id: str) -> None:
        """``docker swarm init`` on ``node_id``: it becomes the leader at once."""
        self.leader = node_id
        self._electing = False
        self._election += 1
        self.leadership.set_leader(True)
        self._update_statuses()

    def _update_statuses(self) -> None:
        for node in self.state.nodes.values():
            if node.spec.role != "manager":
                node.manager_status = ""
            elif node.id == self.leader and self.leadership.has_leader:
                node.manager_status = "Leader"
            else:
                node.manager_status = "Reachable" if node.alive else "Unreachable"
