"""Files a run writes with ``--out DIR``: ``events.jsonl``, ``final.json``,
``scenario.json``."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import fields
from operator import attrgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any

from swarmsim.snapshot import snapshot

if TYPE_CHECKING:
    from swarmsim.run import RunResult


#: one encoder for every line of ``events.jsonl`` (``json.dumps`` with options builds one
#: per call)
_LINE = json.JSONEncoder(separators=(",", ":"))


#: per record type: its keys in output order, and a getter of their values
_LAYOUTS: dict[type, tuple[tuple[str, ...], Callable[[Any], tuple[Any, ...]]]] = {}


def event_dict(event: Any) -> dict[str, Any]:
    """A record as one JSON object: ``time`` and ``kind`` first, then its fields."""
    layout = _LAYOUTS.get(type(event))
    if layout is None:
        names = event._fields if hasattr(event, "_fields") else [f.name for f in fields(event)]
        keys = ("time", "kind", *[n for n in names if n not in ("time", "kind")])
        layout = _LAYOUTS[type(event)] = (keys, attrgetter(*keys))
    keys, values = layout
    return dict(zip(keys, values(event), strict=True))


_PLAIN = (str, int, float, bool)


def event_records(result: RunResult) -> list[dict[str, Any]]:
    """Every record of ``events.jsonl`` as ``json.loads`` reads its lines back, built
    without the text round trip where a record holds only plain values."""
    out = []
    for event in result.sim.events:
        d = event_dict(event)
        if not all(v is None or type(v) in _PLAIN for v in d.values()):
            d = json.loads(_LINE.encode(d))
        out.append(d)
    return out


def final_document(result: RunResult) -> dict[str, Any]:
    """The ``--json`` document of a run: the swarm at the final time (with a workload,
    also its ``requests`` and ``requests_by_service`` figures)."""
    from swarmsim.workload.summary import traffic_document  # noqa: PLC0415

    return {**snapshot(result.sim), **traffic_document(result.sim)}


def write_run(result: RunResult, out_dir: str | Path) -> list[Path]:
    """Write a run's files into ``out_dir`` (created if needed); returns their paths."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    events = out / "events.jsonl"
    with events.open("w", encoding="utf-8") as fh:
        for event in result.sim.events:
            fh.write(_LINE.encode(event_dict(event)) + "\n")
    final = out / "final.json"
    final.write_text(json.dumps(final_document(result), indent=2) + "\n", encoding="utf-8")
    scenario = out / "scenario.json"
    scenario.write_text(json.dumps(result.scenario.to_dict(), indent=2) + "\n", encoding="utf-8")
    from swarmsim.workload.report import write_traffic_csv  # noqa: PLC0415

    return [events, final, scenario, *write_traffic_csv(result.sim, out)]
