"""``docker stack deploy | ls | ps | services | rm`` (compose-deploy §1, §7.1; §8)."""

import json
from pathlib import Path

import pytest

from swarmsim.commands import control_api, run_command
from swarmsim.input.scenario import Scenario
from swarmsim.input.specs import NodeSpec
from swarmsim.simulation.engine import Simulation

CASES = Path(__file__).resolve().parent / "data" / "compose-cases.json"
DETACH = (
    "Since --detach=false was not specified, tasks will be created in the background.\n"
    "In a future release, --detach=false will become the default.\n"
)
PART3 = """\
version: "3"
services:
  web:
    # replace username/repo:tag with your name and image details
    image: username/repo:tag
    deploy:
      replicas: 5
      resources:
        limits:
          cpus: "0.1"
          memory: 50M
      restart_policy:
        condition: on-failure
    ports:
      - "4000:80"
    networks:
      - webnet
networks:
  webnet:
"""
TWO = """\
version: "3.8"
services:
  web:
    image: nginx:1.25
    deploy:
      replicas: {replicas}
    ports:
      - "80"
  db:
    image: redis
"""


def make_sim(tmp_path, until=1.0):
    nodes = (
        NodeSpec(name="myvm1", id="m1" + "0" * 23, role="manager", addr="192.168.99.100"),
        NodeSpec(name="myvm2", id="w2" + "0" * 23, addr="192.168.99.101"),
    )
    sc = Scenario(name="t", seed=0, nodes=nodes, stacks=(), path=tmp_path / "scenario.yaml")
    sim = Simulation(sc)
    sim.bootstrap()
    sim.env.run(until=until)
    return sim


def write(tmp_path, name, text):
    (tmp_path / name).write_text(text)
    return name


def test_get_started_part3(tmp_path):
    sim = make_sim(tmp_path)
    write(tmp_path, "docker-compose.yml", PART3)
    res = run_command(sim, "docker stack deploy -c docker-compose.yml getstartedlab")
    assert (res.output, res.error, res.exit_code) == (
        "Creating network getstartedlab_webnet\nCreating service getstartedlab_web\n", DETACH, 0)
    svc = sim.state.services["getstartedlab_web"]
    assert svc.spec.replicas == 5 and svc.spec.networks == ("getstartedlab_webnet",)
    sim.env.run(until=30)
    res = run_command(sim, "docker service ls")
    assert res.output == (
        "ID             NAME                MODE         REPLICAS   IMAGE               PORTS\n"
        f"{svc.id[:12]}   getstartedlab_web   replicated   5/5        username/repo:tag   "
        "*:4000->80/tcp\n"
    )
    assert run_command(sim, "docker stack services getstartedlab").output == res.output
    assert run_command(sim, "docker stack ls").output == (
        "NAME            SERVICES\ngetstartedlab   1\n")
    rows = run_command(sim, "docker stack ps getstartedlab").output.splitlines()
    assert [r.split()[1] for r in rows[1:]] == [f"getstartedlab_web.{i}" for i in range(1, 6)]
    assert all(r.split()[4:6] == ["Running", "Running"] for r in rows[1:])
    # spread: 5 tasks over 2 nodes land 3/2
    assert sorted(r.split()[3] for r in rows[1:]) == ["myvm1"] * 3 + ["myvm2"] * 2


def test_stack_rm(tmp_path):
    sim = make_sim(tmp_path)
    write(tmp_path, "docker-compose.yml", PART3)
    run_command(sim, "docker stack deploy -c docker-compose.yml getstartedlab")
    res = run_command(sim, "docker stack rm getstartedlab")
    assert (res.output, res.error) == (
        "Removing service getstartedlab_web\nRemoving network getstartedlab_webnet\n", "")
    res = run_command(sim, "docker stack rm getstartedlab")
    assert (res.output, res.error, res.exit_code) == (
        "", "Nothing found in stack: getstartedlab\n", 0)
    res = run_command(sim, "docker stack services getstartedlab")
    assert (res.error, res.exit_code) == ("Nothing found in stack: getstartedlab\n", 0)
    res = run_command(sim, "docker stack ps nope")
    assert (res.error, res.exit_code) == ("nothing found in stack: nope\n", 1)


