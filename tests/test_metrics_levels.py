"""The replay's levels are moved by differences of shares (metrics/levels.py); at any
point of a run they must equal the shares of every task summed afresh with the pure
functions of metrics/tasklife.py (the independent expectation)."""

from pathlib import Path

import pytest

from swarmsim.app.run import run_scenario
from swarmsim.input.scenario import load_scenario
from swarmsim.metrics.replay import Replay
from swarmsim.metrics.tasklife import node_share, service_share
from swarmsim.metrics.views import machines_of

ROOT = Path(__file__).resolve().parents[1]


def _summed(shares):
    return tuple(map(sum, zip(*shares, strict=True))) if shares else (0,) * 6


@pytest.mark.parametrize("name", ["crash.yaml", "drain-scale.yaml", "rolling-update.yaml"])
def test_levels_equal_the_shares_summed_afresh_all_along_the_run(name):
    result = run_scenario(load_scenario(ROOT / "scenarios" / name))
    events, records = result.sim.events, result.recorder.records
    machines = machines_of(result.sim.scenario.nodes)
    checked = 0
    for k in sorted({len(events) * i // 7 for i in range(1, 8)}):
        r = Replay(machines)
        r.run(events[:k], [rec for rec in records if rec.at <= k])
        for t in r.tasks.values():
            assert t.nshare == node_share(t) and t.sshare == service_share(t)
        for node in r.nodes.values():
            mine = [node_share(t) for t in r.tasks.values() if t.node == node.name]
            assert node.totals == _summed(mine), node.name
        for svc in r.services.values():
            mine = [service_share(t) for t in r.tasks.values() if t.service == svc.name]
            assert svc.counts == _summed(mine), svc.name
        up = [n for n in r.nodes.values() if n.in_swarm and n.alive]
        s = r._sums
        assert s[0] == sum(n.totals[0] for n in up) and s[3] == sum(n.totals[3] for n in up)
        assert s[4] == sum(n.totals[4] for n in r.nodes.values())
        assert s[10] == sum(1 for n in r.nodes.values() if n.totals[4] > 0)
        counted = [v for v in r.services.values() if not v.job]
        assert s[11] == sum(v.desired for v in counted)
        assert s[12] == sum(v.counts[0] for v in counted)
        assert s[13] == sum(v.counts[2] for v in counted)
        active = [n.totals[4] for n in r.nodes.values() if n.schedulable]
        assert r._cv_tasks == [len(active), sum(active), sum(x * x for x in active)]
        checked += len(r.tasks)
    assert checked > 0
