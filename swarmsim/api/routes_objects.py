"""``/networks``, ``/secrets``, ``/configs``, ``/distribution/{name}/json`` and
``/containers/json``.

moby ``daemon/cluster/{networks,secrets,configs}.go``, ``api/types/network``;
``/distribution`` answers from swarmsim's registry model (``images.py``).
"""

from __future__ import annotations

import hashlib
from typing import Any

from aiohttp import web

from swarmsim.api import http
from swarmsim.api.errors import ApiError, bad_request, not_found
from swarmsim.api.filters import labels_ok, parse, prefix_ok
from swarmsim.api.routes_services import registry_user
from swarmsim.api.view import LOCAL_NETWORKS, Item
from swarmsim.cluster.tasks import TaskState
from swarmsim.commands import containers as shapes
from swarmsim.commands.views import object_id
from swarmsim.compose import imageref
from swarmsim.foundation.refs import find_one
from swarmsim.foundation.text import human_duration
from swarmsim.manager.controlapi.errors import grpc
from swarmsim.shell.containers import _known as known_command
from swarmsim.simulation.images import registry_of

_NET_FILTERS = ("dangling", "driver", "id", "label", "name", "scope", "type")
_OBJ_FILTERS = {"secret": ("names", "name", "id", "label"), "config": ("name", "id", "label")}

def _manager(call: http.Call) -> None:
    call.view.api.check_manager(call.view.machine)


# --- networks --------------------------------------------------------------------------
def _network_json(call: http.Call, item: Item | None, name: str, driver: str,
                  scope: str) -> dict[str, Any]:
    if item is None:
        return shapes.network(call.view, name, driver, scope, nid=object_id("network", name))
    return shapes.network(call.view, name, driver, scope, nid=item.id, created=item.created,
                          labels=item.labels, internal=bool(item.extra.get("Internal")),
                          attachable=bool(item.extra.get("Attachable")))


def _networks(call: http.Call) -> list[dict[str, Any]]:
    view = call.view
    out = [_network_json(call, None, name, driver, "local") for name, driver in LOCAL_NETWORKS]
    if view.api.node_of(view.machine) is not None:
        out.append(_network_json(call, None, "ingress", "overlay", "swarm"))
        out += [_network_json(call, item, item.name, str(item.extra.get("Driver") or "overlay"),
                              "swarm")
                for item in sorted(view.items["network"].values(), key=lambda i: i.name)]
    return out


def network_list(call: http.Call) -> list[dict[str, Any]]:
    """``GET /networks``."""
    flt = parse(call.query.get("filters"), _NET_FILTERS)
    return [n for n in _networks(call)
            if prefix_ok(flt.get("id"), n["Id"])
            and (not flt.get("name") or any(v in n["Name"] for v in flt["name"]))
            and labels_ok(flt.get("label"), n["Labels"])
            and (not flt.get("driver") or n["Driver"] in flt["driver"])
            and (not flt.get("scope") or n["Scope"] in flt["scope"])]


def _lookup_error(message: str, ambiguous: bool) -> ApiError:
    return bad_request(message) if ambiguous else not_found(message)


def _find_network(call: http.Call) -> dict[str, Any]:
    return find_one("network", call.arg("id"), _networks(call), lambda n: str(n["Id"]),
                    lambda n: str(n["Name"]), _lookup_error)


def network_inspect(call: http.Call) -> dict[str, Any]:
    """``GET /networks/{id}``."""
    return _find_network(call)


def network_create(call: http.Call) -> tuple[int, dict[str, Any]]:
    """``POST /networks/create``: swarm-scoped overlay networks (a manager's job)."""
    body = call.json() or {}
    if not isinstance(body, dict) or not isinstance(body.get("Name", ""), str):
        raise bad_request("invalid JSON: json: cannot unmarshal into Go value of type "
                          "network.CreateRequest")
    name = body.get("Name") or ""
    if not name:
        raise bad_request("invalid name: name is empty")
    driver = str(body.get("Driver") or "overlay")
    if driver != "overlay":
        raise bad_request(f"swarmsim: only overlay networks are simulated, not {driver!r}")
    _manager(call)
    if name in call.view.items["network"] or name in ("ingress", "bridge", "host", "none"):
        raise ApiError(409, f"network with name {name} already exists")
    labels = body.get("Labels") or {}
    item = call.view.add_item("network", name, dict(labels), {
        "Driver": driver, "Attachable": bool(body.get("Attachable")),
        "Internal": bool(body.get("Internal"))})
    return 201, {"Id": item.id, "Warning": ""}


def network_delete(call: http.Call) -> tuple[int, None]:
    """``DELETE /networks/{id}``: refused while a service uses it."""
    _manager(call)
    net = _find_network(call)
    item = call.view.items["network"].get(net["Name"])
    if item is None:
        raise ApiError(403, f"{net['Name']} is a pre-defined network and cannot be removed")
    for svc in call.view.sim.state.services.values():
        if item.name in svc.spec.networks:
            raise bad_request(grpc("FailedPrecondition",
                                   f"network {item.id} is in use by service {svc.id}"))
    call.view.remove_item(item)
    return 204, None


# --- secrets and configs ---------------------------------------------------------------
def _obj_json(call: http.Call, item: Item) -> dict[str, Any]:
    spec: dict[str, Any] = {"Name": item.name, "Labels": dict(item.labels)}
    if item.kind == "config" and "Data" in item.extra:
        spec["Data"] = item.extra["Data"]
    stamp = call.view.clock.stamp(item.created)
    return {"ID": item.id, "Version": {"Index": item.version}, "CreatedAt": stamp,
            "UpdatedAt": stamp, "Spec": spec}


