"""The resource model: what each running container wants and gets, node by node.

A container exists from ``starting`` until it exits or dies with its machine. It wants
CPU from its background profile (``x-swarmsim.usage.cpu``, else ``cpu_used``, else the
defaults below) plus the requests it serves, and holds a memory working set
(``usage.memory``, else ``memory_used``, else the defaults). A node's allocation is
recomputed only at events: a container starting or stopping, a profile step, and every
:data:`TRAFFIC_STEP_S` while request traffic flows on a machine that could be contended
(every :data:`TRAFFIC_IDLE_STEP_S` otherwise); the traffic-driven demand is the CPU time
of the requests a backend received during the last step, at their mean cost, over the
step. Between events every figure holds.

Request workers run at the speed their container would get if they were all busy
while the neighbours keep their current demand (:func:`~swarmsim.resources.share.
worker_speed`): exact when the neighbours' demand is steady, a mean-field
approximation when it fluctuates faster than :data:`TRAFFIC_STEP_S`.
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np

from swarmsim.cluster.state import ClusterState
from swarmsim.cluster.tasks import Task
from swarmsim.input.specs import RequestSpec, UsageProfile
from swarmsim.resources.profiles import Cursor
from swarmsim.resources.share import allocate, oom_victim, worker_speed
from swarmsim.simulation.agent import Agent
from swarmsim.simulation.clock import Clock
from swarmsim.workload.traffic import Traffic

#: seconds between re-evaluations of the traffic-driven CPU demand
TRAFFIC_STEP_S = 1.0
#: the step while no machine running a request-serving container could be contended (its
#: containers' caps fit its cores): the speeds cannot change then, only the figures
TRAFFIC_IDLE_STEP_S = 10.0
#: CPU (cores) a container with nothing declared and no CPU reservation wants
DEFAULT_IDLE_CPUS = 0.01
#: working set (bytes) of a container with nothing declared and no memory reservation:
#: 32 MiB, or half its memory limit when that is smaller
DEFAULT_WORKING_SET = 32 * 1024 * 1024
OOM_EXIT_CODE = 137
#: what the model's figures come from, as the report states it
MODEL_NAME = "cfs-fair-share"


class UsageSample(NamedTuple):
    """One node's figures from ``time`` on (cores and bytes)."""

    time: float
    node: str
    used_cpus: float
    demanded_cpus: float
    throttled_cpus: float
    used_memory: float


class OomEvent(NamedTuple):
    """A container killed by an OOM killer (an ``events.jsonl`` record).

    ``detail`` is ``memory limit`` (its cgroup's limit) or ``node memory`` (the kernel's
    OOM killer on an exhausted machine)."""

    time: float
    target: str
    task: str
    detail: str
    action: str = "oom"
    kind: str = "fault"


