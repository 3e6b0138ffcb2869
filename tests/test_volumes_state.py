"""Stateful services keep their items per (node, volume source): shipped scenarios and
the model's rules, with exact timings."""

import math
from pathlib import Path

from swarmsim.app.run import run_scenario
from swarmsim.input.scenario import load_scenario
from swarmsim.input.specs import Mount, ServiceSpec, SimParams
from swarmsim.outputs.snapshot import snapshot
from swarmsim.simulation.storage import items_after, state_mount

ROOT = Path(__file__).resolve().parents[1]


def states(result):
    return [(round(e.time, 6), e.node, e.volume, e.items, e.action) for e in result.sim.events
            if getattr(e, "kind", None) == "state"]


def test_pinned_redis_keeps_its_data_across_a_crash_and_a_redeploy():
    result = run_scenario(load_scenario(ROOT / "scenarios" / "redis-keeps-data.yaml"))
    vol = "/home/docker/data"
    # running at 3.05 (2 s pull + 1 s start-up after the 50 ms batch); killed at 30 s:
    # 26.95 s -> 26 items; the replacement waits the 5 s restart delay, pulls (2 s, in
    # parallel) and starts (1 s): running at 36 s; re-deploy at 60 s: 26.95 + 24 = 50.95;
    # the new task runs at 63.05 on myvm1 and finds them
    assert states(result) == [
        (3.05, "myvm1", vol, 0, "found"),
        (30.0, "myvm1", vol, 26, "saved"),
        (36.0, "myvm1", vol, 26, "found"),
        (60.0, "myvm1", vol, 50, "saved"),
        (63.05, "myvm1", vol, 50, "found"),
    ]
    svc = snapshot(result.sim)["services"][0]
    # at 90 s: 50.95 + 26.95
    assert svc["state"] == [{"node": "myvm1", "volume": vol, "items": math.floor(50.95 + 26.95)}]


def test_unpinned_redis_loses_its_data_when_it_moves():
    result = run_scenario(load_scenario(ROOT / "scenarios" / "redis-loses-data.yaml"))
    got = states(result)
    assert got[:2] == [(3.05, "myvm3", "/home/docker/data", 0, "found"),
                       (30.0, "myvm3", "/home/docker/data", 26, "saved")]
    moved = got[2]
    assert moved[1:] == ("myvm2", "/home/docker/data", 0, "found")
    # the crash is noticed 9 to 16.5 s after 30 s (one heartbeat period p, grace 3p:
    # SwarmKit manager/dispatcher/nodes.go), then 3.05 s to run again
    assert 30 + 9 + 3 <= moved[0] <= 30 + 16.5 + 3.05 + 1e-9
    rows = snapshot(result.sim)["services"][0]["state"]
    assert rows == [
        {"node": "myvm2", "volume": "/home/docker/data",
         "items": math.floor(result.sim.now - moved[0])},
        {"node": "myvm3", "volume": "/home/docker/data", "items": 26},
    ]


def test_named_volumes_are_per_node_and_anonymous_ones_are_ignored():
    vol = Mount("volume", "/data", "app_db")
    spec = ServiceSpec("app_db", "redis", sim=SimParams(stateful=True),
                       mounts=(Mount("tmpfs", "/tmp"), vol))
    assert state_mount(spec) == vol
    assert state_mount(ServiceSpec("x", "redis", mounts=(vol,))) is None  # not stateful
    assert items_after(26.95, 24.0) == 50.95
    assert items_after(3.0, -1.0) == 3.0


def test_state_events_are_written_with_time_and_kind_first():
    from swarmsim.outputs.files import event_dict

    result = run_scenario(load_scenario(ROOT / "scenarios" / "redis-keeps-data.yaml"), until=10)
    event = next(e for e in result.sim.events if getattr(e, "kind", None) == "state")
    assert event_dict(event) == {
        "time": 3.05, "kind": "state", "service": "getstartedlab_redis",
        "task": "getstartedlab_redis.1", "node": "myvm1", "volume": "/home/docker/data",
        "items": 0, "action": "found",
    }
