"""``/nodes``: list (with filters), inspect, update (with the version check), delete.

moby ``daemon/cluster/nodes.go`` and SwarmKit ``controlapi/node.go``.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from swarmsim.api import http
from swarmsim.api.errors import ApiError, bad_request
from swarmsim.api.filters import labels_ok, parse, prefix_ok
from swarmsim.cluster.state import NodeRecord
from swarmsim.commands import objects
from swarmsim.manager.controlapi.errors import grpc

_FILTERS = ("name", "id", "label", "role", "membership", "node.label")
OUT_OF_SEQUENCE = grpc("Unknown", "update out of sequence")


def _manager(call: http.Call) -> None:
    call.view.api.check_manager(call.view.machine)


def node_list(call: http.Call) -> list[dict[str, Any]]:
    """``GET /nodes``."""
    _manager(call)
    flt = parse(call.query.get("filters"), _FILTERS)
    for role in flt.get("role", ()):
        if role.lower() not in ("worker", "manager") and role:
            raise bad_request(f"Invalid role filter: '{role}'")
    out = []
    for n in sorted(call.view.sim.state.nodes.values(), key=lambda n: n.id):
        if not (prefix_ok(flt.get("name"), n.name) and prefix_ok(flt.get("id"), n.id)
                and labels_ok(flt.get("node.label"), dict(n.spec.labels))
                and labels_ok(flt.get("label"), dict(n.spec.engine_labels))
                and (not flt.get("role") or n.spec.role in [r.lower() for r in flt["role"]])):
            continue
        out.append(objects.node(call.view, n))
    return out


def _find(call: http.Call) -> NodeRecord:
    node: NodeRecord = call.view.api.find_node(call.arg("id"))
    return node


def node_inspect(call: http.Call) -> dict[str, Any]:
    """``GET /nodes/{id}``."""
    _manager(call)
    return objects.node(call.view, _find(call))


def node_update(call: http.Call) -> None:
    """``POST /nodes/{id}/update?version=N`` with a ``NodeSpec`` body: role,
    availability and labels (``docker node update|promote|demote``)."""
    _manager(call)
    rec = _find(call)
    raw = call.query.get("version", "")
    try:
        version = int(raw)
    except ValueError:
        raise bad_request(f"invalid node version '{raw}': strconv.ParseUint: parsing "
                          f"\"{raw}\": invalid syntax") from None
    body = call.json() or {}
    if not isinstance(body, dict):
        raise bad_request("invalid JSON: json: cannot unmarshal into Go value of type "
                          "swarm.NodeSpec")
    if version != call.view.index_of(rec.id):
        raise ApiError(500, OUT_OF_SEQUENCE)
    labels = body.get("Labels") or {}
    if not isinstance(labels, dict):
        raise bad_request("invalid JSON: json: cannot unmarshal into Go struct field "
                          "NodeSpec.Labels of type map[string]string")
    current = dict(rec.spec.labels)
    add = tuple(f"{k}={v}" for k, v in labels.items() if current.get(k) != v)
    remove = tuple(k for k in current if k not in labels)
    call.view.api.update_node(
        rec.id,
        availability=body.get("Availability") or None,
        role=body.get("Role") or None,
        label_add=add,
        label_rm=remove,
    )


def node_delete(call: http.Call) -> None:
    """``DELETE /nodes/{id}[?force=1]``."""
    _manager(call)
    call.view.api.remove_node(call.arg("id"), force=call.flag("force"))


def register(app: web.Application) -> None:
    http.route(app, "GET", "/nodes", node_list, cached=True)
    http.route(app, "GET", "/nodes/{id}", node_inspect)
    http.route(app, "POST", "/nodes/{id}/update", node_update)
    http.route(app, "DELETE", "/nodes/{id}", node_delete)
