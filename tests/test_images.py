"""Image pulls: per-node caches, node bandwidth, private registries and credentials."""

from pathlib import Path

import pytest

from swarmsim.app.run import run_scenario
from swarmsim.commands.run import run_command
from swarmsim.foundation.errors import InputError
from swarmsim.input.scenario import load_scenario
from swarmsim.simulation.images import PullPlan, plan_pull, registry_of

COMPOSE = """\
version: "3.8"
services:
  app:
    image: {image}
    deploy:
      replicas: {replicas}
      placement:
        constraints: [{constraint}]
    x-swarmsim:
{sim}
"""
NODES = "  - {name: m1, role: manager, bandwidth: 100M}\n  - {name: w1, bandwidth: 50M}\n"
PRIVATE = "registry.example.com/team/app:1.0"


def scenario(tmp_path: Path, *, image="nginx", replicas=1, sim="      image_size: 300M",
             constraint="node.role != none", nodes=NODES, timeline="", extra="",
             deploy=True):
    (tmp_path / "c.yml").write_text(COMPOSE.format(
        image=image, replicas=replicas, sim=sim, constraint=constraint))
    text = f"until: 60s\nnodes:\n{nodes}{extra}"
    if deploy:
        text += "stacks:\n  app: c.yml\n"
    if timeline:
        text += "timeline:\n" + timeline
    (tmp_path / "s.yaml").write_text(text)
    return load_scenario(tmp_path / "s.yaml")


def times(result, state):
    """(task name, node, time) of every task event reaching ``state``, in order."""
    return [(e.task, e.node, round(e.time, 6)) for e in result.sim.events
            if getattr(e, "kind", None) == "task" and e.state == state]


def test_first_pull_on_a_node_takes_size_over_bandwidth(tmp_path):
    # one replica per node: 300M at 100M/s (m1) is 3 s, at 50M/s (w1) 6 s; scheduled at
    # 0.05 s (the scheduler's batch), then 1 s start-up
    result = run_scenario(scenario(tmp_path, replicas=2), until=20)
    assert sorted(times(result, "running")) == [("app_app.1", "m1", 4.05),
                                                ("app_app.2", "w1", 7.05)]


def test_tasks_arriving_during_a_download_share_it_and_later_ones_skip_it(tmp_path):
    # three replicas on m1 at 0.05: one 3 s download for all; scaling to 4 at 10 s: the
    # new task finds the image on disk and starts at once (10.05 + 1 s)
    sc = scenario(tmp_path, replicas=3, constraint="node.hostname == m1",
                  timeline='  - {at: 10s, run: "docker service scale -d app_app=4"}\n')
    result = run_scenario(sc, until=20)
    assert sorted(t for _, _, t in times(result, "running")) == [4.05, 4.05, 4.05, 11.05]
    assert result.sim.images.on_disk(result.sim.machines["m1"].id) == ["nginx:latest"]
    assert result.sim.images.on_disk(result.sim.machines["w1"].id) == []


def test_an_explicit_pull_overrides_the_size(tmp_path):
    sim = "      image_size: 300M\n      pull: 500ms"
    result = run_scenario(scenario(tmp_path, replicas=2, sim=sim), until=20)
    assert sorted(t for _, _, t in times(result, "running")) == [1.55, 1.55]


def test_without_a_size_every_task_waits_pull(tmp_path):
    sc = scenario(tmp_path, replicas=2, sim="      pull: 4s", constraint="node.hostname == m1")
    result = run_scenario(sc, until=20)
    assert sorted(t for _, _, t in times(result, "running")) == [5.05, 5.05]


