"""A run's results as the report reads them back from its directory.

Everything here comes from the files ``swarmsim run --out DIR`` wrote (``metrics.csv``,
``tasks.csv``, ``nodes.csv``, ``summary.json``, ``events.jsonl``, ``scenario.json``,
``stack-ps.txt``), so plots and pages never re-run the simulation.
"""

from __future__ import annotations

import json
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from swarmsim.foundation.textfiles import located, open_text
from swarmsim.metrics import collect
from swarmsim.metrics.files import (
    METRICS_CSV,
    NODES_CSV,
    SUMMARY_JSON,
    TASKS_CSV,
    read_metrics,
    read_nodes,
    read_tasks,
)
from swarmsim.metrics.records import NodeRow, TaskRow
from swarmsim.metrics.series import SeriesSet
from swarmsim.outputs.files import event_records, stack_ps_text
from swarmsim.outputs.jsonlines import EventRecords
from swarmsim.report.style import natural_key, service_colors

if TYPE_CHECKING:
    from swarmsim.app.run import RunResult

STACK_PS = "stack-ps.txt"


@dataclass(frozen=True, slots=True)
class TaskChange:
    """One recorded change of a task: time, node (hostname or None), observed and
    desired state, whether its container is alive."""

    time: float
    node: str | None
    state: str
    desired: str
    actual: bool


@dataclass(frozen=True, slots=True)
class TaskAt:
    """A task as the visualizer shows it at one moment."""

    id: str
    name: str
    service: str
    state: str
    actual: bool


