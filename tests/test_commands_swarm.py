"""``docker swarm init | join | join-token | leave`` (swarm-semantics §4, §8.2)."""

import re

import pytest

from swarmsim.commands import run_command
from swarmsim.input.scenario import Scenario
from swarmsim.input.specs import NodeSpec
from swarmsim.simulation.engine import Simulation

M1, M2, M3 = "e216jshn25ckzbvmwlnh5jr3g", "4nmqtgwbhd6cdk0p0bmn6ffq3", "9ifojw8of78kkusuc4a6c23fx"
W1 = "1bcef6utixb0l0ca7gxuivsj0"
NOT_IN_SWARM = (
    'Error response from daemon: This node is not a swarm manager. Use "docker swarm init" or '
    '"docker swarm join" to connect this node to swarm and try again.\n'
)
WORKER = (
    "Error response from daemon: This node is not a swarm manager. Worker nodes can't be used "
    "to view or modify cluster state. Please run this command on a manager node or promote the "
    "current node to a manager.\n"
)
LEAVE = "Error response from daemon: You are attempting to leave the swarm on a node that is " \
    "participating as a manager. "
TAIL = "The only way to restore a swarm that has lost consensus is to reinitialize it with " \
    "`--force-new-cluster`. Use `--force` to suppress this message.\n"


def make_sim(tmp_path, *nodes, until=1.0):
    sc = Scenario(name="t", seed=0, nodes=nodes, stacks=(), path=tmp_path / "scenario.yaml")
    sim = Simulation(sc)
    sim.bootstrap()
    sim.env.run(until=until)
    return sim


def machines(joined=False, managers=1, workers=1):
    ids = [M1, M2, M3][:managers]
    out = [NodeSpec(name=f"manager{i + 1}", id=nid, role="manager",
                    addr=f"192.168.99.{100 + i}", joined=joined) for i, nid in enumerate(ids)]
    out += [NodeSpec(name=f"worker{i + 1}", id=wid, addr=f"192.168.99.{110 + i}",
                     joined=joined) for i, wid in enumerate([W1, "w2" + "0" * 23][:workers])]
    return out


def test_init_prints_the_node_id_and_the_worker_join_command(tmp_path):
    sim = make_sim(tmp_path, *machines())
    assert run_command(sim, "docker node ls").error == NOT_IN_SWARM
    (tmp_path / "c.yml").write_text('version: "3.8"\nservices:\n  web:\n    image: nginx\n')
    res = run_command(sim, "docker stack deploy -d -c c.yml app")
    assert (res.error, res.exit_code) == (
        'this node is not a swarm manager. Use "docker swarm init" or "docker swarm join" to '
        "connect this node to swarm and try again\n", 1)
    res = run_command(sim, "docker swarm init", on="manager1")
    worker, manager = sim.join_tokens
    assert res.exit_code == 0 and res.error == ""
    assert res.output == (
        f"Swarm initialized: current node ({M1}) is now a manager.\n"
        "\n"
        "To add a worker to this swarm, run the following command:\n"
        "\n"
        f"    docker swarm join --token {worker} 192.168.99.100:2377\n"
        "\n"
        "To add a manager to this swarm, run 'docker swarm join-token manager' and follow the "
        "instructions.\n"
    )
    # SwarmKit's token format; both tokens share the CA digest
    assert re.fullmatch(r"SWMTKN-1-[0-9a-z]{50}-[0-9a-z]{25}", worker)
    assert worker.rsplit("-", 1)[0] == manager.rsplit("-", 1)[0] and worker != manager
    again = run_command(sim, "docker swarm init", on="manager1")
    assert again.exit_code == 1
    assert again.error == (
        'Error response from daemon: This node is already part of a swarm. Use "docker swarm '
        'leave" to leave this swarm and join another one.\n'
    )


