"""Ids drawn in bulk are the ids drawn one by one (a plan that takes its 100,000 task ids
with one ``new_ids`` call names every task as one-by-one calls did), and node addresses."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from swarmsim.foundation.rng import IdFactory


@given(st.lists(st.tuples(st.booleans(), st.integers(0, 700)), max_size=12),
       st.integers(0, 2**32 - 1))
def test_bulk_ids_are_the_ids_drawn_one_by_one(calls, seed):
    one = IdFactory(np.random.default_rng(seed))
    bulk = IdFactory(np.random.default_rng(seed))
    expected: list[str] = []
    got: list[str] = []
    for single, count in calls:  # interleaved single and bulk draws
        expected += [one.new_id() for _ in range(count)]
        got += [bulk.new_id() for _ in range(count)] if single else bulk.new_ids(count)
    assert got == expected


def test_ids_look_like_swarm_ids_and_do_not_repeat():
    ids = IdFactory(np.random.default_rng(0)).new_ids(3000)
    assert len(set(ids)) == 3000
    assert all(len(i) == 25 and set(i) <= set("0123456789abcdefghijklmnopqrstuvwxyz")
               for i in ids)


@given(st.integers(0, 2**32 - 1))
def test_node_addresses_are_printed_as_ipaddress_prints_them(value):
    from ipaddress import IPv4Address

    from swarmsim.input.scenario_nodes import _dotted

    assert _dotted(value) == str(IPv4Address(value))
