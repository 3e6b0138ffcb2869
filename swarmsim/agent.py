"""Worker-side: what each node's engine does with the tasks assigned to it.

A task's life on its node is one simpy process, timed by the service's ``x-swarmsim``
keys: ``accepted`` -> ``preparing`` (``pull``) -> ``ready`` -> (waits for desired state
``running``) -> ``starting`` (``startup``) -> ``running`` -> ``complete`` / ``failed`` /
``shutdown``.  The agent only moves a task forward while its state is below its desired
state (a task with desired ``ready`` stops at ``ready``).  A node crash kills the
node's containers at once but reports nothing (the manager finds out by heartbeat).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import simpy

from swarmsim.cluster.state import NodeRecord
from swarmsim.cluster.tasks import Task, TaskState
from swarmsim.specs import NodeSpec

if TYPE_CHECKING:
    from swarmsim.engine import Simulation

OOM_EXIT_CODE = 137
#: exit status docker reports for a container that died with its machine (swarmsim's choice)
MACHINE_CRASH_EXIT_CODE = 255


def exit_error(code: int) -> str:
    """The task error docker's executor reports for a non-zero exit."""
    return f"task: non-zero exit ({code})"


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

    def start(self) -> None:
        """Subscribe to the state."""
        self.state.on_task(self._on_task)
        self.state.on_node(self._on_node)

    # --- reactions ---------------------------------------------------------------------
    def _on_task(self, task: Task, old_state: TaskState, old_desired: TaskState) -> None:
        proc = self._procs.get(task.id)
        if proc is not None:
            if task.desired != old_desired and proc.is_alive and task.id in self.state.tasks:
                proc.interrupt("desired")
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
            yield from self._wait(task, sim.pull_s, stop_on_shutdown=True)
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
            outcome = yield from self._wait(task, sim.startup_s, stop_on_shutdown=True)
            if outcome is None and task.desired < TaskState.SHUTDOWN:
                st.set_state(task, TaskState.RUNNING)
                outcome = yield from self._running(task)
            yield from self._finish(task, outcome)
        except _NodeDown:
            st.set_actual(task, False)
        finally:
            self._procs.pop(task.id, None)

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
        _, code = outcome
        st.set_actual(task, False)
        if code == 0:
            st.set_state(task, TaskState.COMPLETE, exit_code=0)
        else:
            st.set_state(task, TaskState.FAILED, error=exit_error(code), exit_code=code,
                         message="started")

    def _wait(self, task: Task, delay: float | None, *, stop_on_shutdown: bool) -> Any:
        """Sleep ``delay`` (None: until woken). Returns None when the time ran out,
        ``"stop"`` when the desired state asks the task to stop, ``("exit", code)``
        when the container exits, ``"wake"`` when an open-ended wait saw its desired
        state change; raises _NodeDown when the machine dies."""
        end = None if delay is None else self.env.now + delay
        while True:
            try:
                if end is None:
                    yield self.env.event()
                else:
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
