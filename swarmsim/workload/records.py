"""Per-request records, kept as growing numpy columns (one row per request).

A request ends in one of four outcomes: ``ok`` (answered within the client's
timeout), ``timeout`` (no answer in time: a dead entry node, a dead backend still in
the balancer, a reply too slow), ``refused`` (nothing listens: no backend in the
balancer, a host-mode port on a node without a task, a machine outside the swarm) or
``rejected`` (the task's waiting room was full).  ``end`` is when the client learns
the outcome; a request whose ``end`` is after the current time is still in flight.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

OK, TIMEOUT, REFUSED, REJECTED = 0, 1, 2, 3
OUTCOMES = ("ok", "timeout", "refused", "rejected")

_COLUMNS: dict[str, type] = {
    "send": np.float64,  # when the client sent it
    "end": np.float64,  # when the client learns the outcome
    "latency": np.float64,  # end - send
    "workload": np.int32,  # index into the scenario's workloads
    "entry": np.int32,  # machine index of the entry node
    "service": np.int32,  # service index (-1: no such service)
    "task": np.int32,  # task index (-1: never reached a task)
    "node": np.int32,  # machine index of the task's node (-1: none)
    "outcome": np.int8,  # OK | TIMEOUT | REFUSED | REJECTED
}


@dataclass(frozen=True, slots=True)
class Columns:
    """A read-only view of the first ``n`` records, one array per column."""

    send: np.ndarray
    end: np.ndarray
    latency: np.ndarray
    workload: np.ndarray
    entry: np.ndarray
    service: np.ndarray
    task: np.ndarray
    node: np.ndarray
    outcome: np.ndarray

    def __len__(self) -> int:
        return len(self.send)


class RequestLog:
    """Every request of a run, appended batch by batch; rows are request ids."""

    def __init__(self, capacity: int = 1024) -> None:
        self._data: dict[str, np.ndarray] = {
            name: np.empty(capacity, dtype=dt) for name, dt in _COLUMNS.items()
        }
        self.size = 0

    def append(self, **columns: np.ndarray) -> np.ndarray:
        """Add a batch (every column, same length); returns the new rows' ids."""
        n = len(columns["send"])
        need = self.size + n
        if need > len(self._data["send"]):
            self.reserve(max(need, 2 * len(self._data["send"])))
        for name in _COLUMNS:
            self._data[name][self.size:need] = columns[name]
        ids = np.arange(self.size, need)
        self.size = need
        return ids

    def reserve(self, capacity: int) -> None:
        """Make room for ``capacity`` records in all (appending up to there copies
        nothing; memory the records do not fill is never touched)."""
        if capacity <= len(self._data["send"]):
            return
        for name, old in self._data.items():
            grown = np.empty(capacity, dtype=old.dtype)
            grown[: self.size] = old[: self.size]
            self._data[name] = grown

    def column(self, name: str) -> np.ndarray:
        """One column of the records so far (a view: writing to it changes the log)."""
        return self._data[name][: self.size]

    def view(self) -> Columns:
        """Every column of the records so far."""
        return Columns(**{name: self.column(name) for name in _COLUMNS})

    def time_out(self, ids: np.ndarray, timeout: np.ndarray) -> None:
        """Requests ``ids`` get no answer after all: the client times out."""
        d = self._data
        d["outcome"][ids] = TIMEOUT
        d["latency"][ids] = timeout
        d["end"][ids] = d["send"][ids] + timeout
