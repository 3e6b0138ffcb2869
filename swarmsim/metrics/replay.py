"""Replay a run's records into level series, task rows, node rows and disturbances.

The input is ``sim.events`` (task, node, command and fault records) interleaved with the
recorder's records. Each record updates the views of the task, node and service it
concerns (here), then the levels of those entities and of the cluster, which are sampled
into series (:mod:`swarmsim.metrics.levels`), so every series changes exactly where the
run changed (no polling).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from swarmsim.cluster.state import TaskEvent
from swarmsim.cluster.tasks import TaskState
from swarmsim.metrics.levels import Levels
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
from swarmsim.metrics.tasklife import (
    ASSIGNED,
    COMPLETE,
    PENDING,
    RUNNING,
    STATES,
    TaskView,
    end_cause,
    failure_cause,
    stop_cause,
    to_row,
)
from swarmsim.metrics.views import NANO, NodeView, ServiceView


class Replay(Levels):
    """Feeds on records in run order; :meth:`finish` closes the series at the end.

    Args:
        machines: every machine of the scenario, ``hostname -> (nano-CPUs, bytes)``.
    """

    def __init__(self, machines: Mapping[str, tuple[int, int]]) -> None:
        super().__init__()
        self.machines = dict(machines)
        self.tasks: dict[str, TaskView] = {}
        self.node_rows: list[NodeRow] = []
        self.disturbances: list[Disturbance] = []
        self._slots: dict[tuple[str, Any], TaskView] = {}
        self._kills: set[tuple[float, str]] = set()

    # --- input -----------------------------------------------------------------------
    def run(self, events: Sequence[Any], records: Sequence[Any]) -> None:
        """Replay ``events`` with ``records`` put back at their positions (a record
        stamped ``at`` goes right after the first ``at`` events)."""
        feed, done = self.feed, 0
        for rec in records:
            if rec.at > done:
                self._events(events[done:rec.at])
                done = rec.at
            feed(rec)
        self._events(events[done:])

    def _events(self, events: Sequence[Any]) -> None:
        """Feed ``events`` (task events, the most frequent, without :meth:`feed`)."""
        feed, task_event, flush = self.feed, self._task_event, self._flush
        for ev in events:
            if type(ev) is TaskEvent and ev.kind == "task":
                if ev.time != self._now:
                    flush()  # the levels at the instant just over
                    self._now = float(ev.time)
                task_event(ev)
            else:
                feed(ev)

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
        """A task changed: its view, the times of its life, then its shares."""
        now = self._now
        t = self.tasks.get(ev.id)
        if t is None:
            t = self.tasks[ev.id] = TaskView(ev.id, ev.task, ev.service, now)
        old_where, was_alive = t.node, t.actual
        old_state, old_desired = t.state, t.desired
        s = t.state = STATES[ev.state]
        desired = t.desired = STATES[ev.desired_state]
        if ev.node is not None:
            t.node = ev.node
        t.error = ev.error
        if ev.actual != t.actual:
            t.actual = ev.actual
            if ev.actual:
                t.container_start = now
            else:
                t.container_end = now
                node = self.nodes.get(t.node or "")
                t.lost = node is not None and not node.alive
        # the times of its life (written out here: once per task event)
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
        if desired > COMPLETE >= old_desired and not t.ended_because:
            t.ended_because, t.ended_at = self._stop_cause(t), now
        pend = not t.deleted and s <= PENDING and desired <= COMPLETE
        if pend and t.pending_since is None:
            t.pending_since = now
        elif not pend and t.pending_since is not None:
            t.pending_time += now - t.pending_since
            t.pending_since = None
        if (ASSIGNED <= old_state < RUNNING and ASSIGNED <= s < RUNNING and desired is old_desired
                and t.actual is was_alive and t.node == old_where):
            return  # between assigned and running, as it was: the same shares
        self._apply(t, old_where)

    def _stop_cause(self, t: TaskView) -> str:
        """Why the manager told ``t`` to stop, as its service and node are now."""
        svc = self.services.get(t.service)
        node = self.nodes.get(t.node or "")
        return stop_cause(t, service_exists=svc is not None and svc.exists,
                          service_version=svc.version if svc else 0,
                          node_status=node.status if node else "",
                          node_availability=node.availability if node else "")

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
        where = t.node
        t.info = rec
        t.slot = rec.slot
        key = (rec.service, rec.node if rec.node is not None else rec.slot)
        t.previous = self._slots.get(key)
        self._slots[key] = t
        self._apply(t, where)

    def _task_deleted(self, rec: TaskDeleted) -> None:
        t = self.tasks.get(rec.task)
        if t is None or t.deleted:
            return
        t.deleted = True
        t.deleted_at = self._now
        if t.pending_since is not None:
            t.pending_time += self._now - t.pending_since
            t.pending_since = None
        self._apply(t, t.node)

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

    # --- services ----------------------------------------------------------------------
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
