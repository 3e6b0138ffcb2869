"""What ``docker service update | rollback | scale`` print while they wait.

Without ``--detach`` (docker's default for these three commands) the CLI polls the
service every 200 ms until it converges, draws one progress line per slot (per node for
global services), an ``overall progress`` line, then waits ``monitor`` seconds (the
update config's, else 5 s) to verify that the tasks stay up.  A paused update or
rollback ends the wait with an error.

The output kept here is the terminal's final screen: each progress line shows its last
value (docker redraws them in place), other messages follow in order; trailing blanks
are dropped and the bars are drawn for a 200-column terminal.  Slots are numbered in
slot order and global tasks listed by node id (docker walks a Go map there).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from swarmsim.cluster.tasks import Task, TaskState
from swarmsim.foundation import defaults
from swarmsim.manager.dirty import is_task_dirty

if TYPE_CHECKING:
    from swarmsim.simulation.engine import Simulation

#: how often the CLI inspects the service (seconds)
POLL_S = 0.2
#: the CLI's numbering of task states (states it does not list are skipped)
NUMBERED: dict[TaskState, int] = {
    TaskState.NEW: 1, TaskState.PENDING: 3, TaskState.ASSIGNED: 4, TaskState.ACCEPTED: 5,
    TaskState.PREPARING: 6, TaskState.READY: 7, TaskState.STARTING: 8, TaskState.RUNNING: 9,
    TaskState.COMPLETE: 10, TaskState.SHUTDOWN: 11, TaskState.FAILED: 12,
    TaskState.REJECTED: 13,
}
#: width of the state column: the longest non-terminal state name (``preparing``)
STATE_WIDTH = 9
MAX_PROGRESS = 9
MAX_BARS = 20
ERROR_WIDTH = 75


@dataclass(frozen=True, slots=True)
class Wait:
    """A service a command waits on.

    Attributes:
        service: the service's name.
        ref: the service as the user gave it (docker prints that).
        quiet: ``--quiet``: wait without printing progress.
        prefix_errors: prefix an error with ``<ref>: `` (``docker service scale``).
    """

    service: str
    ref: str
    quiet: bool = False
    prefix_errors: bool = False


def bar(current: int, total: int) -> str:
    """The progress bar of a 200-column terminal (counts hidden)."""
    if current <= 0 and total <= 0:
        return ""
    pct = min(int(current / total * 100) // 2, 50)
    return f"[{'=' * pct}>{' ' * max(50 - pct, 0)}] "


def trunc_error(text: str) -> str:
    """A task error on one line of at most 75 characters (``…`` marks a cut)."""
    text = text.replace("\n", " ")
    if len(text.encode()) > ERROR_WIDTH:  # Go cuts bytes
        text = text.encode()[:ERROR_WIDTH - 1].decode(errors="ignore") + "…"
    return text


def overall(numerator: int, denominator: int, rollback: bool) -> str:
    """The ``overall progress`` action."""
    if rollback:
        return f"rolling back update: {numerator} out of {denominator} tasks"
    return f"{numerator} out of {denominator} tasks"


@dataclass
class Screen:
    """A terminal the progress stream is drawn on: lines with an id are redrawn in
    place until a line without progress comes."""

    lines: list[str] = field(default_factory=list)
    ids: dict[str, int] = field(default_factory=dict)

    def progress(self, ident: str, action: str, current: int = 0, total: int = 0) -> None:
        """A progress line ``ident: action [bar]``, redrawn in place."""
        if ident not in self.ids:
            self.ids[ident] = len(self.lines)
            self.lines.append("")
        self.lines[self.ids[ident]] = f"{ident}: {action} {bar(current, total)}"

    def message(self, ident: str, text: str) -> None:
        """A status line below the rest; later progress lines start a new block."""
        self.ids = {}
        self.lines.append(f"{ident}: {text}" if ident else text)

    def text(self) -> str:
        """The screen, one line each, trailing blanks dropped."""
        return "".join(line.rstrip() + "\n" for line in self.lines)


def _pick(tasks: list[Task], key: Callable[[Task], object]) -> dict[object, Task]:
    """One task per slot (or node): the lowest desired state, then the lowest state."""
    out: dict[object, Task] = {}
    for t in tasks:
        if t.desired not in NUMBERED or t.state not in NUMBERED:
            continue
        k = key(t)
        old = out.get(k)
        if old is not None and (NUMBERED[old.desired], NUMBERED[old.state]) <= (
                NUMBERED[t.desired], NUMBERED[t.state]):
            continue
        out[k] = t
    return out


class _Watch:
    """One ``WaitOnService``: polls a service and draws on ``screen``."""

    def __init__(self, sim: Simulation, wait: Wait, screen: Screen) -> None:
        self.sim, self.wait, self.screen = sim, wait, screen
        self.ids: dict[str, int] = {}
        self.initialized = self.done = self.converged = self.rollback = False
        self.converged_at: float | None = None
        self.final_message: str | None = None
        self.slots: dict[object, int] = {}

    def _draw(self, ident: str, action: str, current: int = 0, total: int = 0) -> None:
        if not self.wait.quiet:
            self.screen.progress(ident, action, current, total)

    def _say(self, ident: str, text: str) -> None:
        if not self.wait.quiet:
            self.screen.message(ident, text)

    def poll(self) -> tuple[bool, str]:
        """One round of the CLI's loop: (finished, error message or "")."""
        svc = self.sim.state.services.get(self.wait.service)
        if svc is None:
            return True, f"service {self.wait.ref} not found"
        mon = svc.spec.update.monitor_s or defaults.UPDATE_MONITOR_S
        status = svc.update_state
        if status == "updating":
            self.rollback = False
        elif status == "completed" and not self.converged:
            return True, ""
        elif status == "paused":
            return True, f"service update paused: {svc.update_message}"
        elif status == "rollback_started":
            if not self.rollback and svc.update_message:
                self._draw("rollback", svc.update_message)
            self.rollback = True
        elif status == "rollback_paused":
            return True, f"service rollback paused: {svc.update_message}"
        elif status == "rollback_completed":
            if not self.converged:
                self.final_message = svc.update_message
            self.rollback = True
        now = self.sim.now
        if (self.converged and self.converged_at is not None
                and now - self.converged_at >= mon - 1e-9):
            self._draw("verify", f"Service {self.wait.ref} converged")
            if self.final_message is not None:
                self._say("rollback", self.final_message)
            return True, ""
        self.converged = self._update(svc)
        if self.converged:
            if self.converged_at is None:
                self.converged_at = now
            left = mon - (now - self.converged_at)
            if left >= 0:  # the CLI has always spent a little time: never a whole second
                self._draw("verify", f"Waiting {math.floor(left - 1e-9) + 1} seconds to verify "
                           "that tasks are stable...")
        else:
            if self.converged_at is not None:
                self._draw("verify", "Detected task failure")
            self.converged_at = None
        return False, ""

    def _update(self, svc) -> bool:  # type: ignore[no-untyped-def]
        state = self.sim.state
        active = {n.id for n in state.nodes.values() if n.spec.status != "down"}
        fresh = [t for t in state.tasks_of(svc.name) if not is_task_dirty(
            t, svc.spec, state.nodes[t.node_id].spec if t.node_id in state.nodes else None,
            svc.version)]
        if svc.spec.is_global:
            return self._global(fresh, active)
        return self._replicated(svc.spec.replicas, fresh, active)

    def _task_line(self, ident: str, task: Task) -> None:
        if task.error:
            self._draw(ident, trunc_error(task.error))
        elif not task.desired.terminal and not task.state.terminal:
            self._draw(ident, task.state.label.ljust(STATE_WIDTH), NUMBERED[task.state],
                       MAX_PROGRESS)

    def _replicated(self, replicas: int, fresh: list[Task], active: set[str]) -> bool:
        if not self.initialized:
            self._draw("overall progress", overall(0, replicas, self.rollback))
            if replicas <= MAX_BARS:
                for i in range(1, replicas + 1):
                    self._draw(f"{i}/{replicas}", " ")
            self.initialized = True
        by_slot = _pick([t for t in fresh if t.node_id is None or t.node_id in active],
                        lambda t: t.slot)
        if self.done and any(t.state != TaskState.RUNNING for t in by_slot.values()):
            self.done = False
        running = 0
        for slot in sorted(by_slot, key=lambda s: s):  # type: ignore[arg-type,return-value]
            task = by_slot[slot]
            mapped = self.slots.setdefault(slot, len(self.slots) + 1)
            if not task.desired.terminal and task.state == TaskState.RUNNING:
                running += 1
            if not (self.done or replicas > MAX_BARS or mapped > replicas):
                self._task_line(f"{mapped}/{replicas}", task)
        if not self.done:
            self._draw("overall progress", overall(running, replicas, self.rollback))
            self.done = running == replicas
        return running == replicas

    def _global(self, fresh: list[Task], active: set[str]) -> bool:
        by_node = _pick(fresh, lambda t: t.node_id or "")
        count = len(by_node)
        if not self.initialized:
            if count == 0:
                self._draw("overall progress", "waiting for new tasks")
                return False
            self._draw("overall progress", overall(0, count, self.rollback))
            self.initialized = True
        if self.done and any(t.state != TaskState.RUNNING for t in by_node.values()):
            self.done = False
        running = 0
        for node in sorted(by_node):  # type: ignore[type-var]
            task = by_node[node]
            if node not in active:
                continue
            if not task.desired.terminal and task.state == TaskState.RUNNING:
                running += 1
            if not (self.done or count > MAX_BARS):
                self._task_line(str(node)[:12], task)
        if not self.done:
            self._draw("overall progress", overall(running, count, self.rollback))
            self.done = running == count
        return running == count


def follow(sim: Simulation, waits: tuple[Wait, ...],
           done: Callable[[str, str, int], None]) -> None:
    """Wait on ``waits`` in turn, as the CLI does, in simulated time.

    Args:
        sim: the simulation (the command has just run, at ``sim.now``).
        waits: the services to wait on.
        done: called once the last wait ends, with (stdout, stderr, exit status).
    """
    screen = Screen()
    errors: list[str] = []
    start = sim.now
    pending = list(waits)

    def step(watch: _Watch, k: int) -> None:
        finished, error = watch.poll()
        if not finished:
            sim.later(start + (k + 1) * POLL_S - sim.now, step, watch, k + 1)
            return
        if error:
            errors.append(f"{watch.wait.ref}: {error}" if watch.wait.prefix_errors else error)
        nxt(k)

    def nxt(k: int) -> None:
        if not pending:
            err = "".join(f"{e}\n" for e in errors)
            done(screen.text(), err, 1 if errors else 0)
            return
        screen.ids = {}  # each wait draws its own block
        step(_Watch(sim, pending.pop(0), screen), k)

    sim.soon(nxt, 0)
