"""events.jsonl's lines: the fast writer gives json.dumps's bytes, and the records read
in memory equal what json.loads reads back from the file."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from hypothesis import given
from hypothesis import strategies as st

from swarmsim.app.run import run_scenario
from swarmsim.cluster.state import TaskEvent
from swarmsim.input.scenario import load_scenario
from swarmsim.outputs.files import event_records, write_run
from swarmsim.outputs.jsonlines import EventRecords, TaskLines, event_dict, event_line, of_kind

ROOT = Path(__file__).resolve().parents[1]


def reference(event: Any) -> str:
    """The line as the standard library writes it (the independent expectation)."""
    return json.dumps(event_dict(event), separators=(",", ":"))


class Rec(NamedTuple):
    time: Any
    a: Any
    b: Any
    kind: str = "task"


@dataclass(frozen=True)
class DataRec:
    time: float
    kind: str
    payload: Any


scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.text(),
    st.floats(allow_nan=True, allow_infinity=True),
)
values = st.one_of(scalars, st.lists(scalars, max_size=3),
                   st.dictionaries(st.text(max_size=3), scalars, max_size=3))


@given(values, values, values)
def test_a_line_is_what_json_dumps_writes(t, a, b):
    for event in (Rec(t, a, b), Rec(t, a, b, kind="n\u00e9\"\\"), DataRec(t, "x", a)):
        assert event_line(event) == reference(event)


task_values = st.one_of(st.sampled_from(["web.1", "x", "running", ""]), st.text(max_size=4),
                        st.none(), st.integers(-2, 2), st.booleans())
times = st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(0, 9))


@given(st.lists(st.tuples(times, *[task_values] * 9), min_size=1, max_size=12))
def test_a_task_line_from_the_kept_texts_is_what_json_dumps_writes(rows):
    # one writer for the whole list: texts kept from earlier records (the same task, the
    # same states) must never stand for a record whose values differ in value or type
    lines = TaskLines()
    for row in rows:
        event = TaskEvent(*row)
        assert lines.line(event) == reference(event)
        assert lines.line(event._replace(actual=int(bool(event.actual)))) == reference(
            event._replace(actual=int(bool(event.actual))))


def test_json_words_for_special_floats_and_escapes():
    line = event_line(Rec(math.inf, -math.inf, math.nan))
    assert line == '{"time":Infinity,"kind":"task","a":-Infinity,"b":NaN}'
    assert event_line(Rec(0.1, "\u00e9\n", True)) == (
        '{"time":0.1,"kind":"task","a":"\\u00e9\\n","b":true}')
    assert event_line(Rec(3, None, False)) == '{"time":3,"kind":"task","a":null,"b":false}'


def test_run_records_read_in_memory_equal_the_file(tmp_path):
    result = run_scenario(load_scenario(ROOT / "scenarios" / "crash.yaml"))
    write_run(result, tmp_path)
    lines = (tmp_path / "events.jsonl").read_text(encoding="utf-8").splitlines()
    loaded = [json.loads(line) for line in lines]
    assert lines == [reference(e) for e in result.sim.events]  # through TaskLines
    records = event_records(result)
    assert isinstance(records, EventRecords)
    assert len(records) == len(loaded) == len(result.sim.events)
    assert list(records) == loaded
    assert records[5] == loaded[5] and records[-3:] == loaded[-3:]
    assert records == loaded
    kinds = ("command", "fault", "node")
    assert list(of_kind(records, *kinds)) == list(of_kind(loaded, *kinds)) == [
        e for e in loaded if e["kind"] in kinds]
    failed = list(of_kind(records, "task", "node", task_states=("shutdown",)))
    assert failed == [e for e in loaded if e["kind"] == "node"
                      or (e["kind"] == "task" and e["state"] == "shutdown")]
    assert any(e["kind"] == "task" for e in failed)
