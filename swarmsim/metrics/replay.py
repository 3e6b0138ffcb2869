"""Replay a run's records into level series, task rows, node rows and disturbances.

The input is ``sim.events`` (task, node, command and fault records) interleaved with the
recorder's records. Each record updates the views of the task, node and service it
concerns, then the series of those entities and of the cluster are sampled, so every
series changes exactly where the run changed (no polling).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from swarmsim.cluster.state import TaskEvent
from swarmsim.cluster.tasks import TaskState
from swarmsim.metrics.records import (
    NOT_RESTARTS,
    Disturbance,
    NodeRemoved,
    NodeRow,
    ServiceChange,
    TaskCreated,
    TaskDeleted,
    TaskRow,
)
from swarmsim.metrics.series import SeriesSet
from swarmsim.metrics.tasklife import (
    ASSIGNED,
    COMPLETE,
    NO_NODE_SHARE,
    NO_SERVICE_SHARE,
    PENDING,
    RUNNING,
    STATES,
    TaskView,
    end_cause,
    failure_cause,
    node_share,
    service_share,
    stop_cause,
    to_row,
)
from swarmsim.metrics.views import (
    CLUSTER_METRICS,
    NANO,
    NODE_METRICS,
    SERVICE_METRICS,
    NodeView,
    ServiceView,
    add,
    cv_of,
)


class Replay:
    """Feeds on records in run order; :meth:`finish` closes the series at the end.

    Args:
        machines: every machine of the scenario, ``hostname -> (nano-CPUs, bytes)``.
    """

    def __init__(self, machines: Mapping[str, tuple[int, int]]) -> None:
        self.series = SeriesSet()
        self.machines = dict(machines)
        self.nodes: dict[str, NodeView] = {}
        self.services: dict[str, ServiceView] = {}
        self.tasks: dict[str, TaskView] = {}
        self.node_rows: list[NodeRow] = []
        self.disturbances: list[Disturbance] = []
        self._slots: dict[tuple[str, Any], TaskView] = {}
        self._kills: set[tuple[float, str]] = set()
        self._cv = {"tasks": [0, 0, 0], "reserved_cpus": [0, 0, 0]}  # n, sum, sum of squares
        self._cv_tasks, self._cv_cpus = self._cv["tasks"], self._cv["reserved_cpus"]
        self._unconverged: set[str] = set()
        self._sums: list[int] = [0] * 14  # node shares, then service shares
        self._last: dict[str, tuple[Any, ...]] = {}
        self._now = 0.0
        # entities whose levels changed at the current instant: sampled once when the
        # clock moves on (a series keeps only the value after an instant's last change)
        self._dirty_services: dict[str, ServiceView] = {}
        self._dirty_nodes: dict[str, NodeView] = {}
        self._dirty_cluster = False

    # --- input -----------------------------------------------------------------------
    def run(self, events: Sequence[Any], records: Sequence[Any]) -> None:
        """Replay ``events`` with ``records`` put back at their positions."""
        feed, n, j = self.feed, len(records), 0
        next_at = records[0].at if n else None  # where the next record goes back
        for i, ev in enumerate(events):
            while next_at is not None and next_at <= i:
                feed(records[j])
                j += 1
                next_at = records[j].at if j < n else None
            feed(ev)
        for rec in records[j:]:
            feed(rec)

    def feed(self, rec: Any) -> None:
        """Apply one record of either kind."""
        now = float(rec.time)
        if now != self._now:
            self._flush()  # the levels at the instant just over
            self._now = now
        if type(rec) is TaskEvent and rec.kind == "task":  # by far the most frequent
            self._task_event(rec)
        elif isinstance(rec, TaskCreated):
            self._task_created(rec)
        elif isinstance(rec, TaskDeleted):
            self._task_deleted(rec)
        elif isinstance(rec, ServiceChange):
            self._service_change(rec)
        elif isinstance(rec, NodeRemoved):
            self._node_removed(rec)
        else:
            kind = getattr(rec, "kind", "")
            if kind == "task":
                self._task_event(rec)
            elif kind == "node":
                self._node_event(rec)
            elif kind == "fault":
                self._fault(rec)

    # --- tasks -------------------------------------------------------------------------
    def _task_event(self, ev: Any) -> None:
        t = self.tasks.get(ev.id)
        if t is None:
            t = TaskView(ev.id, ev.task, ev.service, self._now)
            self.tasks[ev.id] = t
            old_node, old_svc, old_where = NO_NODE_SHARE, NO_SERVICE_SHARE, None
        else:
            old_node, old_svc, old_where = node_share(t), service_share(t), t.node
        old_state, old_desired = t.state, t.desired
        t.state = STATES[ev.state]
        t.desired = STATES[ev.desired_state]
        if ev.node is not None:
            t.node = ev.node
        t.error = ev.error
        if ev.actual != t.actual:
            t.actual = ev.actual
            if ev.actual:
                t.container_start = self._now
            else:
                t.container_end = self._now
                node = self.nodes.get(t.node or "")
                t.lost = node is not None and not node.alive
        self._note_times(t, old_state, old_desired)
        self._apply(t, old_node, old_svc, old_where)

    def _note_times(self, t: TaskView, old_state: TaskState, old_desired: TaskState) -> None:
        now = self._now
        s = t.state
        if s >= PENDING and t.pending_at is None:
            t.pending_at = now
        if s >= ASSIGNED and t.assigned_at is None and t.node is not None:
            t.assigned_at = now
        if s == RUNNING and t.running_at is None:
            t.running_at = now
        if s > RUNNING and old_state <= RUNNING:
            t.stopped_at = now
            if not t.ended_because:
                t.ended_because, t.ended_at = end_cause(t), now
                if s == TaskState.FAILED and failure_cause(t) != "node_down":
                    self._task_failed(t)
        if t.desired > COMPLETE >= old_desired and not t.ended_because:
            svc = self.services.get(t.service)
            node = self.nodes.get(t.node or "")
            t.ended_because = stop_cause(
                t, service_exists=svc is not None and svc.exists,
                service_version=svc.version if svc else 0,
                node_status=node.status if node else "", node_availability=
                node.availability if node else "")
            t.ended_at = now
        pend = not t.deleted and s <= PENDING and t.desired <= COMPLETE
        if pend and t.pending_since is None:
            t.pending_since = now
        elif not pend and t.pending_since is not None:
            t.pending_time += now - t.pending_since
            t.pending_since = None

    def _task_failed(self, t: TaskView) -> None:
        if (self._now, t.name) in self._kills or (self._now, t.id) in self._kills:
            return
        cause = failure_cause(t)
        detail = t.error if cause == "exit" else f"{t.error} ({cause})"
        self.disturbances.append(Disturbance(self._now, "task_failed", t.name, detail,
                                             t.service))

    def _task_created(self, rec: TaskCreated) -> None:
        t = self.tasks.get(rec.task)
        if t is None:
            return
        before = (node_share(t), service_share(t), t.node)
        t.info = rec
        t.slot = rec.slot
        key = (rec.service, rec.node if rec.node is not None else rec.slot)
        t.previous = self._slots.get(key)
        self._slots[key] = t
        self._apply(t, *before)

    def _task_deleted(self, rec: TaskDeleted) -> None:
        t = self.tasks.get(rec.task)
        if t is None or t.deleted:
            return
        before = (node_share(t), service_share(t), t.node)
        t.deleted = True
        t.deleted_at = self._now
        if t.pending_since is not None:
            t.pending_time += self._now - t.pending_since
            t.pending_since = None
        self._apply(t, *before)

    def _apply(self, t: TaskView, old_node: tuple[int, ...], old_svc: tuple[int, ...],
               old_where: str | None) -> None:
        new_node, new_svc, where = node_share(t), service_share(t), t.node
        node_changed = old_node != new_node or old_where != where
        if node_changed:
            nodes = self.nodes
            if old_where == where:  # one node: the difference of its shares, in one step
                node = nodes.get(where or "")
                if node is not None:
                    # integer sums: the same totals as taking one share out and the other in
                    if any(old_node):
                        totals = add(node.totals, old_node, -1)
                        self._set_totals(node, add(totals, new_node, 1) if any(new_node)
                                         else totals)
                    elif any(new_node):
                        self._set_totals(node, add(node.totals, new_node, 1))
            else:
                node = nodes.get(old_where or "")
                if node is not None and any(old_node):
                    self._set_totals(node, add(node.totals, old_node, -1))
                node = nodes.get(where or "")
                if node is not None and any(new_node):
                    self._set_totals(node, add(node.totals, new_node, 1))
        if old_svc != new_svc:
            svc = self._service(t.service)
            self._count_service(svc, -1)
            svc.counts = tuple(c - o + n for c, o, n in zip(svc.counts, old_svc, new_svc,
                                                             strict=True))
            self._count_service(svc, 1)
            self._dirty_services[svc.name] = svc
        elif not node_changed:
            return
        self._dirty_cluster = True

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

    # --- nodes -------------------------------------------------------------------------
    def _node_event(self, ev: Any) -> None:
        node = self.nodes.get(ev.node)
        if node is None:
            cpus, memory = self.machines.get(ev.node, (0, 0))
            node = self.nodes[ev.node] = NodeView(ev.node, cpus, memory)
        was_in, was_avail = node.in_swarm, node.availability
        self._count_node(node, -1)
        node.role, node.status, node.availability = ev.role, ev.status, ev.availability
        node.alive, node.in_swarm = bool(ev.alive), True
        self._count_node(node, 1)
        if not was_in and self._now > 0:
            self.disturbances.append(Disturbance(self._now, "join", node.name))
        elif was_in and was_avail != node.availability:
            self.disturbances.append(Disturbance(self._now, node.availability, node.name))
        self._row(node, getattr(ev, "message", ""))
        self._dirty_nodes[node.name] = node
        self._dirty_cluster = True

    def _node_removed(self, rec: NodeRemoved) -> None:
        node = self.nodes.get(rec.node)
        if node is None:
            return
        self._count_node(node, -1)
        node.in_swarm = False
        self._count_node(node, 1)
        self.disturbances.append(Disturbance(self._now, "node_removed", node.name))
        self._row(node, "")
        self._dirty_nodes[node.name] = node
        self._dirty_cluster = True

    def _row(self, node: NodeView, message: str) -> None:
        self.node_rows.append(
            NodeRow(self._now, node.name, node.role, node.status, node.availability,
                    node.alive, node.in_swarm, node.cpus / NANO, node.memory, message)
        )

    def _set_totals(self, node: NodeView, totals: tuple[int, ...]) -> None:
        self._count_node(node, -1)
        node.totals = totals
        self._count_node(node, 1)
        self._dirty_nodes[node.name] = node

    # --- services ----------------------------------------------------------------------
    def _service(self, name: str) -> ServiceView:
        svc = self.services.get(name)
        if svc is None:
            svc = self.services[name] = ServiceView(name)
        return svc

    def _service_change(self, rec: ServiceChange) -> None:
        svc = self.services.get(rec.service)
        if rec.what == "created" or svc is None:
            old = svc.counts if svc is not None else (0, 0, 0, 0, 0, 0)
            svc = self.services[rec.service] = ServiceView(rec.service, counts=old)
            self.disturbances.append(Disturbance(self._now, "deploy", rec.service,
                                                 service=rec.service))
        before = svc.replicas
        self._count_service(svc, -1)
        svc.mode, svc.replicas, svc.version, svc.known = rec.mode, rec.replicas, rec.version, True
        if rec.what == "removed":
            svc.exists = False
        self._count_service(svc, 1)
        if rec.what == "removed":
            self.disturbances.append(Disturbance(self._now, "remove", rec.service,
                                                 service=rec.service))
        elif rec.what == "updated" and rec.change in ("scale", "update"):
            detail = f"replicas {before} -> {rec.replicas}" if rec.change == "scale" else (
                f"spec version {rec.version}")
            self.disturbances.append(Disturbance(self._now, rec.change, rec.service, detail,
                                                 rec.service))
        self._dirty_services[svc.name] = svc
        self._dirty_cluster = True

    # --- faults ------------------------------------------------------------------------
    def _fault(self, ev: Any) -> None:
        if ev.action == "oom":  # the resource model's OOM kill: the task's failure says it
            t = self.tasks.get(getattr(ev, "task", ""))
            if t is not None:
                t.oom_killed = True
            return
        kinds = {"fail": "crash", "recover": "recover", "kill": "kill"}
        kind = kinds.get(ev.action, ev.action)
        service = ""
        if kind == "kill":
            self._kills.add((self._now, ev.target))
            service = self._service_of(ev.target)
        self.disturbances.append(Disturbance(self._now, kind, ev.target,
                                             getattr(ev, "detail", ""), service))

    def _service_of(self, ref: str) -> str:
        """The service of a task reference (``<service>.<slot>`` or a task id prefix)."""
        base = ref.rpartition(".")[0]
        if base in self.services:
            return base
        found = {t.service for tid, t in self.tasks.items() if tid.startswith(ref)}
        return found.pop() if len(found) == 1 else ""

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
                  cv_of(self._cv["tasks"]), cv_of(self._cv["reserved_cpus"]))
        self._emit("cluster", CLUSTER_METRICS, values)

    # --- output ------------------------------------------------------------------------
    def finish(self, end: float) -> None:
        """Close pending times and every series at ``end``."""
        self._flush()
        for t in self.tasks.values():  # still pending: counted up to the end
            if t.pending_since is not None:
                t.pending_time += end - t.pending_since
        self.series.close(end)

    def task_rows(self) -> list[TaskRow]:
        """One row per task, in creation order."""
        rows = []
        for t in self.tasks.values():
            prev = t.previous
            linked = prev is not None and prev.ended_because not in NOT_RESTARTS and bool(
                prev.ended_because)
            rows.append(to_row(t, prev.id if linked and prev else ""))
        return rows

    def still_pending(self) -> set[str]:
        """Ids of tasks still pending at the end."""
        return {t.id for t in self.tasks.values() if t.pending_since is not None}


def replay(events: Sequence[Any], records: Sequence[Any],
           machines: Mapping[str, tuple[int, int]], end: float) -> Replay:
    """Replay a whole run and close it at ``end``."""
    r = Replay(machines)
    r.run(events, records)
    r.finish(end)
    return r
