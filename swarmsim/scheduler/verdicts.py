"""A filter's verdict on one node in that node's own terms (``swarmsim explain``).

SwarmKit's explanations count nodes across the cluster (``scheduling constraints not
satisfied on 3 nodes``); a per-node table says instead what this node lacks, e.g.
``constraint node.labels.zone==b: node has zone=a`` or ``needs 0.5 CPU, 0.2 free``.
The filters and their order are SwarmKit's (``manager/scheduler/filter.go``); the
wording here is swarmsim's.
"""

from __future__ import annotations

import copy
from collections.abc import Container
from dataclasses import dataclass
from typing import Any, Protocol

from swarmsim.foundation.units import format_bytes, format_cpus
from swarmsim.input.specs import ServiceSpec
from swarmsim.policies.base import TaskView
from swarmsim.scheduler.constraint import (
    ENGINE_LABEL_PREFIX,
    NODE_LABEL_PREFIX,
    Constraint,
    compile_constraints,
    parse_constraints,
)
from swarmsim.scheduler.filters import (
    CONSTRAINTS,
    HOST_PORT,
    MAX_REPLICAS,
    PLATFORM,
    READY,
    RESOURCES,
    Pipeline,
    explain_filter,
)
from swarmsim.scheduler.keyed import takes_task
from swarmsim.scheduler.nodeinfo import NodeInfo, TaskRecord
from swarmsim.scheduler.nodeset import NodeSet
from swarmsim.scheduler.ranked import node_view
from swarmsim.scheduler.spread import GroupPlacer


class _Task(Protocol):
    """What a verdict reads of the task being placed; the scheduler's ``PendingTask`` is
    one (a protocol, so this module does not import the scheduler that imports it)."""

    @property
    def id(self) -> str: ...
    @property
    def spec_version(self) -> int: ...
    @property
    def node_id(self) -> str | None: ...


def _constraint_value(c: Constraint, node: NodeInfo) -> str:
    """What ``node`` has for the key ``c`` looks at, as ``name=value``."""
    facts = node.facts
    low = c.key.lower()
    simple = {"node.id": facts.id, "node.hostname": facts.hostname, "node.role": facts.role,
              "node.platform.os": facts.os, "node.platform.arch": facts.arch,
              "node.ip": node.spec.addr}
    if low in simple:
        return f"node has {low.removeprefix('node.')}={simple[low] or '(none)'}"
    for prefix, labels in ((NODE_LABEL_PREFIX, facts.labels),
                           (ENGINE_LABEL_PREFIX, facts.engine_labels)):
        if low.startswith(prefix) and len(c.key) > len(prefix):
            label = c.key[len(prefix):]
            if label not in labels:
                return f"node has no label {label}"
            return f"node has {label}={labels[label]}"
    return f"{c.key} is not a key swarm knows"


def _constraints(node: NodeInfo, service: ServiceSpec) -> str:
    try:
        parsed = parse_constraints(service.placement.constraints)
    except ValueError:
        return explain_filter(CONSTRAINTS, 1)
    for c in parsed:
        if not compile_constraints([c])(node.facts):
            return f"constraint {c.key}{c.operator}{c.exp}: {_constraint_value(c, node)}"
    return explain_filter(CONSTRAINTS, 1)  # pragma: no cover - some constraint failed


def _resources(node: NodeInfo, service: ServiceSpec) -> str:
    res = service.resources.reservations
    parts = []
    if res.nano_cpus > node.avail_cpu:
        parts.append(f"needs {format_cpus(res.nano_cpus)} CPU, "
                     f"{format_cpus(max(0, node.avail_cpu))} free")
    if res.memory_bytes > node.avail_mem:
        parts.append(f"needs {format_bytes(res.memory_bytes)} memory, "
                     f"{format_bytes(max(0, node.avail_mem))} free")
    for kind, count in res.generic:
        free = node.avail_generic.get(kind, 0)
        if count and free < count:
            parts.append(f"needs {count} {kind}, {max(0, free)} free")
    return "; ".join(parts) or explain_filter(RESOURCES, 1)


