"""Metrics of small runs against values worked out by hand.

Timing facts used (swarm's and swarmsim's defaults): a new task is pending until the
scheduler's 50 ms debounce, pulls for 2 s, starts in 1 s, so it runs 3.05 s after it was
created; its container is alive from ``starting`` (2.05 s). A replacement made by the
restart supervisor runs 5 s (restart delay) + 1 s (startup) after its creation.
"""

import math
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from swarmsim.app.run import run_scenario
from swarmsim.input.scenario import load_scenario
from swarmsim.metrics import collect
from tests.metrics_fixtures import causes, crash, pack

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def crashed(tmp_path_factory):
    result = crash(tmp_path_factory.mktemp("crash"))
    down = [e.time for e in result.sim.events
            if getattr(e, "kind", "") == "node" and e.node == "myvm2" and e.status == "down"]
    return result, collect(result), down[0]


def test_availability_across_a_crash(crashed):
    _result, m, detected = crashed
    web = m.summary["services"]["lab_web"]
    back = detected + 5.0 + 1.0  # replacement created when the node is declared down
    assert web["deployed_after"] == pytest.approx(3.05)
    assert web["downtime"] == pytest.approx(back - 60.0)
    assert web["availability"] == pytest.approx(1 - (back - 60.0) / (120.0 - 3.05))
    assert (web["desired"], web["running"]) == (3, 3)
    times, values = m.series.get("service:lab_web", "running")
    assert times == pytest.approx([0.0, 3.05, 60.0, back, 120.0])
    assert values == [0, 3, 2, 3, 3]
    # docker's view keeps the dead task running until the machine comes back
    assert m.series.get("service:lab_web", "running_reported")[1][-1] == 4


def test_time_to_converge_after_each_disturbance(crashed):
    _result, m, detected = crashed
    dist = {(d["kind"], d["target"]): d["converged_after"] for d in m.summary["disturbances"]}
    assert dist[("deploy", "lab_web")] == pytest.approx(3.05)
    assert dist[("crash", "myvm2")] == pytest.approx(detected + 6.0 - 60.0)
    assert m.summary["convergence"]["not_converged"] == 0


def test_restart_and_pending_figures_of_the_crash(crashed):
    _result, m, _detected = crashed
    assert m.summary["restarts"] == {"total": 1, "by_cause": {"node_down": 1}}
    pend = m.summary["pending_time"]
    assert pend["tasks"] == 4  # three at deploy, one replacement
    assert pend["mean"] == pytest.approx(0.05)
    assert pend["max"] == pytest.approx(0.05)
    assert pend["still_pending"] == 0


def test_placement_imbalance_pending_and_utilisation(tmp_path):
    m = collect(pack(tmp_path))
    s = m.summary
    place = s["placement"]
    # 1-CPU reservations on nodes of 4, 1 and 1 CPUs: 4/1/1 tasks, mean 2, std sqrt(2)
    assert place["cv_tasks"] == pytest.approx(math.sqrt(2) / 2)
    assert place["cv_reserved_cpus"] == pytest.approx(math.sqrt(2) / 2)
    assert (place["nodes"], place["nodes_in_use"]) == (3, 3)
    # the 7th replica never fits: pending for the whole 100 s run
    pend = s["pending_time"]
    assert pend["still_pending"] == 1
    assert pend["max"] == pytest.approx(100.0)
    assert pend["mean"] == pytest.approx((6 * 0.05 + 100.0) / 7)
    assert s["services"]["pack_app"]["availability"] == 0.0  # never all 7 running
    util = s["utilisation"]
    # reserved: all 6 cores from the assignment at 0.05 s
    assert util["cluster"]["cpu_reserved"]["mean"] == pytest.approx((100 - 0.05) / 100)
    assert util["cluster"]["cpu_reserved"]["peak"] == pytest.approx(1.0)
    # used: cpu_used 0.5 per container, alive from 2.05 s: 3 of 6 cores
    assert util["cluster"]["cpu_used"]["mean"] == pytest.approx(0.5 * (100 - 2.05) / 100)
    assert util["cluster"]["cpu_used"]["peak"] == pytest.approx(0.5)
    # memory used: 4 x 100M on the 4G node, 100M on each 1G node
    assert util["nodes"]["big"]["memory_used"]["peak"] == pytest.approx(400 / 4096)
    assert util["nodes"]["small1"]["memory_used"]["peak"] == pytest.approx(100 / 1024)
    times, values = m.series.get("node:big", "reserved_cpus")
    assert list(zip(times, values, strict=True)) == [(0.0, 0.0), (0.05, 4.0), (100.0, 4.0)]


def test_restarts_by_cause(tmp_path):
    m = collect(causes(tmp_path))
    # oom: fails as it starts running (3.05 s), then every 6 s: 3.05 ... 57.05 -> 10
    # replacements by 60 s; web: one killed (exit 3), two replaced by the image update
    assert m.summary["restarts"] == {"total": 13,
                                     "by_cause": {"exit": 1, "oom": 10, "update": 2}}
    assert m.summary["services"]["causes_oom"]["restarts"] == {"oom": 10}
    dist = {(d["kind"], d["time"]): d["converged_after"] for d in m.summary["disturbances"]}
    assert dist[("kill", 30.0)] == pytest.approx(6.0)
    # stop-first, one at a time: the second new task runs 2 x 3.05 s after the update
    assert dist[("update", 40.0)] == pytest.approx(6.1)
    assert dist[("task_failed", 3.05)] is None  # the oom service never settles


