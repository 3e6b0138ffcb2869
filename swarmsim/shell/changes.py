"""What happened while simulated time passed (``sleep``), one compact line per change."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from swarmsim.cluster.state import NodeEvent, TaskEvent

if TYPE_CHECKING:
    from swarmsim.simulation.engine import Simulation

#: task states worth a line: where a task ends up, not every step on the way
_STEPS = ("command", "progress", "fault")
_SHOWN = ("running", "complete", "shutdown", "failed", "rejected", "orphaned")


def clock(seconds: float) -> str:
    """Simulated time as ``h:mm:ss``."""
    whole = int(seconds)
    return f"{whole // 3600}:{whole // 60 % 60:02d}:{whole % 60:02d}"


def event_line(event: Any, last: dict[str, tuple[Any, ...]]) -> str | None:
    """The line for one event record, or None when it changes nothing shown.

    ``last`` remembers what was last shown per task and node.
    """
    at = f"[{clock(event.time)}]"
    if isinstance(event, TaskEvent):
        shown = (event.state, event.error if event.state == "pending" else "")
        if last.get(event.id) == shown:
            return None
        if event.state not in _SHOWN and not (event.state == "pending" and event.error):
            return None
        last[event.id] = shown
        where = f" on {event.node}" if event.node else ""
        why = f": {event.error}" if event.error else ""
        return f"{at} task {event.task} ({event.id[:12]}){where} {event.state}{why}"
    if isinstance(event, NodeEvent):
        state: tuple[Any, ...] = (event.status, event.availability, event.role)
        if last.get(event.node) == state:
            return None
        before = last.get(event.node)
        last[event.node] = state
        if before is None and event.status == "ready":
            return f"{at} node {event.node} joined as a {event.role}"
        return f"{at} node {event.node} {event.status}, {event.availability}, {event.role}"
    kind = getattr(event, "kind", "")
    if kind in ("command", "progress"):
        text = (event.output + event.error).rstrip("\n")
        head = f"{at} {event.on}$ {event.command}" if kind == "command" else ""
        return "\n".join(x for x in (head, text) if x) or None
    if kind == "fault":
        return f"{at} {event.action} {event.target}" + (f": {event.detail}"
                                                        if event.detail else "")
    return None


@dataclass
class ChangeLog:
    """Reads the simulation's event records from where it last stopped."""

    sim: Simulation
    seen: int = 0
    last: dict[str, tuple[Any, ...]] = field(default_factory=dict)

    def since_last(self, *, steps_only: bool = False) -> str:
        """Lines for the events recorded since the last call (with ``steps_only``, only
        the scenario timeline's commands and faults)."""
        events = self.sim.events[self.seen:]
        self.seen = len(self.sim.events)
        lines = [ln for ev in events if (ln := event_line(ev, self.last)) is not None
                 and (not steps_only or getattr(ev, "kind", "") in _STEPS)]
        return "".join(f"{ln}\n" for ln in lines)

    def skip(self) -> None:
        """Mark everything so far as shown (updating what was last shown)."""
        for ev in self.sim.events[self.seen:]:
            event_line(ev, self.last)
        self.seen = len(self.sim.events)
