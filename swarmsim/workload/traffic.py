"""The traffic component: requests flowing through the routing mesh, in batches.

No request has a simpy process of its own.  Between two control-plane events (a task
joining or leaving a balancer, a machine crashing, a service changing) the balancers
are fixed, so the component lets requests accumulate and, when the next such event
comes (or the results are asked for), routes every request sent since the last one
and serves it with the FIFO recursion of :mod:`swarmsim.workload.fifo`.  Events that
undo work already computed (a crash killing requests queued at its tasks) turn those
requests into timeouts.
"""

from __future__ import annotations

import itertools
from typing import Protocol

import numpy as np

from swarmsim.cluster.state import TERMINAL, ClusterState, NodeRecord, ServiceRecord
from swarmsim.cluster.tasks import Task, TaskState
from swarmsim.input.scenario import Scenario
from swarmsim.input.specs import NodeSpec, RequestSpec
from swarmsim.mesh.balancer import GOSSIP_DELAY_S, Backend, Balancer, membership_change
from swarmsim.mesh.network import LatencyTable, latency_table
from swarmsim.mesh.routing import REFUSED, resolve_target, route
from swarmsim.simulation.clock import Clock
from swarmsim.workload.arrivals import RequestSource, Sent, expected_requests
from swarmsim.workload.fifo import QueueState
from swarmsim.workload.records import REFUSED as REFUSED_OUTCOME
from swarmsim.workload.records import TIMEOUT, Columns, RequestLog
from swarmsim.workload.serving import Replies, serve_batch


class WorkerSpeeds(Protocol):
    """What traffic asks of the resource model: the speed a container's request workers
    get next to their neighbours (None when the model has no figure for it)."""

    def speed(self, task_id: str, workers: int) -> float | None: ...


