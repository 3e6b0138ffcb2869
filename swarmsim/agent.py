"""Worker-side: what each node's engine does with the tasks assigned to it.

A task's life on its node is one simpy process, timed by the service's ``x-swarmsim``
keys: ``accepted`` -> ``preparing`` (the image pull, :mod:`swarmsim.images`) -> ``ready`` -> (waits for desired state
``running``) -> ``starting`` (``startup``) -> ``running`` -> ``complete`` / ``failed`` /
``shutdown``.  The agent only moves a task forward while its state is below its desired
state (a task with desired ``ready`` stops at ``ready``).  A node crash kills the
node's containers at once but reports nothing (the manager finds out by heartbeat).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import simpy

from swarmsim.cluster.state import TERMINAL, NodeRecord
from swarmsim.cluster.tasks import Task, TaskState
from swarmsim.specs import Healthcheck, NodeSpec

if TYPE_CHECKING:
    from swarmsim.engine import Simulation

OOM_EXIT_CODE = 137
#: exit status of a container stopped for being unhealthy (SIGKILL after the grace period)
UNHEALTHY_EXIT_CODE = 137
#: exit status docker reports for a container that died with its machine (swarmsim's choice)
MACHINE_CRASH_EXIT_CODE = 255


def exit_error(code: int, unhealthy: bool = False) -> str:
    """The task error docker's executor reports for a non-zero exit."""
    suffix = ": dockerexec: unhealthy container" if unhealthy else ""
    return f"task: non-zero exit ({code}){suffix}"


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


class _NodeDown(Exception):
    pass


