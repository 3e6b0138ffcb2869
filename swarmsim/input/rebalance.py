"""The scenario's ``rebalance`` key: a what-if, NOT Docker Swarm behaviour (what it does
is :mod:`swarmsim.manager.rebalance`)::

    rebalance: on-recovery      # off (default) | on-recovery | on-join | on-recovery-or-join
"""

from __future__ import annotations

from typing import Any

from swarmsim.foundation.errors import InputError

MODES = ("off", "on-recovery", "on-join", "on-recovery-or-join")

def parse_rebalance(value: Any) -> str:
    """Validate the scenario's ``rebalance`` key (None: ``off``).

    Raises:
        InputError: at ``rebalance``, saying it is not swarm behaviour.
    """
    if value is None or value is False:
        return "off"
    if value not in MODES:
        choices = ", ".join(f'"{m}"' for m in MODES)
        raise InputError(
            f"rebalance must be one of the following: {choices} (a what-if, NOT Docker "
            "Swarm behaviour: swarm never moves running tasks)",
            keys=("rebalance",),
        )
    return str(value)
