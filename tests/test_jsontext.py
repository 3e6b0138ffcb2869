"""dumps_indented writes json.dumps(value, indent=2)'s text (the standard library is
the expectation), for any JSON value and the Python values json accepts."""

from __future__ import annotations

import enum
import json
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from swarmsim.foundation.jsontext import dumps_indented

scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.text(),
                    st.floats(allow_nan=True, allow_infinity=True))
keys = st.one_of(st.text(), st.integers(), st.floats(allow_nan=False), st.booleans(),
                 st.none())
documents = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.tuples(inner, inner),
                            st.dictionaries(keys, inner, max_size=4)),
    max_leaves=30,
)


@given(documents)
def test_same_text_as_json_dumps(doc):
    assert dumps_indented(doc) == json.dumps(doc, indent=2)


def test_written_in_blocks_the_same_text(monkeypatch):
    from swarmsim.foundation import jsontext

    monkeypatch.setattr(jsontext, "_BLOCK", 7)
    doc = {"tasks": [{"id": i, "x": [i, {"y": None}]} for i in range(50)], "n": [[1], []]}
    blocks: list[str] = []

    class Sink:
        def write(self, text: str) -> None:
            blocks.append(text)

    jsontext.dump_indented(doc, Sink())  # type: ignore[arg-type]
    assert len(blocks) > 10
    assert "".join(blocks) == json.dumps(doc, indent=2)
    blocks.clear()  # records of scalars (one template) are written in blocks too
    flat = {"tasks": [{"id": i, "name": f"t{i}", "up": i % 2 == 0} for i in range(50)]}
    jsontext.dump_indented(flat, Sink())  # type: ignore[arg-type]
    assert len(blocks) > 5
    assert "".join(blocks) == json.dumps(flat, indent=2)


class Level(enum.IntEnum):
    LOW = 1


class Name(str):
    pass


def test_subclasses_special_floats_and_empty_containers():
    doc = {"a": [], "b": {}, "c": [math.nan, math.inf, -math.inf, -0.0, 1e300],
           1.5: Level.LOW, Name("x"): Name("\u00e9\t"), "t": (1, [2, {"k": None}])}
    assert dumps_indented(doc) == json.dumps(doc, indent=2)
    assert dumps_indented([]) == "[]" and dumps_indented("s") == '"s"'


def test_what_json_refuses_is_refused():
    with pytest.raises(TypeError):
        dumps_indented({"a": {1, 2}})
    with pytest.raises(TypeError):
        dumps_indented({(1, 2): 3})


@given(st.lists(st.dictionaries(st.sampled_from(["id", "%s", "%", "n\u00e9", "a"]), scalars,
                                min_size=1, max_size=4), max_size=6))
def test_lists_of_records_share_templates_and_write_json_dumps_text(records):
    # records of one shape share one template: a key like "%s" and values of another
    # type (1 and True, 1.0 and 1) must never be written through the wrong one
    doc = {"tasks": records, "again": [dict(r) for r in records]}
    assert dumps_indented(doc) == json.dumps(doc, indent=2)
    swapped = [{k: (int(v) if type(v) is bool else v) for k, v in r.items()} for r in records]
    assert dumps_indented(swapped) == json.dumps(swapped, indent=2)
