"""Workload traces replayed on a simulation's clock: each row of a trace file (read by
:mod:`swarmsim.input.traces`) arrives as ``docker stack deploy`` of a one-service stack
would, and departs as ``docker service rm``.
"""

from __future__ import annotations

from collections.abc import Sequence

from swarmsim.foundation.errors import CommandError
from swarmsim.input.specs import Stack
from swarmsim.input.traces import TraceRow, trace_service
from swarmsim.manager.controlapi import ControlAPI
from swarmsim.simulation.clock import Clock


def schedule_traces(clock: Clock, api: ControlAPI, rows: Sequence[TraceRow]) -> None:
    """Arrange every row's arrival and departure on ``clock``, through ``api``."""
    for row in rows:
        clock.later(row.time, _arrive, api, row)
        if row.duration is not None:
            clock.later(row.time + row.duration, _depart, api, row)


def _arrive(api: ControlAPI, row: TraceRow) -> None:
    try:
        api.deploy_stack(Stack(name=row.stack, services=(trace_service(row),)))
    except CommandError:
        pass  # no leader at that moment: the arrival is lost, as a deploy would fail


def _depart(api: ControlAPI, row: TraceRow) -> None:
    try:
        api.remove_service(row.name)
    except CommandError:
        pass  # never created (no leader at arrival) or no leader now