def test_the_cache_survives_a_machine_crash(tmp_path):
    # m1 pulls by 3.05 and runs at 4.05; it crashes at 10 s and comes back at 20 s: the
    # task that died with it is failed on resync, its replacement finds the image
    sc = scenario(tmp_path, constraint="node.hostname == w1",
                  timeline="  - {at: 10s, fail: w1}\n  - {at: 20s, recover: w1}\n")
    result = run_scenario(sc, until=60)
    w1 = result.sim.machines["w1"].id
    assert result.sim.images.on_disk(w1) == ["nginx:latest"]
    prepared = [(e.time, e.state) for e in result.sim.events
                if getattr(e, "kind", None) == "task" and e.state in ("preparing", "ready")]
    first, *later = [t for t, s in prepared if s == "preparing"]
    ready = [t for t, s in prepared if s == "ready"]
    assert ready[0] - first == pytest.approx(6.0)
    assert later and all(r == pytest.approx(p) for p, r in zip(later, ready[1:], strict=False))


def test_a_crash_during_a_download_loses_it(tmp_path):
    sc = scenario(tmp_path, constraint="node.hostname == w1",
                  timeline="  - {at: 3s, fail: w1}\n")
    result = run_scenario(sc, until=10)
    assert result.sim.images.on_disk(result.sim.machines["w1"].id) == []


def test_plan_pull_rules():
    assert plan_pull(now=0, ready_at=None, fixed_s=2, size=300, bandwidth=100,
                     allowed=True) == (PullPlan(3.0), 3.0)
    assert plan_pull(now=1, ready_at=3.0, fixed_s=2, size=300, bandwidth=100,
                     allowed=True) == (PullPlan(2.0), 3.0)
    assert plan_pull(now=5, ready_at=3.0, fixed_s=2, size=300, bandwidth=100,
                     allowed=False) == (PullPlan(0.0), 3.0)  # on disk: used without auth
    assert plan_pull(now=1, ready_at=3.0, fixed_s=2, size=300, bandwidth=100,
                     allowed=False)[0].error
    assert registry_of(PRIVATE) == "registry.example.com"
    assert registry_of("redis") == "docker.io"


# --- private registries ----------------------------------------------------------------
PRIVATE_EXTRA = "registries:\n  registry.example.com: {private: true}\n"
LOGIN = '  - {at: 1s, run: "docker login -u dev -p secret registry.example.com"}\n'


def deploy_private(tmp_path, deploy_line):
    sc = scenario(tmp_path, image=PRIVATE, replicas=2, extra=PRIVATE_EXTRA, deploy=False,
                  timeline=LOGIN + f'  - {{at: 1s, run: "{deploy_line}"}}\n')
    return run_scenario(sc, until=40)


def test_with_registry_auth_every_node_pulls(tmp_path):
    result = deploy_private(tmp_path, "docker stack deploy -c c.yml --with-registry-auth app")
    assert sorted(times(result, "running")) == [("app_app.1", "m1", 5.05),
                                                ("app_app.2", "w1", 8.05)]
    assert times(result, "rejected") == []


def test_without_it_nodes_lacking_credentials_reject_and_retry(tmp_path):
    result = deploy_private(tmp_path, "docker stack deploy -c c.yml app")
    first: dict[str, tuple] = {}
    for e in result.sim.events:
        if getattr(e, "kind", None) == "task" and e.state == "rejected":
            first.setdefault(e.id, (e.node, round(e.time, 6), e.error))
    rejected = list(first.values())
    # first task at 1.05; each replacement is created at once and assigned 0.05 s later,
    # rejected as it prepares, and retried when the 5 s restart delay ends
    assert [t for _, t, _ in rejected] == [1.05, 1.1, 6.1, 11.1, 16.1]
    assert {n for n, _, _ in rejected} == {"w1"}
    assert {e for _, _, e in rejected} == {f"No such image: {PRIVATE}"}
    # five failures on w1 within 5 minutes: the scheduler then prefers m1 (swarm §4), and
    # the task waits for its restart delay (21.05 + 5 s) and starts (1 s)
    assert ("app_app.2", "m1", 27.05) in times(result, "running")
    assert ("app_app.1", "m1", 5.05) in times(result, "running")


