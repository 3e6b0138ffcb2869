"""docker CLI text: go-units HumanDuration, the ERROR column, natural sort, tabwriter."""

import pytest

from swarmsim.foundation.text import (
    current_state,
    human_duration,
    natural_key,
    table,
    truncate_error,
)


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0.4, "Less than a second"),
        (1, "1 second"),
        (44, "44 seconds"),
        (60, "About a minute"),
        (119, "About a minute"),
        (120, "2 minutes"),
        (3599, "59 minutes"),
        (3600, "About an hour"),
        (5400, "2 hours"),
        (47 * 3600, "47 hours"),
        (48 * 3600, "2 days"),
        (15 * 86400, "2 weeks"),
        (90 * 86400, "3 months"),
        (800 * 86400, "2 years"),
    ],
)
def test_human_duration(seconds, text):
    assert human_duration(seconds) == text


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        # go-units duration.go: hours := int(d.Hours() + 0.5), half rounds up, not to even
        (2.5 * 3600, "3 hours"),
        (4.5 * 3600, "5 hours"),
        (1.5 * 3600 - 0.5, "About an hour"),  # 1.49986 h + 0.5 truncates to 1
        (47.5 * 3600, "2 days"),  # int(48.0) is not < 48
        # the years branch divides int(d.Hours()), not the rounded hours: 17519.5 h rounds
        # to 17520 (not < 24*365*2), then int(17519.5)/24/365 == 1
        (17519.5 * 3600, "1 years"),
    ],
)
def test_human_duration_rounds_hours_as_go_units(seconds, text):
    assert human_duration(seconds) == text


def test_current_state_reads_like_docker_service_ps():
    assert current_state("running", 10.0, 54.0) == "Running 44 seconds ago"
    assert current_state("pending", 0.0, 0.0) == "Pending less than a second ago"
    assert current_state("running", 0.0, 70.0) == "Running about a minute ago"


def test_error_column_is_quoted_and_cut_at_30_characters():
    err = "no suitable node (insufficient resources on 1 node)"
    assert truncate_error(err) == '"no suitable node (insufficien\u2026"'
    assert truncate_error("short") == '"short"'
    assert truncate_error("") == ""


def test_natural_sort():
    names = ["web.10", "web.2", "web.1", "api.3"]
    assert sorted(names, key=natural_key) == ["api.3", "web.1", "web.2", "web.10"]


def test_tabwriter_alignment():
    out = table(["ID", "NAME"], [["abc", "x"], ["abcdefghijkl", "y"]])
    lines = out.splitlines()
    # column width = longest cell + padding 3, at least 10
    assert lines[0] == "ID" + " " * 13 + "NAME"
    assert lines[2] == "abcdefghijkl   y"
    assert lines[1].index("x") == 15