def failure_detail(index: int, node: NodeInfo, service: ServiceSpec) -> str:
    """Why ``node`` fails filter ``index`` for a task of ``service``, in its own terms."""
    spec = node.spec
    if index == READY:
        if spec.status != "ready":
            return f"node is {spec.status}"
        return f"node availability is {spec.availability}"
    if index == RESOURCES:
        return _resources(node, service)
    if index == CONSTRAINTS:
        return _constraints(node, service)
    if index == PLATFORM:
        wanted = ", ".join(f"{p.os or '*'}/{p.arch or '*'}" for p in service.placement.platforms)
        mine = spec.platform
        have = f"{mine.os}/{mine.arch}" if mine is not None else "unknown"
        return f"service runs on {wanted}, node is {have}"
    if index == HOST_PORT:
        used = [f"{port}/{proto}" for proto, port in service.host_ports
                if (proto, port) in node.used_ports]
        return f"host port {', '.join(used)} already in use on the node"
    if index == MAX_REPLICAS:
        count = node.by_service.get(service.name, 0)
        return (f"{count} tasks of the service on the node, "
                f"max {service.placement.max_replicas} per node")
    return explain_filter(index, 1)


@dataclass(frozen=True, slots=True)
class NodeVerdict:
    """Why a node would or would not take a task (``swarmsim explain``).

    Attributes:
        node_id: the node.
        hostname: its hostname.
        failed_filter: the first filter's explanation for this node alone (e.g.
            ``insufficient resources on 1 node``), or ``""`` if it passes every filter.
        rank: 0-based place among the passing nodes in the order the scheduler uses
            (spread's ``nodeLess`` then node id, or the policy's ranking), or None.
        detail: the first failing filter in the node's own terms (``needs 0.5 CPU, 0.2
            free``), or ``""``.
        key: the node's sort key or score as text (spread: ``(recent failures, tasks of
            the service, tasks)``; a policy's ``key``), or ``""``.
    """

    node_id: str
    hostname: str
    failed_filter: str
    rank: int | None
    detail: str = ""
    key: str = ""


@dataclass(frozen=True, slots=True)
class Explanation:
    """Every node's verdict at the scheduling pass that decided a task.

    Attributes:
        time: simulated time of the pass.
        group: tasks of the same service placed together in that pass (the verdicts are
            from before any of them was placed).
        verdicts: one per node, in node-id order.
    """

    time: float
    group: int
    verdicts: tuple[NodeVerdict, ...]


class _Every:
    """A container holding every task id."""

    def __contains__(self, item: object) -> bool:
        return True


#: ``Scheduler.watch`` value that keeps the explanation of every task's decision
ALL_TASKS: Container[str] = _Every()


def node_verdicts(nodeset: NodeSet, policy: Any, rng: Any, task: _Task,
                  service: ServiceSpec, now: float) -> list[NodeVerdict]:
    """Every node's verdict for ``task``: its first failing filter (SwarmKit's text and
    the node's own terms) or its sort key and rank in the order the scheduler uses.

    Args:
        policy: the scheduler's policy (None: spread); ranked with a copy of ``rng``, so
            a random policy shows the order it would draw and the run's stream is
            untouched.
    """
    pipeline = Pipeline(service)
    rec = TaskRecord.of(service, task.spec_version, task.node_id is not None)
    nodes = nodeset.in_id_order()
    failures = [pipeline.first_failure(n) for n in nodes]
    passing = [n for n, f in zip(nodes, failures, strict=True) if f < 0]
    keys: dict[str, str] = {}
    if policy is None:
        placer = GroupPlacer(nodeset, pipeline, rec, [task.id], (), now)
        passing.sort(key=placer.sort_key)
        for n in passing:
            keys[n.id] = str((*placer.sort_key(n)[:2], n.total))
    else:
        view = TaskView(task.id, service.name, rec.nano_cpus, rec.memory)
        views = [node_view(n, service.name) for n in passing]
        key_fn = getattr(policy, "key", None)
        if callable(key_fn):
            with_task = takes_task(key_fn)
            keys = {v.id: _key_text(key_fn(v, view) if with_task else key_fn(v))
                    for v in views}
        # a copy of the policy's stream: the same draws, the run's stream untouched
        ranked = policy.rank(views, view, copy.deepcopy(rng))
        by_id = {n.id: n for n in passing}
        passing = [by_id[v.id] for v in ranked if v.id in by_id]
    rank = {n.id: r for r, n in enumerate(passing)}
    return [
        NodeVerdict(n.id, n.spec.name, explain_filter(f, 1) if f >= 0 else "",
                    rank.get(n.id), failure_detail(f, n, service) if f >= 0 else "",
                    keys.get(n.id, ""))
        for n, f in zip(nodes, failures, strict=True)
    ]


def _key_text(key: object) -> str:
    if isinstance(key, tuple):
        return "(" + ", ".join(_key_text(k) for k in key) + ")"
    if isinstance(key, float):
        return f"{key:.4g}"
    return str(key)
