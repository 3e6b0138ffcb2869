"""``/_ping``, ``/version``, ``/info``, ``/swarm`` and ``/events``.

The engine answers as the engine of the server's machine would
(moby ``daemon/server/router/system`` and ``router/swarm``).
"""

from __future__ import annotations

import asyncio
import platform
from typing import Any

from aiohttp import web

from swarmsim import __version__
from swarmsim.api import http
from swarmsim.api.errors import ApiError, bad_request
from swarmsim.api.filters import parse
from swarmsim.api.routes_nodes import OUT_OF_SEQUENCE
from swarmsim.api.view import View
from swarmsim.commands.views import object_id
from swarmsim.foundation import defaults
from swarmsim.foundation.units import parse_duration
from swarmsim.manager.controlapi.errors import NOT_IN_SWARM, grpc
from swarmsim.manager.controlapi.membership import SWARM_PORT

_EVENT_FILTERS = ("type", "event", "scope", "node", "service", "network", "secret",
                  "config", "label", "container", "image", "daemon", "volume", "plugin")


def _swarm_header(call: http.Call) -> str:
    view = call.view
    node = view.api.node_of(view.machine)
    if node is None:
        return "inactive"
    return "active/manager" if node.spec.role == "manager" else "active/worker"


def ping(call: http.Call) -> web.Response:
    """``GET|HEAD /_ping``: the headers the CLI negotiates from."""
    headers = {"Swarm": _swarm_header(call), "Builder-Version": "1",
               "Cache-Control": "no-cache, no-store, must-revalidate", "Pragma": "no-cache"}
    body = "" if call.request.method == "HEAD" else "OK"
    return web.Response(text=body, headers=headers, content_type="text/plain")


def version(call: http.Call) -> dict[str, Any]:
    """``GET /version``."""
    return {
        "Platform": {"Name": "swarmsim"},
        "Components": [{"Name": "Engine", "Version": defaults.ENGINE_VERSION,
                        "Details": {"ApiVersion": http.MAX_VERSION,
                                    "MinAPIVersion": http.MIN_VERSION,
                                    "Os": "linux", "Arch": "amd64",
                                    "Experimental": "false"}}],
        "Version": defaults.ENGINE_VERSION,
        "ApiVersion": http.MAX_VERSION,
        "MinAPIVersion": http.MIN_VERSION,
        "GitCommit": f"swarmsim-{__version__}",
        "GoVersion": "swarmsim",
        "Os": "linux",
        "Arch": "amd64",
        "KernelVersion": platform.release(),
        "BuildTime": "",
    }


def info(call: http.Call) -> dict[str, Any]:
    """``GET /info`` with its ``Swarm`` section."""
    view = call.view
    sim = view.sim
    spec = sim.machines[view.machine]
    node = view.api.node_of(view.machine)
    tasks = list(sim.state.tasks_on(node.id)) if node is not None else []
    running = sum(t.actual for t in tasks)
    swarm: dict[str, Any] = {"NodeID": "", "NodeAddr": "", "LocalNodeState": "inactive",
                             "ControlAvailable": False, "Error": "", "RemoteManagers": None}
    if node is not None:
        managers = [n for n in sim.state.nodes.values() if n.spec.role == "manager"]
        is_manager = node.spec.role == "manager"
        swarm.update({
            "NodeID": node.id, "NodeAddr": node.spec.addr, "LocalNodeState": "active",
            "ControlAvailable": is_manager and sim.has_leader,
            "RemoteManagers": [{"NodeID": m.id, "Addr": f"{m.spec.addr}:{SWARM_PORT}"}
                               for m in sorted(managers, key=lambda m: m.id)],
        })
        if is_manager:
            swarm.update({"Nodes": len(sim.state.nodes), "Managers": len(managers),
                          "Cluster": swarm_object(call)})
    return {
        "ID": spec.id, "Containers": len(tasks), "ContainersRunning": running,
        "ContainersPaused": 0, "ContainersStopped": len(tasks) - running,
        "Images": 0, "Driver": "overlay2", "DriverStatus": [], "MemoryLimit": True,
        "SwapLimit": True, "CpuCfsPeriod": True, "CpuCfsQuota": True, "IPv4Forwarding": True,
        "NFd": 0, "NGoroutines": 0, "SystemTime": view.clock.stamp(sim.now),
        "LoggingDriver": "json-file", "CgroupDriver": "systemd", "CgroupVersion": "2",
        "NEventsListener": 0, "KernelVersion": platform.release(),
        "OperatingSystem": "swarmsim (simulated engine)", "OSType": spec.platform.os,
        "Architecture": spec.platform.arch, "IndexServerAddress": "https://index.docker.io/v1/",
        "NCPU": spec.nano_cpus // 1_000_000_000, "MemTotal": spec.memory_bytes,
        "Name": spec.name, "Labels": [f"{k}={v}" for k, v in spec.engine_labels],
        "ServerVersion": defaults.ENGINE_VERSION, "Runtimes": {"runc": {"path": "runc"}},
        "DefaultRuntime": "runc", "Swarm": swarm, "LiveRestoreEnabled": False,
        "Isolation": "", "InitBinary": "docker-init", "SecurityOptions": [],
        "Warnings": None,
    }


