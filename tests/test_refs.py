"""A reference finds a swarm object as moby's daemon/cluster/helpers.go does: the full
id first, then the name, then a unique id prefix."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from swarmsim.foundation.refs import find_one

ITEMS = [("abc123", "web"), ("abd456", "abc123x"), ("fff000", "abc")]


class Refused(Exception):
    def __init__(self, message: str, ambiguous: bool) -> None:
        super().__init__(message)
        self.ambiguous = ambiguous


def _find(ref: str, items=ITEMS):
    return find_one("service", ref, items, lambda i: i[0], lambda i: i[1], Refused)


def test_the_full_id_comes_before_a_name_and_a_name_before_a_prefix():
    assert _find("abc123") == ("abc123", "web")
    assert _find("abc") == ("fff000", "abc")  # a name, although two ids start with it
    assert _find("web") == ("abc123", "web")
    assert _find("abd") == ("abd456", "abc123x")


def test_an_ambiguous_prefix_and_a_missing_object_are_refused_in_docker_words():
    with pytest.raises(Refused, match=r"^service ab is ambiguous \(2 matches found\)$") as info:
        _find("ab")
    assert info.value.ambiguous
    with pytest.raises(Refused, match=r"^service zzz not found$") as info:
        _find("zzz")
    assert not info.value.ambiguous
    with pytest.raises(Refused, match="not found"):
        _find("", [("abc123", "web")])  # an empty reference is no prefix of anything


@given(st.lists(st.tuples(st.text("abc", min_size=1, max_size=4),
                          st.text("abc", min_size=1, max_size=4)), max_size=6),
       st.text("abc", max_size=4))
def test_what_is_found_is_named_by_the_ref_at_the_first_level_that_matches(items, ref):
    levels = ([i for i in items if i[0] == ref], [i for i in items if i[1] == ref],
              [i for i in items if ref and i[0].startswith(ref)])
    first = next((lv for lv in levels if lv), [])
    try:
        found = _find(ref, items)
    except Refused as err:
        assert len(first) != 1 and err.ambiguous == (len(first) > 1)
    else:
        assert first == [found]
