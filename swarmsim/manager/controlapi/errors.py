"""The daemon's texts a failed docker command ends with (the message of a
:class:`~swarmsim.foundation.errors.CommandError`)."""

from __future__ import annotations

from swarmsim.foundation.errors import CommandError
from swarmsim.manager.quorum import NO_LEADER

#: what the CLI puts before every message the daemon answers with
DAEMON = "Error response from daemon: "

NOT_IN_SWARM = (
    'This node is not a swarm manager. Use "docker swarm init" or "docker swarm join" '
    "to connect this node to swarm and try again."
)
WORKER = (
    "This node is not a swarm manager. Worker nodes can't be used to view or modify "
    "cluster state. Please run this command on a manager node or promote the current "
    "node to a manager."
)
#: ``docker stack deploy`` checks the node itself and words it in lowercase
CLI_NOT_MANAGER = (
    'this node is not a swarm manager. Use "docker swarm init" or "docker swarm join" '
    "to connect this node to swarm and try again"
)
NOT_PART = "This node is not part of a swarm"
ALREADY_PART = (
    'This node is already part of a swarm. Use "docker swarm leave" to leave this swarm '
    "and join another one."
)
NO_DAEMON = (
    "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. "
    "Is the docker daemon running?"
)


def grpc(code: str, message: str) -> str:
    """A SwarmKit status error as the daemon relays it: ``rpc error: code = X desc = m``."""
    return f"rpc error: code = {code} desc = {message}"


#: every manager request while raft has no leader
NO_LEADER_ERROR = DAEMON + grpc("Unknown", NO_LEADER)


def lookup_error(message: str, ambiguous: bool) -> CommandError:
    """The daemon's answer to a reference that names no object, or several
    (:func:`swarmsim.foundation.refs.find_one`)."""
    return CommandError(DAEMON + message)
