"""ClusterView: the cluster as HTML in a notebook, one column per node and one box per
task whose desired state is running."""

import re

import pytest

from swarmsim.report import ClusterView, RunData, show_cluster
from tests.metrics_fixtures import crash, pack


def _columns(html: str) -> list[str]:
    return re.findall(r'class="swarmsim-node" data-node="([^"]+)"', html)


def _boxes(html: str) -> int:
    return html.count('class="swarmsim-task"')


def test_one_column_per_node_and_one_box_per_task(tmp_path):
    result = crash(tmp_path, until=30)
    view = show_cluster(result)
    html = view._repr_html_()
    assert isinstance(view, ClusterView)
    assert _columns(html) == ["myvm1", "myvm2", "myvm3"]
    assert _boxes(html) == 3
    assert html.count(">running<") == 3
    assert "<script" not in html and "<link" not in html
    assert "#1f77b4" in html  # web's colour in the plots (tab10's first)


def test_view_at_a_time_shows_the_managers_belief(tmp_path):
    result = crash(tmp_path)  # myvm2 crashes at 60 s, noticed at its heartbeat deadline
    before = ClusterView(result, at=61)
    assert [len(n.tasks) for n in before.nodes] == [1, 1, 1]
    dead = before.nodes[1]
    assert not dead.alive and dead.tasks[0].state == "running" and not dead.tasks[0].actual
    assert "dashed" in before._repr_html_()
    after = ClusterView(result)
    assert sum(len(n.tasks) for n in after.nodes) == 3
    assert [len(n.tasks) for n in after.nodes][1] == 0
    assert _boxes(after._repr_html_()) == 3


def test_pending_tasks_get_no_box_and_sim_matches_result(tmp_path):
    result = pack(tmp_path)  # 7 replicas of 1 CPU on 4 + 1 + 1 CPUs: one pending
    html = show_cluster(result)._repr_html_()
    assert _columns(html) == ["big", "small1", "small2"]
    assert _boxes(html) == 6
    live = ClusterView(result.sim)._repr_html_()
    assert _columns(live) == _columns(html) and _boxes(live) == 6
    data = ClusterView(RunData.from_result(result))
    assert [len(n.tasks) for n in data.nodes] == [4, 1, 1]


def test_a_bare_simulation_has_no_history(tmp_path):
    result = pack(tmp_path)
    with pytest.raises(ValueError, match="current time"):
        ClusterView(result.sim, at=1.0)
