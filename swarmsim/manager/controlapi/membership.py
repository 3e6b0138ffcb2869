"""Which machines are in the swarm: ``docker swarm init``, ``join`` and ``leave``.

A machine of the scenario is in the swarm while it has a node there.  A machine that
leaves keeps its node in ``docker node ls`` (it goes ``Down`` once its heartbeats stop)
until ``docker node rm``; joining again gives it a new node id, as docker does.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from swarmsim.cluster.state import ClusterState, NodeRecord
from swarmsim.foundation.errors import CommandError
from swarmsim.foundation.rng import IdFactory
from swarmsim.input.specs import NodeSpec
from swarmsim.manager.controlapi.errors import (
    ALREADY_PART,
    DAEMON,
    NO_DAEMON,
    NO_LEADER_ERROR,
    NOT_IN_SWARM,
    NOT_PART,
    WORKER,
    grpc,
)
from swarmsim.manager.leadership import Leadership
from swarmsim.manager.quorum import Quorum

JOIN_TIMEOUT = (
    "Timeout was reached before node joined. The attempt to join the swarm will continue "
    'in the background. Use the "docker info" command to see the current swarm status of '
    "your node."
)
BAD_TOKEN = grpc("InvalidArgument", "A valid join token is necessary to join this cluster")
SWARM_PORT = "2377"
_LEAVE = "You are attempting to leave the swarm on a node that is participating as a manager. "
_LAST = (
    "Removing the last manager erases all current state of the swarm. Use `--force` to "
    "ignore this message."
)
_TAIL = (
    "The only way to restore a swarm that has lost consensus is to reinitialize it with "
    "`--force-new-cluster`. Use `--force` to suppress this message."
)


def leave_refusal(listed: bool, reachable: int, unreachable: int) -> str:
    """Why the daemon refuses ``docker swarm leave`` (no ``--force``) on a manager.

    Args:
        listed: the manager could list the nodes (the raft has a leader).
        reachable: managers reachable, this one included.
        unreachable: managers unreachable.
    """
    msg = _LEAVE
    if listed and reachable - 2 <= unreachable:  # leaving would lose the quorum
        if reachable == 1 and unreachable == 0:
            return msg + _LAST
        msg += (
            f"Removing this node leaves {reachable - 1} managers out of "
            f"{reachable + unreachable}. Without a Raft quorum your swarm will be "
            "inaccessible. "
        )
    return msg + _TAIL


def parse_join_token(token: str) -> tuple[str, str] | None:
    """``(CA digest, secret)`` of a ``SWMTKN-1-<50 base36>-<25 base36>`` token (or the
    FIPS form ``SWMTKN-2-<0|1>-...``), None when SwarmKit would call it invalid."""
    parts = token.split("-")
    if len(parts) < 4 or parts[0] != "SWMTKN":
        return None
    if not ((parts[1] == "1" and len(parts) == 4)
            or (parts[1] == "2" and len(parts) == 5 and parts[2] in ("0", "1"))):
        return None
    digest, secret = parts[-2], parts[-1]
    if len(digest) != 50 or len(secret) != 25:
        return None
    try:
        int(digest, 36)
    except ValueError:
        return None
    return digest, secret


class Membership:
    """The machines' side of the swarm: who is in it, as which node.

    Args:
        state: the cluster state.
        leadership: whether the raft has a leader (manager requests need one).
        quorum: the raft members, their leader and the swarm's join tokens.
        machines: the scenario's machines by name (shared: machines added later count).
        ids: the simulation's id factory (node ids of machines that join again).
    """

    def __init__(
        self,
        state: ClusterState,
        leadership: Leadership,
        quorum: Quorum,
        machines: Mapping[str, NodeSpec],
        ids: IdFactory,
    ) -> None:
        self.state = state
        self.leadership = leadership
        self.quorum = quorum
        self.machines = machines
        self.ids = ids
        self._ids: dict[str, str] = {}  # machine -> node id it got from init/join here
        self._out: set[str] = set()  # machines that left the swarm or were removed
        self._retired: set[str] = set()  # node ids their machine no longer uses

    # --- who is where ------------------------------------------------------------------
    def node_id(self, machine: str) -> str | None:
        """The id of ``machine``'s node in the swarm, or None when it is in none."""
        if machine in self._out:
            return None
        if machine in self._ids:
            return self._ids[machine]
        spec = self.machines.get(machine)
        if spec is not None and spec.id in self.state.nodes:
            return spec.id
        for node in sorted(self.state.nodes.values(), key=lambda n: n.id):
            if node.name == machine and node.id not in self._retired:
                return node.id
        return None

    def node_of(self, machine: str) -> NodeRecord | None:
        """``machine``'s node record, None when it is in no swarm (or its node is gone)."""
        nid = self.node_id(machine)
        return self.state.nodes.get(nid) if nid is not None else None

    def machine_of(self, node_id: str) -> str | None:
        """The machine whose node this is, if it still uses it."""
        for machine in self.machines:
            if self.node_id(machine) == node_id:
                return machine
        return None

    def forget(self, machine: str) -> None:
        """``machine`` is out of the swarm (it left, or its node was removed)."""
        nid = self.node_id(machine)
        if nid is not None:
            self._retired.add(nid)
        self._ids.pop(machine, None)
        self._out.add(machine)

    # --- the checks every command starts with ------------------------------------------
    def check_daemon(self, machine: str) -> None:
        """The CLI reaches ``machine``'s engine (the machine is up).

        Raises:
            ValueError: no such machine in the scenario.
            CommandError: ``Cannot connect to the Docker daemon ...`` (machine down).
        """
        if machine not in self.machines:
            raise ValueError(f"no machine named {machine!r} in the scenario")
        node = self.node_of(machine)
        if node is not None and not node.alive:
            raise CommandError(NO_DAEMON)

    def check_manager(self, machine: str) -> NodeRecord:
        """``machine`` can serve manager requests: a manager of a swarm with a leader.

        Raises:
            CommandError: docker's "not a swarm manager" messages, or no leader.
        """
        self.check_daemon(machine)
        if self.node_id(machine) is None:
            raise CommandError(DAEMON + NOT_IN_SWARM)
        node = self.node_of(machine)
        if node is None or node.spec.role != "manager":
            raise CommandError(DAEMON + WORKER)
        self.need_leader()
        return node

    def need_leader(self) -> None:
        """Every manager request goes through the raft leader.

        Raises:
            CommandError: ``... The swarm does not have a leader ...``.
        """
        if not self.leadership.has_leader:
            raise CommandError(NO_LEADER_ERROR)

    # --- init, join, leave -------------------------------------------------------------
    def init(self, machine: str, *, availability: str | None = None) -> NodeRecord:
        """``docker swarm init`` on ``machine``: a new swarm with it as the leader.

        Raises:
            CommandError: ``This node is already part of a swarm ...``.
        """
        self.check_daemon(machine)
        if self.node_id(machine) is not None:
            raise CommandError(DAEMON + ALREADY_PART)
        if any(n.alive and n.spec.role == "manager" for n in self.state.nodes.values()):
            raise CommandError(
                f"swarmsim: {machine} cannot start a second swarm: a simulation holds one "
                "swarm, and its managers are still running"
            )
        self._wipe()
        nid = self._fresh_id(machine)
        spec = replace(self.machines[machine], id=nid, status="ready", joined=True)
        if availability is not None:
            spec = replace(spec, availability=availability)
        self.quorum.init_swarm(spec)
        self._ids[machine] = nid
        self._out.discard(machine)
        return self.state.nodes[nid]

    def join(self, machine: str, token: str, remote: str | None = None, *,
             availability: str | None = None) -> NodeRecord:
        """``docker swarm join --token T HOST:PORT``: the token decides the role.

        ``remote`` defaults to the leader's address.

        Raises:
            CommandError: ``invalid join token``, ``A valid join token is necessary to
                join this cluster``, the join timeout when no manager answers at
                ``remote``, ``This node is already part of a swarm ...``.
        """
        self.check_daemon(machine)
        if self.node_id(machine) is not None:
            raise CommandError(DAEMON + ALREADY_PART)
        if remote is None:
            leader = self.state.nodes.get(self.quorum.leader or "")
            remote = f"{leader.spec.addr}:{SWARM_PORT}" if leader is not None else ""
        parsed = parse_join_token(token)
        if parsed is None and token:
            raise CommandError(DAEMON + "invalid join token")
        if (self.quorum.join_tokens is None or not self._answers(remote)
                or not self.leadership.has_leader):
            raise CommandError(DAEMON + JOIN_TIMEOUT)
        worker, manager = self.quorum.join_tokens
        expected = parse_join_token(worker)
        if parsed is not None and expected is not None and expected[0] != parsed[0]:
            raise CommandError(
                f"{DAEMON}remote CA does not match fingerprint. Expected: "
                f"{int(parsed[0], 36):064x}"
            )
        if token == manager:
            role = "manager"
        elif token == worker:
            role = "worker"
        else:
            raise CommandError(DAEMON + BAD_TOKEN)
        nid = self._fresh_id(machine)
        spec = replace(self.machines[machine], id=nid, role=role, status="ready", joined=True)
        if availability is not None:
            spec = replace(spec, availability=availability)
        node = self.state.add_node(spec)
        self._ids[machine] = nid
        self._out.discard(machine)
        return node

    def leave(self, machine: str, force: bool = False) -> None:
        """``docker swarm leave``: the machine stops taking part; its node stays listed
        (``Down`` once its heartbeats stop) until ``docker node rm``.

        Raises:
            CommandError: ``This node is not part of a swarm``, or the refusal for a
                manager without ``force`` (see :func:`leave_refusal`).
        """
        self.check_daemon(machine)
        nid = self.node_id(machine)
        if nid is None:
            raise CommandError(DAEMON + NOT_PART)
        node = self.state.nodes.get(nid)
        if node is not None and node.spec.role == "manager" and not force:
            managers = [n for n in self.state.nodes.values() if n.spec.role == "manager"]
            reachable = sum(n.alive for n in managers)
            raise CommandError(DAEMON + leave_refusal(
                self.leadership.has_leader, reachable, len(managers) - reachable))
        if node is not None and node.alive:
            self.state.set_alive(nid, False)  # heartbeats stop; containers are removed
        self.forget(machine)

    def _answers(self, remote: str) -> bool:
        """A live manager listens at ``remote`` (``HOST[:PORT]``, port 2377)."""
        host, _, port = remote.rpartition(":") if ":" in remote else (remote, "", "")
        if port and port != SWARM_PORT:
            return False
        return any(
            n.alive and n.spec.role == "manager" and host in (n.spec.addr, n.spec.name)
            for n in self.state.nodes.values()
            if n.id not in self._retired
        )

    def _fresh_id(self, machine: str) -> str:
        """The machine's scenario id the first time it joins, a new id afterwards."""
        own = self.machines[machine].id
        if own not in self.state.nodes and own not in self._retired:
            return own
        return self.ids.new_id()

    def _wipe(self) -> None:
        """A new swarm replaces a dead one (its last manager left): the old swarm's
        services and nodes go; its workers still believe they are in it."""
        for machine in self.machines:
            nid = self.node_id(machine)
            if nid is not None:
                self._ids[machine] = nid
                self._retired.add(nid)
        for name in sorted(self.state.services):
            self.state.remove_service(name)
        for nid in sorted(self.state.nodes):
            self.state.remove_node(nid)
