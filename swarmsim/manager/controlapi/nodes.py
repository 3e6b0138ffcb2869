"""Node requests: ``docker node update|promote|demote|rm`` and the daemon's node lookup."""

from __future__ import annotations

from typing import Any

from swarmsim.cluster.state import NodeRecord
from swarmsim.cluster.tasks import TaskState
from swarmsim.compose.gostr import quote
from swarmsim.foundation.errors import CommandError
from swarmsim.foundation.refs import find_one
from swarmsim.manager.controlapi.errors import DAEMON, grpc, lookup_error
from swarmsim.manager.controlapi.membership import Membership

_ORPHANED = "Task belonged to a node that has been deleted"


def can_remove_member(members: int, others_reachable: int) -> bool:
    """Raft's ``CanRemoveMember``: the members left after the removal still hold a
    majority of the reduced cluster (``(members - 1) // 2 + 1``)."""
    return others_reachable >= (members - 1) // 2 + 1


class NodeAPI(Membership):
    """Membership plus the node requests of SwarmKit's control API."""

    def find_node(self, ref: str) -> NodeRecord:
        """The node with this id, hostname or unique id prefix.

        Raises:
            CommandError: ``node x not found`` / ``node x is ambiguous (n matches found)``.
        """
        nodes = sorted(self.state.nodes.values(), key=lambda n: n.id)
        return find_one("node", ref, nodes, lambda n: n.id, lambda n: n.name, lookup_error)

    def update_node(
        self,
        node: str,
        *,
        availability: str | None = None,
        label_add: tuple[str, ...] = (),
        label_rm: tuple[str, ...] = (),
        role: str | None = None,
    ) -> NodeRecord:
        """``docker node update``: availability, labels (``key=value`` or ``key``), role.

        Raises:
            CommandError: ``key x doesn't exist in node's labels``, ``invalid
                Availability: "x"``, the demotion checks of :meth:`demote`.
        """
        self.need_leader()
        rec = self.find_node(node)
        labels = dict(rec.spec.labels)
        for item in label_add:
            key, _, value = item.partition("=")
            labels[key] = value
        for key in label_rm:
            if key not in labels:
                raise CommandError(f"key {key} doesn't exist in node's labels")
            del labels[key]
        changes: dict[str, Any] = {"labels": tuple(sorted(labels.items()))}
        # the engine converts the spec for SwarmKit role first (NodeSpecToGRPC)
        if role is not None:
            if role.lower() not in ("worker", "manager"):
                raise CommandError(f"{DAEMON}invalid Role: {quote(role)}")
            changes["role"] = role.lower()
        if availability is not None:
            if availability.lower() not in ("active", "pause", "drain"):
                raise CommandError(f"{DAEMON}invalid Availability: {quote(availability)}")
            changes["availability"] = availability.lower()
        if rec.spec.role == "manager" and changes.get("role") == "worker":
            self._check_demotion(rec)
        return self.state.update_node(rec.id, **changes)

    def promote(self, node: str) -> bool:
        """``docker node promote``: False (nothing done) when already a manager."""
        self.need_leader()
        rec = self.find_node(node)
        if rec.spec.role == "manager":
            return False
        self.state.update_node(rec.id, role="manager")
        return True

    def demote(self, node: str) -> bool:
        """``docker node demote``: False (nothing done) when already a worker.

        Raises:
            CommandError: ``attempting to demote the last manager of the swarm`` or
                ``can't remove member from the raft: this would result in a loss of
                quorum``.
        """
        self.need_leader()
        rec = self.find_node(node)
        if rec.spec.role != "manager":
            return False
        self._check_demotion(rec)
        self.state.update_node(rec.id, role="worker")
        return True

    def _check_demotion(self, rec: NodeRecord) -> None:
        managers = [n for n in self.state.nodes.values() if n.spec.role == "manager"]
        if len(managers) == 1 and managers[0] is rec:
            raise CommandError(DAEMON + grpc(
                "FailedPrecondition", "attempting to demote the last manager of the swarm"))
        if not can_remove_member(len(managers), sum(n.alive for n in managers if n is not rec)):
            raise CommandError(DAEMON + grpc(
                "FailedPrecondition",
                "can't remove member from the raft: this would result in a loss of quorum",
            ))

    def remove_node(self, node: str, force: bool = False) -> None:
        """``docker node rm``: the node leaves the node list; its tasks are orphaned and
        replaced elsewhere.

        Raises:
            CommandError: ``node <id> is a cluster manager and is a member of the raft
                cluster. It must be demoted to worker before removal`` or ``node <id> is
                not down and can't be removed`` (without ``force``).
        """
        self.need_leader()
        rec = self.find_node(node)
        if rec.spec.role == "manager":
            raise CommandError(DAEMON + grpc(
                "FailedPrecondition",
                f"node {rec.id} is a cluster manager and is a member of the raft cluster. "
                "It must be demoted to worker before removal",
            ))
        if not force and rec.spec.status == "ready":
            raise CommandError(DAEMON + grpc(
                "FailedPrecondition", f"node {rec.id} is not down and can't be removed"))
        machine = self.machine_of(rec.id)
        for task in self.state.tasks_on(rec.id):
            if task.state < TaskState.COMPLETE:
                self.state.set_state(task, TaskState.ORPHANED, message=_ORPHANED)
        if rec.alive:
            self.state.set_alive(rec.id, False)  # its engine is cut off and stops its tasks
        self.state.remove_node(rec.id)
        if machine is not None:
            self.forget(machine)
