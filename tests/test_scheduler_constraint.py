"""Constraint parsing and matching, against SwarmKit's ``manager/constraint`` rules."""

from __future__ import annotations

import pytest

from swarmsim.input.specs import NodeSpec, Platform
from swarmsim.scheduler import Constraint, node_matches, parse_constraints


def node(**kw) -> NodeSpec:
    base = dict(
        name="node-1",
        id="abc123",
        role="worker",
        addr="192.168.1.5",
        labels=(("zone", "East"), ("Tier", "web")),
        engine_labels=(("disk", "ssd"),),
        platform=Platform("linux", "x86_64"),
    )
    base.update(kw)
    return NodeSpec(**base)


def matches(expr: str, n: NodeSpec | None = None) -> bool:
    return node_matches(parse_constraints([expr]), n or node())


# --- parsing ----------------------------------------------------------------------------


def test_parse_trims_spaces_around_key_and_value():
    assert parse_constraints(["  node.labels.zone  ==  east coast "]) == [
        Constraint("node.labels.zone", "==", "east coast")
    ]
    assert parse_constraints(["node.role!=manager"]) == [Constraint("node.role", "!=", "manager")]


def test_parse_several_in_order():
    got = parse_constraints(["node.role==worker", "engine.labels.disk != hdd"])
    assert [c.key for c in got] == ["node.role", "engine.labels.disk"]
    assert [c.operator for c in got] == ["==", "!="]


@pytest.mark.parametrize(
    ("expr", "message"),
    [
        ("node.role=manager", "constraint expected one operator from ==, !="),
        ("node.role", "constraint expected one operator from ==, !="),
        ("node.role==", "value '' is invalid"),
        ("==manager", "key '' is invalid"),
        ("a==b", "key 'a' is invalid"),  # a key needs at least two characters
        ("1node==x", "key '1node' is invalid"),
        ("node role==x", "key 'node role' is invalid"),
        ("node.role==man@ger", "value 'man@ger' is invalid"),
        ("node.labels.x==a,b", "value 'a,b' is invalid"),
        ("node.labels.x==a>b", "value 'a>b' is invalid"),
        # "==" is tried first, so the key of this one is "a!=b"
        ("a!=b==c", "key 'a!=b' is invalid"),
        # a value may not contain another operator: "x==y" is split at the first "=="
        ("node.labels.a==x==y", "value 'x==y' is invalid"),
    ],
)
def test_parse_errors_use_swarmkit_messages(expr, message):
    with pytest.raises(ValueError, match=f"^{message.replace('(', '[(]').replace(')', '[)]')}$"):
        parse_constraints([expr])


def test_parse_error_stops_at_first_bad_expression():
    with pytest.raises(ValueError, match="value '!' is invalid"):
        parse_constraints(["node.role==worker", "node.id==!", "bad"])


def test_value_may_hold_regex_like_characters_and_paths():
    value = r"/a/b:c-d_e.f*(g)?+[h]\^$|i j"
    assert parse_constraints([f"node.labels.p=={value}"])[0].exp == value


def test_re2_character_classes():
    # RE2's \s is [\t\n\f\r ]: a tab may sit inside a value, a vertical tab may not
    assert parse_constraints(["node.labels.a==x\ty"])[0].exp == "x\ty"
    with pytest.raises(ValueError, match="is invalid"):
        parse_constraints(["node.labels.a==x\vy"])
    # (?i)[a-z] also folds the Kelvin sign and the long s, but not the dotted capital I
    assert parse_constraints(["node.labels.\u212a==\u017f"])[0].key == "node.labels.\u212a"
    with pytest.raises(ValueError, match="is invalid"):
        parse_constraints(["node.labels.a==\u0130"])


def test_trimming_follows_go_unicode_spaces():
    # Go's TrimSpace strips \v and U+00A0 but keeps the ASCII separator 0x1f
    assert parse_constraints(["\v node.role \xa0==\xa0 worker\v"])[0] == Constraint(
        "node.role", "==", "worker"
    )
    with pytest.raises(ValueError, match="is invalid"):
        parse_constraints(["node.role==worker\x1f"])


