"""The error a docker command ends with, and the daemon's texts it is made of."""

from __future__ import annotations

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


class CommandError(Exception):
    """A docker command failed.

    Attributes:
        message: docker's full stderr text (without the final newline), e.g.
            ``Error response from daemon: node abc is not down and can't be removed``.
        exit_code: the CLI's exit status (1, or 125 for flag errors).
        output: what the command had already written to stdout, line by line (a stack
            deploy that fails half-way has created some networks and services).
    """

    def __init__(self, message: str, *, exit_code: int = 1, output: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code
        self.output = output

    def with_output(self, lines: list[str] | tuple[str, ...]) -> CommandError:
        """The same error, with the stdout lines written before it."""
        return CommandError(self.message, exit_code=self.exit_code, output=tuple(lines))
