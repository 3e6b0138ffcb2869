"""The global orchestrator: one task per eligible node (semantics 2.2, 2.3)."""

from __future__ import annotations

import dataclasses

from swarmsim.cluster.state import NodeRecord
from swarmsim.cluster.tasks import Task, TaskState
from swarmsim.input.scenario import Scenario
from swarmsim.input.specs import NodeSpec, Placement, RestartPolicy, ServiceSpec
from swarmsim.manager.global_ import eligible, meets
from swarmsim.simulation.engine import Simulation

S = TaskState
A, B, C, D = "a" * 25, "b" * 25, "c" * 25, "d" * 25
EAST = (("zone", "east"),)
AGENT = ServiceSpec(name="agent", image="a", mode="global", replicas=0)
ZONED = dataclasses.replace(AGENT, placement=Placement(constraints=("node.labels.zone==east",)))


def make_sim(n: int = 3, labels: tuple[tuple[str, str], ...] = EAST) -> Simulation:
    nodes = tuple(
        NodeSpec(name=f"n{i}", id=chr(ord("a") + i) * 25, role="manager" if i == 0 else "worker",
                 nano_cpus=2_000_000_000, memory_bytes=4 << 30, labels=labels)
        for i in range(n)
    )
    sim = Simulation(Scenario(name="t", seed=0, nodes=nodes, stacks=()))
    sim.bootstrap()
    return sim


def live(sim: Simulation, service: str = "agent") -> list[Task]:
    return [t for t in sim.state.tasks_of(service) if t.desired <= S.RUNNING]


def on(sim: Simulation, node: str, service: str = "agent") -> list[Task]:
    return [t for t in sim.state.tasks_on(node) if t.service == service]


# --- pure helpers --------------------------------------------------------------------------
def test_eligibility_and_constraints() -> None:
    node = NodeSpec(name="n", id=A, labels=EAST)
    assert eligible(NodeRecord(node))
    assert eligible(NodeRecord(dataclasses.replace(node, availability="pause")))
    assert not eligible(NodeRecord(dataclasses.replace(node, availability="drain")))
    assert not eligible(NodeRecord(dataclasses.replace(node, status="down")))
    assert meets(ZONED, node)
    assert not meets(ZONED, dataclasses.replace(node, labels=()))
    assert meets(AGENT, dataclasses.replace(node, labels=()))


# --- in a simulation -----------------------------------------------------------------------
def test_one_preassigned_task_per_node() -> None:
    sim = make_sim()
    sim.state.create_service(AGENT)
    sim.env.run(until=10)
    tasks = live(sim)
    assert sorted(t.node_id for t in tasks) == [A, B, C]
    assert all(t.preassigned and t.slot == 0 and t.state == S.RUNNING for t in tasks)
    assert sorted(t.name for t in tasks) == [f"agent.{n}" for n in (A, B, C)]


def test_node_joining_later_gets_a_task() -> None:
    sim = make_sim()
    sim.state.create_service(AGENT)
    sim.env.run(until=10)
    sim.state.add_node(NodeSpec(name="n9", id=D))
    sim.env.run(until=20)
    (task,) = on(sim, D)
    assert task.created == 10.0 and task.state == S.RUNNING


def test_drain_shuts_down_without_replacement_and_activation_restores() -> None:
    sim = make_sim()
    sim.state.create_service(AGENT)
    sim.env.run(until=10)
    (old,) = on(sim, B)
    sim.state.update_node(B, availability="drain")
    sim.env.run(until=20)
    assert old.desired == S.SHUTDOWN and old.state == S.SHUTDOWN
    assert len(live(sim)) == 2 and all(t.node_id != B for t in live(sim))
    sim.state.update_node(B, availability="active")
    sim.env.run(until=30)
    new = [t for t in on(sim, B) if t is not old]
    assert len(new) == 1 and new[0].state == S.RUNNING and new[0].created == 20.0


