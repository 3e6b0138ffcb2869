"""``docker node ls | ps | update | promote | demote | rm`` (swarm-semantics §4, §8)."""

from swarmsim.commands import run_command
from swarmsim.input.scenario import Scenario
from swarmsim.input.specs import NodeSpec
from swarmsim.simulation.engine import Simulation

MANAGER1 = "e216jshn25ckzbvmwlnh5jr3g"
WORKER2 = "1bcef6utixb0l0ca7gxuivsj0"
FAILED = "Error response from daemon: rpc error: code = FailedPrecondition desc = "


def make_sim(tmp_path, *nodes, until=1.0):
    sc = Scenario(name="t", seed=0, nodes=nodes, stacks=(), path=tmp_path / "scenario.yaml")
    sim = Simulation(sc)
    sim.bootstrap()
    sim.env.run(until=until)
    return sim


def docs_cluster(tmp_path):
    """The cluster of the docs' ``docker node ls`` example."""
    return make_sim(
        tmp_path,
        NodeSpec(name="swarm-manager1", id=MANAGER1, role="manager", addr="192.168.99.100"),
        NodeSpec(name="swarm-worker2", id=WORKER2, addr="192.168.99.101"),
    )


def three_managers(tmp_path):
    return make_sim(tmp_path, *(
        NodeSpec(name=f"m{i}", id=f"m{i}" + "0" * 23, role="manager", addr=f"10.0.0.{i}")
        for i in (1, 2, 3)
    ), NodeSpec(name="w1", id="w1" + "0" * 23, addr="10.0.0.9"))


def test_node_ls_as_in_the_docs(tmp_path):
    sim = docs_cluster(tmp_path)
    res = run_command(sim, "docker node ls")
    assert res.exit_code == 0 and res.error == ""
    # the docs' example, in docker 29's columns: full ids, " *" on the current node,
    # natural order of hostnames, empty MANAGER STATUS for the worker
    assert [line.rstrip() for line in res.output.splitlines()] == [
        "ID                            HOSTNAME         STATUS    AVAILABILITY   MANAGER STATUS"
        "   ENGINE VERSION",
        "e216jshn25ckzbvmwlnh5jr3g *   swarm-manager1   Ready     Active         Leader"
        "           29.7.2",
        "1bcef6utixb0l0ca7gxuivsj0     swarm-worker2    Ready     Active"
        "                          29.7.2",
    ]
    assert run_command(sim, "docker node ls -q").output == f"{MANAGER1}\n{WORKER2}\n"


def test_manager_commands_on_a_worker(tmp_path):
    sim = docs_cluster(tmp_path)
    for line in ("docker node ls", "docker service ls", "docker stack ls",
                 "docker node update --availability drain swarm-worker2"):
        res = run_command(sim, line, on="swarm-worker2")
        assert res.exit_code == 1
        assert res.error == (
            "Error response from daemon: This node is not a swarm manager. Worker nodes can't "
            "be used to view or modify cluster state. Please run this command on a manager node "
            "or promote the current node to a manager.\n"
        )


def test_node_rm_of_a_live_node_and_of_a_manager(tmp_path):
    sim = docs_cluster(tmp_path)
    res = run_command(sim, "docker node rm swarm-worker2")
    assert (res.error, res.exit_code) == (
        FAILED + f"node {WORKER2} is not down and can't be removed\n", 1)
    res = run_command(sim, "docker node rm swarm-manager1")
    assert res.error == (
        FAILED + f"node {MANAGER1} is a cluster manager and is a member of the raft cluster. "
        "It must be demoted to worker before removal\n")
    res = run_command(sim, "docker node rm nosuch")
    assert res.error == "Error response from daemon: node nosuch not found\n"
    res = run_command(sim, "docker node rm --force swarm-worker2")
    assert (res.output, res.exit_code) == ("swarm-worker2\n", 0)
    assert WORKER2 not in run_command(sim, "docker node ls").output


def test_node_rm_after_the_node_is_down(tmp_path):
    sim = docs_cluster(tmp_path)
    run_command(sim, "docker swarm leave", on="swarm-worker2")
    sim.env.run(until=30)
    res = run_command(sim, f"docker node rm {WORKER2[:5]}")  # an id prefix
    assert (res.output, res.error) == (f"{WORKER2[:5]}\n", "")
    assert sim.state.nodes.keys() == {MANAGER1}


def test_node_update(tmp_path):
    sim = docs_cluster(tmp_path)
    res = run_command(sim, "docker node update --availability drain --label-add zone=eu "
                           "--label-add ssd swarm-worker2")
    assert (res.output, res.exit_code) == ("swarm-worker2\n", 0)
    node = sim.state.nodes[WORKER2]
    assert node.spec.availability == "drain"
    assert node.spec.labels == (("ssd", ""), ("zone", "eu"))
    assert "Drain" in run_command(sim, "docker node ls").output.splitlines()[2]
    res = run_command(sim, "docker node update --label-rm rack swarm-worker2")
    assert (res.error, res.exit_code) == ("key rack doesn't exist in node's labels\n", 1)
    res = run_command(sim, "docker node update --availability sleepy swarm-worker2")
    assert res.error == 'Error response from daemon: invalid Availability: "sleepy"\n'
    run_command(sim, "docker node update --label-rm zone swarm-worker2")
    assert sim.state.nodes[WORKER2].spec.labels == (("ssd", ""),)


def test_promote_and_demote(tmp_path):
    sim = docs_cluster(tmp_path)
    res = run_command(sim, "docker node promote swarm-worker2")
    assert res.output == "Node swarm-worker2 promoted to a manager in the swarm.\n"
    res = run_command(sim, "docker node promote swarm-worker2")
    assert res.output == f"Node {WORKER2} is already a manager.\n"
    sim.env.run(until=2)
    assert run_command(sim, "docker node ls").output.splitlines()[2].split()[-2] == "Reachable"
    res = run_command(sim, "docker node demote swarm-worker2")
    assert res.output == "Manager swarm-worker2 demoted in the swarm.\n"
    res = run_command(sim, "docker node demote swarm-worker2")
    assert res.output == f"Node {WORKER2} is already a worker.\n"
    res = run_command(sim, "docker node demote swarm-manager1")
    assert (res.error, res.exit_code) == (
        FAILED + "attempting to demote the last manager of the swarm\n", 1)


def test_demote_keeps_the_raft_quorum(tmp_path):
    sim = three_managers(tmp_path)
    sim.state.set_alive("m3" + "0" * 23, False)  # m3 crashes; 2 of 3 managers keep quorum
    sim.env.run(until=2)
    res = run_command(sim, "docker node demote m2")
    # without m2, m1 alone of the remaining 2 members is not a majority
    assert res.error == (
        FAILED + "can't remove member from the raft: this would result in a loss of quorum\n")
    res = run_command(sim, "docker node demote m3")
    assert res.output == "Manager m3 demoted in the swarm.\n"


def test_node_ps_lists_the_tasks_of_the_current_node(tmp_path):
    sim = docs_cluster(tmp_path)
    res = run_command(sim, "docker node ps")
    assert res.output == (
        "ID        NAME      IMAGE     NODE      DESIRED STATE   CURRENT STATE   ERROR     PORTS\n"
    )
    res = run_command(sim, "docker node ps nosuch")
    assert (res.output, res.error) == ("", "Error response from daemon: node nosuch not found\n")