class Traffic:
    """Requests of the scenario's ``workload:`` through the routing mesh.

    Inert (no subscription, no draw) when the scenario has no workload.
    """

    #: the resource model's worker speeds (set by :meth:`connect`)
    speeds: WorkerSpeeds

    def __init__(
        self,
        state: ClusterState,
        clock: Clock,
        scenario: Scenario,
        rng: np.random.Generator,
    ) -> None:
        self.state = state
        self.clock = clock
        self.scenario = scenario
        self.rng = rng  # the "workload" stream: one seed per workload's request source
        self.workloads = tuple(getattr(scenario, "workload", ()))
        self.machines = [n.name for n in scenario.nodes]
        self._machine = {name: i for i, name in enumerate(self.machines)}
        self._cores = np.array([n.nano_cpus / 1e9 for n in scenario.nodes], dtype=float)
        self._alive = np.ones(len(self.machines), dtype=bool)
        self._in_swarm = np.zeros(len(self.machines), dtype=bool)
        self._fate: np.ndarray | None = None  # by entry machine (see _handle); None: stale
        self._entries: dict[int, np.ndarray] = {}  # candidate entry machines, by workload
        self._node_workers = np.zeros(len(self.machines), dtype=np.int64)
        self._timeout = np.array([w.timeout_s for w in self.workloads], dtype=float)
        self.log = RequestLog()
        self.backends: list[Backend] = []
        # per backend index (the first len(self.backends) entries are in use)
        self._node_of = np.zeros(64, dtype=np.intp)
        self._lost = np.zeros(64, dtype=bool)
        self._work = np.zeros(64)  # CPU seconds received since the resource model's last look
        self._by_task: dict[str, Backend] = {}
        self.balancers: dict[str, Balancer] = {}
        self.services: list[str] = []
        self._service_index: dict[str, int] = {}
        self._sources: list[RequestSource] = []
        self._targets: dict[int, tuple[str | None, str]] = {}  # by workload, until a
        # service changes
        self._flushed = 0.0
        self.latency: LatencyTable | None = None

    def connect(self, speeds: WorkerSpeeds) -> None:
        """Take worker speeds from the resource model (which itself flushes this traffic
        before every change of speed: the two depend on each other)."""
        self.speeds = speeds

    def start(self) -> None:
        """Subscribe to the state (only when there is traffic)."""
        if not self.workloads:
            return
        self.latency = latency_table(self.scenario.network, self.machines)
        seeds = self.rng.integers(0, 2**63, size=len(self.workloads))
        self._sources = [RequestSource(w, int(s)) for w, s in zip(self.workloads, seeds,
                                                                  strict=True)]
        self.log.reserve(expected_requests(self.workloads, self.scenario.until))
        st = self.state
        st.on_task(self._on_task, states={TaskState.RUNNING, *TERMINAL})
        st.on_node(self._on_node)
        st.on_service(self._on_service)

    # --- results -----------------------------------------------------------------------
    def records(self) -> Columns:
        """Every request sent so far, routed and served up to now."""
        self.flush(self.clock.now)
        return self.log.view()

    def service_index(self, name: str) -> int:
        """The index of a service name in :attr:`services` (added if new)."""
        if name not in self._service_index:
            self._service_index[name] = len(self.services)
            self.services.append(name)
        return self._service_index[name]

    # --- control-plane events ----------------------------------------------------------
    def _on_task(self, task: Task, old_state: TaskState, old_desired: TaskState) -> None:
        now = self.clock.now
        self.flush(now)
        b = self._by_task.get(task.id)
        member = b is not None and b.member
        if task.id not in self.state.tasks:  # deleted: gone once its removal spreads
            change = "drain" if member else None
        else:
            change = membership_change(task.state, task.desired, member,
                                       b is not None and b.leaving)
        if change == "join":
            self._join(task)
        elif change == "drain" and b is not None and not b.leaving:
            b.leaving = True
            self.clock.later(GOSSIP_DELAY_S, self._drained, b)
        elif change == "leave" and b is not None:
            self._drop(b, died=True)

    def _join(self, task: Task) -> None:
        node = self.state.nodes.get(task.node_id or "")
        machine = self._machine.get(node.spec.name) if node is not None else None
        if machine is None:
            return
        request = task.spec.sim.request or RequestSpec()
        b = Backend(
            index=len(self.backends), task_id=task.id, name=task.name, service=task.service,
            node=machine, request=request,
            limit_cpus=task.spec.resources.limits.nano_cpus / 1e9,
            queue=QueueState.idle(request.workers, self.clock.now), member=True,
        )
        self.backends.append(b)
        if b.index >= len(self._node_of):
            self._node_of = np.resize(self._node_of, 2 * len(self._node_of))
            self._lost = np.resize(self._lost, 2 * len(self._lost))
            self._work = np.resize(self._work, 2 * len(self._work))
        self._node_of[b.index] = machine
        self._lost[b.index] = False
        self._work[b.index] = 0.0
        self._by_task[task.id] = b
        self.balancers.setdefault(task.service, Balancer()).add(b.index)
        self._node_workers[machine] += request.workers
        self.service_index(task.service)

    def _drained(self, b: Backend) -> None:
        self.flush(self.clock.now)
        if b.member:
            self._drop(b, died=False)

    def _drop(self, b: Backend, *, died: bool) -> None:
        b.member = False
        self.balancers[b.service].remove(b.index)
        self._node_workers[b.node] -= b.request.workers
        if died:
            self._lose(b)

    def _lose(self, b: Backend) -> None:
        """The task's container is gone: requests still at it get no answer."""
        now = self.clock.now
        b.lost = True
        self._lost[b.index] = True
        b.keep_pending(now)
        ids = b.pending_ids
        if len(ids):
            self.log.time_out(ids, self._timeout[self.log.column("workload")[ids]])
        b.keep_pending(np.inf)

    def _on_node(self, node: NodeRecord, before: NodeSpec) -> None:
        machine = self._machine.get(node.spec.name)
        if machine is None:
            return
        self.flush(self.clock.now)
        self._in_swarm[machine] = node.in_swarm and node.id in self.state.nodes
        self._fate = None
        self._entries.clear()
        was_alive = bool(self._alive[machine])
        self._alive[machine] = node.alive
        if was_alive and not node.alive:
            for b in self.backends:
                if b.node == machine and (b.member or len(b.pending_ids)):
                    self._lose(b)
            self._lose_replies_through(machine)

    def _lose_replies_through(self, machine: int) -> None:
        """A crashed entry node takes the replies still to come back through it."""
        now = self.clock.now
        entry = self.log.column("entry")
        outcome = self.log.column("outcome")
        for b in self.backends:
            if not len(b.pending_ids):
                continue
            b.keep_pending(now)
            ids = b.pending_ids
            hit = ids[(entry[ids] == machine) & (outcome[ids] != TIMEOUT)]
            if len(hit):
                self.log.time_out(hit, self._timeout[self.log.column("workload")[hit]])

    def _on_service(self, svc: ServiceRecord, what: str) -> None:
        self.flush(self.clock.now)
        self._targets.clear()

    # --- batches -----------------------------------------------------------------------
    def flush(self, until: float) -> None:
        """Route and serve every request sent before ``until`` and not handled yet."""
        if until <= self._flushed or not self._sources:
            return
        self._flushed = until
        taken = [(w, src.take(until)) for w, src in enumerate(self._sources)]
        taken = [(w, sent) for w, sent in taken if len(sent)]
        if taken:
            self._handle(*_merge(taken), [w for w, _ in taken], until)

    def _handle(self, wl: np.ndarray, sent: Sent, present: list[int], until: float) -> None:
        n = len(sent)
        send = sent.time
        # one workload: its timeout as a scalar (no per-request copy)
        timeout = self._timeout[wl] if len(present) > 1 else self._timeout[present[0]]
        entry = np.full(n, -1, dtype=np.int32)
        target_service = np.full(n, -1, dtype=np.int32)
        task = np.full(n, REFUSED, dtype=np.intp)
        routes: dict[tuple[str, str], list[int]] = {}
        for w in present:
            mask = wl == w if len(present) > 1 else slice(None)
            cands = self._candidates(w)
            if len(cands) == 1:  # the draw can only pick it
                entry[mask] = cands[0]
            elif len(cands):
                pick = np.minimum((sent.u_entry[mask] * len(cands)).astype(np.intp),
                                  len(cands) - 1)
                entry[mask] = cands[pick]
            if w not in self._targets:
                self._targets[w] = resolve_target(self.workloads[w], self.state.services)
            name, kind = self._targets[w]
            if name is not None:
                target_service[mask] = self.service_index(name)
                routes.setdefault((name, kind), []).append(w)
        # each entry machine's fate (the last row: no entry machine): outside the swarm
        # refused, crashed timed out, else routed (-1); no target service: refused
        if self._fate is None:
            self._fate = np.append(np.where(self._in_swarm, np.where(self._alive, -1, TIMEOUT),
                                            REFUSED_OUTCOME), REFUSED_OUTCOME).astype(np.int8)
        outcome = self._fate[entry]
        if sum(len(ws) for ws in routes.values()) < len(present):
            outcome[target_service < 0] = REFUSED_OUTCOME
        for (name, kind), ws in sorted(routes.items()):
            mine = outcome < 0
            if len(ws) < len(present):
                mine &= np.isin(wl, ws)
            idx = _rows(mine)
            if _size(idx, n):
                picked = route(kind, self.balancers.get(name), entry[idx],
                               sent.u_pick[idx], self.backends)
                task[idx] = picked
                refused = picked == REFUSED
                if refused.any():
                    outcome[idx] = np.where(refused, REFUSED_OUTCOME, outcome[idx])
        routed = _rows(outcome < 0)
        if _size(routed, n):
            nb = len(self.backends)
            gone = self._lost[:nb] | ~self._alive[self._node_of[:nb]]  # by backend
            if gone.any():
                rows = np.flatnonzero(outcome < 0)
                outcome[rows[gone[task[rows]]]] = TIMEOUT
                routed = _rows(outcome < 0)
        got = self._serve(routed, task, entry, timeout, sent) if _size(routed, n) else None
        if got is not None and isinstance(routed, slice):  # every request reached a task
            outcome, latency, finish, end = got.outcome, got.latency, got.finish, got.end
            node = self._node_of[task]
        else:
            latency = np.where(outcome == TIMEOUT, timeout, 0.0)
            finish = np.full(n, -np.inf)
            if got is not None:
                outcome[routed] = got.outcome
                latency[routed] = got.latency
                finish[routed] = got.finish
            end = send + latency
            node = np.where(task >= 0, self._node_of[np.maximum(task, 0)], -1)
        ids = self.log.append(send=send, end=end, latency=latency, workload=wl,
                              entry=entry, service=target_service, task=task, node=node,
                              outcome=outcome)
        self._remember_pending(ids, task, finish, until)

    def _serve(self, routed: np.ndarray | slice, task: np.ndarray, entry: np.ndarray,
               timeout: np.ndarray | float, sent: Sent) -> Replies | None:
        """Serve the ``routed`` requests at their tasks (their CPU time tallied)."""
        if self.latency is None:
            return None
        tasks = task[routed]
        count = np.bincount(tasks, minlength=len(self.backends))
        served = np.flatnonzero(count)
        speed = self._speeds(served)
        for t, k in zip(served.tolist(), count[served].tolist(), strict=True):
            self._work[t] += k * self.backends[t].request.cost_s
        return serve_batch(self.backends, tasks, sent.time[routed], entry[routed],
                           timeout[routed] if isinstance(timeout, np.ndarray) else timeout,
                           sent.expo[routed], sent.normal[routed], self.latency,
                           self._node_of, speed)

    def _candidates(self, w: int) -> np.ndarray:
        if w not in self._entries:
            spec = self.workloads[w]
            self._entries[w] = np.flatnonzero(self._in_swarm).astype(np.int32) \
                if spec.entry is None else \
                np.array([self._machine[name] for name in spec.entry], dtype=np.int32)
        return self._entries[w]

    def _speeds(self, tasks: np.ndarray) -> dict[int, float]:
        """Worker speeds from the resource model (what each container gets next to its
        neighbours); without one, the bookkeeping estimate of the backend."""
        resources = self.speeds
        speed = {}
        for t in tasks.tolist():
            b = self.backends[t]
            got = resources.speed(b.task_id, b.request.workers)
            if got is None:
                got = b.worker_speed(float(self._cores[b.node]),
                                     int(self._node_workers[b.node]))
            speed[t] = max(got, 1e-9)
        return speed

    def take_work(self) -> dict[str, float]:
        """CPU seconds (at the mean request cost) each task received since the last
        call, by task id; the tallies restart from 0."""
        n = len(self.backends)
        busy = np.flatnonzero(self._work[:n])
        out = {self.backends[i].task_id: float(self._work[i]) for i in busy.tolist()}
        self._work[:n] = 0.0
        return out

    def _remember_pending(self, ids: np.ndarray, task: np.ndarray, finish: np.ndarray,
                          until: float) -> None:
        later = np.flatnonzero(finish > until)
        if not len(later):
            return
        order = later[np.argsort(task[later], kind="stable")]
        sorted_task = task[order]
        bounds = [0, *(np.flatnonzero(np.diff(sorted_task)) + 1).tolist(), len(order)]
        for lo, hi in itertools.pairwise(bounds):
            b = self.backends[int(sorted_task[lo])]
            b.keep_pending(until)
            rows = order[lo:hi]
            b.pending_ids = np.concatenate((b.pending_ids, ids[rows]))
            b.pending_finish = np.concatenate((b.pending_finish, finish[rows]))


def _merge(taken: list[tuple[int, Sent]]) -> tuple[np.ndarray, Sent]:
    """One batch of every workload's requests, in send order (ties: workload order)."""
    if len(taken) == 1:
        w, sent = taken[0]
        return np.full(len(sent), w, dtype=np.int32), sent
    wl = np.concatenate([np.full(len(s), w, dtype=np.int32) for w, s in taken])
    cols = [np.concatenate([getattr(s, f) for _, s in taken])
            for f in ("time", "u_entry", "u_pick", "expo", "normal")]
    order = np.argsort(cols[0], kind="stable")
    return wl[order], Sent(*(c[order] for c in cols))


def _rows(mask: np.ndarray) -> np.ndarray | slice:
    """The rows a mask selects: every row as a slice (indexing with it copies nothing)."""
    if mask.all():
        return slice(None)
    return np.flatnonzero(mask)


def _size(rows: np.ndarray | slice, n: int) -> int:
    """How many of ``n`` rows :func:`_rows` selected."""
    return n if isinstance(rows, slice) else len(rows)
