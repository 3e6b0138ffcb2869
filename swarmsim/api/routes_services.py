"""``/services`` (list, create, inspect, update with the version check and rollback,
delete, logs) and ``/tasks`` (list with filters, inspect).

moby ``daemon/cluster/services.go``, ``tasks.go``, ``filters.go``; SwarmKit
``controlapi/service.go``.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import replace
from typing import Any

from aiohttp import web

from swarmsim.api import http, logs
from swarmsim.api.errors import ApiError, bad_request, not_found
from swarmsim.api.filters import labels_ok, parse, prefix_ok
from swarmsim.api.routes_nodes import OUT_OF_SEQUENCE
from swarmsim.api.spec_in import read_service_spec
from swarmsim.cluster.tasks import TaskState
from swarmsim.commands import objects
from swarmsim.commands.views import object_id
from swarmsim.input.specs import ServiceSpec
from swarmsim.manager.controlapi import tagged_image
from swarmsim.manager.controlapi.errors import grpc
from swarmsim.manager.updater import is_task_dirty
from swarmsim.simulation.images import registry_of

_SERVICE_FILTERS = ("id", "label", "mode", "name")
_TASK_FILTERS = ("name", "id", "label", "service", "node", "desired-state", "_up-to-date",
                 "runtime")
_MODES = {"replicated": "replicated", "global": "global", "replicated-job": "replicated-job",
          "global-job": "global-job"}
_ADJECTIVES = ("admiring", "brave", "clever", "eager", "festive", "gallant", "jolly",
               "keen", "lucid", "nifty", "quirky", "serene", "vibrant", "zealous")
_SURNAMES = ("babbage", "curie", "darwin", "euler", "fermi", "hopper", "lovelace",
             "noether", "pasteur", "ritchie", "shannon", "turing", "wozniak", "yonath")


def _manager(call: http.Call) -> None:
    call.view.api.check_manager(call.view.machine)


def registry_user(header: str | None) -> tuple[str, str] | None:
    """``(registry, user)`` of an ``X-Registry-Auth`` header (base64url JSON
    ``AuthConfig``), None when it carries no credentials."""
    if not header:
        return None
    try:
        padded = header + "=" * (-len(header) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode()).decode())
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return None
    if not isinstance(data, dict):
        return None
    user = str(data.get("username") or (data.get("identitytoken") and "token") or "")
    if not user:
        return None
    server = str(data.get("serveraddress") or "")
    host = server.removeprefix("https://").removeprefix("http://").split("/")[0]
    if host in ("", "index.docker.io", "registry-1.docker.io"):
        host = "docker.io"
    return host, user


def _with_auth(call: http.Call, spec: ServiceSpec, old: ServiceSpec | None) -> ServiceSpec:
    """The spec with its image tagged and its registry credentials: the header's,
    else (``registryAuthFrom``) the current or previous spec's."""
    spec = replace(spec, image=tagged_image(spec.image))
    cred = registry_user(call.request.headers.get("X-Registry-Auth"))
    if cred is not None:
        call.view.auth[cred[0]] = cred[1]
        return replace(spec, registry_auth=cred[0] == registry_of(spec.image))
    return replace(spec, registry_auth=old.registry_auth if old is not None else False)


def _body_spec(call: http.Call) -> ServiceSpec:
    return read_service_spec(call.json(), call.view.network_name)


def service_list(call: http.Call) -> list[dict[str, Any]]:
    """``GET /services[?status=true]``."""
    _manager(call)
    flt = parse(call.query.get("filters"), _SERVICE_FILTERS)
    for m in flt.get("mode", ()):
        if m not in _MODES:
            raise bad_request(f"Invalid filter: 'mode'='{m}'")
    status = call.flag("status")
    out = []
    for svc in sorted(call.view.sim.state.services.values(), key=lambda s: s.id):
        if not (prefix_ok(flt.get("id"), svc.id) and prefix_ok(flt.get("name"), svc.name)
                and labels_ok(flt.get("label"), dict(svc.spec.labels))
                and (not flt.get("mode") or svc.spec.mode in flt["mode"])):
            continue
        out.append(objects.service(call.view, svc, status=status))
    return out


def _name(call: http.Call) -> str:
    """A name for a service created without one (docker's namesgenerator style)."""
    seed = int(object_id("name", str(len(call.view.sim.state.services)),
                         str(call.view.sim.now)), 36)
    return f"{_ADJECTIVES[seed % len(_ADJECTIVES)]}_{_SURNAMES[seed // 97 % len(_SURNAMES)]}"


def service_create(call: http.Call) -> tuple[int, dict[str, Any]]:
    """``POST /services/create``: 201 with the new service's id."""
    _manager(call)
    spec = _body_spec(call)
    if not spec.name:
        spec = replace(spec, name=_name(call), short_name="")
    svc = call.view.api.create_service(_with_auth(call, spec, None))
    return 201, {"ID": svc.id, "Warnings": None}


def service_inspect(call: http.Call) -> dict[str, Any]:
    """``GET /services/{id}``."""
    _manager(call)
    svc = call.view.api.find_service(call.arg("id"))
    return objects.service(call.view, svc)


