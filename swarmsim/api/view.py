"""What the server knows beyond the simulation: object versions and creation times,
the swarm's networks, secrets and configs as API objects, and the event log.

One :class:`View` per server.  It subscribes to the cluster state's changes (it only
records them: subscribers never change the state) and is read and changed from the
server's single event loop, after the live clock has advanced the simulation.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from swarmsim.api.clock import LiveClock
from swarmsim.cluster.state import NodeRecord, ServiceRecord
from swarmsim.commands import control_api
from swarmsim.commands.views import SimView, object_id
from swarmsim.input.specs import NodeSpec

if TYPE_CHECKING:
    from swarmsim.simulation.engine import Simulation

#: networks every engine has (local scope), and the swarm's routing mesh
LOCAL_NETWORKS = (("bridge", "bridge"), ("host", "host"), ("none", "null"))
EVENT_LOG = 10_000  # events kept for /events?since=


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


class View(SimView):
    """The server's bookkeeping around one simulation.

    Args:
        sim: the simulation.
        clock: its live clock.
        machine: the machine whose engine the server is.
    """

    def __init__(self, sim: Simulation, clock: LiveClock, machine: str) -> None:
        self.machine = machine
        self.api = control_api(sim)
        self.items: dict[str, dict[str, Item]] = {"network": {}, "secret": {}, "config": {}}
        self.events: deque[Event] = deque(maxlen=EVENT_LOG)
        self._seq = 0
        self.swarm_version = 10  # the cluster object's Version.Index
        self.swarm_spec: dict[str, Any] | None = None  # as `docker swarm update` set it
        self.auth: dict[str, str] = {}  # registry -> user, from X-Registry-Auth headers
        # GET (path, query) -> (key, body)
        self.responses: dict[tuple[str, tuple[tuple[str, str], ...]], tuple[Any, bytes]] = {}
        super().__init__(sim)  # versions of nodes, services and tasks, the JSON cache
        self.clock: LiveClock = clock  # type: ignore[assignment]
        self.json_anchor = clock.anchor()  # the clock anchor json_cache was rendered at

    def _on_node(self, node: NodeRecord, before: NodeSpec) -> None:
        new = node.id not in self._versions
        super()._on_node(node, before)
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
        super()._on_service(svc, what)
        action = {"created": "create", "updated": "update", "removed": "remove"}[what]
        self._event("service", action, svc.id, name=svc.name)

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