def test_paused_node_keeps_its_task_but_gets_no_new_one() -> None:
    sim = make_sim()
    sim.state.update_node(C, availability="pause")
    sim.state.create_service(AGENT)
    sim.env.run(until=10)
    assert on(sim, C) == []
    sim.state.update_node(C, availability="active")
    sim.env.run(until=20)
    assert len(on(sim, C)) == 1
    sim.state.update_node(B, availability="pause")
    sim.env.run(until=30)
    assert [t.state for t in on(sim, B)] == [S.RUNNING]


def test_failed_task_on_paused_node_is_not_restarted() -> None:
    sim = make_sim()
    sim.state.create_service(AGENT)
    sim.env.run(until=10)
    sim.state.update_node(B, availability="pause")
    sim.env.run(until=11)
    (task,) = on(sim, B)
    sim.agent.kill(task, 1)
    sim.env.run(until=30)
    assert on(sim, B) == [task] and task.desired == S.SHUTDOWN


def test_down_node_shuts_down_and_return_restores() -> None:
    sim = make_sim()
    sim.state.create_service(AGENT)
    sim.env.run(until=10)
    (old,) = on(sim, C)
    sim.state.set_alive(C, False)
    sim.env.run(until=40)
    assert sim.state.nodes[C].spec.status == "down"
    assert old.desired == S.SHUTDOWN and len(live(sim)) == 2
    sim.state.set_alive(C, True)
    sim.env.run(until=60)
    assert old.state == S.SHUTDOWN
    assert [t.state for t in on(sim, C) if t is not old] == [S.RUNNING]


def test_restart_stays_on_the_node() -> None:
    sim = make_sim()
    sim.state.create_service(dataclasses.replace(AGENT, restart=RestartPolicy(delay_s=1.0)))
    sim.env.run(until=10)
    (old,) = on(sim, A)
    sim.agent.kill(old, 2)
    sim.env.run(until=20)
    tasks = on(sim, A)
    assert len(tasks) == 2 and tasks[1].state == S.RUNNING
    assert len(live(sim)) == 3


def test_constraints_select_nodes_and_label_removal_shuts_down() -> None:
    sim = make_sim()
    sim.state.update_node(C, labels=())
    sim.state.create_service(ZONED)
    sim.env.run(until=10)
    assert sorted(t.node_id for t in live(sim)) == [A, B]
    sim.state.update_node(B, labels=(("zone", "west"),))
    sim.env.run(until=20)
    (task,) = on(sim, B)
    assert task.state == S.REJECTED and task.message == "task rejected by constraint enforcer"
    assert task.desired == S.SHUTDOWN
    assert len(live(sim)) == 1
    sim.state.update_node(C, labels=EAST)
    sim.env.run(until=30)
    assert sorted(t.node_id for t in live(sim)) == [A, C]


def test_service_update_adds_and_removes_by_constraints() -> None:
    sim = make_sim()
    sim.state.update_node(C, labels=())
    sim.state.create_service(AGENT)
    sim.env.run(until=10)
    assert len(live(sim)) == 3
    sim.state.update_service("agent", ZONED)
    sim.env.run(until=40)
    # placement only changed: tasks on matching nodes are kept, the other is shut down
    assert sorted(t.node_id for t in live(sim)) == [A, B]
    assert all(t.created == 0.0 for t in live(sim))


def test_removed_node_tasks_are_deleted() -> None:
    sim = make_sim()
    sim.state.create_service(AGENT)
    sim.env.run(until=10)
    sim.state.set_alive(C, False)
    sim.state.remove_node(C)
    sim.env.run(until=20)
    assert on(sim, C) == []
    assert len(live(sim)) == 2


def test_service_removal() -> None:
    sim = make_sim()
    sim.state.create_service(AGENT)
    sim.env.run(until=10)
    sim.state.remove_service("agent")
    sim.env.run(until=20)
    assert not sim.state.tasks
