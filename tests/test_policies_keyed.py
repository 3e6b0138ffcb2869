"""Policies with a sort key run on the incremental path: every decision equals the one
the full path makes (filter every node, rank them all, take the first), whatever the
cluster, the services and what happens between passes (hypothesis); the richer node
view."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from swarmsim.input.specs import NodeSpec, Placement, ResourceRequirements, Resources, ServiceSpec
from swarmsim.policies import Binpack, LeastAllocated, NodeView
from swarmsim.scheduler import PendingTask, Scheduler

GB = 1 << 30
CPU = 1_000_000_000


class MostFree:
    """A key that does not read the task: most free memory, then fewer tasks."""

    name = "most-free"

    def key(self, node: NodeView) -> tuple[int, int]:
        return (node.reserved_memory - node.memory_bytes, node.tasks)

    def rank(self, nodes, task, rng):
        return sorted(nodes, key=lambda n: (self.key(n), n.id))


class RankOnly:
    """The same policy without its key: the full path."""

    def __init__(self, inner) -> None:
        self.inner = inner
        self.name = inner.name

    def rank(self, nodes, task, rng):
        return self.inner.rank(nodes, task, rng)


def nid(i: int) -> str:
    return f"n{i:02d}".ljust(25, "0")


nodes_st = st.lists(
    st.tuples(st.integers(1, 4), st.integers(1, 4), st.sampled_from("ab"),
              st.sampled_from(["active", "active", "active", "drain"])),
    min_size=1, max_size=10)
services_st = st.lists(
    st.tuples(st.sampled_from([(0, 0), (CPU // 2, GB // 2), (CPU, GB // 4), (0, GB)]),
              st.integers(1, 8), st.booleans(), st.integers(0, 2)),
    min_size=1, max_size=5)
churn_st = st.lists(st.tuples(st.integers(0, 99), st.sampled_from(["release", "down", "up"])),
                    max_size=6)


def _specs(nodes):
    return [NodeSpec(name=f"n{i:02d}", id=nid(i), nano_cpus=c * CPU, memory_bytes=m * GB,
                     labels=(("zone", z),), availability=a)
            for i, (c, m, z, a) in enumerate(nodes)]


def _services(services, version):
    out = {}
    for j, ((cpu, mem), _replicas, constrained, max_per_node) in enumerate(services):
        out[f"s{j}"] = ServiceSpec(
            name=f"s{j}", image="img",
            resources=ResourceRequirements(reservations=Resources(cpu, mem)),
            placement=Placement(constraints=("node.labels.zone==a",) if constrained else (),
                                max_replicas=max_per_node))
    return out


def _run(policy, nodes, services, churn):
    sched = Scheduler(policy)
    specs = _specs(nodes)
    for spec in specs:
        sched.add_node(spec)
    svcs = _services(services, 0)
    decisions = []
    placed: list[str] = []
    for rnd in range(3):
        pending = [PendingTask(f"s{j}.{rnd}.{r}", f"s{j}", spec_version=rnd)
                   for j, (_s, replicas, _c, _m) in enumerate(services)
                   for r in range(replicas)]
        got = sched.schedule(pending, svcs, float(rnd))
        decisions.extend((d.task_id, d.node_id, d.error) for d in got)
        placed.extend(d.task_id for d in got if d.node_id)
        for k, what in churn:  # the same changes under both policies
            if what == "release" and placed:
                sched.release_task(placed.pop(k % len(placed)))
            elif what == "down":
                spec = specs[k % len(specs)]
                sched.update_node(replace(spec, status="down"))
            elif what == "up":
                sched.update_node(specs[k % len(specs)])
    return decisions


@settings(max_examples=60, deadline=None)
@given(nodes_st, services_st, churn_st)
def test_key_path_decides_as_the_full_path(nodes, services, churn):
    for policy in (Binpack(), LeastAllocated(), MostFree()):
        assert _run(policy, nodes, services, churn) == _run(RankOnly(policy), nodes,
                                                              services, churn)


def test_binpack_fills_the_fullest_node_by_hand():
    # a: 4 CPUs with 3 reserved; b: 4 CPUs empty; c: 2 CPUs empty. A 1-CPU task: with it
    # added a is 4/4 full, b 1/4, c 1/2 -> a; then a is full: c (1/2) before b (1/4);
    # then c 2/2 -> c; then b
    sched = Scheduler(Binpack())
    for name, cpus in (("a", 4), ("b", 4), ("c", 2)):
        sched.add_node(NodeSpec(name=name, id=name.ljust(25, "0"), nano_cpus=cpus * CPU,
                                memory_bytes=GB))
    big = ServiceSpec(name="big", image="img",
                      resources=ResourceRequirements(reservations=Resources(3 * CPU, 0)))
    sched.schedule([PendingTask("big.1", "big")], {"big": big}, 0.0)
    web = ServiceSpec(name="web", image="img",
                      resources=ResourceRequirements(reservations=Resources(CPU, 0)))
    got = sched.schedule([PendingTask(f"web.{i}", "web") for i in range(4)], {"web": web}, 0.0)
    assert [d.node_id[0] for d in got] == ["a", "c", "c", "b"]
    assert sched._keyed is not None  # it ran on the sort-key path


def test_node_view_reads_the_node_now():
    sched = Scheduler()
    spec = NodeSpec(name="a", id="a".ljust(25, "0"), nano_cpus=2 * CPU, memory_bytes=GB,
                    labels=(("zone", "z"),), generic=(("gpu", 2),))
    sched.add_node(spec)
    web = ServiceSpec(name="web", image="img", resources=ResourceRequirements(
        reservations=Resources(CPU // 2, GB // 4, generic=(("gpu", 1),))))
    sched.schedule([PendingTask("web.1", "web")], {"web": web}, 0.0)
    info = sched._nodes.nodes[spec.id]
    sched._nodes.record_failure(info, ("web", 0), 10.0)
    view = NodeView(info, "web", 100.0)
    assert (view.reserved_nano_cpus, view.reserved_memory) == (CPU // 2, GB // 4)
    assert view.task_list == (("web", CPU // 2, GB // 4),)
    assert view.generic == (("gpu", 1),) and view.labels == (("zone", "z"),)
    assert view.recent_failures == 1 and view.time == 100.0
    assert NodeView(info, "web", 10.0 + 300.0).recent_failures == 0  # past the window
    assert view.service_tasks == 1 and view.tasks == 1 and view.role == "worker"


def test_a_user_policy_loaded_by_name_keeps_its_key(tmp_path):
    import pytest

    from swarmsim.foundation.errors import InputError
    from swarmsim.policies import make_policy

    (tmp_path / "pol.py").write_text(
        "class Fewest:\n    name = 'fewest'\n"
        "    def key(self, node):\n        return node.tasks\n"
        "    def rank(self, nodes, task, rng):\n"
        "        return sorted(nodes, key=lambda n: (self.key(n), n.id))\n"
        "class Broken(Fewest):\n    def key(self, node):\n        return 1 / 0\n")
    policy = make_policy(f"{tmp_path / 'pol.py'}:Fewest")
    nodes = [(2, 2, "a", "active")] * 4
    services = [((0, 0), 6, False, 0), ((CPU // 2, GB // 2), 3, True, 0)]
    assert _run(policy, nodes, services, []) == _run(RankOnly(policy), nodes, services, [])
    sched = Scheduler(make_policy(f"{tmp_path / 'pol.py'}:Broken"))
    sched.add_node(_specs(nodes)[0])
    with pytest.raises(InputError, match="key raised ZeroDivisionError"):
        sched.schedule([PendingTask("s0.1", "s0")], _services(services, 0), 0.0)