def test_shipped_drain_scale_scenario(tmp_path):
    m = collect(run_scenario(load_scenario(ROOT / "scenarios" / "drain-scale.yaml")))
    dist = {(d["kind"], d["time"]): d["converged_after"] for d in m.summary["disturbances"]}
    # drained tasks move at once (no restart delay); scale-ups start new tasks at once
    assert dist[("drain", 20.0)] == pytest.approx(3.05)
    assert dist[("scale", 60.0)] == pytest.approx(3.05)
    assert dist[("scale", 130.0)] == 0.0  # scaling down settles immediately
    assert m.summary["restarts"]["by_cause"] == {"drain": 1}
    desired = m.series.get("service:getstartedlab_web", "desired")
    assert desired == ([0.0, 60.0, 90.0, 130.0, 180.0], [5, 8, 10, 4, 4])


def test_progress_callback_leaves_the_run_unchanged(tmp_path):
    path = ROOT / "scenarios" / "crash.yaml"
    calls = []
    with_progress = run_scenario(load_scenario(path), progress=lambda now, end: calls.append(
        (now, end)))
    plain = run_scenario(load_scenario(path))
    assert with_progress.sim.events == plain.sim.events
    assert len(calls) == 200
    assert calls[-1] == (180.0, 180.0)
    assert [c[0] for c in calls] == sorted(c[0] for c in calls)


def test_request_figures_agree_with_the_traffic_tables():
    from swarmsim.workload.summary import traffic_document

    result = run_scenario(load_scenario(ROOT / "scenarios" / "traffic-crash.yaml"), until=90.0)
    m = collect(result)
    theirs = traffic_document(result.sim)["requests_by_service"]["getstartedlab_web"]
    mine = m.summary["services"]["getstartedlab_web"]["requests"]
    assert mine["count"] == theirs["sent"] - theirs["in_flight"]
    assert mine["failed"] == theirs["timeout"] + theirs["refused"] + theirs["rejected"]
    assert mine["failed"] > 0  # the crash at 60 s costs requests
    assert mine["latency_p50"] == pytest.approx(theirs["latency"]["p50"])
    assert mine["latency_p99"] == pytest.approx(theirs["latency"]["p99"])
    cdf = mine["latency_cdf"]
    assert len(cdf) == 101 and cdf[0][1] == 0.0 and cdf[-1][1] == 1.0
    assert [p[0] for p in cdf] == sorted(p[0] for p in cdf)
    errors = [(t, v) for t, e, k, v in m.request_rows if e == "requests" and k == "errors"]
    assert all(v == 0 for t, v in errors if t < 60.0)  # no failure before the crash
    served = [v for _t, e, k, v in m.request_rows if k == "traffic_cpus" and e == "node:myvm2"]
    assert served and served[-1] == 0.0  # myvm2 serves nothing once it is gone


@settings(max_examples=200)
@given(st.lists(st.lists(st.floats(0.0, 10.0, allow_nan=False), min_size=1, max_size=30),
                min_size=1, max_size=8),
       st.lists(st.floats(0.0, 1.0), min_size=1, max_size=4))
def test_segment_quantiles_equal_numpy_quantile_bit_for_bit(segments, qs):
    import numpy as np

    from swarmsim.metrics.requests import segment_quantiles

    values = np.concatenate([np.sort(s) for s in segments])
    ends = np.cumsum([len(s) for s in segments])
    starts = ends - [len(s) for s in segments]
    got = segment_quantiles(values, starts, ends, qs)
    for i, seg in enumerate(segments):
        for j, q in enumerate(qs):
            assert got[i, j] == np.quantile(np.array(seg), q)


def test_binned_latency_quantiles_are_each_bins_own():
    # the per-bin rows of metrics.csv, recomputed bin by bin with numpy
    import numpy as np

    from swarmsim.metrics import find_requests
    from swarmsim.metrics.requests import _bins, binned_rows

    result = run_scenario(load_scenario(ROOT / "scenarios" / "traffic-crash.yaml"), until=90.0)
    table = find_requests(result.sim)
    rows = binned_rows(table, "requests", 0.0, 90.0)
    k, edges, _w = _bins(table, 0.0, 90.0)
    checked = 0
    for b in range(len(edges) - 1):
        lat = table.latency[(k == b) & ~np.isnan(table.latency)]
        mine = {m: v for t, _e, m, v in rows if t == float(edges[b])}
        assert mine["throughput"] == int(table.ok[k == b].sum()) / (edges[b + 1] - edges[b])
        if lat.size:
            checked += 1
            assert mine["latency_p95"] == float(np.quantile(lat, 0.95))
        else:
            assert "latency_p95" not in mine
    assert checked > 10