def test_login_and_logout_output(tmp_path):
    from swarmsim.simulation.engine import Simulation

    sim = Simulation(scenario(tmp_path, deploy=False))
    sim.bootstrap()
    res = run_command(sim, "docker login -u dev -p s registry.example.com")
    assert (res.output, res.error, res.exit_code) == (
        "Login Succeeded\n",
        "WARNING! Using --password via the CLI is insecure. Use --password-stdin.\n", 0)
    assert sim.images.has_login("m1", "registry.example.com")
    assert not sim.images.has_login("w1", "registry.example.com")
    # docker 29 tries the stored credentials first (cli/command/registry/login.go)
    res = run_command(sim, "docker login registry.example.com")
    assert (res.output, res.exit_code) == ("Login Succeeded\n", 0)
    assert res.error.startswith("Authenticating with existing credentials... [Username: dev]\n")
    res = run_command(sim, "docker logout https://registry.example.com/")
    assert res.output == "Removing login credentials for registry.example.com\n"
    assert not sim.images.has_login("m1", "registry.example.com")
    res = run_command(sim, "docker login registry.example.com")
    assert (res.error, res.exit_code) == (
        "error: cannot perform an interactive login from a non-TTY device\n", 1)
    assert run_command(sim, "docker logout").output == (
        "Removing login credentials for https://index.docker.io/v1/\n")


def test_scenario_keys_are_validated(tmp_path):
    with pytest.raises(InputError) as err:
        scenario(tmp_path, nodes="  - {name: m1, role: manager, bandwidth: fast}\n")
    assert err.value.keys == ("nodes", 0, "bandwidth")
    with pytest.raises(InputError) as err:
        scenario(tmp_path, extra="registries:\n  r.example.com: {private: yes please}\n")
    assert "registries.r.example.com.private must be a boolean" in err.value.message


def _redeploy_errors(tmp_path, flags):
    import shutil
    from pathlib import Path as _P

    from swarmsim.app.run import run_scenario as _run
    from swarmsim.input.scenario import load_scenario as _load

    root = _P(__file__).resolve().parents[1] / "scenarios"
    (tmp_path / "compose").mkdir()
    shutil.copy(root / "compose" / "private-app.yml", tmp_path / "compose" / "private-app.yml")
    v2 = (tmp_path / "compose" / "private-app.yml").read_text().replace("app:1.0", "app:1.1")
    (tmp_path / "compose" / "private-app-v2.yml").write_text(v2)
    (tmp_path / "s.yaml").write_text(
        "nodes:\n  - {name: myvm1, role: manager}\n  - {name: myvm2}\n"
        "registries:\n  registry.example.com: {private: true}\n"
        "until: 20s\ntimeline:\n"
        '  - {at: 1s, run: "docker login -u dev -p secret registry.example.com"}\n'
        '  - {at: 1s, run: "docker stack deploy --with-registry-auth'
        ' -c compose/private-app.yml app"}\n'
        f'  - {{at: 10s, run: "docker stack deploy {flags} -c compose/private-app-v2.yml app"}}\n'
    )
    log = _run(_load(tmp_path / "s.yaml")).log
    return next(e.error for e in log if getattr(e, "kind", "") == "command" and e.time == 10.0)


def test_redeploy_without_credentials_warns_that_the_digest_cannot_be_pinned(tmp_path):
    # moby's client warning when the registry refuses the digest query
    err = _redeploy_errors(tmp_path, "")
    assert (
        "image registry.example.com/team/app:1.1 could not be accessed on a registry to record\n"
        "its digest. Each node will access registry.example.com/team/app:1.1 independently,\n"
        "possibly leading to different nodes running different\n"
        "versions of the image.\n"
    ) in err


def test_redeploy_with_credentials_or_never_resolving_does_not_warn(tmp_path):
    assert "could not be accessed" not in _redeploy_errors(tmp_path, "--with-registry-auth")


def test_resolve_image_never_does_not_query_the_registry(tmp_path):
    assert "could not be accessed" not in _redeploy_errors(tmp_path, "--resolve-image never")
