"""The timeline part of ``swarmsim run``'s human output.

Each command a step ran is printed once, as a terminal would show it: the prompt line,
then what docker printed.  A command that waits for its service (``docker service
scale`` without ``-d``) goes on printing its progress until the service converges; that
progress follows the command's own lines, as on docker's screen, not as a second run of
the command.  A stateful service's task that starts (``x-swarmsim.stateful``) says
whether it found the data earlier tasks left (kept) or an empty directory where data
existed elsewhere (lost).
"""

from __future__ import annotations

from typing import Any

from swarmsim.foundation.text import sim_clock


def log_lines(log: list[Any], events: list[Any]) -> list[str]:
    """Lines for a run's timeline ``log`` (command, progress and fault events) and the
    ``state`` events among the simulation's ``events``, in time order."""
    items: list[tuple[float, int, Any]] = [(e.time, i, e) for i, e in enumerate(log)]
    states = [e for e in events if getattr(e, "kind", "") == "state"]
    items += [(e.time, len(log) + i, e) for i, e in enumerate(states)]
    items.sort(key=lambda x: (x[0], x[1]))
    progress = _progress_of(log)
    lines: list[str] = []
    saved: dict[tuple[str, str], tuple[str, int]] = {}  # (service, volume) -> (node, items)
    for _t, _i, event in items:
        kind = getattr(event, "kind", "")
        stamp = f"[{sim_clock(event.time)}]"
        if kind == "progress":
            continue  # printed with its command
        if kind == "command":
            lines.append(f"{stamp} {event.on}$ {event.command}")
            lines += _texts(event)
            done = progress.get(id(event))
            if done is not None:
                lines += _texts(done)
        elif kind == "state":
            line = _state_line(event, saved)
            if line:
                lines.append(f"{stamp} {line}")
        else:
            detail = f": {event.detail}" if event.detail else ""
            lines.append(f"{stamp} {event.action} {event.target}{detail}")
    return lines


def _texts(event: Any) -> list[str]:
    return [t.rstrip("\n") for t in (event.error, event.output) if t]


def _progress_of(log: list[Any]) -> dict[int, Any]:
    """Each waiting command's progress event, keyed by the id of the command event: the
    earliest command before it with the same line and machine still unmatched."""
    found: dict[int, Any] = {}
    for at, event in enumerate(log):
        if getattr(event, "kind", "") != "progress":
            continue
        for cmd in log[:at]:
            if (getattr(cmd, "kind", "") == "command" and cmd.command == event.command
                    and cmd.on == event.on and id(cmd) not in found):
                found[id(cmd)] = event
                break
    return found


def _state_line(event: Any, saved: dict[tuple[str, str], tuple[str, int]]) -> str:
    """What a stateful task found when it started, or "" for a stop."""
    key = (event.service, event.volume)
    if event.action == "saved":
        saved[key] = (event.node, event.items)
        return ""
    where = f"{event.volume} on {event.node}"
    if event.items > 0:
        return f"{event.task} found its data in {where}: {event.items} items kept"
    before = saved.get(key)
    if before is not None and before[1] > 0:
        node, count = before
        return (f"{event.task} found an empty {where}: data lost (its {count} items stay "
                f"on {node})")
    return f"{event.task} starts with an empty {where}"
