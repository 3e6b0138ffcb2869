"""Worker-side: what each node's engine does with the tasks assigned to it.

A task's life on its node is a chain of timed waits, timed by the service's
``x-swarmsim`` keys: ``accepted`` -> ``preparing`` (the image pull,
:mod:`swarmsim.simulation.images`) -> ``ready`` -> (waits for desired state ``running``) ->
``starting`` (``startup``) -> ``running`` -> ``complete`` / ``failed`` / ``shutdown``.
The agent only moves a task forward while its state is below its desired state (a
task with desired ``ready`` stops at ``ready``).  A node crash kills the node's
containers at once but reports nothing (the manager finds out by heartbeat).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from swarmsim.cluster.hostfs import HostFiles
from swarmsim.cluster.state import ClusterState, NodeRecord
from swarmsim.cluster.tasks import (
    ACCEPTED,
    ASSIGNED,
    COMPLETE,
    FAILED,
    PREPARING,
    READY,
    REJECTED,
    RUNNING,
    SHUTDOWN,
    STARTING,
    Task,
    TaskState,
)
from swarmsim.input.specs import Healthcheck, NodeSpec
from swarmsim.simulation.clock import Clock
from swarmsim.simulation.images import Images

OOM_EXIT_CODE = 137
#: exit status of a container stopped for being unhealthy (SIGKILL after the grace period)
UNHEALTHY_EXIT_CODE = 137
#: exit status docker reports for a container that died with its machine (swarmsim's choice)
MACHINE_CRASH_EXIT_CODE = 255


def exit_error(code: int, unhealthy: bool = False) -> str:
    """The task error docker's executor reports for a non-zero exit."""
    suffix = ": dockerexec: unhealthy container" if unhealthy else ""
    return f"task: non-zero exit ({code}){suffix}"