def background_profiles(task: Task) -> tuple[UsageProfile, UsageProfile]:
    """The CPU (cores) and memory (bytes) profiles of a task's container: ``usage``,
    else the ``cpu_used``/``memory_used`` shorthands, else :data:`DEFAULT_IDLE_CPUS` and
    for memory the reservation, else :data:`DEFAULT_WORKING_SET`. A CPU reservation says
    nothing of use (it only gates placement); memory is reserved for a working set.

    A declared CPU profile runs beside the requests the container serves (its demand is
    the sum; a declared profile that falls below :data:`DEFAULT_IDLE_CPUS`, e.g. a random
    walk down to its ``min: 0``, still wants that idle level while the container runs);
    an undeclared one is the container's idle level (its demand is the larger of that and
    its requests' demand, and it does not slow its request workers)."""
    sim = task.spec.sim
    res = task.spec.resources
    usage = sim.usage
    cpu = usage.cpu if usage is not None else None
    if cpu is None:
        cpu = UsageProfile(value=sim.cpu_used / 1e9 if sim.cpu_used is not None
                           else DEFAULT_IDLE_CPUS)
    mem = usage.memory if usage is not None else None
    if mem is None:
        ws = sim.memory_used if sim.memory_used is not None else res.reservations.memory_bytes
        if not ws:
            limit = res.limits.memory_bytes
            ws = min(DEFAULT_WORKING_SET, limit // 2) if limit else DEFAULT_WORKING_SET
        mem = UsageProfile(value=float(ws))
    return cpu, mem


def _workers(task: Task) -> int:
    request = task.spec.sim.request
    return request.workers if request is not None else RequestSpec().workers


class _Box:
    """One running container."""

    __slots__ = ("cpu", "declared", "doomed", "got", "limit_cpu", "limit_mem", "mem", "node",
                 "seq", "task", "token", "traffic")

    def __init__(self, task: Task, node: str, seq: int, cpu: Cursor, mem: Cursor) -> None:
        self.task = task
        self.node = node
        self.seq = seq
        self.cpu = cpu
        self.mem = mem
        lim = task.spec.resources.limits
        self.limit_cpu = lim.nano_cpus / 1e9
        self.limit_mem = float(lim.memory_bytes)
        sim = task.spec.sim
        self.declared = sim.cpu_used is not None or (
            sim.usage is not None and sim.usage.cpu is not None)
        self.traffic = 0.0
        self.got = 0.0
        self.doomed = False
        self.token = 0

    @property
    def demand(self) -> float:
        if self.declared:  # a running process never wants less than the idle level
            return max(self.cpu.value, DEFAULT_IDLE_CPUS) + self.traffic
        return max(self.cpu.value, self.traffic)

    @property
    def beside_workers(self) -> float:
        """CPU its request workers compete with inside the container."""
        return self.cpu.value if self.declared else 0.0

    @property
    def working_set(self) -> float:
        ws = self.mem.value
        return min(ws, self.limit_mem) if self.limit_mem else ws


class Resources:
    """Per-node CPU sharing, memory and OOM kills for every running container."""

    def __init__(
        self,
        state: ClusterState,
        clock: Clock,
        rng: np.random.Generator,
        record: Callable[[Any], None],
        agent: Agent,
        traffic: Traffic,
    ) -> None:
        self.state = state
        self.clock = clock
        self.rng = rng  # the "usage" stream: one draw, the base of every usage profile
        self.record = record  # the simulation's event records (OOM kills)
        self.agent = agent
        self.traffic = traffic
        self.boxes: dict[str, list[_Box]] = {}  # node id -> its containers, in start order
        self._by_task: dict[str, _Box] = {}
        self.samples: list[UsageSample] = []
        self._last: dict[str, tuple[float, ...]] = {}
        self._dirty: set[str] = set()
        self._recompute = clock.coalesced(self._flush)
        self._timers: dict[float, list[tuple[_Box, int]]] = {}
        self._seq = 0
        self._starts: dict[tuple[str, int], int] = {}
        self._base = 0
        self.oom_kills = 0
        self._ticking = False
        self._last_tick = 0.0

    def start(self) -> None:
        """Follow containers as the agent starts and stops them."""
        self._base = int(self.rng.integers(0, 2**63))
        self.agent.on_container(self._on_container)

    # --- containers --------------------------------------------------------------------
    def _before_change(self) -> None:
        """Requests sent so far are served at the speeds before the change."""
        traffic = self.traffic
        if traffic.workloads:
            traffic.flush(self.clock.now)

    def _on_container(self, task: Task, alive: bool) -> None:
        self._before_change()
        if alive:
            self._started(task)
            return
        box = self._by_task.pop(task.id, None)
        if box is not None:
            box.token += 1
            self.boxes[box.node].remove(box)
            self._touch(box.node)

    def _started(self, task: Task) -> None:
        node = task.node_id or ""
        cpu_p, mem_p = background_profiles(task)
        key = (task.service, task.slot if not task.preassigned else zlib.crc32(node.encode()))
        nth = self._starts.get(key, 0)
        self._starts[key] = nth + 1
        now = self.clock.now
        rng = None
        if "random_walk" in (cpu_p.kind, mem_p.kind):  # the same draws under every policy
            rng = np.random.default_rng([self._base, zlib.crc32(task.service.encode()),
                                         key[1], nth])
        box = _Box(task, node, self._seq, Cursor(cpu_p, now, rng), Cursor(mem_p, now, rng))
        self._seq += 1
        self._by_task[task.id] = box
        self.boxes.setdefault(node, []).append(box)
        self._schedule(box)
        self._touch(node)
        if task.spec.sim.usage is not None and task.spec.sim.usage.memory is not None:
            self._check_limit(box)  # the shorthand memory_used is checked by the agent

    def _schedule(self, box: _Box) -> None:
        at = min(box.cpu.next_at, box.mem.next_at)
        if math.isinf(at):
            return
        bucket = self._timers.get(at)
        if bucket is None:
            bucket = self._timers[at] = []
            self.clock.later(at - self.clock.now, self._fire, at)
        bucket.append((box, box.token))

    def _fire(self, at: float) -> None:
        self._before_change()
        for box, token in self._timers.pop(at):
            if token != box.token:
                continue
            box.token += 1
            for cursor in (box.cpu, box.mem):
                while cursor.next_at <= at:
                    cursor.advance()
            self._schedule(box)
            self._touch(box.node)
            self._check_limit(box)

    def _check_limit(self, box: _Box) -> None:
        if box.limit_mem and box.mem.value > box.limit_mem:
            self._kill(box, "memory limit")

    def _kill(self, box: _Box, why: str) -> None:
        if box.doomed:
            return
        box.doomed = True
        self.oom_kills += 1
        task = box.task
        self.record(OomEvent(self.clock.now, task.name, task.id, why))
        self.agent.kill(task, OOM_EXIT_CODE)
        self._touch(box.node)

    # --- allocation --------------------------------------------------------------------
    def _touch(self, node: str) -> None:
        self._dirty.add(node)
        self._recompute()

    def _flush(self) -> None:
        traffic = self.traffic
        if traffic.workloads:
            traffic.flush(self.clock.now)  # requests so far were served at the old speeds
            if not self._ticking:
                self._ticking = True
                self._last_tick = self.clock.now
                self.clock.later(TRAFFIC_STEP_S, self._tick)
        dirty, self._dirty = self._dirty, set()
        for node in sorted(dirty):
            self._allocate(node)

    def _allocate(self, node_id: str) -> None:
        node = self.state.nodes.get(node_id)
        boxes = [b for b in self.boxes.get(node_id, ()) if not b.doomed]
        if node is None:
            return
        cores = node.spec.nano_cpus / 1e9
        demand = [b.demand for b in boxes]
        got = allocate(cores, demand, [b.limit_cpu for b in boxes])
        for b, g in zip(boxes, got, strict=True):
            b.got = g
        ws = [b.working_set for b in boxes]
        victim = oom_victim(ws, float(node.spec.memory_bytes))
        if victim is not None:
            self._kill(boxes[victim], "node memory")  # recomputed once it is gone
        used = sum(got)
        wanted = sum(demand)
        sample = (used, wanted, max(wanted - used, 0.0), float(sum(ws)))
        if self._last.get(node_id) != sample:
            self._last[node_id] = sample
            self.samples.append(UsageSample(self.clock.now, node.spec.name, *sample))

    def speed(self, task_id: str, workers: int) -> float | None:
        """Cores one busy request worker of the task runs at (None: no container)."""
        box = self._by_task.get(task_id)
        if box is None:
            return None
        boxes = [b for b in self.boxes.get(box.node, ()) if not b.doomed]
        node = self.state.nodes.get(box.node)
        if node is None or box not in boxes:
            return None
        i = boxes.index(box)
        demand = [b.demand for b in boxes]
        bg = box.beside_workers
        demand[i] = bg + workers  # every worker busy
        got = allocate(node.spec.nano_cpus / 1e9, demand, [b.limit_cpu for b in boxes])
        return worker_speed(got[i], bg, workers)

    def _tick(self) -> None:
        """Re-evaluate the traffic-driven demand from the last step's requests."""
        traffic = self.traffic
        traffic.flush(self.clock.now)
        work = traffic.take_work()
        now = self.clock.now
        elapsed = max(now - self._last_tick, 1e-9)
        self._last_tick = now
        serving: set[str] = set()
        for tid, box in self._by_task.items():
            rate = min(work.get(tid, 0.0) / elapsed, float(_workers(box.task)))
            if rate:
                serving.add(box.node)
            if rate != box.traffic:
                box.traffic = rate
                self._dirty.add(box.node)
        dirty, self._dirty = self._dirty, set()
        for node in sorted(dirty):
            self._allocate(node)
        busy = any(self._may_contend(node) for node in serving)
        self.clock.later(TRAFFIC_STEP_S if busy else TRAFFIC_IDLE_STEP_S, self._tick)

    def _may_contend(self, node_id: str) -> bool:
        """Could the node's containers want more than its cores, every request worker
        busy? (If not, every worker runs at its cap whatever the traffic.)"""
        node = self.state.nodes.get(node_id)
        if node is None:
            return False
        total = 0.0
        for b in self.boxes.get(node_id, ()):
            want = b.beside_workers + _workers(b.task) if b.traffic else b.demand
            total += min(want, b.limit_cpu) if b.limit_cpu > 0 else want
        return total > node.spec.nano_cpus / 1e9

    # --- views -------------------------------------------------------------------------
    def used_by_node(self) -> dict[str, tuple[int, int]]:
        """Each measured node's used CPU (nano-CPUs) and memory (bytes) now: the
        snapshot the scheduler's policies read (``NodeView.used_nano_cpus``)."""
        return {node: (round(s[0] * 1e9), round(s[3])) for node, s in self._last.items()}

    def container(self, task_id: str) -> tuple[float, float, float] | None:
        """(cores got, cores wanted, working-set bytes) of a running container."""
        box = self._by_task.get(task_id)
        if box is None:
            return None
        return box.got, box.demand, box.working_set
