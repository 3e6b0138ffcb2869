"""What the server knows beyond the simulation: object versions and creation times,
the swarm's networks, secrets and configs as API objects, and the event log.

One :class:`View` per server.  It subscribes to the cluster state's changes (it only
records them: subscribers never change the state) and is read and changed from the
server's single event loop, after the live clock has advanced the simulation.
"""

from __future__ import annotations

import hashlib
from collections import deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from swarmsim.api.clock import LiveClock
from swarmsim.cluster.state import NodeRecord, ServiceRecord
from swarmsim.cluster.tasks import Task, TaskState, container_id
from swarmsim.commands import control_api
from swarmsim.input.specs import NodeSpec

if TYPE_CHECKING:
    from swarmsim.simulation.engine import Simulation

#: networks every engine has (local scope), and the swarm's routing mesh
LOCAL_NETWORKS = (("bridge", "bridge"), ("host", "host"), ("none", "null"))
EVENT_LOG = 10_000  # events kept for /events?since=


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


@dataclass
class Item:
    """A network, secret or config: what the API shows of it."""

    kind: str
    id: str
    name: str
    created: float
    labels: dict[str, str] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)  # driver, data, ...
    version: int = 1


@dataclass(frozen=True, slots=True)
class Event:
    """One ``/events`` message."""

    seq: int
    time: float
    type: str
    action: str
    id: str
    attributes: tuple[tuple[str, str], ...]