def test_join_token_command(tmp_path):
    sim = make_sim(tmp_path, *machines(joined=True))
    worker, manager = sim.join_tokens
    assert run_command(sim, "docker swarm join-token -q worker").output == worker + "\n"
    assert run_command(sim, "docker swarm join-token manager").output == (
        "To add a manager to this swarm, run the following command:\n\n"
        f"    docker swarm join --token {manager} 192.168.99.100:2377\n\n"
    )
    bad = run_command(sim, "docker swarm join-token boss")
    assert (bad.error, bad.exit_code) == ("unknown role boss\n", 1)
    assert run_command(sim, "docker swarm join-token worker", on="worker1").error == WORKER


def test_join_as_worker_and_as_manager(tmp_path):
    sim = make_sim(tmp_path, *machines(managers=2))
    run_command(sim, "docker swarm init", on="manager1")
    res = run_command(
        sim, "docker swarm join --token $(docker swarm join-token -q worker) 192.168.99.100:2377",
        on="worker1")
    assert (res.output, res.exit_code) == ("This node joined a swarm as a worker.\n", 0)
    res = run_command(
        sim, "docker swarm join --token $(docker swarm join-token -q manager) 192.168.99.100:2377",
        on="manager2")
    assert res.output == "This node joined a swarm as a manager.\n"
    sim.env.run(until=2)
    table = run_command(sim, "docker node ls", on="manager1").output.splitlines()
    assert [line.split()[:2] for line in table[1:]] == [
        [M1, "*"], [M2, "manager2"], [W1, "worker1"]]
    assert table[2].split()[-2:] == ["Reachable", "29.7.2"]
    assert table[3].split()[-2:] == ["Active", "29.7.2"]
    # the new manager serves manager commands
    assert run_command(sim, "docker node ls", on="manager2").exit_code == 0


def test_join_refusals(tmp_path):
    sim = make_sim(tmp_path, *machines())
    run_command(sim, "docker swarm init", on="manager1")
    worker, _ = sim.join_tokens
    digest = worker.split("-")[2]
    wrong_secret = f"SWMTKN-1-{digest}-{'0' * 25}"
    res = run_command(sim, f"docker swarm join --token {wrong_secret} 192.168.99.100:2377",
                      on="worker1")
    assert (res.error, res.exit_code) == (
        "Error response from daemon: rpc error: code = InvalidArgument desc = A valid join token "
        "is necessary to join this cluster\n", 1)
    res = run_command(sim, "docker swarm join --token SWMTKN-1-abc 192.168.99.100:2377",
                      on="worker1")
    assert res.error == "Error response from daemon: invalid join token\n"
    other_ca = f"SWMTKN-1-{'1' * 50}-{worker.split('-')[3]}"
    res = run_command(sim, f"docker swarm join --token {other_ca} 192.168.99.100:2377",
                      on="worker1")
    expected_digest = format(int("1" * 50, 36), "064x")
    assert res.error == ("Error response from daemon: remote CA does not match fingerprint. "
                         f"Expected: {expected_digest}\n")
    res = run_command(sim, f"docker swarm join --token {worker} 192.168.99.200:2377",
                      on="worker1")
    assert res.error == (
        "Error response from daemon: Timeout was reached before node joined. The attempt to join "
        'the swarm will continue in the background. Use the "docker info" command to see the '
        "current swarm status of your node.\n"
    )
    assert run_command(sim, "docker node ls", on="worker1").error == NOT_IN_SWARM


def test_a_worker_that_leaves_stays_listed_as_down(tmp_path):
    sim = make_sim(tmp_path, *machines(joined=True))
    res = run_command(sim, "docker swarm leave", on="worker1")
    assert (res.output, res.error, res.exit_code) == ("Node left the swarm.\n", "", 0)
    assert run_command(sim, "docker swarm leave", on="worker1").error == (
        "Error response from daemon: This node is not part of a swarm\n")
    sim.env.run(until=30)  # the heartbeat grace (about 15 s) runs out
    rows = run_command(sim, "docker node ls").output.splitlines()
    assert rows[2].split()[:3] == [W1, "worker1", "Down"]
    # joining again gives the machine a new node id; the old node stays until removed
    run_command(sim, "docker swarm join --token $(docker swarm join-token -q worker) "
                     "192.168.99.100:2377", on="worker1")
    ids = [line.split()[0] for line in run_command(sim, "docker node ls").output.splitlines()[1:]]
    assert len(ids) == 3 and W1 in ids