def cpu_limit_error(limit_nano_cpus: int, node_nano_cpus: int) -> str:
    """The daemon's refusal to create a container whose CPU limit exceeds the machine's
    CPUs, or ``""`` (moby daemon/daemon_unix.go, verifyPlatformContainerResources:
    ``NanoCPUs > NumCPU * 1e9``; swarm sets NanoCPUs from ``Limits.NanoCPUs``)."""
    cpus = max(1, node_nano_cpus // 1_000_000_000)  # runtime.NumCPU(): whole CPUs
    if limit_nano_cpus < 0 or limit_nano_cpus > cpus * 1_000_000_000:
        return f"range of CPUs is from 0.01 to {cpus}.00, as there are only {cpus} CPUs available"
    return ""


def probe_times(hc: Healthcheck, until: float) -> Iterator[float]:
    """Times (from the container's start) at which the engine runs health probes:
    every ``start_interval`` during ``start_period``, then every ``interval``."""
    t = 0.0
    while t <= until:
        step = hc.start_interval_s if t < hc.start_period_s else hc.interval_s
        t += max(step, 1e-3)
        yield t


def first_healthy(hc: Healthcheck, ready_at: float) -> float:
    """When a container whose process is ready at ``ready_at`` (its ``startup``) passes
    its first probe: the first probe at or after that time."""
    for t in probe_times(hc, ready_at + hc.interval_s + hc.start_interval_s):
        if t >= ready_at:
            return t
    return ready_at


def unhealthy_at(hc: Healthcheck, started: float, failing_from: float) -> float:
    """When ``retries`` consecutive probes have failed, probes failing from
    ``failing_from`` (seconds since start) on; failures during the start period do not
    count while the container was never healthy (it was, here)."""
    streak = 0
    for t in probe_times(hc, failing_from + (hc.retries + 2) * max(hc.interval_s, 1e-3)):
        if t >= failing_from:
            streak += 1
            if streak >= max(hc.retries, 1):
                return started + t
    return started + failing_from


class _Life:
    """One task's life on its node: where it is and what it waits for."""

    __slots__ = ("alive", "next", "open", "started", "stop_on_shutdown", "task", "token")

    def __init__(self, task: Task) -> None:
        self.task = task
        self.alive = True
        self.token = 0  # bumped whenever the current wait ends: stale timers are ignored
        self.next: Callable[[_Life, Any], None] | None = None  # what to do when the wait ends
        self.open = False  # an open-ended wait (no timer): ended by a desired-state change
        self.stop_on_shutdown = True
        self.started = 0.0


class Agent:
    """All nodes' engines: one lifecycle per task that reaches its node.

    A lifecycle is a chain of waits, each a shared timer (every wait ending at the same
    instant rides on one simpy event) or an open-ended wait ended by a desired-state
    change; interruptions (desired state, machine crash, ``kill``) are handled at the
    current instant after the change that caused them, as simpy interrupts are.
    """

    def __init__(
        self,
        state: ClusterState,
        clock: Clock,
        rng: np.random.Generator,
        images: Images,
        hostfs: HostFiles,
    ) -> None:
        self.clock = clock
        self.env = clock.env
        self.state = state
        self.rng = rng  # the "faults" stream: crashes drawn from each service's MTBF
        self.images = images
        self.hostfs = hostfs
        self._lives: dict[str, _Life] = {}
        self._was_dead: dict[str, bool] = {}
        self._timers: dict[float, list[tuple[_Life, int, Any]]] = {}  # deadline -> waits
        self._container_listeners: list[Callable[[Task, bool], None]] = []

    def start(self) -> None:
        """Subscribe to the state."""
        self.state.on_task(self._on_task, states={ASSIGNED})
        self.state.on_node(self._on_node)

    def on_container(self, fn: Callable[[Task, bool], None]) -> None:
        """Call ``fn(task, alive)`` when a task's container really starts or ends."""
        self._container_listeners.append(fn)

    def _actual(self, task: Task, alive: bool) -> None:
        if task.actual == alive:
            return
        self.state.set_actual(task, alive)
        for fn in self._container_listeners:
            fn(task, alive)

    # --- reactions ---------------------------------------------------------------------
    def _on_task(self, task: Task, old_state: TaskState, old_desired: TaskState) -> None:
        life = self._lives.get(task.id)
        if life is not None:
            if task.desired != old_desired and task.id in self.state.tasks and (
                life.open or (life.stop_on_shutdown and task.desired >= SHUTDOWN)
            ):
                self._interrupt(life, "desired")
            return
        if task.state == ASSIGNED and old_state < ASSIGNED:
            node = self.state.nodes.get(task.node_id or "")
            if node is not None and node.alive:
                self._launch(task)

    def _on_node(self, node: NodeRecord, before: NodeSpec) -> None:
        if not node.alive:
            for task in self.state.tasks_on(node.id):
                life = self._lives.get(task.id)
                if life is not None:
                    self._interrupt(life, "node_down")
        elif node.in_swarm and self._was_dead.pop(node.id, False):
            self._resync(node)
        if not node.alive:
            self._was_dead[node.id] = True

    def kill(self, task: Task, exit_code: int) -> bool:
        """The task's container exits with ``exit_code`` (a timeline ``kill``)."""
        life = self._lives.get(task.id)
        if life is None or not task.actual:
            return False
        self._interrupt(life, ("exit", exit_code))
        return True

    def _resync(self, node: NodeRecord) -> None:
        """The machine is back: its engine reports what became of its tasks."""
        for task in self.state.tasks_on(node.id):
            if task.id in self._lives:
                continue
            if not ASSIGNED <= task.state <= RUNNING:
                continue
            if task.desired >= SHUTDOWN:
                self.state.set_state(task, SHUTDOWN)
            elif task.state >= STARTING:
                self.state.set_state(
                    task, FAILED, error=exit_error(MACHINE_CRASH_EXIT_CODE),
                    exit_code=MACHINE_CRASH_EXIT_CODE, message="started",
                )
            else:
                self._launch(task)

    # --- waits -------------------------------------------------------------------------
    def _wait(self, life: _Life, delay: float | None, then: Callable[[_Life, Any], None], *,
              stop_on_shutdown: bool = True) -> None:
        """Wait ``delay`` seconds (None: until the desired state changes), then call
        ``then(life, outcome)``: outcome None when the time ran out, ``"stop"`` when the
        desired state asks the task to stop (with ``stop_on_shutdown``), ``"wake"`` when
        an open-ended wait saw its desired state change, ``("exit", code)`` when the
        container exits. A machine crash ends the life instead."""
        life.next = then
        life.stop_on_shutdown = stop_on_shutdown
        life.open = delay is None
        if delay is not None:
            self._at(life, self.env.now + max(0.0, delay), None)

    def _at(self, life: _Life, deadline: float, cause: Any) -> None:
        bucket = self._timers.get(deadline)
        if bucket is None:
            bucket = self._timers[deadline] = []
            self.clock.later(deadline - self.env.now, self._fire, deadline)
        bucket.append((life, life.token, cause))

    def _interrupt(self, life: _Life, cause: Any) -> None:
        self._at(life, self.env.now, cause)

    def _fire(self, deadline: float) -> None:
        for life, token, cause in self._timers.pop(deadline):
            if not life.alive or (cause is None and token != life.token):
                continue
            if cause is None:
                self._end_wait(life, None)
            elif cause == "node_down":
                self._die(life)
                self._actual(life.task, False)
            elif isinstance(cause, tuple):
                self._end_wait(life, cause)
            elif life.next is not None:  # a desired-state change
                task = life.task
                if life.stop_on_shutdown and task.desired >= SHUTDOWN:
                    self._end_wait(life, "stop")
                elif life.open:
                    self._end_wait(life, "wake")

    def _end_wait(self, life: _Life, outcome: Any) -> None:
        then = life.next
        if then is None:
            return
        life.token += 1
        life.next = None
        life.open = False
        then(life, outcome)

    def _die(self, life: _Life) -> None:
        life.alive = False
        life.next = None
        self._lives.pop(life.task.id, None)

    # --- the lifecycle -----------------------------------------------------------------
    def _launch(self, task: Task) -> None:
        life = self._lives[task.id] = _Life(task)
        self._wait(life, 0.0, self._accept)

    def _accept(self, life: _Life, _outcome: Any) -> None:
        st = self.state
        task = life.task
        st.set_state(task, ACCEPTED)
        if task.desired >= SHUTDOWN:
            st.set_state(task, SHUTDOWN)
            self._die(life)
            return
        st.set_state(task, PREPARING)
        pull = self.images.prepare(task)
        if pull is not None and pull.error:  # an error before STARTING: rejected
            st.set_state(task, REJECTED, message="preparing", error=pull.error)
            self._die(life)
            return
        self._wait(life, task.spec.sim.pull_s if pull is None else pull.wait, self._prepared)

    def _stop_before_start(self, life: _Life) -> bool:
        if life.task.desired >= SHUTDOWN:
            self.state.set_state(life.task, SHUTDOWN)
            self._die(life)
            return True
        return False

    def _prepared(self, life: _Life, _outcome: Any) -> None:
        if self._stop_before_start(life):
            return
        # the container is created once the image is there; a refusal is fatal before
        # STARTING, so the task is rejected (swarmkit agent/exec/controller.go, fatal).
        # moby daemon/container.go verifyContainerSettings checks the mounts
        # (validateHostConfig) before the resources (verifyPlatformContainerSettings).
        task = life.task
        node = self.state.nodes.get(task.node_id or "")
        refused = self.hostfs.bind_error(task.spec, node.spec.name) if node else None
        if refused is None and node is not None:
            refused = cpu_limit_error(task.spec.resources.limits.nano_cpus, node.spec.nano_cpus)
        if refused:
            self.state.set_state(task, REJECTED, message="preparing", error=refused)
            self._die(life)
            return
        self.state.set_state(life.task, READY)
        self._ready(life, None)

    def _ready(self, life: _Life, _outcome: Any) -> None:
        """In ``ready`` until the desired state says run (or stop)."""
        if self._stop_before_start(life):
            return
        task = life.task
        if task.desired < RUNNING:
            self._wait(life, None, self._ready)
            return
        self.state.set_state(task, STARTING)
        self._actual(task, True)
        life.started = self.env.now
        sim = task.spec.sim
        hc = task.spec.healthcheck
        to_running = sim.startup_s
        if hc is not None and hc.active:
            to_running = first_healthy(hc, sim.startup_s)
        self._wait(life, to_running, self._started)

    def _started(self, life: _Life, outcome: Any) -> None:
        task = life.task
        if outcome is None and task.desired < SHUTDOWN:
            self.state.set_state(task, RUNNING)
            self._running(life)
        else:
            self._finish(life, outcome)

    def _running(self, life: _Life) -> None:
        """Wait in ``running`` for the first of: crash, OOM, job done, stop request."""
        task = life.task
        sim = task.spec.sim
        limit = task.spec.resources.limits.memory_bytes
        if sim.memory_used is not None and limit and sim.memory_used > limit:
            self._finish(life, ("exit", OOM_EXIT_CODE))
            return
        candidates: list[tuple[float, Any]] = []
        hc = task.spec.healthcheck
        now = self.env.now
        if hc is not None and hc.active and sim.unhealthy_after_s is not None:
            ran_before = now - life.started
            at = unhealthy_at(hc, life.started, ran_before + sim.unhealthy_after_s)
            candidates.append((at - now, ("unhealthy", UNHEALTHY_EXIT_CODE)))
        if task.spec.is_job:
            candidates.append((sim.run_time_s, ("exit", 0)))
        if sim.mtbf_s:
            candidates.append((float(self.rng.exponential(sim.mtbf_s)), ("exit", sim.exit_code)))
        until, result = min(candidates, key=lambda c: c[0]) if candidates else (None, None)

        def ended(life: _Life, outcome: Any) -> None:
            if outcome == "wake":  # an open-ended wait saw a change that is not a stop
                self._wait(life, None, ended)
            else:
                self._finish(life, result if outcome is None else outcome)

        self._wait(life, until, ended)

    def _finish(self, life: _Life, outcome: Any) -> None:
        task = life.task
        if outcome == "stop" or outcome is None:
            grace = task.spec.stop_grace_period_s
            delay = min(task.spec.sim.stop_s, grace)
            self._wait(life, delay, self._stopped, stop_on_shutdown=False)
            return
        kind, code = outcome
        if kind == "unhealthy":  # the engine stops it: stop signal, then SIGKILL
            self._wait(life, task.spec.stop_grace_period_s,
                       lambda life, _o: self._exited(life, kind, code), stop_on_shutdown=False)
        else:
            self._exited(life, kind, code)

    def _stopped(self, life: _Life, _outcome: Any) -> None:
        self._die(life)
        self._actual(life.task, False)
        self.state.set_state(life.task, SHUTDOWN)

    def _exited(self, life: _Life, kind: str, code: int) -> None:
        self._die(life)
        st = self.state
        task = life.task
        self._actual(task, False)
        if code == 0:
            st.set_state(task, COMPLETE, exit_code=0)
        else:
            st.set_state(task, FAILED, error=exit_error(code, kind == "unhealthy"),
                         exit_code=code, message="started")