class View:
    """The server's bookkeeping around one simulation.

    Args:
        sim: the simulation.
        clock: its live clock.
        machine: the machine whose engine the server is.
    """

    def __init__(self, sim: Simulation, clock: LiveClock, machine: str) -> None:
        self.sim = sim
        self.clock = clock
        self.machine = machine
        self.api = control_api(sim)
        self._index = 0
        self._versions: dict[str, int] = {}
        self._created: dict[str, float] = {}
        self._updated: dict[str, float] = {}
        self._service_ids: dict[str, str] = {}  # removed services' ids, for their tasks
        self.items: dict[str, dict[str, Item]] = {"network": {}, "secret": {}, "config": {}}
        self.events: deque[Event] = deque(maxlen=EVENT_LOG)
        self._seq = 0
        self.auth: dict[str, str] = {}  # registry -> user, from X-Registry-Auth headers
        self.json_cache: dict[str, bytes] = {}  # task id -> its JSON, dropped on change
        self.json_anchor = clock.anchor()  # the clock anchor json_cache was rendered at
        self.responses: dict[str, tuple[Any, bytes]] = {}  # GET path?query -> (key, body)
        self.spec_cache: dict[int, tuple[Any, str]] = {}  # id(spec) -> (spec, JSON text)
        for n in sim.state.nodes.values():
            self._touch(n.id)
        sim.state.on_node(self._on_node)
        sim.state.on_service(self._on_service)
        sim.state.on_task(self._on_task)

    # --- versions ----------------------------------------------------------------------
    def _touch(self, oid: str) -> int:
        self._index += 1
        self._versions[oid] = self._index
        self._created.setdefault(oid, self.sim.now)
        self._updated[oid] = self.sim.now
        return self._index

    def index_of(self, oid: str) -> int:
        """``Version.Index`` of a node or task (the store index of its last change)."""
        return self._versions.get(oid, 1)

    def created_of(self, oid: str) -> float:
        return self._created.get(oid, 0.0)

    def updated_of(self, oid: str) -> float:
        return self._updated.get(oid, 0.0)

    def _on_node(self, node: NodeRecord, before: NodeSpec) -> None:
        new = node.id not in self._versions
        self._touch(node.id)
        if not node.in_swarm:
            self._event("node", "remove", node.id, name=node.name)
        elif new:
            self._event("node", "create", node.id, name=node.name)
        else:
            attrs: dict[str, str] = {"name": node.name}
            spec = node.spec
            for key, old, cur in (("availability", before.availability, spec.availability),
                                  ("role", before.role, spec.role),
                                  ("state", before.status, spec.status)):
                if old != cur:
                    attrs[f"{key}.old"], attrs[f"{key}.new"] = old, cur
            if len(attrs) > 1:
                self._event("node", "update", node.id, **attrs)

    def _on_service(self, svc: ServiceRecord, what: str) -> None:
        self._index += 1
        action = {"created": "create", "updated": "update", "removed": "remove"}[what]
        if what == "removed":
            self._service_ids[svc.name] = svc.id
        if what != "updated":  # its tasks' ServiceID comes from the service by name
            for t in self.sim.state.tasks.values():
                if t.service == svc.name:
                    self.json_cache.pop(t.id, None)
        self._event("service", action, svc.id, name=svc.name)

    def _on_task(self, task: Task, old: TaskState, old_desired: TaskState) -> None:
        if task.id not in self.sim.state.tasks:  # deleted: forget what was kept of it
            self._versions.pop(task.id, None)
            self._created.pop(task.id, None)
            self._updated.pop(task.id, None)
            self.json_cache.pop(task.id, None)
            return
        self._touch(task.id)
        self.json_cache.pop(task.id, None)

    def removed_service_id(self, name: str) -> str:
        return self._service_ids.get(name, "")

    # --- events ------------------------------------------------------------------------
    def _event(self, kind: str, action: str, oid: str, **attrs: str) -> None:
        self._seq += 1
        self.events.append(Event(self._seq, self.sim.now, kind, action, oid,
                                 tuple(sorted(attrs.items()))))

    def event(self, kind: str, action: str, oid: str, **attrs: str) -> None:
        """Record an event of an object the server itself manages."""
        self._index += 1
        self._event(kind, action, oid, **attrs)

    @property
    def generation(self) -> int:
        """A number that changes whenever anything the API shows changes (but time):
        the store index."""
        return self._index

    # --- networks, secrets, configs ----------------------------------------------------
    def sync(self) -> None:
        """Bring the API objects in line with the control API's (a stack deployed or
        removed by the scenario's timeline)."""
        stores = {"network": self.api.networks, "secret": self.api.secrets,
                  "config": self.api.configs}
        for kind, store in stores.items():
            items = self.items[kind]
            for name, stack in store.items():
                if name not in items:
                    labels = {"com.docker.stack.namespace": stack} if stack else {}
                    extra = {"Driver": "overlay"} if kind == "network" else {}
                    items[name] = Item(kind, object_id(kind, name, str(self.sim.now)), name,
                                       self.sim.now, labels, extra)
                    self._index += 1
            for name in [n for n in items if n not in store]:
                del items[name]
                self._index += 1

    def add_item(self, kind: str, name: str, labels: dict[str, str],
                 extra: dict[str, Any]) -> Item:
        """A network, secret or config created through the API."""
        store = {"network": self.api.networks, "secret": self.api.secrets,
                 "config": self.api.configs}[kind]
        store[name] = labels.get("com.docker.stack.namespace", "")
        item = Item(kind, object_id(kind, name, str(self.sim.now), str(self._seq)), name,
                    self.sim.now, dict(labels), dict(extra))
        self.items[kind][name] = item
        self.event(kind, "create", item.id, name=name)
        return item

    def remove_item(self, item: Item) -> None:
        store = {"network": self.api.networks, "secret": self.api.secrets,
                 "config": self.api.configs}[item.kind]
        store.pop(item.name, None)
        self.items[item.kind].pop(item.name, None)
        self.event(item.kind, "remove", item.id, name=item.name)

    def network_id(self, name: str) -> str:
        """The id the API shows for a network name."""
        item = self.items["network"].get(name)
        if item is not None:
            return item.id
        return object_id("network", name)

    def network_name(self, ref: str) -> str | None:
        """The name of the network with this id or name (None: no such network)."""
        self.sync()
        for item in self.items["network"].values():
            if ref in (item.id, item.name):
                return item.name
        return None

    def vip(self, service_id: str, network: str) -> str:
        """A service's virtual IP on a network (a stable made-up address)."""
        n = int(object_id(service_id, network), 36) % 250 + 2
        base = 0 if network == "ingress" else int(object_id("net", network), 36) % 200 + 1
        return f"10.{base}.0.{n}/24"

    def container_id(self, task: Task) -> str:
        """A task's container id (64 hex digits), as ``docker ps`` in the shell shows."""
        return container_id(task)
