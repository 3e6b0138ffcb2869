"""swarmsim's nodes, tasks and services as Engine API objects: what the API server
returns and what the shell's ``docker inspect`` prints.

Shapes follow moby's ``api/types/swarm/{node,task,service}.go`` and the conversions
of ``daemon/cluster/convert``: ``ID``, ``Version.Index``, ``CreatedAt``, ``UpdatedAt``,
``Spec``, ``Status``; task and node states are SwarmKit's lowercase names.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Protocol

from swarmsim.cluster.state import NodeRecord, ServiceRecord
from swarmsim.cluster.tasks import LABELS, Task, TaskState
from swarmsim.commands import spec_out
from swarmsim.commands.tables import replica_counts
from swarmsim.foundation import defaults
from swarmsim.manager.controlapi.membership import SWARM_PORT

if TYPE_CHECKING:
    from swarmsim.simulation.engine import Simulation


class Stamps(Protocol):
    """How simulated instants read as API timestamps."""

    def stamp(self, sim_time: float) -> str:
        """An RFC 3339 timestamp (UTC) of a simulated instant."""

    def anchor(self) -> float:
        """Something that changes when the timestamps of unchanged objects change."""


class View(Protocol):
    """What the renderers need besides the simulation: object versions and times, the
    ids of networks and containers, and two caches of rendered JSON."""

    sim: Simulation

    @property
    def clock(self) -> Stamps: ...

    json_cache: dict[str, bytes]
    json_anchor: float
    spec_cache: dict[int, tuple[Any, str]]

    def index_of(self, oid: str) -> int: ...
    def created_of(self, oid: str) -> float: ...
    def updated_of(self, oid: str) -> float: ...
    def removed_service_id(self, name: str) -> str: ...
    def network_id(self, name: str) -> str: ...
    def vip(self, service_id: str, network: str) -> str: ...
    def container_id(self, task: Task) -> str: ...

_ARCH = {"amd64": "x86_64", "arm64": "aarch64"}


def node(view: View, n: NodeRecord) -> dict[str, Any]:
    """``swarm.Node``."""
    s = n.spec
    out: dict[str, Any] = {
        "ID": n.id,
        "Version": {"Index": view.index_of(n.id)},
        "CreatedAt": view.clock.stamp(view.created_of(n.id)),
        "UpdatedAt": view.clock.stamp(view.updated_of(n.id)),
        "Spec": {"Labels": dict(s.labels), "Role": s.role, "Availability": s.availability},
        "Description": {
            "Hostname": s.name,
            "Platform": {"Architecture": _ARCH.get(s.platform.arch, s.platform.arch),
                         "OS": s.platform.os},
            "Resources": {
                "NanoCPUs": s.nano_cpus,
                "MemoryBytes": s.memory_bytes,
                **({"GenericResources": [
                    {"DiscreteResourceSpec": {"Kind": k, "Value": v}} for k, v in s.generic
                ]} if s.generic else {}),
            },
            "Engine": {"EngineVersion": defaults.ENGINE_VERSION,
                       "Labels": dict(s.engine_labels),
                       "Plugins": [{"Type": "Network", "Name": "overlay"}]},
            "TLSInfo": {},
        },
        "Status": {"State": s.status, "Addr": s.addr,
                   **({"Message": n.status_message} if n.status_message else {})},
    }
    if s.role == "manager" and n.manager_status:
        out["ManagerStatus"] = {
            "Leader": n.manager_status == "Leader",
            "Reachability": "unreachable" if n.manager_status == "Unreachable" else "reachable",
            "Addr": f"{s.addr}:{SWARM_PORT}",
        }
    return out


def service_status(view: View, svc: ServiceRecord) -> dict[str, int]:
    """``ServiceStatus``: the counts ``docker service ls`` shows."""
    running, desired, completed = replica_counts(view.sim.state, svc)
    return {"RunningTasks": running, "DesiredTasks": desired, "CompletedTasks": completed}


def service(view: View, svc: ServiceRecord, *, status: bool = False) -> dict[str, Any]:
    """``swarm.Service``."""
    spec = spec_out.service_spec(svc.spec, view.network_id)
    out: dict[str, Any] = {
        "ID": svc.id,
        "Version": {"Index": svc.version},
        "CreatedAt": view.clock.stamp(svc.created),
        "UpdatedAt": view.clock.stamp(svc.updated),
        "Spec": spec,
    }
    if svc.previous_spec is not None:
        out["PreviousSpec"] = spec_out.service_spec(svc.previous_spec, view.network_id)
    endpoint: dict[str, Any] = {"Spec": spec["EndpointSpec"]}
    if svc.spec.ports:
        endpoint["Ports"] = [spec_out.port(p) for p in svc.spec.ports]
    endpoint["VirtualIPs"] = [
        {"NetworkID": view.network_id(name), "Addr": view.vip(svc.id, name)}
        for name in (("ingress",) if any(p.mode == "ingress" for p in svc.spec.ports) else ())
        + svc.spec.networks
    ] if svc.spec.endpoint_mode == "vip" else []
    out["Endpoint"] = endpoint
    if svc.update_state:
        out["UpdateStatus"] = {"State": svc.update_state, "Message": svc.update_message,
                               "StartedAt": view.clock.stamp(svc.updated)}
    if status:
        out["ServiceStatus"] = service_status(view, svc)
    return out


def task_json(view: View, t: Task) -> bytes:
    """:func:`task` as JSON bytes, rendered once and kept until the task changes (the
    view drops it), its service comes or goes, or the clock's anchor moves: a list of
    a thousand tasks is then joined, not rebuilt."""
    anchor = view.clock.anchor()
    if anchor != view.json_anchor:
        view.json_cache.clear()
        view.json_anchor = anchor
    hit = view.json_cache.get(t.id)
    if hit is not None:
        return hit
    spec = t.spec
    spec_hit = view.spec_cache.get(id(spec))
    if spec_hit is None or spec_hit[0] is not spec:
        spec_hit = (spec, json.dumps(spec_out.task_template(spec, view.network_id),
                                     separators=(",", ":")))
        view.spec_cache[id(spec)] = spec_hit
    body = task(view, t, with_spec=False)
    text = (json.dumps(body, separators=(",", ":"))[:-1] + ',"Spec":' + spec_hit[1]
            + "}").encode()
    view.json_cache[t.id] = text
    return text


def task(view: View, t: Task, *, with_spec: bool = True) -> dict[str, Any]:
    """``swarm.Task``."""
    state = view.sim.state
    svc = state.services.get(t.service)
    status: dict[str, Any] = {
        "Timestamp": view.clock.stamp(t.updated),
        "State": LABELS[t.state],
        "Message": t.message,
    }
    if t.error:
        status["Err"] = t.error
    if TaskState.ASSIGNED <= t.state:
        status["ContainerStatus"] = {"ContainerID": view.container_id(t), "PID": 0,
                                     "ExitCode": t.exit_code or 0}
    if t.state == TaskState.RUNNING:
        host = [spec_out.port(p) for p in t.spec.ports if p.mode == "host" and p.published]
        status["PortStatus"] = {"Ports": host} if host else {}
    else:
        status["PortStatus"] = {}
    out: dict[str, Any] = {
        "ID": t.id,
        "Version": {"Index": view.index_of(t.id)},
        "CreatedAt": view.clock.stamp(t.created),
        "UpdatedAt": view.clock.stamp(t.updated),
        "Labels": {},
        **({"Spec": spec_out.task_template(t.spec, view.network_id)} if with_spec else {}),
        "ServiceID": svc.id if svc is not None else view.removed_service_id(t.service),
        "Slot": t.slot,
        "Status": status,
        "DesiredState": LABELS[t.desired],
    }
    if t.node_id:
        out["NodeID"] = t.node_id
    if t.spec.is_job:
        out["JobIteration"] = {"Index": t.job_iteration}
    return out
