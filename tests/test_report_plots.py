"""Plots, checked on their artists: one Axes in, the same Axes out, with the lines,
bars, boxes and labels the run calls for."""

from pathlib import Path

import numpy as np
import pytest
from matplotlib.collections import LineCollection, PathCollection, PolyCollection
from matplotlib.figure import Figure
from matplotlib.image import AxesImage
from matplotlib.patches import Rectangle

from swarmsim.app.run import run_scenario
from swarmsim.cluster.tasks import TaskState
from swarmsim.input.scenario import load_scenario
from swarmsim.metrics import collect
from swarmsim.metrics.files import write_metrics
from swarmsim.outputs.files import write_run
from swarmsim.report import (
    RunData,
    plot_latency,
    plot_latency_cdf,
    plot_replicas,
    plot_snapshot,
    plot_task_timeline,
    plot_utilisation,
)
from tests.metrics_fixtures import crash, pack

ROOT = Path(__file__).resolve().parents[1]


def _ax():
    return Figure().add_subplot()


def _data(result, out):
    write_run(result, out)
    write_metrics(collect(result), out)
    return RunData.load(out)


@pytest.fixture(scope="module")
def crashed(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("plots")
    result = crash(tmp / "sc")
    down = next(e.time for e in result.sim.events
                if getattr(e, "kind", "") == "node" and e.status == "down")
    return _data(result, tmp / "out"), tmp / "sc" / "scenario.yaml", down


def test_replicas_running_vs_desired_with_the_crash_marked(crashed):
    data, _path, down = crashed
    ax = _ax()
    assert plot_replicas(data, ax=ax) is ax
    lines = {ln.get_label(): ln for ln in ax.lines}
    assert set(lines) == {"web running", "web desired"}
    assert list(lines["web running"].get_ydata()) == [0, 3, 2, 3, 3]
    assert list(lines["web running"].get_xdata()) == pytest.approx(
        [0.0, 3.05, 60.0, down + 6.0, 120.0])
    assert lines["web desired"].get_linestyle() == "--"
    marks = [c for c in ax.collections if isinstance(c, LineCollection)]
    assert len(marks) == 1 and len(marks[0].get_segments()) == 1
    assert marks[0].get_segments()[0][0][0] == 60.0
    assert [t.get_text() for t in ax.texts] == ["crash myvm2"]


def test_utilisation_lines_then_heatmap(crashed):
    data, _path, _down = crashed
    ax = _ax()
    assert plot_utilisation(data, ax=ax, metric="containers") is ax
    lines = {ln.get_label(): ln for ln in ax.lines}
    assert set(lines) == {"myvm1", "myvm2", "myvm3"}
    x, y = lines["myvm2"].get_xdata(), lines["myvm2"].get_ydata()
    assert list(y) == [0, 1, 0, 0] and list(x) == pytest.approx([0.0, 2.05, 60.0, 120.0])
    ax = _ax()
    plot_utilisation(data, ax=ax, metric="containers", max_lines=2, bins=12)
    images = [a for a in ax.get_children() if isinstance(a, AxesImage)]
    assert len(images) == 1 and images[0].get_array().shape == (3, 12)
    # myvm2's single container lives from 2.05 s to 60 s: bin [0, 10) is 0.795 on average
    assert images[0].get_array()[1, 0] == pytest.approx((10 - 2.05) / 10)
    # from 60 s myvm2's machine is down: a masked (grey) cell, not an idle 0
    assert images[0].get_array().mask[1, 6] and not images[0].get_array().mask[0, 6]
    assert "3 nodes x 12 time bins" in ax.get_title(loc="left")


def test_utilisation_in_percent_of_capacity(tmp_path):
    data = _data(pack(tmp_path / "sc"), tmp_path / "out")
    ax = _ax()
    plot_utilisation(data, ax=ax, metric="reserved_cpus")
    lines = {ln.get_label(): ln for ln in ax.lines}
    assert set(lines) == {"big", "small1", "small2", "cluster"}
    assert lines["big"].get_ydata()[-1] == pytest.approx(100.0)  # 4 of 4 cores
    assert lines["cluster"].get_ydata()[-1] == pytest.approx(100.0)
    assert "CPU reserved" in ax.get_title()


def test_task_timeline_bars_failures_and_sampling(crashed):
    data, _path, _down = crashed
    ax = _ax()
    assert plot_task_timeline(data, ax=ax) is ax
    bars = [c for c in ax.collections if isinstance(c, PolyCollection)
            and c.get_label() == "lab_web"]
    assert len(bars) == 1 and len(bars[0].get_paths()) == 4  # 3 + 1 replacement
    crosses = [c for c in ax.collections if isinstance(c, PathCollection)]
    assert len(crosses) == 1
    assert crosses[0].get_offsets()[0][0] == 60.0  # the container died
    assert [t.get_text() for t in ax.get_yticklabels()] == ["myvm1", "myvm2", "myvm3"]
    ax = _ax()
    plot_task_timeline(data, ax=ax, max_nodes=2)
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert len(labels) == 2 and "myvm2" in labels  # the node with a failure comes first
    assert "showing 2 of 3 nodes" in ax.get_title()


def _sim_counts(path, at):
    sim = run_scenario(load_scenario(path), until=at).sim
    counts = {}
    for t in sim.state.tasks.values():
        node = sim.state.nodes.get(t.node_id or "")
        if node is not None and t.desired == TaskState.RUNNING:
            counts[node.name] = counts.get(node.name, 0) + 1
    return counts


@pytest.mark.parametrize("at", [1.0, 65.0, 100.0])
def test_snapshot_boxes_match_the_simulation(crashed, at):
    data, path, _down = crashed
    ax = _ax()
    assert plot_snapshot(data, at, ax=ax) is ax
    boxes = [p for p in ax.patches if isinstance(p, Rectangle) and p.get_gid()]
    drawn = {}
    for p in boxes:
        node = ["myvm1", "myvm2", "myvm3"][int(p.get_x())]
        drawn[node] = drawn.get(node, 0) + 1
    assert drawn == _sim_counts(path, at)
    headers = [t.get_text().split("\n")[0] for t in ax.texts if "\n" in t.get_text()
               and t.get_text().split("\n")[1] in ("manager", "worker")]
    assert headers == ["myvm1", "myvm2", "myvm3"]


def test_snapshot_samples_many_nodes(crashed):
    data, _path, _down = crashed
    ax = _ax()
    plot_snapshot(data, 65.0, ax=ax, max_nodes=2)
    assert "2 of 3 nodes" in ax.get_title()
    assert ax.get_xlim() == (0.0, 2.0)


def test_replicas_aggregate_many_services(tmp_path):
    result = run_scenario(load_scenario(ROOT / "scenarios" / "placement.yaml"), until=20.0)
    data = _data(result, tmp_path)
    ax = _ax()
    plot_replicas(data, ax=ax, max_services=3)
    labels = [ln.get_label() for ln in ax.lines]
    assert labels[0] == "all services" and len(labels) == 3
    assert "% of desired: all 5 services" in ax.get_title()
    cache = next(ln for ln in ax.lines if ln.get_label() == "cache")  # least available
    assert cache.get_ydata()[-1] == pytest.approx(80.0)  # 4 of 5 (max one per node)


def test_latency_plots_with_traffic(tmp_path):
    result = run_scenario(load_scenario(ROOT / "scenarios" / "traffic-crash.yaml"), until=40.0)
    data = _data(result, tmp_path)
    ax = _ax()
    assert plot_latency(data, ax=ax) is ax
    assert [ln.get_label() for ln in ax.lines] == ["p50", "p95", "p99"]
    p50, p99 = ax.lines[0].get_ydata(), ax.lines[2].get_ydata()
    assert np.all(p50 <= p99)
    ax = _ax()
    plot_latency_cdf(data, ax=ax)
    assert [ln.get_label() for ln in ax.lines] == ["all requests", "web"]
    y = ax.lines[0].get_ydata()
    assert y[0] == 0.0 and y[-1] == 1.0 and np.all(np.diff(y) > 0)


def test_latency_plot_without_traffic_says_so(crashed):
    data, _path, _down = crashed
    ax = _ax()
    plot_latency(data, ax=ax)
    assert not ax.lines and ax.texts[0].get_text() == "no traffic in this run"
