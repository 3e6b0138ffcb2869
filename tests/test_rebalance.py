"""Rebalancing on recovery, a what-if (NOT swarm behaviour): the key's validation, the
imbalance decision against hand-computed counts, a run where the recovered node gets
tasks back (and does not without it), and its cost/gain measured by compare."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from swarmsim.app.run import run_scenario
from swarmsim.cluster.tasks import TaskState
from swarmsim.experiments import compare, summarize
from swarmsim.foundation.errors import InputError
from swarmsim.input.rebalance import parse_rebalance
from swarmsim.input.scenario import load_scenario
from swarmsim.manager.rebalance import imbalance, imbalanced_services

ROOT = Path(__file__).resolve().parents[1]


def test_key_defaults_off_and_says_not_swarm():
    assert parse_rebalance(None) == "off"
    assert parse_rebalance("on-recovery") == "on-recovery"
    with pytest.raises(InputError) as info:
        parse_rebalance("always")
    assert info.value.keys == ("rebalance",)
    assert "NOT Docker Swarm behaviour" in info.value.message


def test_imbalance_hand_computed():
    nodes = ["n1", "n2", "n3"]
    assert imbalance({"n1": 3, "n3": 2}, nodes) == 3  # n2 has none
    assert imbalance({"n1": 2, "n2": 1, "n3": 2}, nodes) == 1
    placements = {"a": {"n1": 2, "n2": 1, "n3": 2}, "b": {"n1": 3, "n3": 2},
                  "c": {"n1": 4, "n2": 2, "n3": 2}}
    assert imbalanced_services(placements, nodes) == ["b", "c"]  # 3, then 2 (> 1)


def _scenario(tmp_path: Path) -> Path:
    (tmp_path / "compose").symlink_to(ROOT / "scenarios" / "compose")
    path = tmp_path / "rb.yaml"
    path.write_text(
        "until: 5m\nnodes:\n  - {name: myvm1, role: manager}\n  - {name: myvm2}\n"
        "  - {name: myvm3}\nstacks:\n  lab: compose/getstarted-part3.yml\n"
        "timeline:\n  - {at: 60s, fail: myvm2}\n  - {at: 2m, recover: myvm2}\n"
    )
    return path


def _per_node(result) -> dict[str, int]:
    state = result.sim.state
    out: dict[str, int] = {}
    for t in state.tasks.values():
        if t.state == TaskState.RUNNING and t.desired == TaskState.RUNNING:
            name = state.nodes[t.node_id].spec.name
            out[name] = out.get(name, 0) + 1
    return out


def test_recovered_node_gets_tasks_only_with_rebalance(tmp_path):
    scenario = load_scenario(_scenario(tmp_path))
    assert scenario.rebalance == "off"
    plain = run_scenario(scenario)
    # swarm: the five replicas stay on myvm1 and myvm3 after myvm2 comes back
    assert _per_node(plain).get("myvm2", 0) == 0 and sum(_per_node(plain).values()) == 5
    assert not [e for e in plain.log if "rebalance" in getattr(e, "command", "")]
    moved = run_scenario(replace(scenario, rebalance="on-recovery"))
    # forced update: spread places the five replacements 2/1/2 (fewest tasks first)
    assert sorted(_per_node(moved).values()) == [1, 2, 2]
    assert _per_node(moved)["myvm2"] >= 1
    logged = [e for e in moved.log if "rebalance" in getattr(e, "command", "")]
    assert [(e.time, e.command) for e in logged] == [(
        120.0,
        "swarmsim rebalance (NOT swarm behaviour): docker service update --force lab_web",
    )]


def test_compare_measures_the_what_if():
    records = compare(ROOT / "scenarios" / "policy-compare.yaml", ["spread"], seeds=2,
                      workers=1, rebalance=["off", "on-recovery"])
    assert [(r["variant"], r["replication"]) for r in records] == [
        ("spread rebalance=off", 0), ("spread rebalance=off", 1),
        ("spread rebalance=on-recovery", 0), ("spread rebalance=on-recovery", 1)]
    rows = {(r.metric, r.policy): r for r in summarize(records, by="variant")}
    on = "spread rebalance=on-recovery"
    # cost: every forced update replaces tasks; gain: crashes later hit fewer replicas
    assert rows["reschedules", on].diff_mean > 0
    assert rows["lost_per_crash", on].diff_mean < 0
