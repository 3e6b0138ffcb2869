"""The levels a replay keeps: what each node holds, what each service counts, the
cluster's sums, and their sampling into series at the instants they change.

A task's shares (:func:`~swarmsim.metrics.tasklife.node_share`,
:func:`~swarmsim.metrics.tasklife.service_share`) are kept on its view, so a change
of the task moves only the difference between its old and new shares into its node's
totals, its service's counts and the cluster's sums (integers: the same totals as
recomputing them). Entities whose levels changed at the current instant are sampled
once when the clock moves on (a series keeps only the value after an instant's last
change).
"""

from __future__ import annotations

from collections.abc import Sequence
from operator import add, sub
from typing import Any

from swarmsim.cluster.tasks import TaskState
from swarmsim.metrics.series import SeriesSet
from swarmsim.metrics.tasklife import (
    NO_NODE_SHARE,
    NO_SERVICE_SHARE,
    ServiceShare,
    TaskView,
    service_share,
)
from swarmsim.metrics.views import (
    CLUSTER_METRICS,
    NANO,
    NODE_METRICS,
    SERVICE_METRICS,
    NodeView,
    ServiceView,
    cv_of,
)

_ASSIGNED, _RUNNING = TaskState.ASSIGNED, TaskState.RUNNING
#: a service's desired count is its replica count in these modes (once its spec is known)
_BY_REPLICAS = ("replicated", "replicated-job")

#: the service share of a task that is not deleted, by (state, desired state, alive)
_SERVICE_SHARES: dict[tuple[TaskState, TaskState, bool], ServiceShare] = {}


