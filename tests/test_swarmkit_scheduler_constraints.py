"""SwarmKit's constraint tests (``manager/constraint/constraint_test.go`` and
``manager/scheduler/constraint_test.go``) re-expressed against swarmsim.

Parsing is checked through :func:`parse_constraints`; matching is checked the way a
user sees it: a one-node swarm either places the task or reports the constraint
failure.
"""

import re

import pytest
from swarmkit_fixtures import NO_NODE, Swarm, node, service, task

from swarmsim.input.specs import Platform
from swarmsim.scheduler import parse_constraints

NO_OPERATOR = "constraint expected one operator from ==, !="


def matches(n, *constraints):
    """True when the task is placed on ``n``; otherwise the constraint filter must be
    the reason."""
    swarm = Swarm([n], [service("s", constraints=constraints)])
    swarm.submit(task("t", "s"))
    d = swarm.tick()["t"]
    if d.node_id is None:
        assert d.error == NO_NODE + " (scheduling constraints not satisfied on 1 node)"
    return d.node_id is not None


def base_node(**fields):
    """The node the upstream constraint tests start from: a ready worker at 186.17.9.41
    without labels."""
    fields.setdefault("addr", "186.17.9.41")
    return node("nodeid-1", name=fields.pop("name", "node-x"), **fields)


# -- parsing (TestParse) --------------------------------------------------------------


@pytest.mark.parametrize(
    ("expr", "message"),
    [
        ("", NO_OPERATOR),
        (" ", NO_OPERATOR),
        ("nodeabc", NO_OPERATOR),
        ("node ~ abc", NO_OPERATOR),
        ("1node==a2", "key '1node' is invalid"),
        ("no de== node1", "key 'no de' is invalid"),
        ("no*de==node1", "key 'no*de' is invalid"),
        ("==node1", "key '' is invalid"),
        ("node==", "value '' is invalid"),
        ("node== ", "value '' is invalid"),
        ("no$de==node1", "key 'no$de' is invalid"),
        # derived from the key pattern: at least two characters
        ("a==b", "key 'a' is invalid"),
        # '==' is looked for before '!=', and the split is at its first occurrence
        ("node.labels.a!=b==c", "key 'node.labels.a!=b' is invalid"),
        ("node.labels.a==b==c", "value 'b==c' is invalid"),
    ],
)
def test_parse_rejects(expr, message):
    """TestParse: malformed expressions, with SwarmKit's error texts."""
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        parse_constraints([expr])


@pytest.mark.parametrize(
    "expr",
    [
        " node == node1",
        "NoDe==node1",
        "no.de==node1",
        "_node==_node1",
        "node==[a-b]+c*(n|b)/",
        "node==node 1",
    ],
)
def test_parse_accepts(expr):
    """TestParse: accepted expressions (spaces around, capitals, dots, leading
    underscore, regex-looking and spaced values)."""
    assert len(parse_constraints([expr])) == 1


def test_parse_all_or_nothing():
    """Constraints are parsed as a list: one bad entry fails the whole list."""
    assert len(parse_constraints(["node.role==manager", "node.labels.zone!=a"])) == 2
    with pytest.raises(ValueError, match=r"^key 'x' is invalid$"):
        parse_constraints(["node.role==manager", "x==y"])


# -- matching (TestMatch and the ConstraintFilter tests) -------------------------------


def test_match_is_full_case_insensitive_equality():
    """TestMatch: no prefixes, no globbing, no regex; case does not matter."""

    def labelled(value):
        return base_node(labels=(("name", value),))

    assert matches(labelled("foo"), "node.labels.name==foo")
    assert not matches(labelled("fo"), "node.labels.name==foo")
    assert not matches(labelled("fooE"), "node.labels.name==foo")
    assert not matches(labelled("foo"), "node.labels.name!=foo")
    for other in ("bar", "fo", "fooExtra"):
        assert matches(labelled(other), "node.labels.name!=foo")
    assert not matches(labelled("fo"), "node.labels.name==f*o")
    assert not matches(labelled("foo"), "node.labels.name==f*o")
    assert matches(labelled("f*o"), "node.labels.name==f*o")
    assert matches(labelled("F*o"), "node.labels.name==f*o")
    assert not matches(labelled("fa-$o"), "node.labels.name==f.-$o")
    assert matches(labelled("f.-$o"), "node.labels.name==f.-$o")


def test_no_constraints_means_no_filter():
    """TestConstraintSetTask: without constraints every node qualifies."""
    assert matches(base_node())


@pytest.mark.parametrize("op", ["==", "!="])
def test_unknown_key_fails_both_ways(op):
    """TestWrongSyntax: a key outside the known set makes the node fail for == and !=."""
    assert not matches(base_node(), f"node.abc.bcd {op} high")


def test_node_hostname():
    """TestNodeHostname: compared with the node's hostname, case-insensitively."""
    assert matches(base_node(name="node-2"), "node.hostname != node-1")
    assert not matches(base_node(name="node-1"), "node.hostname != node-1")
    assert not matches(base_node(name="NODe-1"), "node.hostname != node-1")
    assert matches(base_node(name="NODe-1"), "node.hostname == node-1")


