"""The ``nodes:`` list of a scenario: machines, expanded (``count``) and validated.

Part of :mod:`swarmsim.input.scenario`; errors are key-path errors the scenario loader locates.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from ipaddress import IPv4Address
from typing import Any

from swarmsim.foundation import defaults
from swarmsim.foundation.errors import InputError, dotted
from swarmsim.foundation.limits import over
from swarmsim.foundation.rng import IdFactory
from swarmsim.input.checks import key_error as _err
from swarmsim.input.checks import positive_size
from swarmsim.input.power import parse_power
from swarmsim.input.specs import NodeSpec, Platform


def _extra(key: object, *at: str | int) -> InputError:
    """docker's schema wording for an unknown key, located at the key's own line."""
    return InputError(
        f"{dotted(at)} Additional property {key} is not allowed",
        keys=(*at, str(key)),
        path=dotted(at),
    )


_NODE_KEYS = (
    "name",
    "count",
    "role",
    "cpus",
    "memory",
    "labels",
    "engine_labels",
    "generic_resources",
    "platform",
    "availability",
    "status",
    "joined",
    "bandwidth",
    "power",
)

_HOSTNAME = re.compile(r"^[a-zA-Z0-9]([a-zA-Z0-9._-]*[a-zA-Z0-9])?$")


def parse_nodes(raw: Any, ids: IdFactory) -> tuple[NodeSpec, ...]:
    """Validate the ``nodes:`` list, expand ``count`` and draw each node's id."""
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise _err("must be a list", "nodes")
    seen: dict[str, tuple[str | int, ...]] = {}
    total = 0
    for idx, entry in enumerate(raw):
        total += _count(entry, idx)  # checked before any node is made
        problem = over("NODES", total, "nodes")
        if problem:
            raise _err(problem, "nodes", idx, "count") if isinstance(
                entry, Mapping) and "count" in entry else _err(problem, "nodes", idx)
    groups: list[tuple[dict[str, Any], list[str]]] = []
    for idx, entry in enumerate(raw):
        fields, names = _node_group(entry, idx)
        for name in names:
            if name in seen:
                raise _err(f"duplicate hostname {name!r}", "nodes", idx, "name")
            seen[name] = ("nodes", idx)
        groups.append((fields, names))
    first = int(IPv4Address(defaults.NODE_FIRST_ADDR))
    if first + total - 1 > 0xFFFFFFFF:
        raise _err(f"{total} nodes do not fit in the IPv4 addresses from "
                   f"{defaults.NODE_FIRST_ADDR}", "nodes")
    addrs = map(_dotted, range(first, first + total))
    node_ids = iter(ids.new_ids(total))
    out: list[NodeSpec] = []
    for fields, names in groups:  # each node made once, with its name, id and address
        out += [NodeSpec(name=h, id=next(node_ids), addr=next(addrs), **fields) for h in names]
    return tuple(out)


def _dotted(value: int) -> str:
    """An IPv4 address in dotted-quad form (what ``str(IPv4Address(value))`` prints)."""
    return f"{value >> 24}.{value >> 16 & 255}.{value >> 8 & 255}.{value & 255}"


def _count(entry: Any, idx: int) -> int:
    """The ``count`` of a ``nodes`` entry (1 when the entry is not a mapping: the
    entry's own check reports that)."""
    if not isinstance(entry, Mapping):
        return 1
    count = entry.get("count", 1)
    if isinstance(count, bool) or not isinstance(count, int):
        raise _err("must be a integer", "nodes", idx, "count")
    if count < 1:
        raise _err("Must be greater than or equal to 1", "nodes", idx, "count")
    return count