def test_redeploy_updates_only_changed_services(tmp_path):
    sim = make_sim(tmp_path)
    write(tmp_path, "app.yml", TWO.format(replicas=2))
    run_command(sim, "docker stack deploy -c app.yml app")
    web, db = sim.state.services["app_web"], sim.state.services["app_db"]
    assert db.spec.image == "redis:latest"  # the client tags a bare image
    assert web.spec.ports[0].published == 30000  # "80": swarm picks from 30000-32767
    sim.env.run(until=20)
    res = run_command(sim, "docker stack deploy -c app.yml app")
    assert res.output == (f"Updating service app_web (id: {web.id})\n"
                          f"Updating service app_db (id: {db.id})\n")
    assert (web.version, db.version) == (1, 1)  # nothing changed: no new spec
    write(tmp_path, "app.yml", TWO.format(replicas=3))
    run_command(sim, "docker stack deploy -c app.yml app")
    assert (web.version, db.version) == (2, 1)
    assert web.spec.replicas == 3 and web.previous_spec.replicas == 2
    assert web.spec.ports[0].published == 30000  # the allocated port is kept
    sim.env.run(until=40)
    assert "3/3" in run_command(sim, "docker service ls").output.splitlines()[2]


def test_dynamic_ports_and_port_conflicts(tmp_path):
    sim = make_sim(tmp_path)
    write(tmp_path, "app.yml", TWO.format(replicas=1))
    write(tmp_path, "part3.yml", PART3)
    run_command(sim, "docker stack deploy -c part3.yml getstartedlab")
    run_command(sim, "docker stack deploy -c app.yml one")
    run_command(sim, "docker stack deploy -c app.yml two")
    assert sim.state.services["two_web"].spec.ports[0].published == 30001
    res = run_command(sim, "docker stack deploy -c part3.yml other")
    web_id = sim.state.services["getstartedlab_web"].id
    assert res.exit_code == 1
    assert res.output == "Creating network other_webnet\nCreating service other_web\n"
    assert res.error == DETACH + (
        "failed to create service other_web: Error response from daemon: rpc error: code = "
        "InvalidArgument desc = port '4000' is already in use by service 'getstartedlab_web' "
        f"({web_id}) as an ingress port\n"
    )
    assert "other_web" not in sim.state.services


def test_prune_removes_services_no_longer_in_the_file(tmp_path):
    sim = make_sim(tmp_path)
    write(tmp_path, "app.yml", TWO.format(replicas=1))
    write(tmp_path, "web.yml", 'version: "3.8"\nservices:\n  web:\n    image: nginx:1.25\n'
                               '    ports:\n      - "80"\n')
    run_command(sim, "docker stack deploy -c app.yml app")
    res = run_command(sim, "docker stack deploy --prune -c web.yml app")
    web_id = sim.state.services["app_web"].id
    assert res.output == f"Removing service app_db\nUpdating service app_web (id: {web_id})\n"
    assert set(sim.state.services) == {"app_web"}


def test_compose_files_are_relative_to_the_scenario(tmp_path):
    sub = tmp_path / "scenarios"
    sub.mkdir()
    sim = make_sim(sub)
    write(sub, "docker-compose.yml", PART3)
    res = run_command(sim, "docker stack deploy -c docker-compose.yml getstartedlab")
    assert res.exit_code == 0
    res = run_command(sim, "docker stack deploy -c missing.yml x")
    assert (res.error, res.exit_code) == ("open missing.yml: no such file or directory\n", 1)
    res = run_command(sim, "docker stack deploy x")  # lower-case in docker 29 (stack/loader.go)
    assert res.error == "specify a Compose file (with --compose-file)\n"
    res = run_command(sim, "docker stack deploy -c docker-compose.yml --resolve-image=sometimes x")
    # lower-case in docker 29 (cli/command/stack/deploy.go runDeploy)
    assert res.error == "invalid option sometimes for flag --resolve-image\n"


def test_deploy_needs_a_manager(tmp_path):
    sim = make_sim(tmp_path)
    write(tmp_path, "docker-compose.yml", PART3)
    res = run_command(sim, "docker stack deploy -c docker-compose.yml getstartedlab",
                      on="myvm2")
    assert (res.output, res.exit_code) == ("", 1)
    assert res.error == DETACH + (
        'this node is not a swarm manager. Use "docker swarm init" or "docker swarm join" to '
        "connect this node to swarm and try again\n"
    )
    res = run_command(sim, "docker stack deploy -d -c docker-compose.yml getstartedlab")
    assert res.error == ""  # --detach given: no notice


