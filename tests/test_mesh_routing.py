"""Where connections go: target resolution and per-mode routing, without a simulation."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from swarmsim.input.specs import PortConfig, RequestSpec, ServiceSpec
from swarmsim.input.workload import WorkloadSpec
from swarmsim.mesh.balancer import Backend, Balancer
from swarmsim.mesh.routing import REFUSED, resolve_target, route
from swarmsim.workload.fifo import QueueState


def _services(**specs):
    return {name: SimpleNamespace(spec=spec) for name, spec in specs.items()}


def _backends(nodes):
    return [Backend(i, f"t{i}", f"s.{i}", "s", node, RequestSpec(), 0.0, QueueState.idle(1))
            for i, node in enumerate(nodes)]


def test_resolve_ports_and_names():
    services = _services(
        app_web=ServiceSpec("app_web", "img", ports=(PortConfig(80, 4000),)),
        app_host=ServiceSpec("app_host", "img", ports=(PortConfig(80, 8080, mode="host"),)),
        app_db=ServiceSpec("app_db", "img", endpoint_mode="dnsrr"),
    )
    assert resolve_target(WorkloadSpec("w", port=4000), services) == ("app_web", "ingress")
    assert resolve_target(WorkloadSpec("w", port=8080), services) == ("app_host", "host")
    assert resolve_target(WorkloadSpec("w", port=9999), services) == (None, "none")
    assert resolve_target(WorkloadSpec("w", service="app_web"), services) == ("app_web", "vip")
    assert resolve_target(WorkloadSpec("w", service="app_db"), services) == ("app_db", "dnsrr")
    assert resolve_target(WorkloadSpec("w", service="tasks.app_web"), services) == (
        "app_web", "dnsrr")
    assert resolve_target(WorkloadSpec("w", service="nope"), services) == (None, "none")


def test_ingress_round_robin_is_per_receiving_node():
    backends = _backends([0, 1, 2])
    lb = Balancer()
    for b in backends:
        lb.add(b.index)  # [2, 1, 0]
    entries = np.array([0, 1, 0, 0, 1, 2])
    out = route("ingress", lb, entries, np.zeros(6), backends)
    assert out.tolist() == [2, 2, 1, 0, 1, 2]


def test_host_mode_answers_only_where_a_task_runs():
    backends = _backends([1, 3])
    lb = Balancer()
    for b in backends:
        lb.add(b.index)
    out = route("host", lb, np.array([0, 1, 2, 3, 1]), np.zeros(5), backends)
    assert out.tolist() == [REFUSED, 0, REFUSED, 1, 0]


def test_dnsrr_takes_the_first_address_of_a_shuffled_answer():
    backends = _backends([0, 1, 2, 3])
    lb = Balancer()
    for b in backends:
        lb.add(b.index)  # [3, 2, 1, 0]
    u = np.array([0.0, 0.24, 0.25, 0.99, 0.6])
    assert route("dnsrr", lb, np.zeros(5, dtype=int), u, backends).tolist() == [3, 3, 2, 0, 1]


def test_empty_balancer_refuses():
    backends = _backends([0])
    for kind in ("ingress", "host", "vip", "dnsrr"):
        assert route(kind, Balancer(), np.array([0, 0]), np.zeros(2), backends).tolist() == [
            REFUSED, REFUSED]
        assert route(kind, None, np.array([0]), np.zeros(1), backends).tolist() == [REFUSED]