def _manager(call: http.Call) -> None:
    view = call.view
    view.api.check_manager(view.machine)


def swarm_object(call: http.Call) -> dict[str, Any]:
    """``swarm.Swarm`` (``ClusterInfo`` plus the join tokens)."""
    view = call.view
    tokens = view.sim.join_tokens or ("", "")
    hb = int(defaults.HEARTBEAT_PERIOD_S * 1e9)
    return {
        "ID": _cluster_id(call),
        "Version": {"Index": view.swarm_version},
        "CreatedAt": view.clock.stamp(0.0),
        "UpdatedAt": view.clock.stamp(0.0),
        "Spec": {
            "Name": "default", "Labels": {},
            "Orchestration": {"TaskHistoryRetentionLimit": defaults.TASK_HISTORY_LIMIT},
            "Raft": {"SnapshotInterval": 10000, "KeepOldSnapshots": 0,
                     "LogEntriesForSlowFollowers": 500, "ElectionTick": 10, "HeartbeatTick": 1},
            "Dispatcher": {"HeartbeatPeriod": hb},
            "CAConfig": {"NodeCertExpiry": 7776000000000000},
            "TaskDefaults": {}, "EncryptionConfig": {"AutoLockManagers": False},
        } if view.swarm_spec is None else view.swarm_spec,
        "TLSInfo": {}, "RootRotationInProgress": False,
        "DefaultAddrPool": ["10.0.0.0/8"], "SubnetSize": 24, "DataPathPort": 4789,
        "JoinTokens": {"Worker": tokens[0], "Manager": tokens[1]},
    }


def _cluster_id(call: http.Call) -> str:
    tokens = call.view.sim.join_tokens or ("", "")
    return object_id("swarm", tokens[0])


def swarm_inspect(call: http.Call) -> dict[str, Any]:
    """``GET /swarm``."""
    view = call.view
    if view.api.node_of(view.machine) is None:
        raise ApiError(503, NOT_IN_SWARM)
    _manager(call)
    return swarm_object(call)


def swarm_init(call: http.Call) -> tuple[int, Any]:
    """``POST /swarm/init``: returns the new node's id."""
    body = call.json() or {}
    if not isinstance(body, dict):
        raise bad_request("invalid JSON: json: cannot unmarshal into Go value of type "
                          "swarm.InitRequest")
    availability = body.get("Availability") or None
    node = call.view.api.init(call.view.machine, availability=availability)
    return 200, node.id


def swarm_join(call: http.Call) -> None:
    """``POST /swarm/join``."""
    body = call.json() or {}
    remotes = body.get("RemoteAddrs") or [""]
    call.view.api.join(call.view.machine, str(body.get("JoinToken") or ""), str(remotes[0]),
                       availability=body.get("Availability") or None)


def swarm_leave(call: http.Call) -> None:
    """``POST /swarm/leave[?force=1]``."""
    call.view.api.leave(call.view.machine, force=call.flag("force"))


def swarm_update(call: http.Call) -> None:
    """``POST /swarm/update?version=N[&rotateWorkerToken=true...]`` with the cluster
    spec (``docker swarm update``, ``join-token --rotate``): the version must be the
    current one; the spec is checked as SwarmKit's ``validateClusterSpec`` does, and
    its task history limit and heartbeat period reach the task reaper and the
    dispatcher (SwarmKit reads them on each cluster update)."""
    _manager(call)
    view = call.view
    sim = view.sim
    raw = call.query.get("version", "")
    if raw != str(view.swarm_version):
        if not raw.isdigit():
            raise bad_request(f"invalid swarm version '{raw}': strconv.ParseUint: parsing "
                              f"\"{raw}\": invalid syntax")
        raise ApiError(500, OUT_OF_SEQUENCE)
    spec = call.json()
    if isinstance(spec, dict):
        _update_spec(view, spec)
    rotate_w, rotate_m = call.flag("rotateWorkerToken"), call.flag("rotateManagerToken")
    if (rotate_w or rotate_m) and sim.join_tokens is not None:
        worker, manager = sim.ids.join_token_pair()
        old_w, old_m = sim.join_tokens
        sim.join_tokens = (worker if rotate_w else old_w, manager if rotate_m else old_m)
    view.swarm_version += 1