def test_external_network_must_exist(tmp_path):
    sim = make_sim(tmp_path)
    write(tmp_path, "ext.yml", 'version: "3.8"\nservices:\n  web:\n    image: nginx\n'
                               "    networks: [front]\nnetworks:\n  front:\n"
                               "    external: true\n    name: front\n")
    res = run_command(sim, "docker stack deploy -c ext.yml app")
    assert res.error == DETACH + (
        'network "front" is declared as external, but could not be found. You need to create '
        "a swarm-scoped network before the stack is deployed\n"
    )


EXTERNAL = """\
version: "3.8"
services:
  api:
    image: nginx
    configs: [{source: settings, target: /etc/app.conf}]
  web:
    image: nginx
    secrets: [key, pem]
secrets:
  key:
    external: true
  pem:
    external: {name: site_pem}
configs:
  settings:
    external: true
    name: app_settings
"""


def test_external_secrets_and_configs_must_exist(tmp_path):
    """docker/cli looks each external object up by its name (``ParseSecrets``,
    ``ParseConfigs`` in cli/command/service/parse.go) once the stack's networks exist,
    service by service, and stops at the first missing one: ``service KEY: secret not
    found: NAME``; no service is created."""
    sim = make_sim(tmp_path)
    write(tmp_path, "ext.yml", EXTERNAL)
    # the loader's logrus warning (cli/compose/loader/loader.go loadFileObjectConfig)
    warning = ('level=warning msg="secret pem: secret.external.name is deprecated in favor '
               'of secret.name"\n')
    api = control_api(sim)
    steps = [(None, "service api: config not found: app_settings"),
             (("config", "app_settings"), "service web: secret not found: key"),
             (("secret", "key"), "service web: secret not found: site_pem"),
             (("secret", "site_pem"), None)]
    for made, message in steps:
        if made is not None:
            (api.secrets if made[0] == "secret" else api.configs)[made[1]] = ""
        res = run_command(sim, "docker stack deploy -d -c ext.yml app")
        if message is None:
            assert (res.error, res.exit_code) == (warning, 0)
            assert sorted(sim.state.services) == ["app_api", "app_web"]
        else:
            assert (res.error, res.exit_code) == (warning + message + "\n", 1)
            assert res.output == ("Creating network app_default\n" if made is None else "")
            assert sim.state.services == {}


def _cases():
    return json.loads(CASES.read_text())


@pytest.mark.parametrize("name", ["replicas_string", "mode_bad", "interp_bad", "cpus_number"])
def test_compose_errors_as_docker_prints_them(tmp_path, name):
    case = _cases()[name]
    sim = make_sim(tmp_path)
    write(tmp_path, "c.yml", case["compose"])
    res = run_command(sim, "docker stack deploy -c c.yml stack")
    assert (res.output, res.error, res.exit_code) == ("", case["error"] + "\n", 1)
    assert sim.state.services == {}


def test_compose_warnings_go_to_stderr_first(tmp_path):
    sim = make_sim(tmp_path)
    write(tmp_path, "c.yml", 'version: "3.8"\nservices:\n  a:\n    image: nginx\n'
                             "    restart: always\n    build: .\n")
    res = run_command(sim, "docker stack deploy -c c.yml stack")
    assert res.exit_code == 0
    # the loader's Fprintf("Ignoring unsupported options: %s\n\n"), before the deploy starts
    assert res.error == "Ignoring unsupported options: build, restart\n\n" + DETACH
    assert res.output == "Creating network stack_default\nCreating service stack_a\n"


def test_compose_warnings_come_before_an_error_found_after_them(tmp_path):
    # the image check follows the warnings in docker's loadComposeFile, and comes before
    # the --resolve-image check and the detach notice (cli/command/stack/deploy.go)
    case = _cases()["no_image"]
    sim = make_sim(tmp_path)
    write(tmp_path, "c.yml", case["compose"])
    res = run_command(sim, "docker stack deploy -c c.yml stack")
    assert (res.output, res.exit_code) == ("", 1)
    assert res.error == case["stderr_text"] + case["error"] + "\n"
    assert res.error == (
        "Ignoring unsupported options: build\n\n"
        "invalid image reference for service web: no image specified\n"
    )