@pytest.mark.parametrize(
    ("addr", "expr", "expected"),
    [
        ("186.17.9.41", "node.ip == 186.17.9.41", True),
        ("186.17.9.41", "node.ip != 186.17.9.41", False),
        ("186.17.9.41", "node.ip == 186.17.9.42", False),
        ("186.17.9.41", "node.ip == 186.17.9.4/24", True),
        ("186.17.9.41", "node.ip == 186.17.8.41/24", False),
        ("186.17.9.41", "node.ip == 186.17.9.41/34", False),  # invalid prefix length
        ("186.17.9.41", "node.ip != 266.17.9.41", False),  # malformed address
        ("186.17.9.41", "node.ip != 0.0.0.0", True),
        ("186.17.9.41", "node.ip == not_ip_addr", False),
        ("2001:db8::2", "node.ip == 2001:db8::2", True),
        ("2001:db8::2", "node.ip == 2001:db8:0::2", True),  # same address, other spelling
        ("2001:db8::2", "node.ip != 2001:db8::2/128", False),
        ("2001:db8::2", "node.ip == 2001:db8::/64", True),
        ("2001:db8::2", "node.ip == 2001:db9::/64", False),
        ("2001:db8::2", "node.ip != 2001:db9::/64", True),
        ("", "node.ip == 0.0.0.0", False),
        ("", "node.ip != 0.0.0.0", True),
    ],
)
def test_node_ip(addr, expr, expected):
    """TestNodeIP: an address or a subnet; anything unparseable fails both ways."""
    assert matches(base_node(addr=addr), expr) is expected


def test_node_ip_empty_value_is_rejected_at_parse_time():
    """TestNodeIP: ``node.ip ==`` with nothing after it never reaches matching."""
    with pytest.raises(ValueError, match=r"^value '' is invalid$"):
        parse_constraints(["node.ip == "])


def test_node_id_is_full_match():
    """TestNodeID: neither longer nor shorter ids match."""
    assert matches(base_node(), "node.id == nodeid-1")
    assert not matches(base_node(), "node.id == nodeid-1-extra")
    assert not matches(base_node(), "node.id == nodeid-")


def test_node_role():
    """TestNodeRole: ``worker``/``manager``, case-insensitively; nothing else."""
    assert matches(base_node(), "node.role == worker")
    assert not matches(base_node(), "node.role == manager")
    assert not matches(base_node(), "node.role == worker-manager")
    assert matches(base_node(role="manager"), "node.role == MANAGER")
    assert matches(base_node(role="manager"), "node.role != worker")


def test_node_platform():
    """TestNodePlatform: os and arch are compared raw (no x86_64/amd64 aliasing)."""
    assert not matches(base_node(platform=Platform("", "")), "node.platform.os == linux")
    assert matches(base_node(platform=Platform("linux", "x86_64")), "node.platform.os == linux")
    assert not matches(
        base_node(platform=Platform("windows", "x86_64")), "node.platform.os == linux"
    )
    assert not matches(
        base_node(platform=Platform("windows", "x86_64")), "node.platform.arch == amd64"
    )
    assert matches(base_node(platform=Platform("windows", "x86_64")), "node.platform.arch != amd64")


def test_node_label():
    """TestNodeLabel: an engine label is not a node label; the label name is
    case-sensitive, the key prefix and the value are not."""
    assert not matches(base_node(), "node.labels.security == high")
    engine_only = base_node(engine_labels=(("security", "high"),))
    assert not matches(engine_only, "node.labels.security == high")
    labelled = base_node(labels=(("security", "high"),))
    assert matches(labelled, "node.labels.security == high")
    assert matches(labelled, "NODE.LABELS.security == HIGH")
    assert not matches(labelled, "node.labels.SECURITY == high")
    assert matches(base_node(), "node.labels.security != high")  # missing label is ""


def test_engine_label():
    """TestEngineLabel: a node label is not an engine label; other labels don't
    interfere."""
    assert matches(base_node(), "engine.labels.disk != ssd")
    assert matches(base_node(labels=(("disk", "ssd"),)), "engine.labels.disk != ssd")
    assert not matches(base_node(engine_labels=(("disk", "ssd"),)), "engine.labels.disk != ssd")
    both = base_node(engine_labels=(("disk", "ssd"), ("memory", "large")))
    assert not matches(both, "engine.labels.disk != ssd")


def test_multiple_constraints_are_anded():
    """TestMultipleConstraints: every constraint must hold; values may contain spaces."""
    two = ("node.hostname == node-1", "engine.labels.operatingsystem != Ubuntu 14.04")
    assert not matches(base_node(name="node-x"), *two)
    assert matches(base_node(name="node-1"), *two)
    for os_label, expected in (
        ("Ubuntu 14.04", False),
        ("ubuntu 14.04", False),
        ("ubuntu 15.04", True),
    ):
        n = base_node(name="node-1", engine_labels=(("operatingsystem", os_label),))
        assert matches(n, *two) is expected

    three = (*two, "node.labels.security == high")
    engine = (("memory", "large"), ("operatingsystem", "ubuntu 15.04"))
    assert not matches(base_node(name="node-1", engine_labels=engine[1:]), *three)
    low = base_node(name="node-1", engine_labels=engine[1:], labels=(("security", "low"),))
    assert not matches(low, *three)
    high = base_node(name="node-1", engine_labels=engine[1:], labels=(("security", "high"),))
    assert matches(high, *three)
    extra = base_node(name="node-1", engine_labels=engine, labels=(("security", "high"),))
    assert matches(extra, *three)
