"""Raft quorum among the managers.

The swarm has a leader while more than half of its managers are up. Losing the
majority stops every manager component at once (nothing is scheduled, restarted or
marked down; manager commands fail). A new leader is elected one raft election timeout
(10 s) after a majority is available again, or after the leader itself dies.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from swarmsim.cluster.state import NodeRecord
from swarmsim.foundation import defaults
from swarmsim.input.specs import NodeSpec

if TYPE_CHECKING:
    from swarmsim.simulation.engine import Simulation

NO_LEADER = (
    "The swarm does not have a leader. It's possible that too few managers are online. "
    "Make sure more than half of the managers are online."
)


def majority(managers: int) -> int:
    """Votes needed: floor(N/2) + 1."""
    return managers // 2 + 1


class Quorum:
    """Tracks the managers, the leader and whether the raft has quorum."""

    def __init__(self, sim: Simulation) -> None:
        self.sim = sim
        self.state = sim.state
        self.leader: str | None = None
        self._election: int = 0
        self._evaluate_soon = sim.coalesced(self._evaluate)

    def start(self) -> None:
        """Subscribe to node changes."""
        self.state.on_node(self._on_node)

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
        members = self.managers()
        leader = self.state.nodes.get(self.leader or "")
        leader_ok = leader is not None and leader.alive and leader.spec.role == "manager"
        if self.has_quorum() and leader_ok:
            self.sim.set_leader(True)
            self._update_statuses()
            return
        # no usable leader: the raft needs an election, which needs a majority
        if self.leader is not None and not leader_ok:
            self.leader = None
        self.sim.set_leader(False)
        self._update_statuses()
        if members and self.has_quorum():
            self._election += 1
            self.sim.later(defaults.RAFT_ELECTION_S, self._elect, self._election)

    def _elect(self, election: int) -> None:
        if election != self._election or not self.has_quorum():
            return
        alive = sorted((n for n in self.managers() if n.alive), key=lambda n: n.id)
        self.leader = alive[0].id
        self.sim.set_leader(True)
        self._update_statuses()

    def init_leader(self, node_id: str) -> None:
        """``docker swarm init`` on ``node_id``: it becomes the leader at once."""
        self.leader = node_id
        self.sim.set_leader(True)
        self._update_statuses()

    def _update_statuses(self) -> None:
        for node in self.state.nodes.values():
            if node.spec.role != "manager":
                node.manager_status = ""
            elif node.id == self.leader and self.sim.has_leader:
                node.manager_status = "Leader"
            else:
                node.manager_status = "Reachable" if node.alive else "Unreachable"
