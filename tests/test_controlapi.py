"""The control API on its own: raft checks, join tokens, ports, node removal."""

import pytest

from swarmsim.cluster.tasks import TaskState
from swarmsim.commands import CommandError, control_api
from swarmsim.compose import load_stack_text
from swarmsim.input.scenario import Scenario
from swarmsim.input.specs import NodeSpec
from swarmsim.manager.controlapi import can_remove_member, leave_refusal, parse_join_token
from swarmsim.manager.controlapi.errors import NO_LEADER_ERROR
from swarmsim.simulation.engine import Simulation

APP = """\
version: "3.8"
services:
  web:
    image: nginx:1.25
    deploy:
      replicas: {replicas}
    ports:
      - "80"
"""


def make_sim(tmp_path, managers=1, workers=2, until=1.0):
    nodes = [NodeSpec(name=f"m{i}", id=f"m{i}" + "0" * 23, role="manager", addr=f"10.0.0.{i}")
             for i in range(1, managers + 1)]
    nodes += [NodeSpec(name=f"w{i}", id=f"w{i}" + "0" * 23, addr=f"10.0.1.{i}")
              for i in range(1, workers + 1)]
    sc = Scenario(name="t", seed=0, nodes=tuple(nodes), stacks=(), path=tmp_path / "s.yaml")
    sim = Simulation(sc)
    sim.bootstrap()
    sim.env.run(until=until)
    return sim


def stack(tmp_path, name, replicas=2):
    return load_stack_text(APP.format(replicas=replicas), filename=str(tmp_path / "app.yml"),
                           stack=name, env={})


@pytest.mark.parametrize(
    ("members", "others", "ok"),
    # members before the removal, reachable members other than the one removed
    [(3, 2, True), (3, 1, False), (2, 1, True), (2, 0, False), (5, 3, True), (5, 2, False),
     (4, 2, True), (4, 1, False)],
)
def test_raft_can_remove_member(members, others, ok):
    assert can_remove_member(members, others) is ok


def test_leave_refusal_texts():
    head = ("You are attempting to leave the swarm on a node that is participating as a "
            "manager. ")
    tail = ("The only way to restore a swarm that has lost consensus is to reinitialize it with "
            "`--force-new-cluster`. Use `--force` to suppress this message.")
    assert leave_refusal(True, 1, 0) == head + (
        "Removing the last manager erases all current state of the swarm. Use `--force` to "
        "ignore this message.")
    # 3 managers, one already unreachable: 2 - 2 <= 1, leaving loses the quorum
    assert leave_refusal(True, 2, 1) == head + (
        "Removing this node leaves 1 managers out of 3. Without a Raft quorum your swarm will "
        "be inaccessible. ") + tail
    assert leave_refusal(True, 5, 0) == head + tail
    assert leave_refusal(False, 1, 0) == head + tail  # no leader: the nodes cannot be listed


def test_join_token_parsing():
    digest, secret = "1" * 50, "2" * 25
    assert parse_join_token(f"SWMTKN-1-{digest}-{secret}") == (digest, secret)
    assert parse_join_token(f"SWMTKN-2-1-{digest}-{secret}") == (digest, secret)
    for bad in (f"SWMTKN-1-{digest}", f"SWMTKN-3-{digest}-{secret}",
                f"SWMTKN-2-7-{digest}-{secret}", f"SWMTKN-1-{digest[:-1]}-{secret}",
                f"XYZ-1-{digest}-{secret}", f"SWMTKN-1-{'!' * 50}-{secret}"):
        assert parse_join_token(bad) is None


def test_dynamic_ports_are_handed_out_serially(tmp_path):
    sim = make_sim(tmp_path)
    api = control_api(sim)
    api.deploy_stack(stack(tmp_path, "a"))
    api.deploy_stack(stack(tmp_path, "b"))
    assert [sim.state.services[n].spec.ports[0].published for n in ("a_web", "b_web")] == [
        30000, 30001]
    api.remove_stack("a")
    api.deploy_stack(stack(tmp_path, "c"))  # SwarmKit does not reuse 30000 at once
    assert sim.state.services["c_web"].spec.ports[0].published == 30002