def service_update(call: http.Call) -> dict[str, Any]:
    """``POST /services/{id}/update?version=N[&rollback=previous]``."""
    _manager(call)
    api = call.view.api
    raw = call.query.get("version", "")
    try:
        version = int(raw)
        if version < 0:
            raise ValueError
    except ValueError:
        raise bad_request(f"invalid service version '{raw}': strconv.ParseUint: parsing "
                          f"\"{raw}\": invalid syntax") from None
    source = call.query.get("registryAuthFrom", "")
    if source not in ("", "spec", "previous-spec"):
        raise bad_request(f"invalid registryAuthFrom '{source}'")
    spec = _body_spec(call)
    svc = api.find_service(call.arg("id"))
    if version != svc.version:
        raise ApiError(500, OUT_OF_SEQUENCE)
    if call.query.get("rollback") == "previous":
        if svc.previous_spec is None:
            raise bad_request(grpc("FailedPrecondition",
                                   f"service {svc.id} does not have a previous spec"))
        api.rollback(svc.id)
        return {"Warnings": None}
    old = svc.previous_spec if source == "previous-spec" else svc.spec
    api.replace_spec(svc.id, _with_auth(call, spec, old))
    return {"Warnings": None}


def service_delete(call: http.Call) -> None:
    """``DELETE /services/{id}``."""
    _manager(call)
    call.view.api.remove_service(call.arg("id"))


async def service_logs(call: http.Call) -> web.StreamResponse:
    """``GET /services/{id}/logs``: the lines its tasks wrote (:mod:`swarmsim.api.logs`);
    with ``follow`` the stream stays open until the client goes or the service is
    removed."""
    _manager(call)
    svc = call.view.api.find_service(call.arg("id"))
    state = call.view.sim.state
    return await logs.stream(call, lambda: state.tasks_of(svc.name),
                             lambda: state.services.get(svc.name) is svc)


async def task_logs(call: http.Call) -> web.StreamResponse:
    """``GET /tasks/{id}/logs``: the lines one task wrote."""
    _manager(call)
    task = _find_task(call)
    state = call.view.sim.state
    return await logs.stream(call, lambda: [task], lambda: task.id in state.tasks)


def _task_filters(call: http.Call) -> dict[str, list[str]]:
    flt = parse(call.query.get("filters"), _TASK_FILTERS)
    api = call.view.api
    if "service" in flt:
        flt["service"] = [api.find_service(ref).id for ref in flt["service"]]
    if "node" in flt:
        flt["node"] = [api.find_node(ref).id for ref in flt["node"]]
    states = []
    for s in flt.get("desired-state", ()):
        try:
            states.append(TaskState[s.upper()].name.lower())
        except KeyError:
            if s:
                raise bad_request(f"Invalid desired-state filter: '{s}'") from None
    if "desired-state" in flt:
        flt["desired-state"] = states
    return flt


def task_list(call: http.Call) -> bytes:
    """``GET /tasks``: the tasks in id order, each from its cached JSON."""
    _manager(call)
    flt = _task_filters(call)
    view = call.view
    state = view.sim.state
    tasks = [state.tasks[tid] for tid in sorted(state.tasks)]
    if flt:
        ids = {s.name: s.id for s in state.services.values()}
        services = {s.name: s for s in state.services.values()}
        tasks = [t for t in tasks if _task_ok(view, flt, ids, services, t)]
    return b"[" + b",".join(objects.task_json(view, t) for t in tasks) + b"]"


def _task_ok(view: Any, flt: dict[str, list[str]], ids: dict[str, str],
             services: dict[str, Any], t: Any) -> bool:
    state = view.sim.state
    sid = ids.get(t.service) or view.removed_service_id(t.service)
    return bool(prefix_ok(flt.get("id"), t.id) and prefix_ok(flt.get("name"), t.name)
                and (not flt.get("service") or sid in flt["service"])
                and (not flt.get("node") or t.node_id in flt["node"])
                and (not flt.get("desired-state")
                     or t.desired.name.lower() in flt["desired-state"])
                and labels_ok(flt.get("label"), dict(t.spec.labels))
                and (not flt.get("_up-to-date") or _up_to_date(state, services, t)))


def _up_to_date(state: Any, services: dict[str, Any], t: Any) -> bool:
    """SwarmKit's ``UpToDate`` task filter: the task is not dirty."""
    svc = services.get(t.service)
    if svc is None:
        return False
    node = state.nodes.get(t.node_id or "")
    return not is_task_dirty(t, svc.spec, node.spec if node else None, svc.version)


def _find_task(call: http.Call) -> Any:
    """The task a path names, by id or unique id prefix."""
    ref = call.arg("id")
    tasks = call.view.sim.state.tasks
    if ref in tasks:
        return tasks[ref]
    found = [t for tid, t in tasks.items() if tid.startswith(ref)] if ref else []
    if len(found) == 1:
        return found[0]
    if len(found) > 1:
        raise bad_request(f"task {ref} is ambiguous ({len(found)} matches found)")
    raise not_found(f"task {ref} not found")


def task_inspect(call: http.Call) -> dict[str, Any]:
    """``GET /tasks/{id}``: by id or unique id prefix."""
    _manager(call)
    return objects.task(call.view, _find_task(call))


def register(app: web.Application) -> None:
    http.route(app, "GET", "/services", service_list, cached=True)
    http.route(app, "POST", "/services/create", service_create)
    http.route(app, "GET", "/services/{id}", service_inspect)
    http.route(app, "POST", "/services/{id}/update", service_update)
    http.route(app, "DELETE", "/services/{id}", service_delete)
    http.route(app, "GET", "/services/{id}/logs", service_logs, stream=True)
    http.route(app, "GET", "/tasks", task_list, cached=True)
    http.route(app, "GET", "/tasks/{id}", task_inspect)
    http.route(app, "GET", "/tasks/{id}/logs", task_logs, stream=True)
