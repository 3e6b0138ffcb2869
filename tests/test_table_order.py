"""The plan table's shortcuts against their plain definitions.

``table`` must align as docker's tabwriter does (cell padded with ``ljust`` to the
column's widest cell + 3, at least 10, last column unpadded, trailing blanks cut), and
the plan's task ordering must equal docker's natural sort of the whole task name."""

from __future__ import annotations

import re
from types import SimpleNamespace

from hypothesis import given
from hypothesis import strategies as st

from swarmsim.cli.plan_cmd import HEADERS, _stack_ps, in_table_order, task_order_key
from swarmsim.foundation.text import current_state, natural_key, table, truncate_error


def _reference_table(headers: list[str], rows: list[list[str]]) -> str:
    widths = [max(10, max(len(r[i]) for r in [headers, *rows]) + 3)
              for i in range(len(headers) - 1)]
    out = []
    for row in [headers, *rows]:
        line = "".join(c.ljust(w) for c, w in zip(row[:-1], widths, strict=True)) + row[-1]
        out.append(line.rstrip())
    return "\n".join(out)


cell = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=16)


@given(st.integers(1, 5).flatmap(
    lambda n: st.tuples(st.lists(cell, min_size=n, max_size=n),
                        st.lists(st.lists(cell, min_size=n, max_size=n), max_size=8))))
def test_table_pads_like_ljust(case: tuple[list[str], list[list[str]]]) -> None:
    headers, rows = case
    assert table(headers, rows) == _reference_table(headers, rows)


def test_table_by_hand() -> None:
    got = table(["ID", "NAME", "PORTS"], [["abc", "web.10", ""], ["d", "a-very-long-name", "*:80"]])
    # ID column: 10 (the minimum); NAME column: 16 + 3 = 19
    assert got == ("ID" + " " * 8 + "NAME" + " " * 15 + "PORTS\n"
                   "abc" + " " * 7 + "web.10\n"
                   "d" + " " * 9 + "a-very-long-name" + " " * 3 + "*:80")


name = st.one_of(
    st.builds(lambda s, n: f"{s}.{n}", st.from_regex(r"[a-z0-9_.\-]{0,8}", fullmatch=True),
              st.integers(0, 10**6)),
    st.text(alphabet="ab.19_\u0663", max_size=10),
)


@given(st.lists(name, max_size=30))
def test_task_order_is_natural_sort_of_names(names: list[str]) -> None:
    key = task_order_key()
    tasks = [SimpleNamespace(name=n) for n in names]
    for t in tasks:
        assert key(t) == natural_key(t.name)
    assert [t.name for t in sorted(tasks, key=task_order_key())] == sorted(names, key=natural_key)


def test_natural_key_orders_slots_numerically() -> None:
    names = ["web.10", "web.2", "s1.3", "s10.1", "s2.11"]
    key = task_order_key()
    got = [t.name for t in sorted((SimpleNamespace(name=n) for n in names), key=key)]
    assert got == ["s1.3", "s2.11", "s10.1", "web.2", "web.10"]
    assert re.split(r"(\d+)", "s10.1") == ["s", "10", ".", "1", ""]


# --- the plan's table built a column at a time, against the row-by-row definition ------

def _reference_stack_ps(result, no_trunc: bool) -> str:  # type: ignore[no-untyped-def]
    """The plan's `docker stack ps` as one row per task through ``table``."""
    rows = []
    for t in sorted(result.tasks, key=lambda t: natural_key(t.name)):
        rows.append([
            t.id if no_trunc else t.id[:12], t.name, t.image, t.node or "",
            t.desired_state.capitalize(), current_state(t.state, result.time, result.time),
            (f'"{t.error}"' if t.error else "") if no_trunc else truncate_error(t.error), "",
        ])
    return table(HEADERS, rows)


word = st.text(alphabet="ab9_.\u00e9 ", max_size=12)
planned = st.builds(
    lambda i, n, im, nd, d, s, e: SimpleNamespace(
        id=i, name=n, image=im, node=nd, desired_state=d, state=s, error=e),
    st.text(alphabet="0123456789abcdefghijklmnopqrstuvwxyz", min_size=0, max_size=25),
    name, word, st.one_of(st.none(), word), st.sampled_from(["running", "complete", ""]),
    st.sampled_from(["assigned", "pending", ""]),
    st.one_of(st.just(""), word, st.just("no suitable node (insufficient resources on 3 nodes)")),
)


@given(st.lists(planned, max_size=25), st.booleans())
def test_plan_table_equals_the_row_by_row_table(tasks, no_trunc) -> None:  # type: ignore[no-untyped-def]
    result = SimpleNamespace(tasks=tuple(tasks), time=0.0)
    assert _stack_ps(result, no_trunc=no_trunc) == _reference_stack_ps(result, no_trunc)


@given(st.lists(name, max_size=40))
def test_table_order_without_keys_is_the_natural_sort(names: list[str]) -> None:
    tasks = [SimpleNamespace(name=n, i=i) for i, n in enumerate(names)]
    assert in_table_order(tasks) == sorted(tasks, key=lambda t: natural_key(t.name))


def test_table_order_heads_whose_keys_nest_or_coincide() -> None:
    # "a01" and "a1" have the same natural key (ties keep their order); "a." is a prefix
    # of "a.1.b.": those names interleave; "a" sorts before "a." (keys by hand)
    names = ["a01.2", "a1.1", "a01.1", "a.2", "a.1.b.5", "a.1", "a.10", "x.3", "x.1"]
    tasks = [SimpleNamespace(name=n) for n in names]
    assert [t.name for t in in_table_order(tasks)] == [
        "a1.1", "a01.1", "a01.2", "a.1", "a.1.b.5", "a.2", "a.10", "x.1", "x.3"]
