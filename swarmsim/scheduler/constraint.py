"""Placement constraints matched against nodes, as SwarmKit's ``manager/constraint`` does
(their syntax is :mod:`swarmsim.input.constraint`, re-exported here).

Matching is a case-insensitive full-string comparison (Go's ``strings.EqualFold``:
simple Unicode case folding, no globbing, no regex).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

from swarmsim.input.constraint import OPERATORS, Constraint, parse_constraints
from swarmsim.input.specs import NodeSpec

__all__ = [
    "ENGINE_LABEL_PREFIX",
    "NODE_LABEL_PREFIX",
    "OPERATORS",
    "Constraint",
    "NodeFacts",
    "compile_constraints",
    "fold_equal",
    "node_matches",
    "parse_constraints",
    "parse_ip",
]

NODE_LABEL_PREFIX = "node.labels."
ENGINE_LABEL_PREFIX = "engine.labels."

IPAddr = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNet = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True, slots=True)
class NodeFacts:
    """What constraints look at on a node, precomputed once per node version."""

    id: str
    hostname: str
    role: str
    has_platform: bool
    os: str
    arch: str
    addr: str
    labels: Mapping[str, str]
    engine_labels: Mapping[str, str]

    @property
    def ip(self) -> IPAddr | None:
        """The node's address as ``net.ParseIP`` reads it (None if it is not one), parsed
        when a ``node.ip`` constraint first asks, not for every node that joins."""
        return _node_ip(self.addr)

    @classmethod
    def of(cls, node: NodeSpec) -> NodeFacts:
        """Facts of a node record (``node.hostname`` is ``NodeSpec.name``)."""
        platform = node.platform
        return cls(
            id=node.id,
            hostname=node.name,
            role=node.role,
            has_platform=platform is not None,
            os=platform.os if platform is not None else "",
            arch=platform.arch if platform is not None else "",
            addr=node.addr,
            labels=dict(node.labels),
            engine_labels=dict(node.engine_labels),
        )


def fold_equal(a: str, b: str) -> bool:
    """Go's ``strings.EqualFold``: equal under simple Unicode case folding."""
    if a.isascii() and b.isascii():
        return len(a) == len(b) and a.lower() == b.lower()
    if len(a) != len(b):
        return False
    for x, y in zip(a, b, strict=True):
        if x != y and x.lower() != y.lower() and x.upper() != y.upper():
            return False
    return True


def parse_ip(text: str) -> IPAddr | None:
    """Go's ``net.ParseIP`` (no zones); IPv4-mapped IPv6 addresses become IPv4."""
    if not text or "%" in text:
        return None
    try:
        addr = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped is not None:
        return addr.ipv4_mapped
    return addr


@lru_cache(maxsize=1 << 16)
def _node_ip(text: str) -> IPAddr | None:
    return parse_ip(text)


def _parse_cidr(text: str) -> IPNet | None:
    """Go's ``net.ParseCIDR`` (host bits allowed); IPv4-mapped networks become IPv4."""
    if "/" not in text or "%" in text:
        return None
    try:
        net = ipaddress.ip_network(text, strict=False)
    except ValueError:
        return None
    if isinstance(net, ipaddress.IPv6Network):
        mapped = net.network_address.ipv4_mapped
        if mapped is not None and net.prefixlen >= 96:
            return ipaddress.IPv4Network((mapped, net.prefixlen - 96), strict=False)
    return net


NodeCheck = Callable[[NodeFacts], bool]


def _text_check(getter: Callable[[NodeFacts], str], c: Constraint) -> NodeCheck:
    exp, want = c.exp, c.operator == "=="
    if exp.isascii():
        low = exp.lower()

        def check(f: NodeFacts) -> bool:
            what = getter(f)
            if what.isascii():
                return (what.lower() == low) is want
            return fold_equal(exp, what) is want

        return check
    return lambda f: fold_equal(exp, getter(f)) is want


def _ip_check(c: Constraint) -> NodeCheck:
    want = c.operator == "=="
    ip = parse_ip(c.exp)
    if ip is not None:
        return lambda f: (f.ip is not None and f.ip == ip) is want
    net = _parse_cidr(c.exp)
    if net is not None:
        return lambda f: (f.ip is not None and f.ip.version == net.version and f.ip in net) is want
    return lambda f: False  # a malformed address or network rejects every node


def _platform_check(attr: str, c: Constraint) -> NodeCheck:
    inner = _text_check(lambda f: getattr(f, attr), c)
    empty = _text_check(lambda f: "", c)
    return lambda f: inner(f) if f.has_platform else empty(f)


def _compile_one(c: Constraint) -> NodeCheck:
    key = c.key
    low = key.lower()
    if low == "node.id":
        return _text_check(lambda f: f.id, c)
    if low == "node.hostname":
        return _text_check(lambda f: f.hostname, c)
    if low == "node.ip":
        return _ip_check(c)
    if low == "node.role":
        return _text_check(lambda f: f.role, c)
    if low == "node.platform.os":
        return _platform_check("os", c)
    if low == "node.platform.arch":
        return _platform_check("arch", c)
    if len(key) > len(NODE_LABEL_PREFIX) and low.startswith(NODE_LABEL_PREFIX):
        label = key[len(NODE_LABEL_PREFIX) :]  # the label name is case-sensitive
        return _text_check(lambda f: f.labels.get(label, ""), c)
    if len(key) > len(ENGINE_LABEL_PREFIX) and low.startswith(ENGINE_LABEL_PREFIX):
        label = key[len(ENGINE_LABEL_PREFIX) :]
        return _text_check(lambda f: f.engine_labels.get(label, ""), c)
    return lambda f: False  # unknown key: fails for both operators


def compile_constraints(constraints: Sequence[Constraint]) -> NodeCheck:
    """A fast predicate over :class:`NodeFacts` that is true when all constraints hold."""
    checks = tuple(_compile_one(c) for c in constraints)
    if len(checks) == 1:
        return checks[0]
    return lambda f: all(check(f) for check in checks)


def node_matches(constraints: Sequence[Constraint], node: NodeSpec) -> bool:
    """True when ``node`` satisfies every constraint (SwarmKit's ``NodeMatches``)."""
    return compile_constraints(constraints)(NodeFacts.of(node))