@pytest.mark.parametrize(
    ("managers", "message"),
    [
        (1, LEAVE + "Removing the last manager erases all current state of the swarm. Use "
            "`--force` to ignore this message.\n"),
        (2, LEAVE + "Removing this node leaves 1 managers out of 2. Without a Raft quorum your "
            "swarm will be inaccessible. " + TAIL),
        (3, LEAVE + TAIL),
    ],
)
def test_a_manager_does_not_leave_without_force(tmp_path, managers, message):
    sim = make_sim(tmp_path, *machines(joined=True, managers=managers))
    res = run_command(sim, "docker swarm leave", on="manager1")
    assert (res.error, res.exit_code) == (message, 1)


def test_a_manager_leaving_with_force_becomes_unreachable(tmp_path):
    sim = make_sim(tmp_path, *machines(joined=True, managers=3))
    res = run_command(sim, "docker swarm leave --force", on="manager3")
    assert res.output == "Node left the swarm.\n"
    sim.env.run(until=30)
    rows = {line.split()[1]: line for line in run_command(sim, "docker node ls").output.splitlines()
            if line.split()[0] != "ID"}
    assert rows["manager3"].split()[2:5] == ["Down", "Active", "Unreachable"]


def test_manager_commands_need_a_leader(tmp_path):
    sim = make_sim(tmp_path, *machines(joined=True, managers=3))
    for name in ("manager2", "manager3"):
        sim.state.set_alive(sim.machines[name].id, False)
    sim.env.run(until=5)
    res = run_command(sim, "docker node ls", on="manager1")
    assert (res.error, res.exit_code) == (
        "Error response from daemon: rpc error: code = Unknown desc = The swarm does not have a "
        "leader. It's possible that too few managers are online. Make sure more than half of the "
        "managers are online.\n", 1)
    down = run_command(sim, "docker node ls", on="manager2")
    assert down.error == ("Cannot connect to the Docker daemon at unix:///var/run/docker.sock. "
                          "Is the docker daemon running?\n")


def test_a_new_swarm_after_the_last_manager_left(tmp_path):
    sim = make_sim(tmp_path, *machines(joined=True))
    assert run_command(sim, "docker swarm leave --force", on="manager1").exit_code == 0
    res = run_command(sim, "docker swarm init", on="manager1")
    assert res.exit_code == 0
    node_id = res.output.split("(")[1].split(")")[0]
    assert node_id != M1  # a machine gets a new node id each time it joins a swarm
    table = run_command(sim, "docker node ls", on="manager1").output.splitlines()
    assert len(table) == 2 and table[1].startswith(f"{node_id} *")
    # the worker still believes it is in the old swarm
    assert run_command(sim, "docker swarm join --token x 192.168.99.100:2377",
                       on="worker1").error.startswith(
        "Error response from daemon: This node is already part of a swarm.")


def test_availability_is_checked_by_the_cli_before_init_and_join(tmp_path):
    sim = make_sim(tmp_path, *machines())
    # cli/command/swarm/init.go and join.go: %q of the value as given
    res = run_command(sim, "docker swarm init --availability 'sleep y'", on="manager1")
    assert (res.error, res.exit_code) == (
        'invalid availability "sleep y", only active, pause and drain are supported\n', 1)
    assert sim.join_tokens is None  # no swarm was made
    res = run_command(sim, "docker swarm init --availability DRAIN", on="manager1")
    assert res.exit_code == 0
    assert sim.state.nodes[M1].spec.availability == "drain"
    res = run_command(sim, "docker swarm join --availability x --token t 192.168.99.100:2377",
                      on="worker1")
    assert res.error == 'invalid availability "x", only active, pause and drain are supported\n'
