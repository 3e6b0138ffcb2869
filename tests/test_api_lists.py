"""The server's list answers under polling: the simulation advanced in bounded slices
ends where one uninterrupted run ends, and a list answered from the cache is what a
fresh rendering of the same instant gives."""

from __future__ import annotations

import json
import urllib.request

import pytest
from api_helpers import served

from swarmsim.api.clock import LiveClock
from swarmsim.commands import objects
from swarmsim.input.scenario import load_scenario
from swarmsim.shell import Session

CRASHES = """\
name: crashes
seed: 3
nodes:
  - {name: manager1, role: manager}
  - {name: "worker{i}", count: 5}
stacks:
  app: app.yml
timeline:
  - {at: 6s, fail: worker2}
  - {at: 9s, fail: worker4}
"""
APP = 'version: "3.8"\nservices:\n  web:\n    image: nginx\n    deploy: {replicas: 40}\n'


def _scenario(tmp_path):
    (tmp_path / "app.yml").write_text(APP)
    (tmp_path / "crashes.yaml").write_text(CRASHES)
    return load_scenario(tmp_path / "crashes.yaml")


def _state(sim):
    return sorted((t.id, t.state, t.desired, t.node_id, t.updated)
                  for t in sim.state.tasks.values())


class _Wall:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_sliced_advance_ends_where_one_run_ends(tmp_path):
    sliced, whole = (Session.start(_scenario(tmp_path)).sim for _ in range(2))
    wall_a, wall_b = _Wall(), _Wall()
    a, b = LiveClock(sliced, 1.0, wall=wall_a), LiveClock(whole, 1.0, wall=wall_b)
    wall_a.now += 40
    wall_b.now += 40
    calls = 0
    while sliced.now < a.target():
        a.advance(budget=0.0)  # each call stops after its first few events
        calls += 1
    b.advance()
    assert calls > 50
    assert sliced.now == whole.now == pytest.approx(40.0)
    assert _state(sliced) == _state(whole)


def test_advance_every_shares_one_state(tmp_path):
    sim = Session.start(_scenario(tmp_path)).sim
    wall = _Wall()
    clock = LiveClock(sim, 1.0, wall=wall)
    wall.now += 1.0
    assert clock.advance(every=0.01) == pytest.approx(1.0)
    wall.now += 0.005
    assert clock.advance(every=0.01) == pytest.approx(1.0)  # too soon: unchanged
    wall.now += 0.01
    assert clock.advance(every=0.01) == pytest.approx(1.015)


def _get(server, path):
    with urllib.request.urlopen(f"http://127.0.0.1:{server.port}{path}", timeout=30) as r:
        return json.loads(r.read()), r.headers


def test_cached_lists_equal_a_fresh_rendering(tmp_path):
    """Through two crashes and their rescheduling (speed 20), at several instants: the
    task and service lists (asked twice, so the second comes from the cache, under both
    path forms) equal the objects rendered afresh, without any cache, at that instant."""
    import time

    with served(str(_scenario(tmp_path).path), speed=20) as server:
        view = server.view
        for _ in range(8):
            time.sleep(0.15)
            with server.frozen():
                first, headers = _get(server, "/v1.47/tasks")
                again, _ = _get(server, "/tasks")
                services, _ = _get(server, "/services?status=true")

                def fresh():
                    state = view.sim.state
                    return ([objects.task(view, state.tasks[i]) for i in sorted(state.tasks)],
                            [objects.service(view, s, status=True) for s in
                             sorted(state.services.values(), key=lambda s: s.id)])

                tasks, svcs = server.call(fresh)
            assert first == again == tasks
            assert services == svcs
            assert float(headers["Server-Timing"].split("dur=")[1]) >= 0
        # both lists are kept for the polls that follow, keyed by the normalised query
        assert {"/tasks", "/services"} <= {path for path, _ in view.responses}
        assert server.call(lambda: view.sim.now) > 9  # the crashes happened


def test_the_collector_keeper_freezes_and_sometimes_collects_all():
    """`swarmsim serve` freezes what is alive every few seconds (so the collector's
    passes stay short) and unfreezes everything for one full collection now and then,
    so cyclic garbage among once-frozen objects is freed in the end."""
    import asyncio
    import gc
    import weakref

    from swarmsim.api.server import keep_collector_short

    class Node:
        pass

    async def run(full: float) -> None:
        task = asyncio.ensure_future(keep_collector_short(every=0.01, full=full))
        await asyncio.sleep(0.05)
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)

    try:
        gc.unfreeze()
        cycle = Node()
        cycle.me = cycle  # type: ignore[attr-defined]
        alive = weakref.ref(cycle)
        asyncio.run(run(full=3600))
        assert gc.get_freeze_count() > 0
        del cycle
        gc.collect()
        assert alive() is not None  # frozen: the collector's passes leave it alone
        asyncio.run(run(full=0.0))
        assert alive() is None  # the full collection freed it
    finally:
        gc.unfreeze()
