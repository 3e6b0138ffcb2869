"""Value formats against the tables of docker's own behaviour (Go ParseDuration,
go-units RAMInBytes, docker's ParseCPUs)."""

import pytest

from swarmsim.foundation.units import (
    format_duration,
    is_duration,
    parse_bytes,
    parse_cpus,
    parse_duration,
)


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("5s", 5.0),
        ("1m30s", 90.0),
        ("10ms", 0.01),
        ("1.5h", 5400.0),
        (".5s", 0.5),
        ("5.s", 5.0),
        ("2us", 2e-6),
        ("2\u00b5s", 2e-6),
        ("100ns", 1e-7),
        ("1h1h", 7200.0),
        ("+5s", 5.0),
        ("0", 0.0),
        ("-5s", -5.0),
        ("0.0000000001s", 0.0),
    ],
)
def test_go_durations_accepted(text, seconds):
    assert parse_duration(text) == pytest.approx(seconds)
    assert is_duration(text)


@pytest.mark.parametrize("text", ["00", "5", "1m30", "5S", "5 s", "1d", "1e3s", "9999999999h", ""])
def test_go_durations_rejected(text):
    assert not is_duration(text)
    with pytest.raises(ValueError, match="time: "):
        parse_duration(text)


def test_missing_unit_message_is_go_s():
    with pytest.raises(ValueError, match=r'^time: missing unit in duration "1m30"$'):
        parse_duration("1m30")


def test_non_string_is_not_a_duration():
    assert not is_duration(10)


@pytest.mark.parametrize(
    ("text", "size"),
    [
        ("50M", 52_428_800),
        ("50m", 52_428_800),
        ("50MB", 52_428_800),
        ("50mb", 52_428_800),
        ("50MiB", 52_428_800),
        ("1g", 1_073_741_824),
        ("1 GB", 1_073_741_824),
        ("1.5GB", 1_610_612_736),
        ("0.5g", 536_870_912),
        ("512m", 536_870_912),
        ("1k", 1024),
        ("1KIB", 1024),
        ("1T", 1_099_511_627_776),
        ("1p", 1_125_899_906_842_624),
        ("512", 512),
        ("512B", 512),
        ("2048", 2048),
        ("100 k", 102_400),
        ("1.5", 1),
        ("0.1m", 104_857),
    ],
)
def test_ram_in_bytes(text, size):
    assert parse_bytes(text) == size


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("50X", "invalid suffix: 'x'"),
        ("1e", "invalid suffix: 'e'"),
        ("5kk", "invalid suffix: 'kk'"),
        ("1bb", "invalid suffix: 'bb'"),
        ("1ki", "invalid suffix: 'ki'"),
        ("lots", "invalid size: 'lots'"),
        ("-1", "invalid size: '-1'"),
        ("-1m", "invalid size: '-1m'"),
        (" 1g", 'strconv.ParseFloat: parsing " 1": invalid syntax'),
        ("1,5g", 'strconv.ParseFloat: parsing "1,5": invalid syntax'),
    ],
)
def test_ram_in_bytes_errors(text, message):
    with pytest.raises(ValueError) as info:
        parse_bytes(text)
    assert str(info.value) == message


@pytest.mark.parametrize(
    ("text", "nano"),
    [("0.5", 500_000_000), ("1/2", 500_000_000), ("2", 2_000_000_000), ("1.50", 1_500_000_000),
     ("0.1", 100_000_000), ("", 0)],
)
def test_cpus(text, nano):
    assert parse_cpus(text) == nano


def test_cpus_errors():
    with pytest.raises(ValueError, match=r"^failed to parse half as a rational number$"):
        parse_cpus("half")
    with pytest.raises(ValueError, match=r"^value is too precise$"):
        parse_cpus("0.0000000001")


@pytest.mark.parametrize(
    ("seconds", "text"), [(90, "1m30s"), (0.5, "500ms"), (0, "0s"), (3600, "1h0m0s"), (5, "5s")]
)
def test_format_duration_like_go(seconds, text):
    assert format_duration(seconds) == text
