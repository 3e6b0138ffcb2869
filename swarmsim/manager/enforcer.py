"""The constraint enforcer: evicting tasks from a node that no longer suits them.

When a node's spec changes (labels, role, resources...), the tasks assigned to it that
are meant to run and have not finished are checked against their service's *current*
placement constraints and against the node's resources (reservations are summed in
task order). A task that no longer fits gets observed state ``rejected``; the
orchestrators then treat it like any stopped task (a replicated task is replaced
elsewhere).  Only active nodes are checked: drained nodes are emptied by the
orchestrators and paused ones are left alone.  (SwarmKit's
``constraintenforcer``.)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from swarmsim.cluster.state import ClusterState, NodeRecord
from swarmsim.cluster.tasks import Task, TaskState
from swarmsim.input.specs import NodeSpec, ServiceSpec
from swarmsim.manager.leadership import Leadership
from swarmsim.scheduler.constraint import node_matches, parse_constraints
from swarmsim.simulation.clock import Clock

MESSAGE = "task rejected by constraint enforcer"
ERROR = "assigned node no longer meets constraints"


def noncompliant(
    node: NodeSpec,
    tasks: Sequence[Task],
    service_specs: Mapping[str, ServiceSpec],
) -> list[Task]:
    """The tasks on ``node`` that must be rejected, in task order.

    Args:
        node: the node's current spec.
        tasks: the tasks assigned to the node, oldest first.
        service_specs: current specs by service name (a task whose service is gone is
            checked against its own spec).

    Returns:
        Tasks with desired state ``assigned``..``complete`` and observed state below
        ``complete`` that violate the constraints or whose reservations no longer fit
        in what the node offers. As in swarm, the scan stops at the first task whose
        generic resources do not fit.
    """
    if node.availability != "active":
        return []
    cpus, memory = node.nano_cpus, node.memory_bytes
    generic = dict(node.generic)
    out: list[Task] = []
    for t in tasks:
        if t.desired < TaskState.ASSIGNED or t.desired > TaskState.COMPLETE:
            continue
        if t.state >= TaskState.COMPLETE:
            continue
        spec = service_specs.get(t.service, t.spec)
        if spec.placement.constraints:
            try:
                constraints = parse_constraints(spec.placement.constraints)
            except ValueError:
                constraints = []
            if not node_matches(constraints, node):
                out.append(t)
                continue
        want = t.spec.resources.reservations
        if want.memory_bytes > memory or want.nano_cpus > cpus:
            out.append(t)
            continue
        memory -= want.memory_bytes
        cpus -= want.nano_cpus
        needs = [(kind, n) for kind, n in want.generic if n > 0]
        if any(generic.get(kind, 0) < n for kind, n in needs):
            out.append(t)
            break
        for kind, n in needs:
            generic[kind] -= n
    return out


class ConstraintEnforcer:
    """Rejects tasks whose node changed under them."""

    def __init__(
        self,
        state: ClusterState,
        clock: Clock,
        leadership: Leadership,
    ) -> None:
        self.state = state
        self.clock = clock
        self.leadership = leadership
        self._nodes: dict[str, None] = {}
        self._arm = clock.coalesced(self._tick)

    def start(self) -> None:
        """Subscribe to node changes and leadership."""
        self.state.on_node(self._on_node)
        self.leadership.on_leader(self._on_leader)

    def _on_node(self, node: NodeRecord, before: NodeSpec) -> None:
        if not node.in_swarm or node.spec == before:
            return  # only updates of a node's record count
        self._nodes[node.id] = None
        self._arm()

    def _on_leader(self, ok: bool) -> None:
        if ok:
            for node_id in sorted(self.state.nodes):
                self._nodes[node_id] = None
            self._arm()

    def _tick(self) -> None:
        if not self.leadership.has_leader:
            return
        nodes, self._nodes = list(self._nodes), {}
        for node_id in nodes:
            node = self.state.nodes.get(node_id)
            if node is not None:
                self.check(node)

    def check(self, node: NodeRecord) -> list[Task]:
        """Reject the node's non-compliant tasks; returns them."""
        tasks = list(self.state.tasks_on(node.id))
        specs = {t.service: svc.spec for t in tasks
                 if (svc := self.state.services.get(t.service)) is not None}
        rejected = noncompliant(node.spec, tasks, specs)
        for t in rejected:
            if t.id in self.state.tasks and t.desired <= TaskState.COMPLETE:
                self.state.set_state(t, TaskState.REJECTED, message=MESSAGE, error=ERROR)
        return rejected
