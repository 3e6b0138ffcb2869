"""``failures:``: machines failing and being repaired at random, as renewal processes
(the long-run share of time down is mttr / (mtbf + mttr)), groups failing together, the
same failure times under every policy (common random numbers), sweepable keys."""

from __future__ import annotations

import copy

import numpy as np
import pytest
import yaml

from swarmsim.app.run import run_scenario
from swarmsim.experiments.sweep import set_key
from swarmsim.foundation.errors import InputError
from swarmsim.input.failures import parse_failures
from swarmsim.input.scenario import load_scenario, scenario_from_data

NODES = [
    "  - {name: m1, role: manager}",
    "  - {name: w1, labels: {rack: r1}}",
    "  - {name: w2, labels: {rack: r1}}",
    "  - {name: w3, labels: {rack: r2}}",
]


def scenario_data(failures, until="6h", policy="spread"):
    return yaml.safe_load("name: f\nseed: 4\nuntil: " + until + f"\npolicy: {policy}\nnodes:\n"
                          + "\n".join(NODES) + "\nstacks: {app: app.yml}\nfailures: "
                          + failures + "\n")


def run(tmp_path, failures, **kw):
    (tmp_path / "app.yml").write_text(
        'version: "3.8"\nservices:\n  web:\n    image: example/web:1\n'
        "    deploy: {replicas: 3}\n", encoding="utf-8")
    scenario = scenario_from_data(scenario_data(failures, **kw), tmp_path / "s.yaml")
    return run_scenario(scenario)


def fault_times(res):
    return [(e.time, e.action, e.target) for e in res.sim.failures.log]


def down_share(log, machine, end):
    down, since = 0.0, None
    for t, action, target in log:
        if target != machine:
            continue
        if action == "fail":
            since = t
        elif since is not None:
            down += t - since
            since = None
    return (down + (end - since if since is not None else 0.0)) / end


def test_long_run_share_of_time_down_is_mttr_over_cycle(tmp_path):
    # exponential up times of mean 10 min and repairs of mean 1 min on 3 machines over
    # 2 days: ~870 cycles; the share of time down is 1/11 within sampling error
    res = run(tmp_path, "[{nodes: [w1, w2, w3], mtbf: 10m, mttr: 1m}]", until="48h")
    log = fault_times(res)
    end = 48 * 3600.0
    shares = [down_share(log, m, end) for m in ("w1", "w2", "w3")]
    assert np.mean(shares) == pytest.approx(1 / 11, rel=0.1)
    fails = sum(1 for _t, a, _m in log if a == "fail")
    assert fails == pytest.approx(3 * end / 660, rel=0.1)
    assert all(target != "m1" for _t, _a, target in log)


def test_weibull_up_times_keep_their_mean(tmp_path):
    res = run(tmp_path, "[{nodes: [w1], mtbf: 10m, mttr: 1m, dist: weibull, shape: 2}]",
              until="72h")
    log = fault_times(res)
    ups, last_up = [], 0.0
    for t, action, _m in log:
        if action == "fail":
            ups.append(t - last_up)
        else:
            last_up = t
    # Weibull with shape 2 has cv 0.52: ~390 up times give the mean within ~3%
    assert np.mean(ups) == pytest.approx(600, rel=0.08)
    assert np.std(ups) / np.mean(ups) == pytest.approx(0.523, rel=0.15)


def test_a_group_fails_together_and_comes_back_together(tmp_path):
    res = run(tmp_path, '[{nodes: "node.labels.rack == r1", mtbf: 30m, mttr: 5m, '
              "together: true}]")
    log = fault_times(res)
    assert log and {m for _t, _a, m in log} == {"w1", "w2"}
    by_time: dict[tuple[float, str], set[str]] = {}
    for t, action, m in log:
        by_time.setdefault((t, action), set()).add(m)
    assert all(group == {"w1", "w2"} for group in by_time.values())


def test_every_policy_sees_the_same_failure_times(tmp_path):
    failures = "[{nodes: all, mtbf: 20m, mttr: 2m}]"
    spread = fault_times(run(tmp_path, failures, policy="spread"))
    binpack = fault_times(run(tmp_path, failures, policy="binpack"))
    assert spread == binpack and len(spread) > 10


def test_failures_are_sweepable_with_plain_numbers(tmp_path):
    (tmp_path / "app.yml").write_text('version: "3.8"\nservices: {}\n', encoding="utf-8")
    base = scenario_data("[{nodes: all, mtbf: 6h, mttr: 10m}]")
    for value, seconds in (("1h", 3600.0), ("1d", 86400.0), (90, 90.0)):
        data = copy.deepcopy(base)
        set_key(data, "failures.0.mtbf", value)
        assert scenario_from_data(data, tmp_path / "s.yaml").failures[0].mtbf_s == seconds


@pytest.mark.parametrize(("value", "message"), [
    ("[{nodes: all, mtbf: 6h}]", "failures.0 mttr is required"),
    ("[{nodes: all, mtbf: soon, mttr: 1m}]", "failures.0.mtbf Does not match format"),
    ("[{nodes: [w9], mtbf: 1h, mttr: 1m}]", "failures.0.nodes.0 no such machine: w9"),
    ("[{nodes: all, mtbf: 1h, mttr: 1m, dist: gamma}]", "failures.0.dist must be one of"),
    ("[{nodes: all, mtbf: 1h, mttr: 1m, shape: 2}]", "failures.0.shape only goes with"),
    ("[{nodes: rack1, mtbf: 1h, mttr: 1m}]", "failures.0.nodes must be all, a list"),
    ("[{nodes: all, mtbf: 0s, mttr: 1m}]", "failures.0.mtbf must be greater than 0"),
    ("{nodes: all}", "failures must be a list"),
])
def test_failure_mistakes_are_one_line_errors(tmp_path, value, message):
    (tmp_path / "app.yml").write_text('version: "3.8"\nservices: {}\n', encoding="utf-8")
    text = ("name: f\nnodes:\n" + "\n".join(NODES) + "\nstacks: {app: app.yml}\n"
            f"failures: {value}\n")
    (tmp_path / "s.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_scenario(tmp_path / "s.yaml")
    text = str(err.value)
    assert message in text and "s.yaml:" in text and "\n" not in text
    assert parse_failures(None, set()) == ()
