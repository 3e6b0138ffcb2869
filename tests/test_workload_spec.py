"""The scenario's `workload:` and `network:` keys and the `x-swarmsim.request` mapping:
accepted forms and errors with their key path and line."""

from __future__ import annotations

import textwrap

import pytest

from swarmsim.compose.xswarmsim import parse_sim_params
from swarmsim.foundation.errors import InputError
from swarmsim.input.scenario import load_scenario
from swarmsim.input.specs import RequestSpec
from swarmsim.input.workload import ArrivalSpec, WorkloadSpec

HEAD = """\
name: t
nodes:
  - name: a
    role: manager
  - name: b
"""


def _load(tmp_path, body: str):
    path = tmp_path / "s.yaml"
    path.write_text(HEAD + textwrap.dedent(body), encoding="utf-8")
    return load_scenario(path)


def test_full_workload_entry(tmp_path):
    (tmp_path / "trace.txt").write_text("# seconds after start\n0.5\n1.25, first\n\n3\n")
    sc = _load(tmp_path, """\
        workload:
          - name: browse
            port: 4000
            rate: 50
            start: 10s
            stop: 10m
            timeout: 2s
          - name: internal
            service: app_db
            entry: [b]
            arrivals: {kind: diurnal, rate: 5, amplitude: 0.25, period: 1h, peak: 30m}
          - name: replay
            port: 80
            entry: a
            arrivals: {kind: trace, file: trace.txt}
          - name: tick
            port: 80
            arrivals: {kind: constant, rate: 2}
        """)
    assert sc.workload == (
        WorkloadSpec("browse", port=4000, arrivals=ArrivalSpec("poisson", 50.0),
                     start_s=10.0, stop_s=600.0, timeout_s=2.0),
        WorkloadSpec("internal", service="app_db", entry=("b",),
                     arrivals=ArrivalSpec("diurnal", 5.0, 0.25, 3600.0, 1800.0)),
        WorkloadSpec("replay", port=80, entry=("a",),
                     arrivals=ArrivalSpec("trace", times=(0.5, 1.25, 3.0))),
        WorkloadSpec("tick", port=80, arrivals=ArrivalSpec("constant", 2.0)),
    )
    assert sc.workload[0].timeout_s == 2.0 and sc.workload[1].timeout_s == 5.0
    doc = sc.to_dict()
    assert doc["workload"][0]["arrivals"] == {"kind": "poisson", "rate": 50.0}
    assert doc["network"] == {"latency": 0.0002}


def test_no_workload_leaves_scenario_json_unchanged(tmp_path):
    sc = _load(tmp_path, "")
    assert sc.workload == ()
    assert "workload" not in sc.to_dict() and "network" not in sc.to_dict()


