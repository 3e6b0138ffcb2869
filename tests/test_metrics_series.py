"""Level series and the pure pieces of the metrics: coalescing at change points,
time-weighted reductions, why a task ended, what a task reserves and uses."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from swarmsim.cluster.tasks import TaskState
from swarmsim.input.specs import ResourceRequirements, Resources, ServiceSpec, SimParams
from swarmsim.metrics.recorder import spec_change, task_usage
from swarmsim.metrics.series import SeriesSet, cv, ratio, time_max, time_mean, value_at
from swarmsim.metrics.tasklife import TaskView, end_cause, exit_code, stop_cause
from swarmsim.report.data import binned_means


def test_only_changes_are_kept_and_same_instant_changes_collapse():
    s = SeriesSet()
    s.set("node:a", "tasks", 0.0, 0)
    s.set("node:a", "tasks", 1.0, 1)
    s.set("node:a", "tasks", 1.0, 2)  # same instant: the last value wins
    s.set("node:a", "tasks", 2.0, 2)  # no change: dropped
    s.set("node:a", "tasks", 3.0, 5)
    s.set("node:a", "tasks", 3.0, 2)  # back to the previous level at once: no change at all
    assert s.get("node:a", "tasks") == ([0.0, 1.0], [0, 2])
    s.close(10.0)
    assert s.get("node:a", "tasks") == ([0.0, 1.0, 10.0], [0, 2, 2])
    assert list(s.rows()) == [(0.0, "node:a", "tasks", 0), (1.0, "node:a", "tasks", 2),
                              (10.0, "node:a", "tasks", 2)]


def test_time_weighted_mean_and_peak_by_hand():
    times, values = [0.0, 2.0, 6.0], [1.0, 4.0, 0.0]
    # 1 for 2 s, 4 for 4 s, 0 for 4 s over [0, 10]: (2 + 16) / 10
    assert time_mean(times, values, 0.0, 10.0) == pytest.approx(1.8)
    assert time_mean(times, values, 1.0, 4.0) == pytest.approx((1 * 1 + 4 * 2) / 3)
    assert time_max(times, values, 0.0, 10.0) == 4.0
    assert time_max(times, values, 6.0, 10.0) == 0.0
    assert value_at(times, values, 2.0) == 4.0
    assert value_at(times, values, -1.0, default=7.0) == 7.0


def test_ratio_of_two_step_functions():
    num = ([0.0, 5.0], [1.0, 3.0])
    den = ([0.0, 2.0], [2.0, 0.0])
    assert ratio(num, den) == ([0.0, 2.0], [0.5, 0.0])


def test_coefficient_of_variation():
    assert cv([4, 1, 1]) == pytest.approx(math.sqrt(2) / 2)
    assert cv([2, 2, 2]) == 0.0
    assert cv([0, 0]) is None
    assert cv([]) is None


@given(st.lists(st.tuples(st.floats(0, 100), st.integers(0, 5)), min_size=1, max_size=30))
def test_binned_means_integrate_like_time_mean(samples):
    samples = sorted(samples)
    s = SeriesSet()
    for t, v in samples:
        s.set("x", "m", t, v)
    times, values = s.get("x", "m")
    edges = np.array([0.0, 25.0, 50.0, 100.0])
    means = binned_means(times, values, edges)
    for i in range(3):
        expect = time_mean(times, values, edges[i], edges[i + 1])
        if expect is None:
            assert np.isnan(means[i])
        else:
            assert means[i] == pytest.approx(expect)


def _task(**kw):
    t = TaskView("t1", "web.1", "web", 0.0)
    for k, v in kw.items():
        setattr(t, k, v)
    return t


def test_why_a_task_ended():
    assert end_cause(_task(state=TaskState.FAILED, error="task: non-zero exit (1)")) == "exit"
    assert end_cause(_task(state=TaskState.FAILED, lost=True)) == "node_down"
    assert end_cause(_task(state=TaskState.FAILED,
                           error="task: non-zero exit (137): dockerexec: unhealthy container")
                     ) == "unhealthy"
    assert end_cause(_task(state=TaskState.COMPLETE)) == "complete"
    assert end_cause(_task(state=TaskState.REJECTED)) == "rejected"
    told = _task(desired=TaskState.SHUTDOWN)
    kw = {"service_exists": True, "service_version": 1}
    assert stop_cause(told, node_status="ready", node_availability="drain", **kw) == "drain"
    assert stop_cause(told, node_status="down", node_availability="active", **kw) == "node_down"
    assert stop_cause(told, node_status="ready", node_availability="active", **kw) == "shutdown"
    removed = _task(desired=TaskState.REMOVE)
    assert stop_cause(removed, node_status="ready", node_availability="active", **kw) == (
        "scale_down")
    assert stop_cause(removed, node_status="ready", node_availability="active",
                      service_exists=False, service_version=1) == "service_removed"
    assert exit_code("task: non-zero exit (137)") == 137
    assert exit_code("") is None


def test_task_usage_is_reservations_and_limits():
    # what a task uses comes from the resource model; the replay counts what it
    # reserves and its limits, and flags a memory_used above the limit
    res = ResourceRequirements(limits=Resources(nano_cpus=500_000_000, memory_bytes=100),
                               reservations=Resources(nano_cpus=250_000_000, memory_bytes=40))
    spec = ServiceSpec(name="web", image="x", resources=res)
    assert task_usage(spec) == (250_000_000, 40, 500_000_000, 100, False)
    heavy = ServiceSpec(name="web", image="x", resources=res,
                        sim=SimParams(cpu_used=2_000_000_000, memory_used=200))
    assert task_usage(heavy) == (250_000_000, 40, 500_000_000, 100, True)


def test_spec_change_kinds():
    a = ServiceSpec(name="web", image="x:1", replicas=2)
    assert spec_change(a, ServiceSpec(name="web", image="x:1", replicas=5)) == "scale"
    assert spec_change(a, ServiceSpec(name="web", image="x:2", replicas=2)) == "update"
    assert spec_change(a, a) == "none"
