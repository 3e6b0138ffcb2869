"""The metrics files of ``swarmsim run --out DIR``, written and read with the standard
library only: ``metrics.csv`` (long format: time, entity, metric, value), ``tasks.csv``
(one row per task), ``nodes.csv`` (one row per node change) and ``summary.json``.

Numbers are written in Python's shortest round-tripping form; an empty cell is "none".
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from dataclasses import fields
from operator import attrgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any

from swarmsim.foundation.jsontext import dumps_indented
from swarmsim.foundation.textfiles import GZ, open_text
from swarmsim.metrics.records import NodeRow, TaskRow
from swarmsim.metrics.requests import TALLY_METRICS
from swarmsim.metrics.series import SeriesSet

if TYPE_CHECKING:
    from swarmsim.metrics import RunMetrics

METRICS_CSV = "metrics.csv"
TASKS_CSV = "tasks.csv"
NODES_CSV = "nodes.csv"
SUMMARY_JSON = "summary.json"

Row = tuple[float, str, str, float]

_TASK_FIELDS = [f.name for f in fields(TaskRow)]
_NODE_FIELDS = [f.name for f in fields(NodeRow)]
_TASK_FLOATS = {"created", "pending_at", "assigned_at", "running_at", "container_start",
                "container_end", "stopped_at", "deleted_at", "ended_at", "pending_time"}
_TASK_INTS = {"slot", "spec_version", "exit_code"}


def _cell(value: Any) -> str:
    if type(value) is float:  # the most frequent: the same text as below
        return repr(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if hasattr(value, "item") and not isinstance(value, str):  # a numpy scalar
        value = value.item()
    if isinstance(value, float):
        return repr(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    return str(value)


class _Cells(dict[float, str]):
    """The text of each float written so far (a run's times and levels repeat)."""

    def __missing__(self, value: float) -> str:
        text = self[value] = _cell(value)
        return text


def _write(path: Path, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Path:
    as_is = (str, int, type(None))  # what the csv writer writes as _cell would
    floats = _Cells()  # keyed by floats only: True == 1.0 would share a key
    with open_text(path, "w") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(header)
        w.writerows([v if type(v) in as_is else floats[v] if type(v) is float else _cell(v)
                     for v in row] for row in rows)
    return path


def write_metrics(metrics: RunMetrics, out_dir: str | Path, *,
                  compress: bool = False) -> list[Path]:
    """Write ``metrics.csv``, ``tasks.csv``, ``nodes.csv`` and ``summary.json``; with
    ``compress``, the two large tables gzip-compressed (``metrics.csv.gz``,
    ``tasks.csv.gz``)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    gz = GZ if compress else ""
    paths = [
        _write(out / (METRICS_CSV + gz), ("time", "entity", "metric", "value"), metrics.rows()),
        _write(out / (TASKS_CSV + gz), _TASK_FIELDS, map(attrgetter(*_TASK_FIELDS),
                                                         metrics.tasks)),
        _write(out / NODES_CSV, _NODE_FIELDS, map(attrgetter(*_NODE_FIELDS), metrics.nodes)),
    ]
    summary = out / SUMMARY_JSON
    summary.write_text(dumps_indented(metrics.summary) + "\n", encoding="utf-8")
    paths.append(summary)
    return paths


def _num(text: str) -> float | None:
    return None if text == "" else float(text)


def _int(text: str) -> int | None:
    return None if text == "" else int(float(text))


def read_metrics(path: str | Path) -> tuple[SeriesSet, list[Row]]:
    """``metrics.csv`` (or ``metrics.csv.gz``) as (level series, request tally rows)."""
    levels: list[Row] = []
    tallies: list[Row] = []
    with open_text(path) as fh:
        for rec in csv.DictReader(fh):
            row = (float(rec["time"]), rec["entity"], rec["metric"], float(rec["value"]))
            (tallies if row[2] in TALLY_METRICS else levels).append(row)
    return SeriesSet.from_rows(levels), tallies


def read_tasks(path: str | Path) -> list[TaskRow]:
    """``tasks.csv`` (or ``tasks.csv.gz``) as :class:`TaskRow` records."""
    out = []
    with open_text(path) as fh:
        for rec in csv.DictReader(fh):
            values: dict[str, Any] = {}
            for name in _TASK_FIELDS:
                text = rec[name]
                if name in _TASK_FLOATS:
                    values[name] = _num(text)
                elif name in _TASK_INTS:
                    values[name] = _int(text)
                else:
                    values[name] = text
            values["pending_time"] = values["pending_time"] or 0.0
            values["spec_version"] = values["spec_version"] or 0
            values["slot"] = values["slot"] or 0
            out.append(TaskRow(**values))
    return out


def read_nodes(path: str | Path) -> list[NodeRow]:
    """``nodes.csv`` as :class:`NodeRow` records."""
    out = []
    with Path(path).open(encoding="utf-8", newline="") as fh:
        for rec in csv.DictReader(fh):
            out.append(NodeRow(
                time=float(rec["time"]), node=rec["node"], role=rec["role"],
                status=rec["status"], availability=rec["availability"],
                alive=rec["alive"] == "true", in_swarm=rec["in_swarm"] == "true",
                cpus=float(rec["cpus"]), memory=int(float(rec["memory"])),
                message=rec["message"],
            ))
    return out
