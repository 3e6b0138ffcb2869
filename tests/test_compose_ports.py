"""Ports: short syntax as go-connections' ParsePortSpec reads it, and docker/cli's conversion.

Expectations come from compose-deploy.md section 3.4 and from docker's own output
recorded in compose-cases.json (cases ``ports_more`` and ``ports_range_to_single``).
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from swarmsim.compose.ports import (
    convert_ports,
    is_port_spec,
    logrus_warning,
    parse_port_spec,
    port_decode_errors,
)
from swarmsim.input.specs import PortConfig


def test_host_to_container():
    assert parse_port_spec("8080:80") == [PortConfig(target=80, published=8080)]


def test_container_only_is_published_zero_for_the_swarm_to_assign():
    assert parse_port_spec("80") == [PortConfig(target=80, published=0)]


def test_host_range_with_one_container_port_expands_per_host_port():
    # docker's converted spec for "9000-9002:9000": three ports, all targeting 9000
    assert parse_port_spec("9000-9002:9000") == [
        PortConfig(target=9000, published=9000),
        PortConfig(target=9000, published=9001),
        PortConfig(target=9000, published=9002),
    ]


def test_matching_ranges_pair_up():
    assert parse_port_spec("8000-8001:80-81/udp") == [
        PortConfig(target=80, published=8000, protocol="udp"),
        PortConfig(target=81, published=8001, protocol="udp"),
    ]


def test_container_range_alone():
    assert parse_port_spec("7100-7101") == [
        PortConfig(target=7100, published=0),
        PortConfig(target=7101, published=0),
    ]


@pytest.mark.parametrize(
    ("spec", "proto"), [("80/TCP", "tcp"), ("80/Udp", "udp"), ("80/sctp", "sctp")]
)
def test_protocol_is_case_insensitive(spec, proto):
    assert parse_port_spec(spec) == [PortConfig(target=80, published=0, protocol=proto)]


def test_host_ip_is_dropped_with_docker_warning_text():
    warnings: list[str] = []
    assert parse_port_spec("127.0.0.1::5000", warnings) == [PortConfig(target=5000, published=0)]
    assert warnings == [
        'level=warning msg="ignoring IP-address (127.0.0.1::5000/tcp) '
        "service will listen on '0.0.0.0'\""
    ]


def test_ipv6_host_ip_warning_uses_brackets():
    warnings: list[str] = []
    assert parse_port_spec("[::1]:7000:7000", warnings) == [PortConfig(7000, 7000)]
    assert warnings == [
        'level=warning msg="ignoring IP-address ([::1]:7000:7000/tcp) '
        "service will listen on '0.0.0.0'\""
    ]


def test_unbracketed_ipv6_is_everything_before_the_last_two_parts():
    warnings: list[str] = []
    assert parse_port_spec("::1:6000:6000", warnings) == [PortConfig(6000, 6000)]
    assert len(warnings) == 1


def test_unspecified_ip_gives_no_warning():
    warnings: list[str] = []
    assert parse_port_spec("0.0.0.0:80:80", warnings) == [PortConfig(80, 80)]
    assert warnings == []


def test_logrus_escapes_quotes():
    assert logrus_warning('a "b"') == 'level=warning msg="a \\"b\\""'


@pytest.mark.parametrize(
    "spec",
    [
        "80:80/http",  # unknown protocol
        "8000-8010:80-85",  # ranges of different lengths
        "81-80",  # descending range
        "65536",
        "-1",
        " 80",
        "80 ",
        "",
        "80:",
        "300.1.1.1:80:80",  # not an IP
        "[::1:80:80",
        "a:80",
    ],
)
def test_invalid_short_specs(spec):
    with pytest.raises(ValueError):
        parse_port_spec(spec)
    assert not is_port_spec(spec)


def test_error_message_names_the_part():
    with pytest.raises(ValueError, match="invalid proto: http"):
        parse_port_spec("80:80/http")
    with pytest.raises(ValueError, match="invalid ranges specified for container and host Ports"):
        parse_port_spec("8000-8010:80-85")


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("80", True),
        (80, True),
        (80.5, True),  # numerator of 161/2 is 161: passes the schema, fails decoding later
        (0.5, True),  # 1/2 -> "1"
        (65535.5, False),  # 131071/2 -> "131071" is out of range
        (-80, False),
        (1e3, True),
        (True, False),
        (None, False),
        (float("nan"), False),
    ],
)
def test_schema_ports_format(value, ok):
    assert is_port_spec(value) is ok


def test_service_ports_sorted_like_docker_and_normalised_like_the_daemon():
    # compose-cases.json `ports_more`: docker sorts by published, target, protocol, mode
    warnings: list[str] = []
    ports = convert_ports(
        ["127.0.0.1::5000", "6000:6000/sctp", "[::1]:7000:7000", "7100-7101"], warnings
    )
    assert ports == (
        PortConfig(5000, 0, "tcp", "ingress"),
        PortConfig(7100, 0, "tcp", "ingress"),
        PortConfig(7101, 0, "tcp", "ingress"),
        PortConfig(6000, 6000, "sctp", "ingress"),
        PortConfig(7000, 7000, "tcp", "ingress"),
    )
    assert len(warnings) == 2


def test_long_syntax_defaults_and_daemon_normalisation():
    ports = convert_ports(
        [
            {"target": 80, "published": 80, "mode": "bridge"},  # unknown mode -> ingress
            {"target": 53, "protocol": "UDP", "mode": "host", "published": 53},
            {"target": 9000},
        ]
    )
    assert ports == (
        PortConfig(9000, 0, "tcp", "ingress"),
        PortConfig(53, 53, "udp", "host"),
        PortConfig(80, 80, "tcp", "ingress"),
    )


def test_integer_item_is_a_short_spec():
    assert convert_ports([80]) == (PortConfig(80, 0),)


def test_decode_error_for_float_item():
    assert port_decode_errors(["8080:80", 80.5]) == [("Ports", "invalid type float64 for port", 1)]


def test_decode_error_for_negative_long_fields_uses_expanded_index():
    errors = port_decode_errors(["9000-9001:9000", {"target": -1, "published": -2}])
    assert errors == [
        ("Ports[2].Target", "cannot parse value as 'uint32': -1 overflows uint", 1),
        ("Ports[2].Published", "cannot parse value as 'uint32': -2 overflows uint", 1),
    ]


@given(
    host=st.integers(min_value=1, max_value=60000),
    width=st.integers(min_value=0, max_value=20),
    target=st.integers(min_value=1, max_value=65535),
)
def test_host_range_count_and_targets(host, width, target):
    ports = parse_port_spec(f"{host}-{host + width}:{target}")
    assert [p.published for p in ports] == list(range(host, host + width + 1))
    assert {p.target for p in ports} == {target}


@given(st.text(alphabet="0123456789:-/tcpudTCP[].", max_size=14))
def test_format_check_agrees_with_parser(text):
    try:
        parse_port_spec(text)
        parsed = True
    except ValueError:
        parsed = False
    assert is_port_spec(text) is parsed
