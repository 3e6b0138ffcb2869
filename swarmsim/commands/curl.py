"""``curl`` through the routing mesh to Docker's get-started app.

A connection to ``<machine address>:<port>`` reaches the machine's engine; an ingress
port is answered on every node of the swarm by IPVS round robin over the service's
running tasks (per receiving node), a host-mode port only by a task on that node (see
docs/traffic.md).  The get-started app (image ``.../get-started``, ``friendlyhello`` or
the tutorial's ``username/repo``) answers as :mod:`swarmsim.commands.getstarted` models it.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from swarmsim.cluster.tasks import Task, TaskState, container_id
from swarmsim.commands.getstarted import (
    NO_REDIS,
    AppLogs,
    VisitCounter,
    app_page,
    data_key,
    is_get_started,
)
from swarmsim.commands.run import control_api
from swarmsim.input.cmdline import CURL_URL
from swarmsim.mesh.balancer import Balancer

if TYPE_CHECKING:
    from swarmsim.cluster.state import NodeRecord, ServiceRecord
    from swarmsim.simulation.engine import Simulation

#: how long curl (7.76 and later) reports trying before it failed, in ms: a refused
#: connection answers at once (1 ms across virtualbox's host-only network), an
#: unreachable host after ARP's 3 s, a silent one after Linux's SYN retries (~130 s)
CONNECT_MS = {"local": 0, "refused": 1, "unreachable": 3071, "timeout": 130_252}


def curl_failed(code: int, host: str, port: int, ms: int, reason: str) -> str:
    """curl's message for a connection that failed: ``curl: (7) Failed to connect to
    HOST port PORT after N ms: REASON``."""
    return f"curl: ({code}) Failed to connect to {host} port {port} after {ms} ms: {reason}\n"


def serving(task: Task) -> bool:
    """A task in its service's balancer: running and wanted running."""
    return task.state == TaskState.RUNNING and task.desired <= TaskState.RUNNING


@dataclass
class Mesh:
    """The routing mesh as curl sees it, and the redis counters behind the app."""

    sim: Simulation
    counter: VisitCounter = field(default_factory=VisitCounter)
    logs: AppLogs = field(default_factory=AppLogs)
    _balancers: dict[str, Balancer] = field(default_factory=dict)
    _index: dict[str, int] = field(default_factory=dict)  # task id -> backend number
    _tasks: list[str] = field(default_factory=list)

    def curl(self, node: NodeRecord | None, host: str, port: int) -> tuple[str, str, int]:
        """``curl http://host:port/`` received by the engine of ``node`` (None: a
        machine in no swarm).

        Returns:
            (stdout, stderr, exit status) as curl prints them.
        """
        ms = CONNECT_MS["local"] if host in ("localhost", "127.0.0.1") else CONNECT_MS["refused"]
        refused = curl_failed(7, host, port, ms, "Connection refused")
        state = self.sim.state
        found = self._service_on(port)
        if node is None or not node.alive or found is None:
            return "", refused, 7
        svc, mode = found
        members = [t for t in state.tasks_of(svc.name) if serving(t)]
        if mode == "host":
            members = [t for t in members if t.node_id == node.id]
            task = max(members, key=lambda t: t.updated) if members else None
        else:
            task = self._round_robin(svc.name, node.name, members)
        if task is None:
            return "", refused, 7
        if not task.actual:  # its machine crashed and the manager has not noticed yet
            return "", curl_failed(28, host, port, CONNECT_MS["timeout"],
                                   "Operation timed out"), 28
        if not is_get_started(task.spec.image):
            return "", (f"swarmsim: the reply of {task.spec.image} is not simulated "
                        f"(it served the connection as {task.name})\n"), 0
        name = next((e.split("=", 1)[1] for e in task.spec.env if e.startswith("NAME=")),
                    "World")
        names = sorted(n.spec.name for n in state.nodes.values())
        at = names.index(node.spec.name) if node.spec.name in names else 0
        self.logs.request(self.sim.now, task, f"10.0.0.{2 + at}")  # its ingress address
        return app_page(container_id(task)[:12], self._visits(task), name) + "\n", "", 0

    def _service_on(self, port: int) -> tuple[ServiceRecord, str] | None:
        services = self.sim.state.services
        for name in sorted(services):
            for p in services[name].spec.ports:
                if p.published == port and p.protocol == "tcp":
                    return services[name], p.mode
        return None

    def _round_robin(self, service: str, node: str, members: list[Task]) -> Task | None:
        bal = self._balancers.setdefault(service, Balancer())
        ids = {t.id for t in members}
        for b in list(bal.members):
            if self._tasks[b] not in ids:
                bal.remove(b)
        for t in sorted(members, key=lambda t: (t.updated, t.id)):
            if t.id not in self._index:
                self._index[t.id] = len(self._tasks)
                self._tasks.append(t.id)
            bal.add(self._index[t.id])
        if not bal.members:
            return None
        machine = sorted(self.sim.machines).index(node) if node in self.sim.machines else 0
        pick = int(bal.round_robin("ingress", machine, 1)[0])
        return self.sim.state.tasks[self._tasks[pick]]

    def _visits(self, app: Task) -> str:
        """``INCR counter`` on the app's stack's redis, or the app's message."""
        state = self.sim.state
        stack = app.spec.stack
        name = f"{stack}_redis" if stack else "redis"
        if name not in state.services:
            return NO_REDIS
        live = [t for t in state.tasks_of(name) if serving(t) and t.actual]
        if not live:
            return NO_REDIS
        redis = max(live, key=lambda t: (t.updated, t.id))
        node = state.nodes.get(redis.node_id or "")
        key = data_key(redis, node.name if node is not None else "")
        return str(self.counter.incr(key))


_MESHES: weakref.WeakKeyDictionary[Simulation, Mesh] = weakref.WeakKeyDictionary()


def mesh_of(sim: Simulation) -> Mesh:
    """The routing mesh and redis counters of a run (one per simulation)."""
    mesh = _MESHES.get(sim)
    if mesh is None:
        mesh = _MESHES[sim] = Mesh(sim)
    return mesh


def timeline_curl(sim: Simulation, line: str, machine: str) -> tuple[str, str, int]:
    """A timeline's ``curl http://ADDRESS[:PORT]/`` sent from ``machine``: the address
    is a machine's (its ``addr`` or name); (stdout, stderr, exit status) as curl prints."""
    m = CURL_URL.match(line)
    if m is None:
        return "", "curl: (3) URL using bad/illegal format or missing URL\n", 3
    host, port = m.group(1), int(m.group(2) or 80)
    target = next((spec.name for spec in sim.machines.values()
                   if host in (spec.addr, spec.name)), None)
    if host in ("localhost", "127.0.0.1"):
        target = machine
    if target is None:
        return "", f"curl: (6) Could not resolve host: {host}\n", 6
    return mesh_of(sim).curl(control_api(sim).node_of(target), host, port)
