"""The optional policy hooks: ``place_group`` (a whole group in one call, each placement
checked against swarm's filters) and ``migrate`` (moves for the rebalancing what-if,
applied as task reschedules), with the worked example of docs/research.md."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from swarmsim.app.run import run_scenario
from swarmsim.cluster.tasks import TaskState
from swarmsim.foundation.errors import InputError
from swarmsim.input.scenario import load_scenario
from swarmsim.input.specs import NodeSpec, ResourceRequirements, Resources, ServiceSpec
from swarmsim.policies import make_policy
from swarmsim.scheduler import PendingTask, Scheduler
from swarmsim.scheduler.ranked import LEFT_BY_POLICY

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "hooks_policy.py"
GB = 1 << 30
CPU = 1_000_000_000


def nid(name: str) -> str:
    return name.ljust(25, "0")


def cluster(policy) -> Scheduler:
    """a: 2 CPUs, 2 GiB; b: 2 CPUs, 1 GiB."""
    sched = Scheduler(policy)
    for name, mem in (("a", 2 * GB), ("b", GB)):
        sched.add_node(NodeSpec(name=name, id=nid(name), nano_cpus=2 * CPU, memory_bytes=mem))
    return sched


WEB = ServiceSpec(name="web", image="img", resources=ResourceRequirements(
    reservations=Resources(CPU // 2, GB // 2)))


def schedule(sched: Scheduler, count: int, first: int = 0):
    got = sched.schedule([PendingTask(f"web.{i}", "web") for i in range(first, first + count)],
                         {"web": WEB}, 0.0)
    return [d.node_id and d.node_id[0] for d in got], got


def test_gang_places_by_free_memory_all_or_nothing_by_hand():
    sched = cluster(make_policy(f"{EXAMPLE}:GangAndMove"))
    # free memory a 2G, b 1G -> a (1.5G left); a 1.5G > b 1G -> a (1G); a 1G = b 1G
    # -> the lower id, a (CPU: a now holds 1.5 of 2)
    nodes, _ = schedule(sched, 3)
    assert nodes == ["a", "a", "a"]
    # room for 0.5 CPU / 512M tasks: a min(0.5/0.5, 0.5G/0.5G) = 1, b min(4, 2) = 2:
    # 3 < 5, so the whole group waits
    nodes, got = schedule(sched, 5, first=3)
    assert nodes == [None] * 5
    assert {d.error for d in got} == {f"no suitable node ({LEFT_BY_POLICY})"}
    # three fit: b 1G > a 0.5G -> b; b 0.5G = a 0.5G -> a; then only b has room -> b
    nodes, _ = schedule(sched, 3, first=8)
    assert nodes == ["b", "a", "b"]


class Overfill:
    """Puts every task of the group on the first node, whatever fits."""

    name = "overfill"

    def rank(self, nodes, task, rng):
        return list(nodes)

    def place_group(self, nodes, tasks, rng):
        return [nodes[0]] * len(tasks)


def test_a_group_placement_is_checked_against_the_filters():
    # b holds two 512M tasks (1 GiB); a holds four by CPU: the fifth on a is refused by
    # swarm's resource filter, so it and the sixth stay pending, explained
    sched = cluster(Overfill())
    nodes, got = schedule(sched, 6)
    assert nodes == ["a", "a", "a", "a", None, None]
    assert got[4].error == ("no suitable node (insufficient resources on 1 node: a, "
                            "the policy's choice)")


@pytest.mark.parametrize(("hook", "body", "needle"), [
    ("place_group", "return ['x']", "place_group returned str 'x', which is not one of"),
    ("place_group", "raise KeyError('k')", "place_group raised KeyError"),
    ("migrate", "return [('web',)]", "not a (service, node id) pair"),
    ("migrate", "return 3", "migrate returned int 3, not a list"),
])
def test_a_broken_hook_stops_with_the_policys_error(tmp_path, hook, body, needle):
    args = "nodes, tasks, rng" if hook == "place_group" else "nodes, rng"
    (tmp_path / "pol.py").write_text(
        "class P:\n    name = 'p'\n    def rank(self, nodes, task, rng):\n"
        f"        return nodes\n    def {hook}(self, {args}):\n        {body}\n")
    policy = make_policy(f"{tmp_path / 'pol.py'}:P")
    sched = cluster(policy)
    with pytest.raises(InputError, match=re.escape(needle)):
        if hook == "place_group":
            schedule(sched, 1)
        else:
            policy.migrate(sched.node_views(0.0), None)


def test_the_worked_example_moves_tasks_onto_the_recovered_node():
    result = run_scenario(load_scenario(ROOT / "examples" / "hooks.yaml"))
    sim = result.sim
    names = {nid_: n.spec.name for nid_, n in sim.state.nodes.items()}
    running = sorted((t.name, names[t.node_id]) for t in sim.state.tasks.values()
                     if t.desired == t.state == TaskState.RUNNING and t.node_id)
    per_node = {}
    for _task, node in running:
        per_node[node] = per_node.get(node, 0) + 1
    # gang placement: 2 per worker; worker1's crash moves its 2 tasks, one each to the
    # nodes with most free memory (worker3, then worker4: 1.5G = 1.5G, lower id wins
    # there); at recovery the policy moves one task off each 3-task node onto worker1
    assert per_node == {"worker1": 2, "worker2": 2, "worker3": 2, "worker4": 2}
    moves = [(e.time, e.command.split(": ", 1)[1], e.exit_code) for e in result.log
             if "rebalance" in getattr(e, "command", "")]
    assert moves == [(60.0, "reschedule lab_web.1 off worker3 (gang-and-move)", 0),
                     (60.0, "reschedule lab_web.2 off worker4 (gang-and-move)", 0)]
    on_worker1 = sorted(t for t, node in running if node == "worker1")
    assert on_worker1 == ["lab_web.1", "lab_web.2"]