@pytest.mark.parametrize(
    ("body", "message", "line"),
    [
        ("workload: {}\n", "workload must be a list", 6),
        ("workload:\n  - {port: 80, rate: 1}\n", "workload.0 name is required", 7),
        ("workload:\n  - {name: w, rate: 1}\n",
         "workload.0 must have exactly one of: port, service", 7),
        ("workload:\n  - name: w\n    port: 80\n    rate: fast\n",
         "workload.0.rate must be a number", 9),
        ("workload:\n  - name: w\n    port: 80\n    rate: 0\n",
         "workload.0.rate must be greater than 0", 9),
        ("workload:\n  - name: w\n    port: 0\n    rate: 1\n",
         "workload.0.port must be an integer from 1 to 65535", 8),
        ("workload:\n  - name: w\n    port: 80\n",
         "workload.0 must have exactly one of: rate, arrivals", 7),
        ("workload:\n  - name: w\n    port: 80\n    rate: 1\n    entry: [c]\n",
         "workload.0.entry.0 no such machine: c", 10),
        ("workload:\n  - name: w\n    port: 80\n    rate: 1\n    stop: 1m\n    start: 2m\n",
         "workload.0.stop must be later than start", 10),
        ("workload:\n  - name: w\n    port: 80\n    rate: 1\n    timeout: 5\n",
         "workload.0.timeout must be a string", 10),
        ("workload:\n  - name: w\n    port: 80\n    rate: 1\n    burst: 3\n",
         "workload.0 Additional property burst is not allowed", 10),
        ("workload:\n  - name: w\n    port: 80\n    arrivals: {kind: bursty, rate: 1}\n",
         'workload.0.arrivals.kind must be one of the following: "constant", "poisson", '
         '"diurnal", "trace"', 9),
        ("workload:\n  - name: w\n    port: 80\n    arrivals: {kind: poisson, rate: 1, peak: 1h}\n",
         "workload.0.arrivals Additional property peak is not allowed", 9),
        ("workload:\n  - name: w\n    port: 80\n    arrivals: {kind: trace, times: [2, 1]}\n",
         "workload.0.arrivals times must be in increasing order", 9),
        ("workload:\n  - name: w\n    port: 80\n    arrivals: {kind: trace, file: nope.txt}\n",
         "workload.0.arrivals.file open nope.txt: no such file or directory", 9),
        ("workload:\n  - name: w\n    port: 80\n    arrivals:\n      kind: diurnal\n"
         "      rate: 1\n      amplitude: 2\n",
         "workload.0.arrivals.amplitude must be a number from 0 to 1", 12),
        ("workload:\n  - {name: w, port: 80, rate: 1}\n  - {name: w, port: 81, rate: 1}\n",
         "workload.1.name duplicate workload name 'w'", 8),
        ("network: {latency: fast}\n", "network.latency Does not match format 'duration'", 6),
        ("network: {speed: 1}\n", "network Additional property speed is not allowed", 6),
        ("network: {links: []}\n", "network.links only goes with racks", 6),
        ("network:\n  racks: {r1: [a]}\n", "network.racks machine b is in no rack", 7),
        ("network:\n  racks: {r1: [a, b, c]}\n", "network.racks.r1.2 no such machine: c", 7),
        ("network:\n  racks: {r1: [a], r2: [b]}\n  zones: {z1: [r1], z2: [r2]}\n",
         "network.links racks r1 and r2 are not connected: add a link", 6),
        ("network:\n  racks: {r1: [a], r2: [b]}\n  latency: 1ms\n",
         "network.latency only goes with a flat network (no racks); use node_link, "
         "rack_link and links", 8),
    ],
)
def test_errors(tmp_path, body, message, line):
    with pytest.raises(InputError) as err:
        _load(tmp_path, body)
    assert err.value.message == message
    assert err.value.line == line


def test_request_mapping():
    params = parse_sim_params(
        {"request": {"cost": "20ms", "dist": "lognormal", "cv": 0.5, "workers": 4,
                     "queue": 0}}, "web")
    assert params.request == RequestSpec(0.02, "lognormal", 0.5, 4, 0)
    assert parse_sim_params({"request": {}}, "web").request == RequestSpec()
    assert parse_sim_params({}, "web").request is None


@pytest.mark.parametrize(
    ("value", "message", "keys"),
    [
        ("fast", "services.web.x-swarmsim.request must be a mapping", ()),
        ({"cpu": 1}, "services.web.x-swarmsim.request Additional property cpu is not allowed", ()),
        ({"cost": 20}, "services.web.x-swarmsim.request.cost must be a string", ("cost",)),
        ({"cost": "20"}, "services.web.x-swarmsim.request.cost Does not match format 'duration'",
         ("cost",)),
        ({"dist": "pareto"}, 'services.web.x-swarmsim.request.dist must be one of the following: '
         '"constant", "exponential", "lognormal"', ("dist",)),
        ({"cv": 1}, "services.web.x-swarmsim.request.cv only goes with dist: lognormal", ("cv",)),
        ({"dist": "lognormal", "cv": 0},
         "services.web.x-swarmsim.request.cv Must be greater than 0", ("cv",)),
        ({"workers": 0}, "services.web.x-swarmsim.request.workers Must be greater than or equal "
         "to 1", ("workers",)),
        ({"queue": 1.5}, "services.web.x-swarmsim.request.queue must be a integer", ("queue",)),
        ({"queue": -1}, "services.web.x-swarmsim.request.queue Must be greater than or equal to 0",
         ("queue",)),
    ],
)
def test_request_errors(value, message, keys):
    with pytest.raises(InputError) as err:
        parse_sim_params({"request": value}, "web")
    assert err.value.message == message
    assert err.value.keys == ("services", "web", "x-swarmsim", "request", *keys)