def test_redeploy_output_and_changes(tmp_path):
    sim = make_sim(tmp_path)
    api = control_api(sim)
    assert api.deploy_stack(stack(tmp_path, "a")) == ["Creating network a_default",
                                                      "Creating service a_web"]
    svc = sim.state.services["a_web"]
    assert api.deploy_stack(stack(tmp_path, "a")) == [f"Updating service a_web (id: {svc.id})"]
    assert svc.version == 1 and svc.previous_spec is None
    api.deploy_stack(stack(tmp_path, "a", replicas=4))
    assert svc.version == 2 and svc.spec.replicas == 4
    assert api.remove_stack("a") == ["Removing service a_web", "Removing network a_default"]
    assert api.remove_stack("a") == ["Nothing found in stack: a"]


def test_every_write_needs_a_leader(tmp_path):
    sim = make_sim(tmp_path, managers=3, workers=0)
    api = control_api(sim)
    api.deploy_stack(stack(tmp_path, "a"))
    for name in ("m2", "m3"):
        sim.state.set_alive(f"{name}" + "0" * 23, False)
    sim.env.run(until=2)
    for write in (lambda: api.scale("a_web", 3), lambda: api.remove_service("a_web"),
                  lambda: api.deploy_stack(stack(tmp_path, "b")),
                  lambda: api.update_node("w1", availability="drain"),
                  lambda: api.promote("m2")):
        with pytest.raises(CommandError) as info:
            write()
        assert info.value.message == NO_LEADER_ERROR


def test_removing_a_node_orphans_its_tasks_and_they_are_replaced(tmp_path):
    sim = make_sim(tmp_path)
    api = control_api(sim)
    api.deploy_stack(stack(tmp_path, "a", replicas=3))
    sim.env.run(until=30)
    on_w1 = [t for t in sim.state.tasks_on("w1" + "0" * 23) if t.state == TaskState.RUNNING]
    assert on_w1
    api.remove_node("w1", force=True)
    assert all(t.state == TaskState.ORPHANED for t in on_w1)
    assert on_w1[0].message == "Task belonged to a node that has been deleted"
    assert api.node_id("w1") is None  # the machine is out of the swarm
    sim.env.run(until=60)
    running = [t for t in sim.state.tasks_of("a_web") if t.state == TaskState.RUNNING]
    assert len(running) == 3 and all(t.node_id != "w1" + "0" * 23 for t in running)


def test_lookups_by_id_name_and_prefix(tmp_path):
    sim = make_sim(tmp_path)
    api = control_api(sim)
    with pytest.raises(CommandError) as info:
        api.find_node("w")  # a prefix of both workers' ids
    assert info.value.message == "Error response from daemon: node w is ambiguous (2 matches found)"
    with pytest.raises(CommandError) as info:
        api.find_node("m1" + "0" * 22 + "x")
    assert info.value.message == (
        f"Error response from daemon: node {'m1' + '0' * 22 + 'x'} not found")
    assert api.find_node("m1").id == "m1" + "0" * 23  # by hostname first
    assert api.find_node("m10").id == "m1" + "0" * 23  # then by id prefix


def test_membership_follows_join_and_leave(tmp_path):
    sim = make_sim(tmp_path)
    api = control_api(sim)
    assert api.node_id("w1") == "w1" + "0" * 23 and api.machine_of("w1" + "0" * 23) == "w1"
    api.leave("w1")
    assert api.node_id("w1") is None and api.machine_of("w1" + "0" * 23) is None
    worker_token = sim.join_tokens[0]
    node = api.join("w1", worker_token, "10.0.0.1:2377")
    assert node.id != "w1" + "0" * 23 and api.node_id("w1") == node.id
    assert node.spec.role == "worker" and node.spec.name == "w1"


def test_node_update_checks_in_the_engine_order(tmp_path):
    sim = make_sim(tmp_path)
    api = control_api(sim)
    # the CLI's own label check comes first (cli/command/node/update.go); the engine then
    # converts the spec, role before availability (daemon/cluster/convert NodeSpecToGRPC)
    with pytest.raises(CommandError) as info:
        api.update_node("w1", availability="sleepy", role="boss", label_rm=("x",))
    assert info.value.message == "key x doesn't exist in node's labels"
    with pytest.raises(CommandError) as info:
        api.update_node("w1", availability="sleepy", role="boss")
    assert info.value.message == 'Error response from daemon: invalid Role: "boss"'
    with pytest.raises(CommandError) as info:
        api.update_node("w1", availability="sleepy", role="Worker")
    assert info.value.message == 'Error response from daemon: invalid Availability: "sleepy"'
    # nothing was changed by the refused requests
    assert sim.state.nodes["w1" + "0" * 23].spec.availability == "active"
    assert api.update_node("w1", availability="DRAIN", role="Manager").spec.role == "manager"
