"""Scenario files: the cluster a simulation runs on and what is deployed on it.

A scenario is a YAML file::

    name: getstartedlab          # optional, default: the file's stem
    seed: 0                      # optional, default 0
    nodes:
      - name: myvm1              # hostname; with count > 1 it must contain {i}
        count: 1                 # default 1
        role: manager            # manager | worker (default worker)
        cpus: 1                  # cores (default 1)
        memory: 1G               # compose byte-size syntax (default 1G)
        labels: {zone: a}        # node.labels.*
        engine_labels: {}        # engine.labels.*
        generic_resources: {gpu: 2}
        platform: {os: linux, arch: x86_64}
        availability: active     # active | pause | drain
        status: ready            # ready | down
        bandwidth: 50M           # bytes per second it pulls images at (default 50M)
    stacks:
      getstartedlab: docker-compose.yml   # relative to the scenario file; deployed at t=0
    network: {latency: 0.2ms}    # optional: the network between machines (docs/traffic.md)
    workload: []                 # optional: request traffic (docs/traffic.md)
    policy: spread               # optional: spread (swarm's own) | binpack | random |
                                 # least-allocated | module:Name (docs/research.md)
    registries:                  # optional: registry host -> {private: true|false}
      registry.example.com: {private: true}   # default public; Docker Hub is public
    traces: [jobs.csv]           # optional: services arriving and departing (docs/research.md)
    rebalance: off               # optional what-if, NOT swarm behaviour: on-recovery |
                                 # on-join (docs/research.md)

Every problem is an :class:`~swarmsim.errors.InputError` naming the file, the line and
the key path, in the style of compose schema errors.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from ipaddress import IPv4Address
from pathlib import Path
from typing import Any

from swarmsim import defaults
from swarmsim.errors import InputError, dotted
from swarmsim.mesh.network import NetworkModel, parse_network
from swarmsim.rng import IdFactory, make_streams
from swarmsim.specs import NodeSpec, Platform
from swarmsim.timeline import Step, parse_timeline
from swarmsim.units import parse_bytes, parse_duration
from swarmsim.workload.spec import WorkloadSpec, parse_workloads

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
)
_TOP_KEYS = (
    "name", "seed", "nodes", "stacks", "until", "timeline", "network", "workload", "policy",
    "registries", "traces", "rebalance",
)
_HOSTNAME = re.compile(r"^[a-zA-Z0-9]([a-zA-Z0-9._-]*[a-zA-Z0-9])?$")


@dataclass(frozen=True, slots=True)
class StackRef:
    """A stack the scenario deploys at t=0: ``docker stack deploy -c FILE NAME``."""

    name: str
    compose_files: tuple[Path, ...]
    given: tuple[str, ...]  # the paths as written in the scenario (for messages)


@dataclass(frozen=True, slots=True)
class Scenario:
    """A validated scenario. ``nodes`` are expanded (``count``) and carry their ids."""

    name: str
    seed: int
    nodes: tuple[NodeSpec, ...]
    stacks: tuple[StackRef, ...]
    path: Path | None = None
    source: str = ""  # the file name as the user gave it
    until: float = defaults.SCENARIO_UNTIL_S
    timeline: tuple[Step, ...] = ()
    network: NetworkModel = NetworkModel()
    workload: tuple[WorkloadSpec, ...] = ()
    policy: str = "spread"  # swarmsim.policies: only "spread" is swarm's own behaviour
    registries: tuple[tuple[str, bool], ...] = ()  # (host, private), sorted by host
    traces: tuple[Any, ...] = ()  # swarmsim.workload.traces.TraceRow, by arrival time
    rebalance: str = "off"  # NOT swarm behaviour: swarmsim.manager.rebalance

    def to_dict(self) -> dict[str, Any]:
        """The fully resolved scenario as plain JSON-ready data."""
        return {
            "name": self.name,
            "seed": self.seed,
            "nodes": [
                {
                    "name": n.name,
                    "id": n.id,
                    "role": n.role,
                    "cpus": n.nano_cpus / 1e9,
                    "memory": n.memory_bytes,
                    "labels": dict(n.labels),
                    "engine_labels": dict(n.engine_labels),
                    "generic_resources": dict(n.generic),
                    "platform": {"os": n.platform.os, "arch": n.platform.arch},
                    "availability": n.availability,
                    "status": n.status,
                    "addr": n.addr,
                    "joined": n.joined,
                    **({"bandwidth": n.bandwidth}
                       if n.bandwidth != defaults.NODE_BANDWIDTH else {}),
                }
                for n in self.nodes
            ],
            "stacks": {s.name: list(s.given) for s in self.stacks},
            "until": self.until,
            "timeline": [step.to_dict() for step in self.timeline],
            **self._traffic_dict(),
            **({"policy": self.policy} if self.policy != "spread" else {}),
            **({"registries": {h: {"private": p} for h, p in self.registries}}
               if self.registries else {}),
        }

    def _traffic_dict(self) -> dict[str, Any]:
        """``network`` and ``workload``, when the scenario gives either."""
        if not self.workload and self.network == NetworkModel():
            return {}
        return {"network": self.network.to_dict(),
                "workload": [w.to_dict() for w in self.workload]}


def load_scenario(path: str | Path, *, seed: int | None = None) -> Scenario:
    """Read and validate a scenario file.

    Args:
        path: the scenario YAML file.
        seed: overrides the file's ``seed`` (the CLI's ``--seed``).

    Raises:
        InputError: with file, line and key path.
    """
    from swarmsim.compose.yamlv3 import load_yaml_text  # noqa: PLC0415 (cycle-free, lazy)

    given = str(path)
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"open {given}: no such file or directory", file=given) from None
    except OSError as exc:
        raise InputError(f"open {given}: {exc.strerror}", file=given) from None
    try:
        data, lines = load_yaml_text(text)
    except InputError as err:
        raise err.located(file=given) from None
    try:
        return _build(data, p, given, seed)
    except InputError as err:
        line = lines.lookup(err.keys) if err.keys is not None else None
        raise err.located(file=given, line=line) from None


def scenario_from_data(data: Any, path: str | Path, *, seed: int | None = None) -> Scenario:
    """A scenario from already-parsed YAML data (e.g. a sweep's modified copy).

    Args:
        data: the scenario mapping, as :func:`load_scenario` would read it.
        path: the file it stands for (relative stack, workload and policy paths are
            taken from its directory).
        seed: overrides the data's ``seed``.

    Raises:
        InputError: with the key path (no line: there is no text).
    """
    return _build(data, Path(path), str(path), seed)


def _err(message: str, *keys: str | int) -> InputError:
    return InputError(f"{dotted(keys)} {message}", keys=tuple(keys))


def _extra(key: object, *at: str | int) -> InputError:
    """docker's schema wording for an unknown key, located at the key's own line."""
    return InputError(
        f"{dotted(at)} Additional property {key} is not allowed",
        keys=(*at, str(key)),
        path=dotted(at),
    )


def _build(data: Any, path: Path, given: str, seed_override: int | None) -> Scenario:
    if not isinstance(data, Mapping):
        raise InputError("top-level object must be a mapping", keys=())
    for key in data:
        if key not in _TOP_KEYS:
            raise _extra(key)
    name = data.get("name", path.stem)
    if not isinstance(name, str) or not name:
        raise _err("must be a string", "name")
    seed = data.get("seed", 0)
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise _err("must be a non-negative integer", "seed")
    if seed_override is not None:
        seed = seed_override
    ids = IdFactory(make_streams(seed)["ids"])
    nodes = _nodes(data.get("nodes", []), ids)
    stacks = _stacks(data.get("stacks", {}), path.parent)
    until = defaults.SCENARIO_UNTIL_S
    if "until" in data:
        until = _duration(data["until"], "until")
        if until <= 0:
            raise _err("must be greater than 0", "until")
    from swarmsim.commands import check_command  # noqa: PLC0415 (lazy: avoids a cycle)

    timeline = parse_timeline(data.get("timeline"), {n.name for n in nodes}, check_command)
    network = parse_network(data.get("network"), [n.name for n in nodes])
    workload = parse_workloads(data.get("workload"), {n.name for n in nodes}, path.parent)
    policy = _policy(data.get("policy", "spread"), path.parent)
    registries = _registries(data.get("registries"))
    from swarmsim.manager.rebalance import parse_rebalance  # noqa: PLC0415
    from swarmsim.workload.traces import parse_traces  # noqa: PLC0415

    traces = parse_traces(data.get("traces"), path.parent)
    rebalance = parse_rebalance(data.get("rebalance"))
    return Scenario(
        name=name,
        seed=seed,
        nodes=nodes,
        stacks=stacks,
        path=path,
        source=given,
        until=until,
        timeline=timeline,
        network=network,
        workload=workload,
        policy=policy,
        registries=registries,
        traces=traces,
        rebalance=rebalance,
    )


def _policy(value: Any, base: Path) -> str:
    from swarmsim.policies.loader import check_policy_name, resolve_policy_name  # noqa: PLC0415

    problem = check_policy_name(value)
    if problem is not None:
        raise _err(problem, "policy")
    return resolve_policy_name(value, base)


def _duration(value: Any, *keys: str | int) -> float:
    if not isinstance(value, str):
        raise _err("must be a string", *keys)
    try:
        return parse_duration(value)
    except ValueError:
        raise _err("Does not match format 'duration'", *keys) from None


def _nodes(raw: Any, ids: IdFactory) -> tuple[NodeSpec, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise _err("must be a list", "nodes")
    out: list[NodeSpec] = []
    seen: dict[str, tuple[str | int, ...]] = {}
    for idx, entry in enumerate(raw):
        for spec in _node_group(entry, idx):
            if spec.name in seen:
                raise _err(f"duplicate hostname {spec.name!r}", "nodes", idx, "name")
            seen[spec.name] = ("nodes", idx)
            out.append(spec)
    first = IPv4Address(defaults.NODE_FIRST_ADDR)
    return tuple(
        _with(spec, id=ids.new_id(), addr=str(first + i)) for i, spec in enumerate(out)
    )


def _with(spec: NodeSpec, **changes: Any) -> NodeSpec:
    from dataclasses import replace  # noqa: PLC0415

    return replace(spec, **changes)


def _node_group(entry: Any, idx: int) -> list[NodeSpec]:
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
    count = entry.get("count", 1)
    if isinstance(count, bool) or not isinstance(count, int):
        raise _err("must be a integer", *at, "count")
    if count < 1:
        raise _err("Must be greater than or equal to 1", *at, "count")
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
    if cpus <= 0:
        raise _err("must be greater than 0", *at, "cpus")
    memory = _memory(entry.get("memory"), at)
    bandwidth = _bandwidth(entry.get("bandwidth"), at)
    labels = _labels(entry.get("labels"), (*at, "labels"))
    engine_labels = _labels(entry.get("engine_labels"), (*at, "engine_labels"))
    generic = _generic(entry.get("generic_resources"), (*at, "generic_resources"))
    platform = _platform(entry.get("platform"), (*at, "platform"))
    base = NodeSpec(
        name=name,
        id="",
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
    )
    names = [name.replace("{i}", str(i)) for i in range(1, count + 1)] if count > 1 else [
        name.replace("{i}", "1")
    ]
    for hostname in names:
        if not _HOSTNAME.match(hostname):
            raise _err(f"{hostname!r} is not a valid hostname", *at, "name")
    return [_with(base, name=h) for h in names]


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
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise _err("must be a string", *at, "memory")
    try:
        size = parse_bytes(str(value))
    except ValueError as exc:
        raise _err(str(exc), *at, "memory") from None
    if size <= 0:
        raise _err("must be greater than 0", *at, "memory")
    return size


def _bandwidth(value: Any, at: tuple[str | int, ...]) -> int:
    """``bandwidth``: bytes per second as a byte size (``100M``) or a number."""
    if value is None:
        return defaults.NODE_BANDWIDTH
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise _err("must be a string", *at, "bandwidth")
    try:
        size = parse_bytes(str(value))
    except ValueError as exc:
        raise _err(str(exc), *at, "bandwidth") from None
    if size <= 0:
        raise _err("must be greater than 0", *at, "bandwidth")
    return size


def _registries(value: Any) -> tuple[tuple[str, bool], ...]:
    """``registries``: registry host -> ``{private: bool}`` (default public)."""
    if value is None:
        return ()
    if not isinstance(value, Mapping):
        raise _err("must be a mapping", "registries")
    out = []
    for host, conf in value.items():
        at = ("registries", str(host))
        if conf is None:
            conf = {}
        if not isinstance(conf, Mapping):
            raise _err("must be a mapping", *at)
        for key in conf:
            if key != "private":
                raise _extra(key, *at)
        private = conf.get("private", False)
        if not isinstance(private, bool):
            raise _err("must be a boolean", *at, "private")
        out.append((str(host), private))
    return tuple(sorted(out))


def _labels(value: Any, at: tuple[str | int, ...]) -> tuple[tuple[str, str], ...]:
    if value is None:
        return ()
    if not isinstance(value, Mapping):
        raise _err("must be a mapping", *at)
    out = []
    for key, val in value.items():
        if isinstance(val, bool) or not isinstance(val, str | int | float) and val is not None:
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


def _stacks(raw: Any, base: Path) -> tuple[StackRef, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, Mapping):
        raise _err("must be a mapping", "stacks")
    out = []
    for name, files in raw.items():
        if not isinstance(name, str) or not name.strip() or any(q in name for q in "\"'"):
            raise _err(f'invalid stack name: "{name}"', "stacks", str(name))
        given = [files] if isinstance(files, str) else files
        if not isinstance(given, list) or not given or not all(isinstance(f, str) for f in given):
            raise _err("must be a string or a list of strings", "stacks", name)
        paths = []
        for f in given:
            p = Path(f) if Path(f).is_absolute() else base / f
            if not p.is_file():
                raise _err(f"open {f}: no such file or directory", "stacks", name)
            paths.append(p)
        out.append(StackRef(name=name, compose_files=tuple(paths), given=tuple(given)))
    return tuple(out)
