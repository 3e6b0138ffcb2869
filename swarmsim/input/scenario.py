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
    failures:                    # optional: machines failing at random (docs/metrics.md)
      - {nodes: all, mtbf: 6h, mttr: 10m}
    rebalance: off               # optional what-if, NOT swarm behaviour: on-recovery |
                                 # on-join (docs/research.md)

Every problem is an :class:`~swarmsim.foundation.errors.InputError` naming the file, the line and
the key path, in the style of compose schema errors.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from swarmsim.compose.yamlv3 import load_yaml_text
from swarmsim.foundation import defaults
from swarmsim.foundation.errors import InputError, dotted
from swarmsim.foundation.inputfile import read_limited, yaml_text
from swarmsim.foundation.rng import IdFactory, make_streams
from swarmsim.input.checks import duration, key_error
from swarmsim.input.cmdline import check_command
from swarmsim.input.failures import parse_failures
from swarmsim.input.network import NetworkModel, parse_network
from swarmsim.input.policy import (
    BUILTIN_NAMES,
    SPREAD,
    check_policy_name,
    resolve_policy_name,
    user_policy,
)
from swarmsim.input.rebalance import parse_rebalance
from swarmsim.input.scenario_nodes import parse_nodes as _nodes
from swarmsim.input.specs import NodeSpec
from swarmsim.input.timeline import Step, parse_timeline
from swarmsim.input.traces import parse_traces
from swarmsim.input.workload import WorkloadSpec, check_requests, parse_workloads

_TOP_KEYS = (
    "name", "seed", "nodes", "stacks", "until", "timeline", "network", "workload", "policy",
    "registries", "traces", "rebalance", "failures",
)


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
    network: NetworkModel = field(default_factory=NetworkModel)
    workload: tuple[WorkloadSpec, ...] = ()
    policy: str = "spread"  # swarmsim.policies: only "spread" is swarm's own behaviour
    registries: tuple[tuple[str, bool], ...] = ()  # (host, private), sorted by host
    traces: tuple[Any, ...] = ()  # swarmsim.input.traces.TraceRow, by arrival time
    rebalance: str = "off"  # NOT swarm behaviour: swarmsim.manager.rebalance
    failures: tuple[Any, ...] = ()  # swarmsim.input.failures.FailureSpec: random failures
    # line of each top-level key of the file, for errors found later (check_run)
    key_lines: tuple[tuple[str, int], ...] = field(default=(), compare=False)

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
                    **({"power": {"idle": n.power[0], "max": n.power[1]}}
                       if n.power != (defaults.NODE_POWER_IDLE_W, defaults.NODE_POWER_MAX_W)
                       else {}),
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
            **({"failures": [f.to_dict() for f in self.failures]} if self.failures else {}),
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
    given = str(path)
    p = Path(path)
    text = yaml_text(read_limited(p, given), given)
    try:
        data, lines = load_yaml_text(text)
    except InputError as err:
        raise err.located(file=given) from None
    try:
        scenario = _build(data, p, given, seed)
    except InputError as err:
        line = lines.lookup(err.keys) if err.keys is not None else None
        raise err.located(file=given, line=line) from None
    tops = tuple((str(k), n) for k in data if (n := lines.lookup((str(k),))) is not None)
    return replace(scenario, key_lines=tops)


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


_err = key_error


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
    timeline = parse_timeline(data.get("timeline"), {n.name for n in nodes}, check_command)
    network = parse_network(data.get("network"), [n.name for n in nodes])
    workload = parse_workloads(data.get("workload"), {n.name for n in nodes}, path.parent)
    check_requests(workload, until)
    policy = _policy(data.get("policy", "spread"), path.parent)
    registries = _registries(data.get("registries"))
    traces = parse_traces(data.get("traces"), path.parent)
    rebalance = parse_rebalance(data.get("rebalance"))
    failures = parse_failures(data.get("failures"), {n.name for n in nodes})
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
        failures=failures,
    )


def _policy(value: Any, base: Path) -> str:
    problem = check_policy_name(value)
    if problem is not None:
        raise _err(problem, "policy")
    name = resolve_policy_name(value, base)
    try:
        if name != SPREAD and name not in BUILTIN_NAMES:
            user_policy(name)  # the module the user named must load
    except ValueError as exc:
        raise _err(str(exc).removeprefix("policy "), "policy") from None
    return name


def check_run(scenario: Scenario, until: float) -> None:
    """``scenario`` can be run until ``until`` (its own, or one given later: ``run
    --until``, a sweep's ``until``): it has a machine, ``until`` is a positive, finite
    time, and the run sends no more requests than swarmsim's limit.

    Raises:
        InputError: with the scenario's file and the key path.
    """
    try:
        if not scenario.nodes:
            raise _err("must list at least one machine to run on", "nodes")
        if not until > 0 or until == float("inf"):
            raise _err("must be greater than 0", "until")
        check_requests(scenario.workload, until)
    except InputError as err:
        top = err.keys[0] if err.keys else None
        line = dict(scenario.key_lines).get(top) if isinstance(top, str) else None
        raise err.located(file=scenario.source or None, line=line) from None


def _duration(value: Any, *keys: str | int) -> float:
    return duration(value, *keys, negative=True)


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
            if not p.exists():  # a directory or a device fails when it is read
                raise _err(f"open {f}: no such file or directory", "stacks", name)
            paths.append(p)
        out.append(StackRef(name=name, compose_files=tuple(paths), given=tuple(given)))
    return tuple(out)
