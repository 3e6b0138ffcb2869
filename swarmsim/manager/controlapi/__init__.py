"""The control API: what the docker CLI asks of a swarm, and the daemon's answers.

SwarmKit's ``manager/controlapi`` and the engine's ``daemon/cluster`` checks: every
change a docker command makes goes through here, is refused with docker's own message
(a :class:`~swarmsim.foundation.errors.CommandError`) or is applied through
:class:`~swarmsim.cluster.state.ClusterState`, where the orchestrators, the updater and
the scheduler take over.  Each module owns one kind of request, each class adding to the
one before: membership (init, join, leave) in :mod:`.membership`, node requests in
:mod:`.nodes`, services in :mod:`.services` (their dynamic ports in :mod:`.ports`), and
stacks in :mod:`.stacks`, whose :class:`ControlAPI` is the whole API; the daemon's
texts are in :mod:`.errors`.

Layer: simulation.  May import: the cluster state, the compose checks, the foundation.
"""

from __future__ import annotations

from swarmsim.manager.controlapi.membership import Membership, leave_refusal, parse_join_token
from swarmsim.manager.controlapi.nodes import can_remove_member
from swarmsim.manager.controlapi.services import tagged_image
from swarmsim.manager.controlapi.stacks import ControlAPI

__all__ = [
    "ControlAPI",
    "Membership",
    "can_remove_member",
    "leave_refusal",
    "parse_join_token",
    "tagged_image",
]
