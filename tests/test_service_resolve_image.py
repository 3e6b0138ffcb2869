"""Image resolution by ``docker service create`` and ``docker service update --image``.

Expectations from docker/cli and moby's client:
- cli/command/service/create.go, runCreate: ``QueryRegistry: !opts.noResolveImage``;
  the registry credentials are sent only with ``--with-registry-auth``; the response's
  warnings are printed with ``Fprintln`` on stderr before the id.
- cli/command/service/update.go, runUpdate: ``if flags.Changed("image")
  { QueryRegistry = !noResolveImage }``: only when ``--image`` is given (also with the
  service's own image), never for ``--force`` or ``--replicas`` alone.
- moby client/service_create.go, resolveContainerSpecImage (used by service_update.go
  too): when the registry answers, the manifest's platforms replace
  ``Placement.Platforms``; when it does not, the spec is sent unchanged (no platforms
  for a new service, the old ones for an update) with ``digestWarning``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from swarmsim.app.run import run_scenario
from swarmsim.input.scenario import load_scenario
from swarmsim.input.specs import Platform

#: the default manifest (linux/amd64, linux/arm64, linux/arm/v7) as the client turns it
#: into placement platforms: arm's architecture cleared (moby client, swarmkit#2294)
LINUX = (Platform("linux", "amd64"), Platform("linux", "arm64"), Platform("linux", ""))


def _run(tmp: Path, *commands: str):
    steps = "".join(f'  - {{at: {i + 1}s, run: "{c}"}}\n' for i, c in enumerate(commands))
    (tmp / "s.yaml").write_text(
        "until: 30s\nnodes:\n"
        "  - {name: m, role: manager}\n"
        "  - {name: win, platform: {os: windows, arch: x86_64}}\n"
        "  - {name: pi, platform: {os: linux, arch: aarch64}}\n"
        "registries:\n  registry.example.com: {private: true}\n"
        f"timeline:\n{steps}"
    )
    result = run_scenario(load_scenario(tmp / "s.yaml"))
    log = [e for e in result.log if getattr(e, "kind", "") == "command"]
    return result.sim, log


def _nodes(sim, service: str) -> set[str]:
    return {sim.state.nodes[t.node_id].name for t in sim.state.tasks_of(service) if t.node_id}


def _platforms(sim, service: str) -> tuple[Platform, ...]:
    return tuple(sim.state.services[service].spec.placement.platforms)


def _warning(image: str) -> str:
    # moby client/service_create.go digestWarning, printed with Fprintln: a blank line
    return (
        f"image {image} could not be accessed on a registry to record\n"
        f"its digest. Each node will access {image} independently,\n"
        "possibly leading to different nodes running different\n"
        "versions of the image.\n\n"
    )


def test_create_resolves_by_default_and_keeps_a_linux_image_off_windows(tmp_path):
    sim, log = _run(tmp_path, "docker service create -d --name web --replicas 4 nginx:alpine")
    assert log[0].error == "" and log[0].exit_code == 0
    assert _platforms(sim, "web") == LINUX
    assert _nodes(sim, "web") == {"m", "pi"}


def test_create_with_no_resolve_image_sets_no_platforms(tmp_path):
    sim, _ = _run(tmp_path, "docker service create -d --no-resolve-image --name web "
                            "--replicas 6 nginx:alpine")
    assert _platforms(sim, "web") == ()
    assert _nodes(sim, "web") == {"m", "win", "pi"}  # spread over all three


def test_create_shows_swarmkit_s_platform_verdict(tmp_path):
    sim, _ = _run(tmp_path, "docker service create -d --name web "
                            "--constraint node.platform.os==windows nginx:alpine")
    (task,) = sim.state.tasks_of("web")
    # swarmkit manager/scheduler/pipeline.go: a node counts at its first failing filter
    # (constraints before platform), most failures first
    assert task.node_id is None
    assert task.error == ("no suitable node (scheduling constraints not satisfied on 2 nodes; "
                          "unsupported platform on 1 node)")


def test_create_of_a_private_image_without_credentials_warns_and_sets_no_platforms(tmp_path):
    image = "registry.example.com/team/app:1"
    sim, log = _run(tmp_path, f"docker service create -d --name app {image}")
    assert log[0].exit_code == 0
    assert log[0].error == _warning(image)
    assert log[0].output == sim.state.services["app"].id + "\n"
    assert _platforms(sim, "app") == ()


def test_create_with_registry_auth_from_a_logged_in_machine_resolves(tmp_path):
    image = "registry.example.com/team/app:1"
    sim, log = _run(tmp_path, "docker login -u dev -p secret registry.example.com",
                    f"docker service create -d --with-registry-auth --name app {image}")
    assert log[1].error == ""
    assert _platforms(sim, "app") == LINUX
    # logged in, but the flag not given: the client sends no credentials
    sim, log = _run(tmp_path, "docker login -u dev -p secret registry.example.com",
                    f"docker service create -d --name app {image}")
    assert log[1].error == _warning(image) and _platforms(sim, "app") == ()


def test_create_that_the_daemon_refuses_prints_no_warning(tmp_path):
    # the warnings are printed only after ServiceCreate succeeded
    _, log = _run(tmp_path, "docker service create -d --name app registry.example.com/a:1",
                  "docker service create -d --name app registry.example.com/a:1")
    assert log[1].exit_code != 0 and "could not be accessed" not in log[1].error
    assert "already exists" in log[1].error


@pytest.mark.parametrize(
    ("update", "resolved"),
    [
        ("--image nginx:1.27", True),
        ("--image nginx:alpine", True),  # flags.Changed("image"), even to the same image
        ("--no-resolve-image --image nginx:1.27", False),
        ("--force", False),
        ("--replicas 5", False),
    ],
)
def test_update_resolves_only_when_image_is_given(tmp_path, update, resolved):
    sim, log = _run(tmp_path,
                    "docker service create -d --no-resolve-image --name web --replicas 4 "
                    "nginx:alpine",
                    f"docker service update -d {update} web")
    assert log[1].exit_code == 0 and log[1].error == ""
    assert _platforms(sim, "web") == (LINUX if resolved else ())


def test_update_to_an_image_the_registry_refuses_keeps_the_old_platforms(tmp_path):
    image = "registry.example.com/team/app:2"
    sim, log = _run(tmp_path, "docker service create -d --name web nginx:alpine",
                    f"docker service update -d --image {image} web")
    assert log[1].exit_code == 0
    assert log[1].error == _warning(image)
    assert sim.state.services["web"].spec.image == image
    assert _platforms(sim, "web") == LINUX  # from nginx:alpine's resolution at create
    sim, log = _run(tmp_path, "docker service create -d --no-resolve-image --name web "
                              "nginx:alpine",
                    f"docker service update -d --image {image} web")
    assert _platforms(sim, "web") == ()


def test_update_with_an_invalid_image_prints_only_the_daemon_s_error(tmp_path):
    _, log = _run(tmp_path, "docker service create -d --name web nginx:alpine",
                  "docker service update -d --image NGINX web")
    assert log[1].exit_code != 0
    assert "could not be accessed" not in log[1].error
    assert "is not a valid repository/tag" in log[1].error


def test_only_published_images_are_answered_for(tmp_path):
    sim, _ = _run(tmp_path)
    images = sim.images
    assert images.answers("nginx:alpine", None)
    assert not images.answers("registry.example.com/a:1", None)
    assert not images.answers("registry.example.com/a:1", "m")  # m never logged in
    images.login("m", "registry.example.com", "dev")
    assert images.answers("registry.example.com/a:1", "m")
    images.unpublished.add("friendlyhello:latest")  # built locally, never pushed
    assert not images.answers("friendlyhello:latest", "m")