def _node_group(entry: Any, idx: int) -> tuple[dict[str, Any], list[str]]:
    """The fields shared by an entry's nodes, and their hostnames."""
    at = ("nodes", idx)
    if not isinstance(entry, Mapping):
        raise _err("must be a mapping", *at)
    for key in entry:
        if key not in _NODE_KEYS:
            raise _extra(key, *at)
    if "name" not in entry:
        raise _err("name is required", *at)
    name = entry["name"]
    if not isinstance(name, str) or not name:
        raise _err("must be a string", *at, "name")
    count = _count(entry, idx)
    if count > 1 and "{i}" not in name:
        raise _err("must contain {i} when count is greater than 1", *at, "name")
    role = _enum(entry, "role", ("manager", "worker"), "worker", at)
    availability = _enum(entry, "availability", ("active", "pause", "drain"), "active", at)
    status = _enum(entry, "status", ("ready", "down"), "ready", at)
    joined = entry.get("joined", True)
    if not isinstance(joined, bool):
        raise _err("must be a boolean", *at, "joined")
    cpus = entry.get("cpus", defaults.NODE_CPUS)
    if isinstance(cpus, bool) or not isinstance(cpus, int | float):
        raise _err("must be a number", *at, "cpus")
    if not cpus > 0:  # NaN too
        raise _err("must be greater than 0", *at, "cpus")
    if not cpus * 1_000_000_000 < 2**63:  # nano-CPUs are an int64, as in SwarmKit
        raise _err("must be less than 9223372036 (nano-CPUs are an int64)", *at, "cpus")
    memory = _memory(entry.get("memory"), at)
    bandwidth = _bandwidth(entry.get("bandwidth"), at)
    power = parse_power(entry.get("power"), at)
    labels = _labels(entry.get("labels"), (*at, "labels"))
    engine_labels = _labels(entry.get("engine_labels"), (*at, "engine_labels"))
    generic = _generic(entry.get("generic_resources"), (*at, "generic_resources"))
    platform = _platform(entry.get("platform"), (*at, "platform"))
    fields = dict(
        role=role,
        nano_cpus=round(cpus * 1_000_000_000),
        memory_bytes=memory,
        labels=labels,
        engine_labels=engine_labels,
        platform=platform,
        availability=availability,
        status=status,
        generic=generic,
        joined=joined,
        bandwidth=bandwidth,
        power=power,
    )
    names = [name.replace("{i}", str(i)) for i in range(1, count + 1)] if count > 1 else [
        name.replace("{i}", "1")
    ]
    for hostname in names:
        if not _HOSTNAME.match(hostname):
            raise _err(f"{hostname!r} is not a valid hostname", *at, "name")
    return fields, names


def _enum(entry: Mapping[str, Any], key: str, allowed: tuple[str, ...], default: str,
          at: tuple[str | int, ...]) -> str:
    value = entry.get(key, default)
    if value not in allowed:
        choices = ", ".join(f'"{a}"' for a in allowed)
        raise _err(f"must be one of the following: {choices}", *at, key)
    return str(value)


def _memory(value: Any, at: tuple[str | int, ...]) -> int:
    if value is None:
        return defaults.NODE_MEMORY
    return positive_size(value, *at, "memory")


def _bandwidth(value: Any, at: tuple[str | int, ...]) -> int:
    """``bandwidth``: bytes per second as a byte size (``100M``) or a number."""
    if value is None:
        return defaults.NODE_BANDWIDTH
    return positive_size(value, *at, "bandwidth")


def _labels(value: Any, at: tuple[str | int, ...]) -> tuple[tuple[str, str], ...]:
    if value is None:
        return ()
    if not isinstance(value, Mapping):
        raise _err("must be a mapping", *at)
    out = []
    for key, val in value.items():
        if isinstance(val, bool) or (not isinstance(val, str | int | float) and val is not None):
            raise _err("must be a string, number or null", *at, key)
        out.append((str(key), "" if val is None else str(val)))
    return tuple(sorted(out))


def _generic(value: Any, at: tuple[str | int, ...]) -> tuple[tuple[str, int], ...]:
    if value is None:
        return ()
    if not isinstance(value, Mapping):
        raise _err("must be a mapping", *at)
    out = []
    for key, val in value.items():
        if isinstance(val, bool) or not isinstance(val, int) or val < 0:
            raise _err("must be a non-negative integer", *at, key)
        out.append((str(key), val))
    return tuple(sorted(out))


def _platform(value: Any, at: tuple[str | int, ...]) -> Platform:
    if value is None:
        return Platform(defaults.NODE_OS, defaults.NODE_ARCH)
    if not isinstance(value, Mapping):
        raise _err("must be a mapping", *at)
    for key in value:
        if key not in ("os", "arch"):
            raise _extra(key, *at)
    os_ = value.get("os", defaults.NODE_OS)
    arch = value.get("arch", defaults.NODE_ARCH)
    for key, val in (("os", os_), ("arch", arch)):
        if not isinstance(val, str):
            raise _err("must be a string", *at, key)
    return Platform(os_, arch)


