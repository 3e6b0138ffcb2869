"""What the object renderers (:mod:`swarmsim.commands.objects`) need of a simulation
besides its state, for a simulation without the API server: versions and times of
nodes and tasks (recorded from the start, as SwarmKit's store indexes them), made-up
ids for networks, and timestamps on the simulation's own calendar
(:data:`swarmsim.foundation.defaults.SIM_EPOCH` is simulated t=0), so the same session
prints the same bytes.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any
from weakref import WeakKeyDictionary

from swarmsim.cluster.tasks import container_id
from swarmsim.foundation import defaults

if TYPE_CHECKING:
    from swarmsim.cluster.state import NodeRecord, ServiceRecord
    from swarmsim.cluster.tasks import Task, TaskState
    from swarmsim.input.specs import NodeSpec
    from swarmsim.simulation.engine import Simulation


def object_id(*parts: str) -> str:
    """A 25-character id for an object the engine does not own (networks, secrets,
    configs, containers): derived from its identity, so no random stream is used."""
    digest = hashlib.sha256("\0".join(parts).encode()).digest()
    value = int.from_bytes(digest[:16], "big")
    chars = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = []
    for _ in range(25):
        value, r = divmod(value, 36)
        out.append(chars[r])
    return "".join(out)


def made_up_vip(service_id: str, network: str) -> str:
    """A service's virtual IP on a network (a stable made-up address)."""
    n = int(object_id(service_id, network), 36) % 250 + 2
    return f"10.{subnet_of(network)}.0.{n}/24"


def subnet_of(network: str) -> int:
    """The second octet of a swarm network's made-up ``10.N.0.0/24`` (ingress: 0)."""
    return 0 if network == "ingress" else int(object_id("net", network), 36) % 200 + 1


def rfc3339_nano(at: datetime) -> str:
    """Go's ``time.RFC3339Nano`` (how the API marshals times): trailing zeros of the
    fraction dropped, ``Z`` for UTC."""
    at = at.astimezone(UTC)
    frac = f"{at.microsecond:06d}000".rstrip("0")
    return at.strftime("%Y-%m-%dT%H:%M:%S") + (f".{frac}" if frac else "") + "Z"


class SimStamps:
    """Timestamps on the simulation's calendar."""

    def stamp(self, sim_time: float) -> str:
        """RFC 3339 (nanoseconds) of a simulated instant."""
        return rfc3339_nano(datetime.fromisoformat(defaults.SIM_EPOCH)
                            + timedelta(seconds=sim_time))

    def anchor(self) -> float:
        """The calendar never moves against simulated time."""
        return 0.0


class SimView:
    """Versions of nodes, services and tasks, recorded from the simulation's start.

    Args:
        sim: the simulation (subscribed to at once: create the view before time moves).
    """

    def __init__(self, sim: Simulation) -> None:
        self.sim = sim
        self.clock = SimStamps()
        self.json_cache: dict[str, bytes] = {}  # task id -> its JSON, dropped on change
        self.json_anchor = self.clock.anchor()  # the anchor json_cache was rendered at
        self.spec_cache: dict[int, tuple[Any, str]] = {}  # id(spec) -> (spec, JSON text)
        self._index = 0
        self._versions: dict[str, int] = {}
        self._created: dict[str, float] = {}
        self._updated: dict[str, float] = {}
        self._service_ids: dict[str, str] = {}
        for n in sim.state.nodes.values():
            self._touch(n.id)
        sim.state.on_node(self._on_node)
        sim.state.on_service(self._on_service)
        sim.state.on_task(self._on_task)

    def _touch(self, oid: str) -> None:
        self._index += 1
        self._versions[oid] = self._index
        self._created.setdefault(oid, self.sim.now)
        self._updated[oid] = self.sim.now

    def _on_node(self, node: NodeRecord, before: NodeSpec) -> None:
        self._touch(node.id)

    def _on_service(self, svc: ServiceRecord, what: str) -> None:
        self._index += 1
        if what == "removed":
            self._service_ids[svc.name] = svc.id
        if what != "updated":  # its tasks' ServiceID comes from the service by name
            for t in self.sim.state.tasks.values():
                if t.service == svc.name:
                    self.json_cache.pop(t.id, None)

    def _on_task(self, task: Task, old: TaskState, old_desired: TaskState) -> None:
        if task.id not in self.sim.state.tasks:  # deleted: forget what was kept of it
            for kept in (self._versions, self._created, self._updated, self.json_cache):
                kept.pop(task.id, None)
            return
        self._touch(task.id)
        self.json_cache.pop(task.id, None)

    def index_of(self, oid: str) -> int:
        """``Version.Index`` of a node or task (the store index of its last change)."""
        return self._versions.get(oid, 1)

    def created_of(self, oid: str) -> float:
        """When a node or task was first seen."""
        return self._created.get(oid, 0.0)

    def updated_of(self, oid: str) -> float:
        """When a node or task last changed."""
        return self._updated.get(oid, 0.0)

    def removed_service_id(self, name: str) -> str:
        """The id a removed service had (its tasks still name it)."""
        return self._service_ids.get(name, "")

    def network_id(self, name: str) -> str:
        """The id shown for a network name."""
        return object_id("network", name)

    def vip(self, service_id: str, network: str) -> str:
        """A service's virtual IP on a network."""
        return made_up_vip(service_id, network)

    def container_id(self, task: Task) -> str:
        """A task's container id (64 hex digits)."""
        return container_id(task)


_VIEWS: WeakKeyDictionary[Simulation, SimView] = WeakKeyDictionary()


def view_of(sim: Simulation) -> SimView:
    """The simulation's :class:`SimView`, made on first use (versions count from
    then: a shell makes it when its session starts)."""
    view = _VIEWS.get(sim)
    if view is None:
        view = _VIEWS[sim] = SimView(sim)
    return view
