"""Network latency between machines: the flat LAN and the rack/zone graph."""

from __future__ import annotations

import numpy as np
import pytest

from swarmsim.input.network import NetworkModel, parse_network
from swarmsim.mesh.network import latency_table

MACHINES = ["a", "b", "c", "d"]


def test_default_is_a_flat_lan_of_0_2_ms():
    model = parse_network(None, MACHINES)
    assert model == NetworkModel(latency_s=0.0002)
    table = latency_table(model, MACHINES)
    a = np.array([0, 0, 1, 3])
    b = np.array([0, 1, 0, 2])
    np.testing.assert_allclose(table.one_way(a, b), [0.0, 0.0002, 0.0002, 0.0002])


def test_flat_latency_can_be_set():
    table = latency_table(parse_network({"latency": "1ms"}, MACHINES), MACHINES)
    assert table.one_way(np.array([2]), np.array([3])).tolist() == [0.001]


def test_racks_and_zones():
    model = parse_network({
        "racks": {"r1": ["a", "b"], "r2": ["c"], "r3": ["d"]},
        "zones": {"z1": ["r1", "r2"], "z2": ["r3"]},
        "node_link": "0.1ms",
        "rack_link": "0.2ms",
        "links": [{"between": ["z1", "z2"], "latency": "5ms"}],
    }, MACHINES)
    table = latency_table(model, MACHINES)
    pairs = {("a", "a"): 0.0,
             ("a", "b"): 0.0002,  # same rack: machine -> switch -> machine
             ("a", "c"): 0.0006,  # same zone: + two rack links
             ("a", "d"): 0.0056,  # other zone: + the 5 ms zone link
             ("d", "b"): 0.0056}
    for (x, y), expected in pairs.items():
        got = table.one_way(np.array([MACHINES.index(x)]), np.array([MACHINES.index(y)]))
        assert got[0] == pytest.approx(expected), (x, y)


def test_racks_without_zones_share_one_core_and_links_shortcut():
    model = parse_network({"racks": {"r1": ["a", "b"], "r2": ["c", "d"]},
                           "links": [{"between": ["r1", "r2"], "latency": "0.05ms"}]},
                          MACHINES)
    table = latency_table(model, MACHINES)
    # via the core: 0.05 + 0.1 + 0.1 + 0.05 = 0.3 ms; the direct rack link: 0.15 ms
    assert table.one_way(np.array([0]), np.array([3]))[0] == pytest.approx(0.00015)
    assert model.to_dict()["links"] == [{"between": ["r1", "r2"], "latency": 5e-05}]
