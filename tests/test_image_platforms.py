"""Image platforms: what the client copies from a manifest into Placement.Platforms, and
``docker stack deploy --resolve-image always|changed|never``."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from swarmsim.app.plan import plan
from swarmsim.app.run import run_scenario
from swarmsim.cli import main
from swarmsim.input.scenario import load_scenario
from swarmsim.input.specs import Platform
from swarmsim.simulation.images import manifest_platforms, query_registry

NODES = (
    "  - {name: m, role: manager}\n"
    "  - {name: win, platform: {os: windows, arch: x86_64}}\n"
    "  - {name: pi, platform: {os: linux, arch: aarch64}}\n"
)


def test_manifest_platforms_follow_the_client():
    # moby client/service_create.go, imageDigestAndPlatforms: unknown entries skipped,
    # arm's architecture cleared (swarmkit#2294), variants dropped, duplicates skipped
    entries = ("linux/amd64", "unknown/unknown", "linux/arm/v6", "linux/arm/v7",
               "linux/arm64/v8", "windows/amd64", "linux/amd64")
    assert manifest_platforms(entries) == (
        Platform("linux", "amd64"), Platform("linux", ""), Platform("linux", "arm64"),
        Platform("windows", "amd64"),
    )


@pytest.mark.parametrize(
    ("resolve", "image", "old_label", "query"),
    [
        # docker/cli cli/command/stack/deploy_composefile.go, deployServices
        ("always", "nginx", None, True),
        ("always", "nginx", "nginx", True),
        ("changed", "nginx", None, True),  # a new service is created with QueryRegistry
        ("changed", "nginx:2", "nginx:1", True),
        ("changed", "nginx", "nginx", False),
        ("never", "nginx", None, False),
        ("never", "nginx:2", "nginx:1", False),
    ],
)
def test_when_the_registry_is_queried(resolve, image, old_label, query):
    assert query_registry(resolve, image, old_label) is query


def _scenario(tmp: Path, sim: str = "", timeline: str = "", extra: str = "") -> Path:
    (tmp / "c.yml").write_text(
        'version: "3.8"\nservices:\n  web:\n    image: nginx:alpine\n'
        f"    deploy:\n      replicas: 4\n{sim}"
    )
    (tmp / "c2.yml").write_text(
        'version: "3.8"\nservices:\n  web:\n    image: nginx:1.27\n'
        f"    deploy:\n      replicas: 4\n{sim}"
    )
    stacks = "stacks:\n  app: c.yml\n" if not timeline else ""
    (tmp / "s.yaml").write_text(
        f"until: 60s\nnodes:\n{NODES}{extra}{stacks}"
        + (f"timeline:\n{textwrap.dedent(timeline)}" if timeline else "")
    )
    return tmp / "s.yaml"


def test_a_linux_image_is_not_placed_on_a_windows_node(tmp_path, capsys):
    result = plan(load_scenario(_scenario(tmp_path)))
    (svc,) = result.services
    # the default manifest: linux/amd64, linux/arm64, linux/arm/v7 (arm -> any arch)
    assert svc.spec.placement.platforms == (
        Platform("linux", "amd64"), Platform("linux", "arm64"), Platform("linux", ""))
    assert {t.node for t in result.tasks} == {"m", "pi"}


def test_an_amd64_only_image_leaves_a_task_pending_with_swarmkit_s_words(tmp_path, capsys):
    path = _scenario(tmp_path)
    (tmp_path / "c.yml").write_text(
        'version: "3.8"\nservices:\n  web:\n    image: example/web:1\n'
        "    deploy:\n      replicas: 2\n      placement:\n"
        "        constraints: [node.role == worker]\n"
        "    x-swarmsim:\n      image_platforms: [linux/amd64]\n"
    )
    result = plan(load_scenario(path))
    # swarmkit manager/scheduler/filter.go PlatformFilter.Explain: both workers (windows,
    # arm64) fail the platform filter, the manager the constraint; pipeline.go Explain
    # lists the filters from most failures to least
    assert [t.error for t in result.tasks] == [
        "no suitable node (unsupported platform on 2 nodes; "
        "scheduling constraints not satisfied on 1 node)"
    ] * 2
    assert all(t.node is None for t in result.tasks)
    assert main(["plan", str(path), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert [t["error"] for t in doc["tasks"]] == [t.error for t in result.tasks]


def _run(tmp_path, flags: str, second: str = ""):
    steps = f'- {{at: 1s, run: "docker stack deploy {flags} -c c.yml app"}}\n'
    if second:
        steps += f'- {{at: 20s, run: "docker stack deploy {second}"}}\n'
    return run_scenario(load_scenario(_scenario(tmp_path, timeline=steps))).sim


def test_deploy_resolves_by_default(tmp_path):
    sim = _run(tmp_path, "")
    svc = sim.state.services["app_web"]
    assert Platform("linux", "amd64") in svc.spec.placement.platforms
    nodes = {sim.state.nodes[t.node_id].name for t in sim.state.tasks.values() if t.node_id}
    assert "win" not in nodes


def test_resolve_image_never_sets_no_platforms(tmp_path):
    sim = _run(tmp_path, "--resolve-image never")
    assert sim.state.services["app_web"].spec.placement.platforms == ()
    nodes = {sim.state.nodes[t.node_id].name for t in sim.state.tasks.values() if t.node_id}
    assert "win" in nodes  # nothing keeps a Linux image off the Windows node


def test_resolve_image_changed(tmp_path):
    # a new service is queried; a redeploy of the same image is not, and the spec the
    # client sends (from the compose file) then carries no platforms; a changed image is
    sim = _run(tmp_path, "--resolve-image changed", "--resolve-image changed -c c.yml app")
    assert sim.state.services["app_web"].spec.placement.platforms == ()
    sim = _run(tmp_path, "--resolve-image changed", "--resolve-image changed -c c2.yml app")
    assert Platform("linux", "amd64") in sim.state.services["app_web"].spec.placement.platforms


def test_private_registry_without_credentials_sets_no_platforms(tmp_path):
    # resolveContainerSpecImage: an unanswered DistributionInspect sets nothing
    (tmp_path / "c.yml").write_text(
        'version: "3.8"\nservices:\n  web:\n    image: registry.example.com/app:1\n'
    )
    (tmp_path / "s.yaml").write_text(
        f"until: 30s\nnodes:\n{NODES}registries:\n  registry.example.com: {{private: true}}\n"
        "stacks:\n  app: c.yml\n"
    )
    (svc,) = plan(load_scenario(tmp_path / "s.yaml")).services
    assert svc.spec.placement.platforms == ()


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("[]", "services.web.x-swarmsim.image_platforms must be a non-empty array"),
        ("linux/amd64", "services.web.x-swarmsim.image_platforms must be a non-empty array"),
        ("[linux]", "services.web.x-swarmsim.image_platforms.0 Does not match format"),
    ],
)
def test_bad_image_platforms_are_one_line(tmp_path, capsys, value, message):
    path = _scenario(tmp_path, f"    x-swarmsim:\n      image_platforms: {value}\n")
    assert main(["plan", str(path)]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1
