"""docker's log timestamps (``docker service logs -t``), one formatter for the shell and
the API server: moby's ``RFC3339NanoFixed``, ``2006-01-02T15:04:05.000000000Z07:00``
(``daemon/server/httputils/logstream/logstream.go``; ``client/pkg/jsonmessage``), in UTC
as the log copier stamps lines (``daemon/logger/copier.go``: ``time.Now().UTC()``)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st

from swarmsim.api.logs import _timestamp
from swarmsim.foundation import defaults
from swarmsim.foundation.text import rfc3339_nano_fixed
from swarmsim.shell.logs import fixed_stamp

EPOCH = datetime.fromisoformat(defaults.SIM_EPOCH).timestamp()


def test_the_layout_by_hand():
    # Go's layout: 2006 year, 01 month, 02 day, T, 15:04:05, .000000000 nine digits
    # padded with zeros, Z07:00 printing Z for UTC
    at = datetime(2026, 3, 4, 5, 6, 7, 50_000, tzinfo=UTC)
    assert rfc3339_nano_fixed(at) == "2026-03-04T05:06:07.050000000Z"
    assert rfc3339_nano_fixed(at.replace(microsecond=0)) == "2026-03-04T05:06:07.000000000Z"
    assert rfc3339_nano_fixed(at.replace(microsecond=1)) == "2026-03-04T05:06:07.000001000Z"
    # another zone is written as the UTC instant (the daemon stamps lines in UTC)
    plus_one = datetime(2026, 1, 1, 0, 30, tzinfo=timezone(timedelta(hours=1)))
    assert rfc3339_nano_fixed(plus_one) == "2025-12-31T23:30:00.000000000Z"


# hypothesis takes naive bounds and adds the zone itself
NAIVE_MIN, NAIVE_MAX = datetime(1970, 1, 2), datetime(9999, 12, 30)  # noqa: DTZ001


@given(st.datetimes(min_value=NAIVE_MIN, max_value=NAIVE_MAX, timezones=st.just(UTC)))
def test_fixed_width_and_read_back(at):
    text = rfc3339_nano_fixed(at)
    # moby integration-cli TestLogsTimestamps: "ensure we have padded 0's", l[29] == 'Z'
    assert len(text) == 30 and text[29] == "Z" and text[26:29] == "000"
    assert datetime.strptime(text[:26], "%Y-%m-%dT%H:%M:%S.%f").replace(tzinfo=UTC) == at


def test_the_shell_and_the_api_server_stamp_an_instant_alike():
    # the server's stamp once read the nanoseconds off a float (07.049999872Z)
    for at in (0.0, 7.05, 59.999999, 3600.25, 86_400.000_001):
        assert _timestamp(EPOCH + at) == fixed_stamp(at)
    assert fixed_stamp(7.05) == "2026-01-01T00:00:07.050000000Z"
