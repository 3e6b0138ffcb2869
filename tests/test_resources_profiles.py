"""Usage profiles as step functions: steps repeat, diurnal follows the clock, random
walks stay in bounds and are the same under every placement policy (common random
numbers)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from swarmsim.input.specs import UsageProfile
from swarmsim.resources.profiles import Cursor


def walk(cursor, until):
    out = [(cursor.next_at, cursor.value)]
    while cursor.next_at <= until:
        cursor.advance()
        out.append((cursor.next_at, cursor.value))
    return out


def test_steps_from_the_container_start_and_repeating():
    p = UsageProfile(kind="steps", points=((0.0, 0.2), (60.0, 1.5)), period=100.0)
    c = Cursor(p, 10.0, None)
    assert (c.value, c.next_at) == (0.2, 70.0)
    c.advance()
    assert (c.value, c.next_at) == (1.5, 110.0)
    c.advance()
    assert (c.value, c.next_at) == (0.2, 170.0)


def test_steps_start_late_and_trace_holds_its_last_value():
    c = Cursor(UsageProfile(kind="steps", points=((30.0, 1.0),)), 5.0, None)
    assert (c.value, c.next_at) == (0.0, 35.0)
    c.advance()
    assert (c.value, c.next_at) == (1.0, math.inf)


def test_diurnal_follows_the_cosine_on_the_run_clock():
    p = UsageProfile(kind="diurnal", mean=0.5, amplitude=0.4, period=86400.0,
                     peak=14 * 3600.0, step=3600.0)
    c = Cursor(p, 14 * 3600.0 + 120, None)  # a container started just after the peak
    assert c.value == pytest.approx(0.9)
    assert c.next_at == 15 * 3600.0
    c = Cursor(p, 2 * 3600.0, None)  # 12 h off the peak: the trough
    assert c.value == pytest.approx(0.1)


@settings(max_examples=100, deadline=None)
@given(seed=st.integers(0, 2**32), sigma=st.floats(0.01, 2.0), low=st.floats(0, 1),
       span=st.floats(0.1, 3))
def test_random_walk_stays_within_bounds(seed, sigma, low, span):
    p = UsageProfile(kind="random_walk", value=low, sigma=sigma, step=10.0, low=low,
                     high=low + span)
    values = [v for _t, v in walk(Cursor(p, 0.0, np.random.default_rng(seed)), 500.0)]
    assert all(low <= v <= low + span for v in values)
    assert len(values) == 51
