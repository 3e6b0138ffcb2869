"""Node liveness as a computed deadline (SwarmKit dispatcher: heartbeat 5 s +- 0.5 s,
grace x3)."""

from hypothesis import given
from hypothesis import strategies as st

from swarmsim.manager.liveness import choose_period, detection_deadline

unit = st.floats(min_value=0.0, max_value=1.0, exclude_max=True)


@given(unit)
def test_period_is_five_seconds_plus_minus_half(u):
    assert 4.5 <= choose_period(u) <= 5.5


@given(unit, unit, unit)
def test_a_crash_at_60s_is_noticed_after_68s_and_by_76_5s(u1, u2, u3):
    deadline = detection_deadline(60.0, u1, u2, u3)
    assert 68.0 <= deadline <= 76.5


def test_extremes_by_hand():
    # last heartbeat a full 5.5 s period before the crash, shortest grace 13.5 s
    assert detection_deadline(60.0, 1.0, 1.0, 0.0) == 60.0 - 5.5 + 13.5
    # heartbeat just before the crash, longest grace 16.5 s
    assert detection_deadline(60.0, 0.0, 0.5, 1.0) == 60.0 + 16.5
