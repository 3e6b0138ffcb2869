"""The node view a policy ranks: what the containers really use (the resource model's
figures, handed to the pure scheduler by the engine), the time of the pass and the
node's recent failures, next to the reservations; a policy reading used CPU places
differently from a reservation-only one, by hand computation."""

from __future__ import annotations

from swarmsim.app.run import run_scenario
from swarmsim.input.scenario import load_scenario
from swarmsim.input.specs import NodeSpec, ResourceRequirements, Resources, ServiceSpec
from swarmsim.policies import LeastAllocated, NodeView
from swarmsim.scheduler import PendingTask, Scheduler

GB = 1 << 30
CPU = 1_000_000_000


class LeastUsedCpu:
    """The node whose containers use the least CPU now (the resource model's figure)."""

    name = "least-used-cpu"

    def key(self, node: NodeView) -> tuple[int, int]:
        return (node.used_nano_cpus, node.tasks)

    def rank(self, nodes, task, rng):
        return sorted(nodes, key=lambda n: (self.key(n), n.id))


class Seen:
    """Ranks like least-allocated and keeps what each view showed."""

    name = "seen"

    def __init__(self) -> None:
        self.seen: list[tuple[str, float, int, int]] = []

    def rank(self, nodes, task, rng):
        for n in nodes:
            self.seen.append((n.hostname, n.time, n.recent_failures, n.used_nano_cpus))
        return LeastAllocated().rank(nodes, task, rng)


def svc(name: str, cpu: int) -> ServiceSpec:
    return ServiceSpec(name=name, image="img",
                       resources=ResourceRequirements(reservations=Resources(cpu, 0)))


def two_nodes(policy) -> Scheduler:
    """a: a reserved but idle task (1 CPU of 2); b: nothing reserved, 1.5 cores used."""
    sched = Scheduler(policy)
    for name in "ab":
        sched.add_node(NodeSpec(name=name, id=name.ljust(25, "0"), nano_cpus=2 * CPU,
                                memory_bytes=GB))
    sched.add_task(PendingTask("idle.1", "idle"), "a".ljust(25, "0"), svc("idle", CPU))
    sched.observe_usage({"a".ljust(25, "0"): (10_000_000, 0),
                         "b".ljust(25, "0"): (1_500_000_000, 0)})
    return sched


def placed(sched: Scheduler, count: int) -> list[str]:
    web = svc("web", CPU // 4)
    got = sched.schedule([PendingTask(f"web.{i}", "web") for i in range(count)],
                         {"web": web}, 5.0)
    return [d.node_id[0] for d in got if d.node_id]


def test_used_cpu_and_reservations_place_differently_by_hand():
    # reservations with a 0.25-CPU web task added: a (1 + 0.25) / 2 / 2 = 0.3125,
    # b 0.25 / 2 / 2 = 0.0625 -> least-allocated takes b, the busy node
    assert placed(two_nodes(LeastAllocated()), 1) == ["b"]
    # used: a 0.01 cores, b 1.5 -> a; the task's reservation does not change what is
    # used until the engine measures again, so a keeps winning (then tasks: a 2, b 0)
    assert placed(two_nodes(LeastUsedCpu()), 2) == ["a", "a"]


def test_a_new_usage_snapshot_rekeys_the_sort_key_path():
    sched = two_nodes(LeastUsedCpu())
    assert placed(sched, 1) == ["a"]
    sched.observe_usage({"a".ljust(25, "0"): (1_900_000_000, 0)})  # a got busy
    assert placed(sched, 1) == ["b"]
    assert sched._keyed is not None


def test_the_view_carries_the_time_and_the_recent_failures_of_the_pass():
    policy = Seen()
    sched = Scheduler(policy)
    sched.add_node(NodeSpec(name="a", id="a".ljust(25, "0"), nano_cpus=CPU, memory_bytes=GB))
    sched.schedule([PendingTask("x.1", "x")], {"x": svc("x", 0)}, 100.0)
    sched.task_failed("x.1", 100.0)
    sched.schedule([PendingTask("x.2", "x")], {"x": svc("x", 0)}, 250.0)
    sched.task_failed("x.2", 250.0)
    sched.schedule([PendingTask("x.3", "x")], {"x": svc("x", 0)}, 380.0)
    # SwarmKit's monitorFailures window is 5 minutes: at 380 s both failures count
    # (280 s and 130 s old); at 420 s the first is 320 s old and has expired
    sched.schedule([PendingTask("x.4", "x")], {"x": svc("x", 0)}, 420.0)
    assert [(t, f) for _h, t, f, _u in policy.seen] == [
        (100.0, 0), (250.0, 1), (380.0, 2), (420.0, 1)]


def test_the_engine_hands_the_resource_models_usage_to_the_policy(tmp_path):
    # hog (no reservation, uses 1.5 cores) is pinned to w1, idle (reserves 1 CPU,
    # uses 0.01) to w2; at 30 s a web service reserving 0.25 CPU is created.
    # least-allocated (reservations): w1 0.25/2 < w2 1.25/2 -> w1, beside the hog.
    # least-used-cpu (the resource model): w1 1.5 cores > w2 0.01 -> w2.
    (tmp_path / "pol.py").write_text(
        "class LeastUsedCpu:\n    name = 'least-used-cpu'\n"
        "    def key(self, node):\n        return (node.used_nano_cpus, node.tasks)\n"
        "    def rank(self, nodes, task, rng):\n"
        "        return sorted(nodes, key=lambda n: (self.key(n), n.id))\n")
    (tmp_path / "app.yml").write_text("""version: "3.8"
services:
  hog:
    image: example/hog:1
    deploy: {placement: {constraints: [node.hostname==w1]}}
    x-swarmsim: {usage: {cpu: 1.5}}
  idle:
    image: example/idle:1
    deploy:
      placement: {constraints: [node.hostname==w2]}
      resources: {reservations: {cpus: "1"}}
    x-swarmsim: {usage: {cpu: 0.01}}
""")
    where = {}
    for policy in ("least-allocated", "pol.py:LeastUsedCpu"):
        (tmp_path / "s.yaml").write_text(f"""name: t
seed: 0
until: 40s
policy: {policy}
nodes:
  - {{name: m1, role: manager, availability: drain}}
  - {{name: w1, cpus: 2, memory: 2G}}
  - {{name: w2, cpus: 2, memory: 2G}}
stacks: {{app: app.yml}}
timeline:
  - {{at: 30s, run: "docker service create --name web --reserve-cpu 0.25 example/web:1"}}
""")
        sim = run_scenario(load_scenario(tmp_path / "s.yaml")).sim
        (task,) = [t for t in sim.state.tasks.values() if t.service == "web"]
        where[policy] = sim.state.nodes[task.node_id].spec.name
    assert where == {"least-allocated": "w1", "pol.py:LeastUsedCpu": "w2"}