def _object_routes(kind: str) -> tuple[Any, ...]:
    def listing(call: http.Call) -> list[dict[str, Any]]:
        _manager(call)
        flt = parse(call.query.get("filters"), _OBJ_FILTERS[kind])
        items = sorted(call.view.items[kind].values(), key=lambda i: i.id)
        return [_obj_json(call, i) for i in items
                if prefix_ok(flt.get("id"), i.id) and prefix_ok(flt.get("name"), i.name)
                and (not flt.get("names") or i.name in flt["names"])
                and labels_ok(flt.get("label"), i.labels)]

    def find(call: http.Call) -> Item:
        items = sorted(call.view.items[kind].values(), key=lambda i: i.id)
        return find_one(kind, call.arg("id"), items, lambda i: i.id, lambda i: i.name,
                        _lookup_error)

    def inspect(call: http.Call) -> dict[str, Any]:
        _manager(call)
        return _obj_json(call, find(call))

    def create(call: http.Call) -> tuple[int, dict[str, str]]:
        _manager(call)
        body = call.json() or {}
        if not isinstance(body, dict):
            raise bad_request(f"invalid JSON: json: cannot unmarshal into Go value of type "
                              f"swarm.{kind.title()}Spec")
        name = str(body.get("Name") or "")
        if not name:
            raise bad_request(grpc("InvalidArgument", "name must be valid as a DNS name "
                                   "component"))
        if name in call.view.items[kind]:
            raise ApiError(409, grpc("AlreadyExists", f"{kind} {name} already exists"))
        extra = {"Data": body.get("Data") or ""}
        item = call.view.add_item(kind, name, dict(body.get("Labels") or {}), extra)
        return 201, {"ID": item.id}

    def delete(call: http.Call) -> tuple[int, None]:
        _manager(call)
        call.view.remove_item(find(call))
        return 204, None

    return listing, inspect, create, delete


# --- distribution, containers ----------------------------------------------------------
def distribution(call: http.Call) -> dict[str, Any]:
    """``GET /distribution/{name}/json``: the image's digest and platforms, or the
    registry's refusal of a private image without credentials."""
    name = call.arg("name")
    try:
        ref = imageref.parse(name)
    except imageref.ReferenceError:
        raise bad_request(f"invalid reference format: {name}") from None
    view = call.view
    images = getattr(view.sim, "images", None)
    registry = registry_of(name)
    if images is not None and images.is_private(name):
        cred = registry_user(call.request.headers.get("X-Registry-Auth"))
        if not ((cred is not None and cred[0] == registry)
                or images.has_login(view.machine, registry)):
            tag = ref.tag or "latest"
            raise ApiError(401, f'Head "https://{registry}/v2/{ref.path}/manifests/{tag}": '
                           "no basic auth credentials")
    digest = "sha256:" + hashlib.sha256(f"image:{name}".encode()).hexdigest()
    return {"Descriptor": {"mediaType": "application/vnd.oci.image.index.v1+json",
                           "digest": digest, "size": 1609},
            "Platforms": [{"architecture": "amd64", "os": "linux"}]}


def containers(call: http.Call) -> list[dict[str, Any]]:
    """``GET /containers/json[?all=1]``: the task containers on this machine."""
    view = call.view
    node = view.api.node_of(view.machine)
    tasks = [] if node is None else list(view.sim.state.tasks_on(node.id))
    show_all = call.flag("all")
    out = []
    # newest first, then by container id, as the shell's `docker ps`
    for t in sorted(tasks, key=lambda t: (-t.updated, view.container_id(t))):
        running = t.actual and t.state <= TaskState.RUNNING
        if not (running or (show_all and t.state >= TaskState.STARTING)):
            continue
        up = human_duration(view.sim.now - t.updated)
        svc = view.sim.state.services.get(t.service)
        command, ports = known_command(t.spec.image)
        out.append({
            "Id": view.container_id(t), "Names": [f"/{t.name}.{t.id}"],
            "Image": t.spec.image.split("@", 1)[0], "ImageID": "",
            "Command": command.strip('"'), "Created": int(view.clock.unix(t.updated)),
            "Ports": [{"PrivatePort": int(p.split("/")[0]), "Type": p.split("/")[1]}
                      for p in ports.split(", ") if p],
            "Labels": {"com.docker.swarm.service.name": t.service,
                       "com.docker.swarm.service.id": svc.id if svc else "",
                       "com.docker.swarm.task.id": t.id,
                       "com.docker.swarm.task.name": f"{t.name}.{t.id}",
                       "com.docker.swarm.node.id": t.node_id or ""},
            "State": "running" if running else "exited",
            "Status": f"Up {up}" if running else f"Exited ({t.exit_code or 0}) {up} ago",
            "HostConfig": {"NetworkMode": "default"}, "NetworkSettings": {"Networks": {}},
            "Mounts": [],
        })
    return out


def register(app: web.Application) -> None:
    http.route(app, "GET", "/networks", network_list)
    http.route(app, "POST", "/networks/create", network_create)
    http.route(app, "GET", "/networks/{id}", network_inspect)
    http.route(app, "DELETE", "/networks/{id}", network_delete)
    for kind in ("secret", "config"):
        listing, inspect, create, delete = _object_routes(kind)
        http.route(app, "GET", f"/{kind}s", listing)
        http.route(app, "POST", f"/{kind}s/create", create)
        http.route(app, "GET", f"/{kind}s/{{id}}", inspect)
        http.route(app, "DELETE", f"/{kind}s/{{id}}", delete)
    http.route(app, "GET", "/distribution/{name:.+}/json", distribution)
    http.route(app, "GET", "/containers/json", containers)