@dataclass(frozen=True)
class RunData:
    """The files of one run directory, parsed.

    Attributes:
        series: level series of ``metrics.csv``.
        requests: request tally rows of ``metrics.csv`` (empty without traffic).
        tasks: ``tasks.csv`` rows.
        nodes: ``nodes.csv`` rows.
        summary: ``summary.json``.
        scenario: ``scenario.json``.
        events: every record of ``events.jsonl``.
        stack_ps: the final ``docker stack ps`` output (``stack-ps.txt``).
    """

    series: SeriesSet
    requests: list[tuple[float, str, str, float]]
    tasks: list[TaskRow]
    nodes: list[NodeRow]
    summary: dict[str, Any]
    scenario: dict[str, Any]
    events: Sequence[dict[str, Any]]
    stack_ps: str = ""
    _changes: dict[str, list[TaskChange]] = field(default_factory=dict, repr=False)
    _by_node: dict[str, list[NodeRow]] = field(default_factory=dict, repr=False)
    _visible: dict[float, dict[str, list[TaskAt]]] = field(default_factory=dict, repr=False)

    @classmethod
    def load(cls, directory: str | Path, *,
             events: Sequence[dict[str, Any]] | None = None) -> RunData:
        """Read a run directory (its tables plain or gzipped, ``--out-format``).

        Args:
            directory: written by ``swarmsim run --out``.
            events: the records of its ``events.jsonl`` when the caller has them already
                (:func:`swarmsim.outputs.files.event_records` of the run that wrote it).

        Raises:
            FileNotFoundError: if one of the files the report needs is missing.
        """
        d = Path(directory)
        series, requests = read_metrics(located(d, METRICS_CSV))
        if events is None:
            loaded = []
            with open_text(located(d, "events.jsonl")) as fh:
                for line in fh:
                    if line.strip():
                        loaded.append(json.loads(line))
            events = loaded
        stack_ps = (d / STACK_PS).read_text(encoding="utf-8") if (d / STACK_PS).exists() else ""
        return cls(
            series=series,
            requests=requests,
            tasks=read_tasks(located(d, TASKS_CSV)),
            nodes=read_nodes(d / NODES_CSV),
            summary=json.loads((d / SUMMARY_JSON).read_text(encoding="utf-8")),
            scenario=json.loads((d / "scenario.json").read_text(encoding="utf-8")),
            events=events,
            stack_ps=stack_ps,
        )

    @classmethod
    def from_result(cls, result: RunResult) -> RunData:
        """The same data as :meth:`load` would read back from ``swarmsim run --out``,
        built in memory from a :func:`swarmsim.app.run.run_scenario` result (no files;
        the events are built from the run's records as they are read)."""
        m = collect(result)
        return cls(
            series=m.series,
            requests=list(m.request_rows),
            tasks=list(m.tasks),
            nodes=list(m.nodes),
            summary=json.loads(json.dumps(m.summary)),
            scenario=json.loads(json.dumps(result.scenario.to_dict())),
            events=event_records(result),
            stack_ps=stack_ps_text(result),
        )

    # --- basics ------------------------------------------------------------------------
    @property
    def start(self) -> float:
        """First simulated second."""
        return float(self.summary.get("start", 0.0))

    @property
    def end(self) -> float:
        """Last simulated second."""
        return float(self.summary["end"])

    def node_names(self) -> list[str]:
        """Every node that was ever in the swarm, in natural hostname order."""
        return sorted({r.node for r in self.nodes}, key=natural_key)

    def service_names(self) -> list[str]:
        """Every service with series, in natural order."""
        prefix = "service:"
        names = {e[len(prefix):] for e, _m in self.series.keys() if e.startswith(prefix)}
        return sorted(names, key=natural_key)

    def colors(self) -> dict[str, str]:
        """The colour of each service (shared by every plot and the visualizer)."""
        return service_colors(self.service_names() + sorted({t.service for t in self.tasks}))

    def stacks(self) -> list[str]:
        """Stack names of the scenario."""
        return sorted(self.scenario.get("stacks", {}))

    def node_rows(self, node: str) -> list[NodeRow]:
        """The rows of one node, in time order (grouped once for every node)."""
        if not self._by_node:
            for r in self.nodes:
                self._by_node.setdefault(r.node, []).append(r)
        return self._by_node.get(node, [])

    def capacity(self, node: str) -> tuple[float, int]:
        """(cores, bytes) of a node."""
        rows = self.node_rows(node)
        return (rows[0].cpus, rows[0].memory) if rows else (0.0, 0)

    def node_at(self, node: str, t: float) -> NodeRow | None:
        """The node's last recorded row at or before ``t`` (None before it joined)."""
        found = None
        for r in self.node_rows(node):
            if r.time <= t:
                found = r
        return found

    def down_periods(self, node: str) -> list[tuple[float, float]]:
        """Intervals during which the machine was off (ground truth)."""
        out: list[tuple[float, float]] = []
        since: float | None = None
        for r in self.node_rows(node):
            if not r.alive and since is None:
                since = r.time
            elif r.alive and since is not None:
                out.append((since, r.time))
                since = None
        if since is not None:
            out.append((since, self.end))
        return out

    def on_nodes(self, keep: Sequence[str]) -> RunData:
        """The same run seen through some of its nodes: their rows, the tasks that were
        ever placed on one of them with their changes, every series and every other
        record as they are (what a page too large to use shows instead of the whole)."""
        wanted = set(keep)
        if self._changes:
            changes = {tid: c for tid, c in self._changes.items()
                       if any(x.node in wanted for x in c)}
        else:  # only their tasks' changes are built
            changes = self._changes_of(self._placed_on(wanted))
        return replace(self, nodes=[r for r in self.nodes if r.node in wanted],
                       tasks=[r for r in self.tasks if r.task_id in changes],
                       _changes=changes, _by_node={}, _visible={})

    # --- tasks over time ---------------------------------------------------------------
    def task_changes(self) -> dict[str, list[TaskChange]]:
        """Every task's recorded changes, by task id, in time order."""
        if not self._changes:
            self._changes.update(self._changes_of(None))
        return self._changes

    def _changes_of(self, ids: set[str] | None) -> dict[str, list[TaskChange]]:
        """The recorded changes of every task (of ``ids`` only, when given)."""
        changes: dict[str, list[TaskChange]] = {}
        setdefault, change = changes.setdefault, TaskChange
        if isinstance(self.events, EventRecords):  # a run's own records: no dicts
            for e in self.events.records:
                if getattr(e, "kind", None) == "task" and (ids is None or e.id in ids):
                    setdefault(e.id, []).append(change(
                        float(e.time), e.node, e.state, e.desired_state, bool(e.actual)))
            return changes
        for d in self.events:
            if d.get("kind") == "task" and (ids is None or d["id"] in ids):
                setdefault(d["id"], []).append(change(
                    float(d["time"]), d.get("node"), d["state"], d["desired_state"],
                    bool(d.get("actual"))))
        return changes

    def _placed_on(self, nodes: set[str]) -> set[str]:
        """Ids of the tasks a record places on one of ``nodes``."""
        if isinstance(self.events, EventRecords):
            return {e.id for e in self.events.records
                    if getattr(e, "kind", None) == "task" and e.node in nodes}
        return {d["id"] for d in self.events
                if d.get("kind") == "task" and d.get("node") in nodes}

    def visible_at(self, t: float) -> dict[str, list[TaskAt]]:
        """Tasks the visualizer shows at ``t``, by node: assigned to the node, desired
        state ``running`` (the visualizer's filter), not yet deleted (computed once per
        ``t``)."""
        found = self._visible.get(t)
        if found is None:
            found = self._visible[t] = self._visible_at(t)
        return found

    def _visible_at(self, t: float) -> dict[str, list[TaskAt]]:
        deleted = {r.task_id: r.deleted_at for r in self.tasks}
        names = {r.task_id: (r.name, r.service) for r in self.tasks}
        out: dict[str, list[TaskAt]] = {}
        for tid, (node, c) in self._last_changes(t).items():
            gone = deleted.get(tid)
            if gone is not None and gone <= t:
                continue
            if node is None or c.desired != "running":
                continue
            name, service = names.get(tid, (tid, ""))
            out.setdefault(node, []).append(TaskAt(tid, name, service, c.state, c.actual))
        for tasks in out.values():
            tasks.sort(key=lambda x: natural_key(x.name))
        return out

    def _last_changes(self, t: float) -> dict[str, tuple[str | None, TaskChange]]:
        """Per task with a change at or before ``t``: its node then (the last one a change
        named) and its last change."""
        found: dict[str, tuple[str | None, TaskChange]] = {}
        if self._changes or not isinstance(self.events, EventRecords):
            for tid, changes in self.task_changes().items():
                k = bisect_right([c.time for c in changes], t)
                if k:
                    node = next((x.node for x in reversed(changes[:k]) if x.node), None)
                    found[tid] = (node, changes[k - 1])
            return found
        last: dict[str, Any] = {}  # a run's own records, in time order: one pass, no copies
        where: dict[str, str] = {}
        for e in self.events.records:
            if getattr(e, "kind", None) == "task" and e.time <= t:
                last[e.id] = e
                if e.node:
                    where[e.id] = e.node
        for tid, e in last.items():
            found[tid] = (where.get(tid), TaskChange(float(e.time), e.node, e.state,
                                                     e.desired_state, bool(e.actual)))
        return found


def binned_means(times: list[float], values: list[float], edges: np.ndarray) -> np.ndarray:
    """Time-weighted mean of a step series in each bin ``[edges[i], edges[i+1])``
    (NaN where the series has no value yet)."""
    if not times:
        return np.full(len(edges) - 1, np.nan)
    t = np.asarray(times, dtype=float)
    v = np.asarray(values, dtype=float)
    # integral of the step function from t[0] up to x
    area = np.concatenate(([0.0], np.cumsum(np.diff(t) * v[:-1])))

    def integral(x: np.ndarray) -> np.ndarray:
        idx = np.clip(np.searchsorted(t, x, side="right") - 1, 0, len(t) - 1)
        return np.where(x <= t[0], 0.0, area[idx] + (x - t[idx]) * v[idx])

    lo, hi = edges[:-1], edges[1:]
    covered = np.clip(hi, t[0], None) - np.clip(lo, t[0], None)
    with np.errstate(invalid="ignore", divide="ignore"):
        means = (integral(hi) - integral(lo)) / covered
    return np.where(covered > 0, means, np.nan)
