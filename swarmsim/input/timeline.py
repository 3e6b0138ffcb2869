"""Scenario timelines: docker commands and faults at given simulated times.

::

    timeline:
      - {at: 0s,  run: "docker stack deploy -c docker-compose.yml getstartedlab"}
      - {at: 60s, fail: myvm2}                        # the machine crashes
      - {at: 90s, recover: myvm2}                     # and comes back
      - {at: 95s, kill: getstartedlab_web.2, exit_code: 1}   # a task's container exits
      - {at: 2m,  run: "docker service scale getstartedlab_web=8", on: myvm1}

Steps at the same time run in file order.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from swarmsim.foundation import defaults
from swarmsim.foundation.errors import InputError, dotted
from swarmsim.foundation.units import parse_duration
from swarmsim.input.checks import key_error

ACTIONS = ("run", "fail", "recover", "kill")
_STEP_KEYS = {"at", "on", "exit_code", *ACTIONS}

CommandCheck = Callable[[str], "str | None"]


@dataclass(frozen=True, slots=True)
class Step:
    """One timeline step.

    Attributes:
        at: simulated time in seconds.
        action: ``run``, ``fail``, ``recover`` or ``kill``.
        target: the command line (run), the node (fail/recover), or the task (kill:
            ``<service>.<slot>`` or a task id).
        on: the machine a ``run`` command runs on (None: the first manager).
        exit_code: the exit code of a ``kill``.
        index: the step's position in the timeline (for messages).
    """

    at: float
    action: str
    target: str
    on: str | None = None
    exit_code: int = defaults.KILL_EXIT_CODE
    index: int = 0

    def to_dict(self) -> dict[str, Any]:
        """The step as JSON-ready data."""
        out: dict[str, Any] = {"at": self.at, self.action: self.target}
        if self.on is not None:
            out["on"] = self.on
        if self.action == "kill":
            out["exit_code"] = self.exit_code
        return out


_err = key_error


def parse_timeline(
    raw: Any, machines: set[str], check: CommandCheck | None = None
) -> tuple[Step, ...]:
    """Validate a scenario's ``timeline:`` list.

    Args:
        raw: the YAML value.
        machines: hostnames of the scenario's machines (for ``fail``/``recover``/``on``).
        check: validates a ``run`` command line; returns a problem or None.
    """
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise _err("must be a list", "timeline")
    steps = [_step(entry, i, machines, check) for i, entry in enumerate(raw)]
    return tuple(sorted(steps, key=lambda s: (s.at, s.index)))


def _step(entry: Any, i: int, machines: set[str], check: CommandCheck | None) -> Step:
    at_keys = ("timeline", i)
    if not isinstance(entry, Mapping):
        raise _err("must be a mapping", *at_keys)
    for key in entry:
        if key not in _STEP_KEYS:
            raise InputError(
                f"{dotted(at_keys)} Additional property {key} is not allowed",
                keys=(*at_keys, str(key)),
                path=dotted(at_keys),
            )
    actions = [a for a in ACTIONS if a in entry]
    if len(actions) != 1:
        raise _err("must have exactly one of: run, fail, recover, kill", *at_keys)
    action = actions[0]
    if "at" not in entry:
        raise _err("at is required", *at_keys)
    at_value = entry["at"]
    if not isinstance(at_value, str):
        raise _err("must be a string", *at_keys, "at")
    try:
        at = parse_duration(at_value)
    except ValueError:
        raise _err("Does not match format 'duration'", *at_keys, "at") from None
    if at < 0:
        raise _err("must not be negative", *at_keys, "at")
    target = entry[action]
    if not isinstance(target, str) or not target.strip():
        raise _err("must be a string", *at_keys, action)
    on = entry.get("on")
    if on is not None:
        if action != "run":
            raise _err("only goes with run", *at_keys, "on")
        if not isinstance(on, str) or on not in machines:
            raise _err(f"no such machine: {on}", *at_keys, "on")
    if action in ("fail", "recover") and target not in machines:
        raise _err(f"no such machine: {target}", *at_keys, action)
    exit_code = entry.get("exit_code", defaults.KILL_EXIT_CODE)
    if "exit_code" in entry and action != "kill":
        raise _err("only goes with kill", *at_keys, "exit_code")
    if isinstance(exit_code, bool) or not isinstance(exit_code, int) or not 0 <= exit_code <= 255:
        raise _err("must be an integer from 0 to 255", *at_keys, "exit_code")
    if action == "run" and check is not None:
        problem = check(target)
        if problem:
            raise _err(problem, *at_keys, "run")
    return Step(at=at, action=action, target=target.strip(), on=on, exit_code=exit_code, index=i)