class Levels:
    """The node, service and cluster levels of a replay, and their series.

    Attributes:
        series: every level series sampled so far.
        nodes: the view of each node, by hostname.
        services: the view of each service, by name.
    """

    def __init__(self) -> None:
        self.series = SeriesSet()
        self.nodes: dict[str, NodeView] = {}
        self.services: dict[str, ServiceView] = {}
        self._cv_tasks = [0, 0, 0]  # schedulable nodes: n, sum, sum of squares of tasks
        self._cv_cpus = [0, 0, 0]  # ... and of reserved nano-CPUs
        self._unconverged: set[str] = set()
        # node sums 0-10 (reserved CPU, memory, limits, tasks, containers, nodes up,
        # their CPUs and memory, ready, in use), then service sums 11-13 (desired,
        # running, pending)
        self._sums: list[int] = [0] * 14
        self._last: dict[str, tuple[Any, ...]] = {}
        self._now = 0.0
        self._dirty_services: dict[str, ServiceView] = {}
        self._dirty_nodes: dict[str, NodeView] = {}
        self._dirty_cluster = False

    # --- a task's shares ---------------------------------------------------------------
    def _apply(self, t: TaskView, old_where: str | None) -> None:
        """Move the difference between ``t``'s kept shares (held on ``old_where``) and its
        shares now into the levels, and keep the new shares."""
        old_node, old_svc = t.nshare, t.sshare
        where = t.node
        # node_share(t), written out: the hottest line of a replay
        if t.deleted or where is None:
            new_node = NO_NODE_SHARE
        else:
            holds = _ASSIGNED <= t.state <= _RUNNING
            alive = t.actual
            info = t.info
            if info is None:
                new_node = (0, 0, 0, 0, int(holds), int(alive))
            else:
                new_node = (info.reserved_cpus if holds else 0,
                            info.reserved_memory if holds else 0,
                            info.limit_cpus if alive else 0,
                            info.limit_memory if alive else 0, int(holds), int(alive))
        if t.deleted:
            new_svc = NO_SERVICE_SHARE
        else:
            key = (t.state, t.desired, t.actual)
            new_svc = _SERVICE_SHARES.get(key) or _SERVICE_SHARES.setdefault(
                key, service_share(t))
        t.nshare, t.sshare = new_node, new_svc
        node_changed = old_node != new_node or old_where != where
        if node_changed:
            nodes = self.nodes
            if old_where == where:  # one node: the difference of its shares, in one step
                node = nodes.get(where or "")
                if node is not None:
                    self._set_totals(node, tuple(map(add, map(sub, node.totals, old_node),
                                                     new_node)))
            else:
                node = nodes.get(old_where or "")
                if node is not None and any(old_node):
                    self._set_totals(node, tuple(map(sub, node.totals, old_node)))
                node = nodes.get(where or "")
                if node is not None and any(new_node):
                    self._set_totals(node, tuple(map(add, node.totals, new_node)))
        if old_svc != new_svc:
            svc = self.services.get(t.service) or self._service(t.service)
            old = svc.counts
            new = svc.counts = tuple(map(add, map(sub, old, old_svc), new_svc))
            if not svc.mode.endswith("-job"):  # in the cluster's sums: the difference
                s = self._sums
                s[12] += new[0] - old[0]
                s[13] += new[2] - old[2]
                if svc.exists and not (svc.known and svc.mode in _BY_REPLICAS):
                    s[11] += new[5] - old[5]  # desired: its tasks wanted running
            self._dirty_services[svc.name] = svc
        elif not node_changed:
            return
        self._dirty_cluster = True

    def _service(self, name: str) -> ServiceView:
        svc = self.services.get(name)
        if svc is None:
            svc = self.services[name] = ServiceView(name)
        return svc

    # --- the cluster's sums --------------------------------------------------------------
    def _count_service(self, svc: ServiceView, sign: int) -> None:
        """Take ``svc`` out of (-1) or put it into (+1) the cluster sums."""
        if not svc.job:
            s = self._sums
            s[11] += sign * svc.desired
            s[12] += sign * svc.counts[0]
            s[13] += sign * svc.counts[2]

    def _count_node(self, node: NodeView, sign: int) -> None:
        """Take ``node`` out of (-1) or put it into (+1) the cluster sums and, when it is
        schedulable, the coefficients of variation."""
        s = self._sums  # updated in place: only the sums the node takes part in
        totals = node.totals
        in_swarm = node.in_swarm
        if in_swarm and node.alive:
            s[0] += sign * totals[0]
            s[1] += sign * totals[1]
            s[2] += sign * totals[2]
            s[3] += sign * totals[3]
            s[6] += sign
            s[7] += sign * node.cpus
            s[8] += sign * node.memory
        # (a down node's reservations and limits leave the cluster with its capacity)
        tasks = totals[4]
        s[4] += sign * tasks
        s[5] += sign * totals[5]
        if in_swarm and node.status == "ready":
            s[9] += sign
            if node.availability == "active":  # schedulable
                acc = self._cv_tasks
                acc[0] += sign
                acc[1] += sign * tasks
                acc[2] += sign * tasks * tasks
                cpus = totals[0]
                acc = self._cv_cpus
                acc[0] += sign
                acc[1] += sign * cpus
                acc[2] += sign * cpus * cpus
        if tasks > 0:
            s[10] += sign

    def _set_totals(self, node: NodeView, totals: tuple[int, ...]) -> None:
        """Give ``node`` new totals: the cluster's sums move by the difference (what
        taking the node out and putting it back in with :meth:`_count_node` gives)."""
        old = node.totals
        node.totals = totals
        s = self._sums
        in_swarm = node.in_swarm
        if in_swarm and node.alive:
            s[0] += totals[0] - old[0]
            s[1] += totals[1] - old[1]
            s[2] += totals[2] - old[2]
            s[3] += totals[3] - old[3]
        tasks, was = totals[4], old[4]
        s[4] += tasks - was
        s[5] += totals[5] - old[5]
        if in_swarm and node.status == "ready" and node.availability == "active":
            acc = self._cv_tasks
            acc[1] += tasks - was
            acc[2] += tasks * tasks - was * was
            cpus, had = totals[0], old[0]
            acc = self._cv_cpus
            acc[1] += cpus - had
            acc[2] += cpus * cpus - had * had
        s[10] += (tasks > 0) - (was > 0)
        self._dirty_nodes[node.name] = node

    # --- sampling ----------------------------------------------------------------------
    def _flush(self) -> None:
        """Sample what changed at the current instant: services first (the cluster's
        convergence depends on them), then nodes, then the cluster."""
        if self._dirty_services:
            for svc in self._dirty_services.values():
                self._sample_service(svc)
            self._dirty_services.clear()
        if self._dirty_nodes:
            for node in self._dirty_nodes.values():
                self._sample_node(node)
            self._dirty_nodes.clear()
        if self._dirty_cluster:
            self._dirty_cluster = False
            self._sample_cluster()

    def _emit(self, entity: str, metrics: Sequence[str], values: tuple[Any, ...]) -> None:
        last = self._last.get(entity)
        if last == values:
            return
        self._last[entity] = values
        for i, (metric, value) in enumerate(zip(metrics, values, strict=True)):
            if last is None or last[i] != value:
                self.series.set(entity, metric, self._now, value)

    def _sample_node(self, node: NodeView) -> None:
        rc, rm, lc, lm, tasks, containers = node.totals
        values = (rc / NANO, rm, lc / NANO, lm, tasks, containers,
                  int(node.alive and node.in_swarm), int(node.status == "ready" and node.in_swarm),
                  int(node.availability == "active"))
        self._emit(f"node:{node.name}", NODE_METRICS, values)

    def _sample_service(self, svc: ServiceView) -> None:
        running, reported, pending, starting, stopping, _wanted = svc.counts
        converged = svc.converged
        if converged:
            self._unconverged.discard(svc.name)
        else:
            self._unconverged.add(svc.name)
        values = (running, reported, pending, starting, stopping, svc.desired, int(converged))
        self._emit(f"service:{svc.name}", SERVICE_METRICS, values)

    def _sample_cluster(self) -> None:
        s = self._sums
        values = (s[0] / NANO, s[1], s[2] / NANO, s[3], s[4], s[5], s[7] / NANO, s[8], s[6],
                  s[9], s[10], s[12], s[13], s[11], int(not self._unconverged),
                  cv_of(self._cv_tasks), cv_of(self._cv_cpus))
        self._emit("cluster", CLUSTER_METRICS, values)
