"""Workload traces replayed on a simulation's clock: each row of a trace file (read by
:mod:`swarmsim.input.traces`) arrives as ``docker stack deploy`` of a one-service stack
would, and departs as ``docker service rm``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from swarmsim.foundation.errors import CommandError
from swarmsim.input.specs import Stack
from swarmsim.input.traces import TraceRow, trace_service
from swarmsim.manager.controlapi import control_api


def schedule_traces(sim: Any, rows: Sequence[TraceRow]) -> None:
    """Arrange every row's arrival and departure on ``sim``'s clock."""
    for row in rows:
        sim.later(row.time, _arrive, sim, row)
        if row.duration is not None:
            sim.later(row.time + row.duration, _depart, sim, row)


def _arrive(sim: Any, row: TraceRow) -> None:
    try:
        control_api(sim).deploy_stack(Stack(name=row.stack, services=(trace_service(row),)))
    except CommandError:
        pass  # no leader at that moment: the arrival is lost, as a deploy would fail


def _depart(sim: Any, row: TraceRow) -> None:
    try:
        control_api(sim).remove_service(row.name)
    except CommandError:
        pass  # never created (no leader at arrival) or no leader now