def _update_spec(view: Any, spec: dict[str, Any]) -> None:
    if spec.get("Name", "default") != "default":
        raise bad_request(grpc("InvalidArgument", "modification of cluster name is not "
                                                  "allowed"))
    heartbeat = (spec.get("Dispatcher") or {}).get("HeartbeatPeriod")
    if isinstance(heartbeat, int) and heartbeat < 0:
        raise bad_request(grpc("InvalidArgument", "heartbeat time period cannot be a "
                                                  "negative duration"))
    if (spec.get("EncryptionConfig") or {}).get("AutoLockManagers"):
        raise bad_request("swarmsim: autolock (docker swarm update --autolock) is not "
                          "simulated")
    limit = (spec.get("Orchestration") or {}).get("TaskHistoryRetentionLimit")
    if isinstance(limit, int):
        # a negative limit keeps every task (taskreaper: `if taskHistory < 0 { continue }`)
        view.sim.reaper.history_limit = limit if limit >= 0 else 1 << 62
    if isinstance(heartbeat, int) and heartbeat > 0:
        view.sim.liveness.heartbeat_period = heartbeat / 1e9
    view.swarm_spec = spec


def unlock_key(call: http.Call) -> dict[str, str]:
    """``GET /swarm/unlockkey``: autolock is never on in swarmsim."""
    _manager(call)
    return {"UnlockKey": ""}


def _event_json(view: Any, ev: Any) -> dict[str, Any]:
    at = view.clock.unix(ev.time)
    return {"Type": ev.type, "Action": ev.action,
            "Actor": {"ID": ev.id, "Attributes": dict(ev.attributes)},
            "scope": "swarm", "time": int(at), "timeNano": int(at * 1e9)}


def _since(text: str | None, view: View) -> float | None:
    if not text:
        return None
    try:
        return view.sim.now - (view.clock.unix(view.sim.now) - float(text))
    except ValueError:
        try:
            return view.sim.now - parse_duration(text)
        except ValueError:
            raise bad_request(f"failed to parse value {text} as a timestamp") from None


async def events(call: http.Call) -> web.StreamResponse:
    """``GET /events``: swarm events (services, nodes, networks, secrets, configs) as
    a stream of JSON messages; ``since``/``until`` and ``type``/``event`` filters."""
    view = call.view
    flt = parse(call.query.get("filters"), _EVENT_FILTERS)
    since = _since(call.query.get("since"), view)
    until = _since(call.query.get("until"), view)

    def wanted(ev: Any) -> bool:
        return ((not flt.get("type") or ev.type in flt["type"])
                and (not flt.get("event") or ev.action in flt["event"]))

    resp = web.StreamResponse(headers={"Content-Type": "application/json", **http._headers()})
    await resp.prepare(call.request)
    last = view.events[-1].seq if view.events else 0
    if since is not None:
        last = 0
    try:
        while True:
            for ev in [e for e in view.events if e.seq > last]:
                last = ev.seq
                if since is not None and ev.time < since:
                    continue
                if until is not None and ev.time > until:
                    return resp
                if wanted(ev):
                    await resp.write(http.dumps(_event_json(view, ev)) + b"\n")
            if until is not None and view.sim.now >= until:
                return resp
            await asyncio.sleep(0.05)
    except ConnectionResetError:  # the client went away
        return resp


def register(app: web.Application) -> None:
    for method in ("GET", "HEAD"):
        http.route(app, method, "/_ping", ping)
    http.route(app, "GET", "/version", version)
    http.route(app, "GET", "/info", info)
    http.route(app, "GET", "/swarm", swarm_inspect)
    http.route(app, "POST", "/swarm/init", swarm_init)
    http.route(app, "POST", "/swarm/join", swarm_join)
    http.route(app, "POST", "/swarm/leave", swarm_leave)
    http.route(app, "POST", "/swarm/update", swarm_update)
    http.route(app, "GET", "/swarm/unlockkey", unlock_key)
    http.route(app, "GET", "/events", events, stream=True)

