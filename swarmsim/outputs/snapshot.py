"""The JSON document describing the swarm at one moment (``--json``, ``final.json``).

Its shape is the one ``swarmsim plan --json`` prints; a run adds task history and the
``created``/``updated``/``actual`` fields of each task.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from swarmsim.cluster.tasks import Task, TaskState
from swarmsim.foundation.text import natural_key

if TYPE_CHECKING:
    from swarmsim.cluster.state import ServiceRecord
    from swarmsim.simulation.engine import Simulation


def running_count(sim: Simulation, svc: ServiceRecord) -> int:
    """``docker service ls`` running: tasks whose observed state is ``running``."""
    return sum(1 for t in sim.state.tasks_of(svc.name) if t.state == TaskState.RUNNING)


def desired_count(sim: Simulation, svc: ServiceRecord) -> int:
    """``docker service ls`` desired: replicas, or for global services the tasks with
    desired state ``running``."""
    if svc.spec.is_global:
        return sum(1 for t in sim.state.tasks_of(svc.name) if t.desired == TaskState.RUNNING)
    return svc.spec.replicas


def task_dict(sim: Simulation, task: Task) -> dict[str, Any]:
    """One task as JSON-ready data."""
    node = sim.state.nodes.get(task.node_id or "")
    name = node.spec.name if node else sim_machine_name(sim, task.node_id)
    return {
        "id": task.id,
        "name": task.name,
        "service": task.service,
        "slot": task.slot,
        "node": name,
        "desired_state": task.desired.label,
        "state": task.state.label,
        "error": task.error,
        "created": task.created,
        "updated": task.updated,
        "actual": task.actual,
        "exit_code": task.exit_code,
        "message": task.message,
    }


def sim_machine_name(sim: Simulation, node_id: str | None) -> str | None:
    """Hostname of a node id even after the node left the swarm."""
    if node_id is None:
        return None
    for spec in sim.machines.values():
        if spec.id == node_id:
            return spec.name
    return None


def _state(sim: Simulation, svc: ServiceRecord) -> dict[str, Any]:
    """``state`` of a stateful service: ``[{"node", "volume", "items"}]``."""
    storage = getattr(sim, "storage", None)
    if storage is None or not svc.spec.sim.stateful:
        return {}
    return {"state": storage.service_state(svc.spec)}


def snapshot(sim: Simulation) -> dict[str, Any]:
    """The state of the swarm now, as the ``--json`` document."""
    nodes = []
    for node in sorted(sim.state.nodes.values(), key=lambda n: natural_key(n.spec.name)):
        usage = sim.scheduler.node_usage(node.id)
        s = node.spec
        nodes.append(
            {
                "name": s.name,
                "id": s.id,
                "role": s.role,
                "status": s.status,
                "availability": s.availability,
                "cpus": s.nano_cpus / 1e9,
                "memory": s.memory_bytes,
                "labels": dict(s.labels),
                "reserved_cpus": usage.reserved_nano_cpus / 1e9,
                "reserved_memory": usage.reserved_memory,
                "alive": node.alive,
                "manager_status": node.manager_status,
            }
        )
    services = [
        {
            "name": svc.name,
            "id": svc.id,
            "mode": svc.spec.mode,
            "desired": desired_count(sim, svc),
            "running": running_count(sim, svc),
            "image": svc.spec.image,
            "version": svc.version,
            "update_state": svc.update_state,
            **_state(sim, svc),
        }
        for svc in sorted(sim.state.services.values(), key=lambda s: natural_key(s.name))
    ]
    tasks = sorted(sim.state.tasks.values(), key=lambda t: (natural_key(t.name), -t.created))
    return {
        "time": sim.now,
        "nodes": nodes,
        "services": services,
        "tasks": [task_dict(sim, t) for t in tasks],
    }
