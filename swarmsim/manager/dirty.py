"""The rolling updater's pure decisions: whether a task is out of date (SwarmKit's
``orchestrator.IsTaskDirty``), when failures stop a run, how long a run monitors, and the
order slots are handed out (manager/orchestrator/update/updater.go)."""

from __future__ import annotations

from dataclasses import fields

import numpy as np

from swarmsim.cluster.tasks import Task
from swarmsim.foundation import defaults
from swarmsim.input.specs import NodeSpec, ServiceSpec, UpdateConfig
from swarmsim.scheduler.constraint import node_matches, parse_constraints

#: ServiceSpec fields outside the task template and endpoint: changing them alone
#: never makes a task dirty (``x-swarmsim`` is not part of what docker sends).
NOT_IN_TASK = frozenset({"name", "stack", "short_name", "mode", "replicas", "labels", "update",
                         "rollback", "sim", "update_config_given",
                         # pull options (registry credentials): ignored for ready and
                         # running tasks by swarm's dirty check
                         "registry_auth"})
#: ServiceSpec fields that make up the endpoint spec.
ENDPOINT = frozenset({"endpoint_mode", "ports"})


def _part(spec: ServiceSpec, names: frozenset[str]) -> tuple[object, ...]:
    return tuple(getattr(spec, f.name) for f in fields(spec) if f.name in names)


_TASK = frozenset(f.name for f in fields(ServiceSpec)) - NOT_IN_TASK - ENDPOINT
_TASK_BUT_PLACEMENT = _TASK - {"placement"}


def is_task_dirty(task: Task, svc_spec: ServiceSpec, node_spec: NodeSpec | None,
                  svc_version: int | None = None) -> bool:
    """Whether ``task`` no longer matches the service (SwarmKit's ``IsTaskDirty``).

    Args:
        task: the task (its ``spec`` and ``spec_version``).
        svc_spec: the service's current spec.
        node_spec: the task's node, or None.
        svc_version: the service's spec version; equal to the task's means clean.

    Returns:
        False when the versions are equal; False when only the placement changed and
        the node still meets the new constraints (the endpoint is then not compared,
        as in swarm); otherwise True when the task template or endpoint differ.
        ``replicas``, service labels and the update/rollback configs never matter.
    """
    if svc_version is not None and task.spec_version == svc_version:
        return False
    old = task.spec
    placement_only, differs = _compare(old, svc_spec)
    if placement_only and _node_meets(svc_spec, node_spec):
        return False
    return differs


_COMPARED: dict[tuple[int, int], tuple[ServiceSpec, ServiceSpec, bool, bool]] = {}


def _compare(old: ServiceSpec, new: ServiceSpec) -> tuple[bool, bool]:
    """(only the placement differs, the task template or endpoint differ), memoised on
    the two spec objects: every task of a service shares its spec object, so an update
    compares each pair of specs once rather than once per task."""
    key = (id(old), id(new))
    hit = _COMPARED.get(key)
    if hit is not None and hit[0] is old and hit[1] is new:
        return hit[2], hit[3]
    placement_only = (old.placement != new.placement
                      and _part(old, _TASK_BUT_PLACEMENT) == _part(new, _TASK_BUT_PLACEMENT))
    differs = _part(old, _TASK | ENDPOINT) != _part(new, _TASK | ENDPOINT)
    if len(_COMPARED) > 4096:
        _COMPARED.clear()
    _COMPARED[key] = (old, new, placement_only, differs)
    return placement_only, differs


def _node_meets(spec: ServiceSpec, node: NodeSpec | None) -> bool:
    try:
        constraints = parse_constraints(spec.placement.constraints)
    except ValueError:  # unparsable constraints match every node, as in swarm
        constraints = []
    return node is not None and node_matches(constraints, node)


def failure_threshold_exceeded(failures: int, dirty_slots: int, max_ratio: float) -> bool:
    """``float32(failures) / float32(dirty) > max_failure_ratio``, as swarm computes it."""
    if dirty_slots <= 0:
        return False
    ratio = np.float32(failures) / np.float32(dirty_slots)
    return bool(ratio > np.float32(max_ratio))


def monitor_period(config: UpdateConfig) -> float:
    """Seconds to keep watching after the last slot: ``monitor`` (0 means 5 s), or
    ``delay + 1 s`` when the delay is at least the monitor."""
    monitor = config.monitor_s if config.monitor_s > 0 else defaults.UPDATE_MONITOR_S
    if config.delay_s >= monitor:
        monitor = config.delay_s + 1.0
    return monitor


def slot_key(slot: list[Task]) -> tuple[int, str]:
    """Processing order of slots: slot number, then node id (global services)."""
    return (slot[0].slot, slot[0].node_id or "")
