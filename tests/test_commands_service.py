"""``docker service ls | ps | scale | update | rollback | rm`` (swarm-semantics §6, §8)."""

from swarmsim.commands import run_command
from swarmsim.input.scenario import Scenario
from swarmsim.input.specs import NodeSpec
from swarmsim.simulation.engine import Simulation

COMPOSE = """\
version: "3.8"
services:
  web:
    image: nginx:1.24
    deploy:
      replicas: 2
  agent:
    image: busybox:1.36
    deploy:
      mode: global
"""


def deployed(tmp_path, until=30.0):
    nodes = (
        NodeSpec(name="myvm1", id="m1" + "0" * 23, role="manager", addr="192.168.99.100"),
        NodeSpec(name="myvm2", id="w2" + "0" * 23, addr="192.168.99.101"),
    )
    sc = Scenario(name="t", seed=0, nodes=nodes, stacks=(), path=tmp_path / "scenario.yaml")
    sim = Simulation(sc)
    sim.bootstrap()
    (tmp_path / "app.yml").write_text(COMPOSE)
    assert run_command(sim, "docker stack deploy -c app.yml app").exit_code == 0
    sim.env.run(until=until)
    return sim


def replicas_column(sim):
    rows = run_command(sim, "docker service ls").output.splitlines()[1:]
    return {r.split()[1]: r.split()[3] for r in rows}


def test_service_ls_before_and_after_the_tasks_run(tmp_path):
    sim = deployed(tmp_path, until=0.5)  # tasks created, still preparing
    assert replicas_column(sim) == {"app_agent": "0/2", "app_web": "0/2"}
    sim.env.run(until=30)
    assert replicas_column(sim) == {"app_agent": "2/2", "app_web": "2/2"}
    rows = run_command(sim, "docker service ls").output.splitlines()
    assert rows[1].split()[1:3] == ["app_agent", "global"]
    assert rows[2].split()[1:3] == ["app_web", "replicated"]


def test_service_ps_shows_global_task_names_with_node_ids(tmp_path):
    sim = deployed(tmp_path)
    rows = run_command(sim, "docker service ps app_agent").output.splitlines()[1:]
    assert sorted(r.split()[1] for r in rows) == [
        "app_agent.m1" + "0" * 23, "app_agent.w2" + "0" * 23]
    res = run_command(sim, "docker service ps nope")
    assert (res.output, res.error, res.exit_code) == ("", "no such service: nope\n", 1)
    res = run_command(sim, "docker service ps app_web nope")
    assert len(res.output.splitlines()) == 3 and res.error == "no such service: nope\n"


def test_scale(tmp_path):
    sim = deployed(tmp_path)
    res = run_command(sim, "docker service scale app_web=4")
    assert (res.output, res.error, res.exit_code) == ("app_web scaled to 4\n", "", 0)
    sim.env.run(until=60)
    assert replicas_column(sim)["app_web"] == "4/4"
    res = run_command(sim, "docker service scale app_agent=3 nope=1 app_web=x")
    assert res.exit_code == 1
    assert res.error == (
        "app_agent: scale can only be used with replicated or replicated-job mode\n"
        "nope: Error response from daemon: service nope not found\n"
        'app_web: invalid replicas value x: strconv.ParseUint: parsing "x": invalid syntax\n'
    )
    res = run_command(sim, "docker service scale app_web")
    # docker 29 lower-cased the first word but kept the old usage layout (service/scale.go)
    assert (res.error, res.exit_code) == (
        "invalid scale specifier 'app_web'.\n"
        "See 'docker service scale --help'.\n\n"
        "Usage:  docker service scale SERVICE=REPLICAS [SERVICE=REPLICAS...]\n\n"
        "Scale one or multiple replicated services\n", 1)
    res = run_command(sim, "docker service scale app_web=")
    assert res.error.startswith("invalid scale specifier 'app_web='.\n")
    res = run_command(sim, "docker service scale")
    assert res.error == (
        "docker: 'docker service scale' requires at least 1 argument\n\n"
        "Usage:  docker service scale SERVICE=REPLICAS [SERVICE=REPLICAS...]\n\n"
        "See 'docker service scale --help' for more information\n")


def test_update_image_replaces_the_tasks_and_rollback_reverts(tmp_path):
    sim = deployed(tmp_path)
    svc = sim.state.services["app_web"]
    res = run_command(sim, "docker service rollback app_web")
    assert res.error == (
        "Error response from daemon: rpc error: code = FailedPrecondition desc = service "
        f"{svc.id} does not have a previous spec\n"
    )
    res = run_command(sim, "docker service update --image nginx app_web")
    assert (res.output, res.exit_code) == ("app_web\n", 0)
    assert svc.spec.image == "nginx:latest"
    sim.env.run(until=90)
    rows = run_command(sim, "docker service ps app_web").output.splitlines()[1:]
    names = [r.split()[1] for r in rows]
    # each slot: the new task first, the replaced one indented below it
    assert names == ["app_web.1", "\\_", "app_web.2", "\\_"]
    assert [r.split()[2 if i % 2 == 0 else 3] for i, r in enumerate(rows)] == [
        "nginx:latest", "nginx:1.24", "nginx:latest", "nginx:1.24"]
    assert "Shutdown" in rows[1]
    res = run_command(sim, "docker service rollback app_web")
    assert res.output == "app_web\n"
    assert svc.spec.image == "nginx:1.24" and svc.update_state == "rollback_started"
    res = run_command(sim, "docker service update --rollback --image redis app_web")
    assert res.error == "other flags may not be combined with --rollback\n"


def test_update_force_redeploys_without_a_change(tmp_path):
    sim = deployed(tmp_path)
    svc = sim.state.services["app_web"]
    before = {t.id for t in sim.state.tasks_of("app_web")}
    res = run_command(sim, "docker service update --force app_web")
    assert res.output == "app_web\n"
    assert svc.spec.force_update == 1 and svc.spec.image == svc.previous_spec.image
    sim.env.run(until=90)
    running = {t.id for t in sim.state.tasks_of("app_web") if t.state.label == "running"}
    assert len(running) == 2 and not running & before


def test_update_replicas_and_errors(tmp_path):
    sim = deployed(tmp_path)
    assert run_command(sim, "docker service update --replicas 3 app_web").output == "app_web\n"
    assert sim.state.services["app_web"].spec.replicas == 3
    res = run_command(sim, "docker service update --replicas 3 app_agent")
    assert res.error == "replicas can only be used with replicated mode\n"
    res = run_command(sim, "docker service update --image Bad:Image app_web")
    assert res.error == (
        "Error response from daemon: rpc error: code = InvalidArgument desc = ContainerSpec: "
        '"Bad:Image" is not a valid repository/tag\n'
    )
    res = run_command(sim, "docker service update --limit-cpu 1 app_web")
    assert res.error == "swarmsim: flag --limit-cpu of 'docker service update' is not simulated\n"


def test_service_rm(tmp_path):
    sim = deployed(tmp_path)
    res = run_command(sim, "docker service rm app_web nope")
    assert (res.output, res.exit_code) == ("app_web\n", 1)
    assert res.error == "Error response from daemon: service nope not found\n"
    assert list(replicas_column(sim)) == ["app_agent"]
