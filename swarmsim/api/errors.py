"""The daemon's error answers: ``{"message": ...}`` with docker's HTTP status.

Statuses follow moby's ``daemon/server/httpstatus/status.go``: errdefs classes (not
found 404, invalid parameter 400, conflict 409, unavailable 503) and, for SwarmKit's
gRPC errors, ``statusCodeFromGRPCError`` (InvalidArgument and FailedPrecondition 400,
NotFound 404, AlreadyExists 409, Unavailable 503, Unknown 500).
"""

from __future__ import annotations

import re

from swarmsim.foundation.errors import CommandError
from swarmsim.manager.controlapi.errors import DAEMON, NOT_IN_SWARM, NOT_PART, WORKER

_GRPC = re.compile(r"^rpc error: code = (\w+) desc = ")
_GRPC_STATUS = {
    "InvalidArgument": 400,
    "NotFound": 404,
    "AlreadyExists": 409,
    "PermissionDenied": 403,
    "FailedPrecondition": 400,
    "Unauthenticated": 401,
    "OutOfRange": 400,
    "Unimplemented": 501,
    "Unavailable": 503,
}


class ApiError(Exception):
    """An answer other than success: HTTP ``status`` and docker's ``message``."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def bad_request(message: str) -> ApiError:
    """errdefs.InvalidParameter."""
    return ApiError(400, message)


def not_found(message: str) -> ApiError:
    """errdefs.NotFound."""
    return ApiError(404, message)


def from_command(err: CommandError) -> ApiError:
    """A control-API refusal as the daemon answers it over HTTP (the CLI adds the
    ``Error response from daemon: `` itself)."""
    message = err.message.removeprefix(DAEMON)
    return ApiError(status_of(message), message)


def status_of(message: str) -> int:
    """docker's HTTP status for one of its daemon messages."""
    m = _GRPC.match(message)
    if m:
        return _GRPC_STATUS.get(m.group(1), 500)
    if message in (NOT_IN_SWARM, WORKER, NOT_PART):
        return 503  # errdefs.Unavailable (daemon/cluster/errors.go)
    if message.endswith(" not found"):
        return 404
    if message.startswith("This node is already part of a swarm"):
        return 503
    if " is ambiguous (" in message:
        return 400
    return 400