class Agent:
    """All nodes' engines: one lifecycle process per task that reaches its node."""

    def __init__(self, sim: Simulation) -> None:
        self.sim = sim
        self.env = sim.env
        self.state = sim.state
        self.rng = sim.streams["faults"]
        self._procs: dict[str, simpy.Process] = {}
        self._was_dead: dict[str, bool] = {}
        self._started: dict[str, float] = {}
        self._wake: dict[str, simpy.Event] = {}  # open-ended waits, woken by desired changes

    def start(self) -> None:
        """Subscribe to the state."""
        self.state.on_task(self._on_task, states={TaskState.ASSIGNED})
        self.state.on_node(self._on_node)

    # --- reactions ---------------------------------------------------------------------
    def _on_task(self, task: Task, old_state: TaskState, old_desired: TaskState) -> None:
        proc = self._procs.get(task.id)
        if proc is not None:
            if task.desired != old_desired and proc.is_alive and task.id in self.state.tasks:
                wake = self._wake.get(task.id)
                if wake is None:
                    proc.interrupt("desired")  # a timed wait
                elif not wake.triggered:
                    wake.succeed()  # an open-ended wait: cheaper than an interrupt
            return
        if task.state == TaskState.ASSIGNED and old_state < TaskState.ASSIGNED:
            node = self.state.nodes.get(task.node_id or "")
            if node is not None and node.alive:
                self._launch(task)

    def _on_node(self, node: NodeRecord, before: NodeSpec) -> None:
        if not node.alive:
            for task in self.state.tasks_on(node.id):
                proc = self._procs.get(task.id)
                if proc is not None and proc.is_alive:
                    proc.interrupt("node_down")
        elif node.in_swarm and self._was_dead.pop(node.id, False):
            self._resync(node)
        if not node.alive:
            self._was_dead[node.id] = True

    def kill(self, task: Task, exit_code: int) -> bool:
        """The task's container exits with ``exit_code`` (a timeline ``kill``)."""
        proc = self._procs.get(task.id)
        if proc is None or not proc.is_alive or not task.actual:
            return False
        proc.interrupt(("exit", exit_code))
        return True

    def _resync(self, node: NodeRecord) -> None:
        """The machine is back: its engine reports what became of its tasks."""
        for task in self.state.tasks_on(node.id):
            if task.id in self._procs or not (TaskState.ASSIGNED <= task.state <= TaskState.RUNNING):
                continue
            if task.desired >= TaskState.SHUTDOWN:
                self.state.set_state(task, TaskState.SHUTDOWN)
            elif task.state >= TaskState.STARTING:
                self.state.set_state(
                    task, TaskState.FAILED, error=exit_error(MACHINE_CRASH_EXIT_CODE),
                    exit_code=MACHINE_CRASH_EXIT_CODE, message="started",
                )
            else:
                self._launch(task)

    # --- the lifecycle -----------------------------------------------------------------
    def _launch(self, task: Task) -> None:
        self._procs[task.id] = self.env.process(self._life(task))

    def _life(self, task: Task) -> Any:
        st = self.state
        sim = task.spec.sim
        try:
            st.set_state(task, TaskState.ACCEPTED)
            if task.desired >= TaskState.SHUTDOWN:
                st.set_state(task, TaskState.SHUTDOWN)
                return
            st.set_state(task, TaskState.PREPARING)
            images = getattr(self.sim, "images", None)
            pull = images.prepare(task) if images is not None else None
            if pull is not None and pull.error:  # an error before STARTING: rejected
                st.set_state(task, TaskState.REJECTED, message="preparing", error=pull.error)
                return
            yield from self._wait(task, sim.pull_s if pull is None else pull.wait,
                                  stop_on_shutdown=True)
            if self._stop_before_start(task):
                return
            st.set_state(task, TaskState.READY)
            while task.desired < TaskState.RUNNING:
                yield from self._wait(task, None, stop_on_shutdown=True)
                if self._stop_before_start(task):
                    return
            if self._stop_before_start(task):
                return
            st.set_state(task, TaskState.STARTING)
            st.set_actual(task, True)
            started = self.env.now
            hc = task.spec.healthcheck
            to_running = sim.startup_s
            if hc is not None and hc.active:
                to_running = first_healthy(hc, sim.startup_s)
            outcome = yield from self._wait(task, to_running, stop_on_shutdown=True)
            self._started[task.id] = started
            if outcome is None and task.desired < TaskState.SHUTDOWN:
                st.set_state(task, TaskState.RUNNING)
                outcome = yield from self._running(task)
            yield from self._finish(task, outcome)
        except _NodeDown:
            st.set_actual(task, False)
        finally:
            self._procs.pop(task.id, None)
            self._started.pop(task.id, None)

    def _stop_before_start(self, task: Task) -> bool:
        if task.desired >= TaskState.SHUTDOWN:
            self.state.set_state(task, TaskState.SHUTDOWN)
            return True
        return False

    def _running(self, task: Task) -> Any:
        """Wait in ``running`` for the first of: crash, OOM, job done, stop request."""
        sim = task.spec.sim
        limit = task.spec.resources.limits.memory_bytes
        if sim.memory_used is not None and limit and sim.memory_used > limit:
            return ("exit", OOM_EXIT_CODE)
        candidates: list[tuple[float, Any]] = []
        hc = task.spec.healthcheck
        if hc is not None and hc.active and sim.unhealthy_after_s is not None:
            started = self._started.get(task.id, self.env.now)
            ran_before = self.env.now - started
            at = unhealthy_at(hc, started, ran_before + sim.unhealthy_after_s)
            candidates.append((at - self.env.now, ("unhealthy", UNHEALTHY_EXIT_CODE)))
        if task.spec.is_job:
            candidates.append((sim.run_time_s, ("exit", 0)))
        if sim.mtbf_s:
            candidates.append((float(self.rng.exponential(sim.mtbf_s)), ("exit", sim.exit_code)))
        until, result = min(candidates, key=lambda c: c[0]) if candidates else (None, None)
        while True:
            outcome = yield from self._wait(task, until, stop_on_shutdown=True)
            if outcome != "wake":
                return result if outcome is None else outcome

    def _finish(self, task: Task, outcome: Any) -> Any:
        st = self.state
        if outcome == "stop" or outcome is None:
            grace = task.spec.stop_grace_period_s
            delay = min(task.spec.sim.stop_s, grace)
            yield from self._wait(task, delay, stop_on_shutdown=False)
            st.set_actual(task, False)
            st.set_state(task, TaskState.SHUTDOWN)
            return
        kind, code = outcome
        if kind == "unhealthy":  # the engine stops it: stop signal, then SIGKILL
            yield from self._wait(task, task.spec.stop_grace_period_s, stop_on_shutdown=False)
        st.set_actual(task, False)
        if code == 0:
            st.set_state(task, TaskState.COMPLETE, exit_code=0)
        else:
            st.set_state(task, TaskState.FAILED, error=exit_error(code, kind == "unhealthy"),
                         exit_code=code, message="started")

    def _wait(self, task: Task, delay: float | None, *, stop_on_shutdown: bool) -> Any:
        """Sleep ``delay`` (None: until woken). Returns None when the time ran out,
        ``"stop"`` when the desired state asks the task to stop, ``("exit", code)``
        when the container exits, ``"wake"`` when an open-ended wait saw its desired
        state change; raises _NodeDown when the machine dies."""
        end = None if delay is None else self.env.now + delay
        while True:
            try:
                if end is None:
                    wake = self._wake[task.id] = self.env.event()
                    try:
                        yield wake
                    finally:
                        self._wake.pop(task.id, None)
                    if stop_on_shutdown and task.desired >= TaskState.SHUTDOWN:
                        return "stop"
                    return "wake"
                yield self.env.timeout(max(0.0, end - self.env.now))
                return None
            except simpy.Interrupt as intr:
                cause = intr.cause
                if cause == "node_down":
                    raise _NodeDown from None
                if isinstance(cause, tuple):
                    return cause
                if stop_on_shutdown and task.desired >= TaskState.SHUTDOWN:
                    return "stop"
                if end is None:
                    return "wake"  # desired changed: let the caller re-evaluate