# --- matching ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ("node.id==abc123", True),
        ("node.id==ABC123", True),  # case-insensitive
        ("node.id==abc", False),  # full string, no prefix match
        ("node.id!=abc123", False),
        ("node.hostname==node-1", True),
        ("node.hostname==NODE-1", True),
        ("node.hostname!=node-2", True),
        ("node.role==worker", True),
        ("node.role==WORKER", True),
        ("node.role==manager", False),
        ("node.role!=manager", True),
        ("NODE.ROLE==worker", True),  # keys are case-insensitive too
        ("node.platform.os==linux", True),
        ("node.platform.arch==x86_64", True),
        ("node.platform.arch==amd64", False),  # raw architecture, no normalisation
        ("node.labels.zone==east", True),  # label values compare case-insensitively
        ("node.labels.zone==west", False),
        ("node.labels.zone!=west", True),
        ("node.labels.Zone==east", False),  # label names are case-sensitive: missing -> ""
        ("node.labels.Zone!=east", True),
        ("node.labels.Tier==WEB", True),
        ("node.labels.missing!=x", True),
        ("node.labels.missing==x", False),
        ("NODE.LABELS.zone==east", True),  # the prefix is case-insensitive
        ("engine.labels.disk==SSD", True),
        ("engine.labels.disk!=ssd", False),
        ("engine.labels.nope!=ssd", True),
        ("node.abc.bcd==x", False),  # unknown keys fail both operators
        ("node.abc.bcd!=x", False),
        ("node.labels.zone==e*", False),  # no globbing
    ],
)
def test_matching(expr, expected):
    assert matches(expr) is expected


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ("node.ip==192.168.1.5", True),
        ("node.ip!=192.168.1.5", False),
        ("node.ip==192.168.1.6", False),
        ("node.ip!=192.168.1.6", True),
        ("node.ip==192.168.1.0/24", True),
        ("node.ip==192.168.1.77/24", True),  # host bits are allowed in the network
        ("node.ip!=192.168.1.0/24", False),
        ("node.ip==10.0.0.0/8", False),
        ("node.ip!=10.0.0.0/8", True),
        ("node.ip==::ffff:192.168.1.5", True),  # IPv4-mapped equals the IPv4 address
        ("node.ip==2001:db8::1", False),
        ("node.ip==192.168.1", False),  # malformed: fails both operators
        ("node.ip!=192.168.1", False),
        ("node.ip!=192.168.1.0/33", False),
    ],
)
def test_node_ip(expr, expected):
    assert matches(expr) is expected


def test_node_ip_ipv6_and_bad_node_address():
    v6 = node(addr="2001:db8::7")
    assert matches("node.ip==2001:db8::7", v6)
    assert matches("node.ip==2001:db8::/32", v6)
    assert not matches("node.ip==192.168.0.0/16", v6)
    bad = node(addr="not-an-ip")
    assert not matches("node.ip==192.168.1.5", bad)
    assert matches("node.ip!=192.168.1.5", bad)  # the address never equals: != holds


def test_missing_platform_counts_as_empty():
    bare = node(platform=None)
    assert not matches("node.platform.os==linux", bare)
    assert matches("node.platform.os!=linux", bare)


def test_equal_fold_is_simple_unicode_folding():
    assert matches("node.labels.name==kelvin", node(labels=(("name", "\u212aelvin"),)))
    assert matches("node.labels.name==sss", node(labels=(("name", "S\u017fs"),)))
    assert not matches("node.labels.name==ss", node(labels=(("name", "\u00df"),)))
    assert not matches("node.labels.name==i", node(labels=(("name", "\u0130"),)))


def test_constraints_are_anded():
    both = parse_constraints(["node.role==worker", "node.labels.zone==east"])
    assert node_matches(both, node())
    assert not node_matches(both, node(role="manager"))
    assert node_matches([], node())
    assert node_matches([Constraint("node.role", "==", "worker")], node())
