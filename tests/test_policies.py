"""Placement policies: hand-computed placements for binpack and least-allocated, seeded
random, user policies loaded by name, and the scenario key."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from swarmsim.foundation.errors import InputError
from swarmsim.input.specs import NodeSpec, ResourceRequirements, Resources, ServiceSpec
from swarmsim.policies import Binpack, LeastAllocated, RandomPolicy, make_policy
from swarmsim.scheduler import PendingTask, Scheduler

GB = 1 << 30
ROOT = Path(__file__).resolve().parents[1]


def nid(name: str) -> str:
    return name.ljust(25, "0")


def mk_node(name: str) -> NodeSpec:
    return NodeSpec(name=name, id=nid(name), memory_bytes=4 * GB, nano_cpus=64_000_000_000)


def svc(name: str, mem: int = GB) -> ServiceSpec:
    return ServiceSpec(name=name, image="img",
                       resources=ResourceRequirements(reservations=Resources(memory_bytes=mem)))


def cluster(policy, rng=None) -> Scheduler:
    """Nodes a, b, c with 4 GB each; b holds 1 GB and c 2 GB of another service."""
    sched = Scheduler(policy, rng)
    for n in "abc":
        sched.add_node(mk_node(n))
    other = svc("other")
    for node, count in (("b", 1), ("c", 2)):
        for i in range(count):
            sched.add_task(PendingTask(f"o-{node}-{i}", "other"), nid(node), other)
    return sched


def place(sched: Scheduler, count: int, mem: int = GB):
    web = svc("web", mem)
    ds = sched.schedule([PendingTask(f"web.{i}", "web") for i in range(count)], {"web": web}, 0.0)
    return [d.node_id and d.node_id.rstrip("0") for d in ds], ds


def test_binpack_fills_the_fullest_feasible_node_first():
    # memory fraction with the task (no CPU reserved): a 1/4, b 2/4, c 3/4 -> c; then
    # c 4/4 (fits exactly) -> c; c is full and fails the resource filter: b 2/4, 3/4,
    # 4/4 -> b, b, b; then b is full too: a.
    nodes, _ = place(cluster(Binpack()), 6)
    assert nodes == ["c", "c", "b", "b", "b", "a"]


def test_binpack_without_reservations_fills_the_busiest_node():
    # all scores 0: more tasks first (c has 2), then node id
    nodes, _ = place(cluster(Binpack()), 3, mem=0)
    assert nodes == ["c", "c", "c"]


def test_binpack_reports_swarms_filter_explanation_when_full():
    nodes, ds = place(cluster(Binpack()), 10)
    assert nodes == ["c", "c", "b", "b", "b", "a", "a", "a", "a", None]  # 9 GB free
    assert ds[-1].error == "no suitable node (insufficient resources on 3 nodes)"


def test_least_allocated_spreads_by_reserved_fraction():
    # mean of the CPU (none reserved) and memory fractions reserved: a 0, b 1/8,
    # c 2/8 -> a; then a and b tie at 1/8 with one task each (a web, b other) -> node
    # id: a; then a 2/8 > b 1/8 -> b; then all 2/8 with 2 tasks each -> a
    nodes, _ = place(cluster(LeastAllocated()), 4)
    assert nodes == ["a", "a", "b", "a"]


def test_spread_is_unchanged_without_a_policy():
    # swarm's nodeLess: fewer web tasks, then fewer tasks in total (a 0, b 1, c 2): a,
    # then b and c (no web task) before a again
    nodes, _ = place(cluster(None), 4)
    assert nodes == ["a", "b", "c", "a"]


def test_random_is_seeded_and_only_uses_feasible_nodes():
    runs = [place(cluster(RandomPolicy(), np.random.default_rng(7)), 4)[0] for _ in range(2)]
    assert runs[0] == runs[1]
    orders = {tuple(place(cluster(RandomPolicy(), np.random.default_rng(k)), 4)[0])
              for k in range(20)}
    assert len(orders) > 1  # the seed matters
    full = place(cluster(RandomPolicy(), np.random.default_rng(3)), 10)[0]
    assert sorted(full[:9]) == ["a"] * 4 + ["b"] * 3 + ["c"] * 2 and full[9] is None


def test_user_policy_loaded_by_file_path_and_module():
    by_path = make_policy(f"{ROOT / 'examples' / 'my_policy.py'}:LeastLoaded")
    assert by_path is not None and by_path.name == "least-loaded"
    nodes, _ = place(cluster(by_path), 3)
    assert nodes == ["a", "a", "b"]  # tasks a 0, b 1, c 2 -> a, then a 1 = b 1: more free mem


def test_function_policy_and_bad_names(tmp_path):
    assert make_policy("spread") is None
    with pytest.raises(ValueError, match="no attribute"):
        make_policy("swarmsim.policies.builtin:Nope")
    with pytest.raises(ValueError, match="must be one of"):
        make_policy("best-fit")
    (tmp_path / "last.py").write_text("def last(nodes, task, rng):\n    return nodes[::-1]\n")
    fn = make_policy(f"{tmp_path / 'last.py'}:last")  # a plain function: reversed id order
    nodes, _ = place(cluster(fn), 1)
    assert nodes == ["c"]


def test_scenario_policy_key(tmp_path):
    from swarmsim.input.scenario import load_scenario

    s = load_scenario(ROOT / "examples" / "custom-policy.yaml")
    assert s.policy.endswith("my_policy.py:LeastLoaded")
    assert Path(s.policy.split(":")[0]).is_absolute()
    bad = tmp_path / "bad.yaml"
    bad.write_text("nodes: [{name: m, role: manager}]\npolicy: best-fit\n")
    with pytest.raises(InputError, match="policy must be one of"):
        load_scenario(bad)
    assert load_scenario(ROOT / "scenarios" / "crash.yaml").policy == "spread"


def test_scenario_reader_knows_every_builtin_policy_name():
    # the input layer checks names without importing the policies themselves
    from swarmsim.input.policy import BUILTIN_NAMES
    from swarmsim.policies.builtin import BUILTIN

    assert BUILTIN_NAMES == tuple(BUILTIN)
