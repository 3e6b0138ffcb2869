"""Differential check over the compose corpus (``tests/data/compose-cases.json``):
for every file the docker CLI accepts, the real CLI's ``docker stack deploy`` through
the API posts the services swarmsim's own loader makes of the same file."""

from __future__ import annotations

import json
import os
import re
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest
import yaml
from api_helpers import DATA, DOCKER, served

from swarmsim.input.scenario import load_scenario
from swarmsim.manager.controlapi import tagged_image
from swarmsim.shell import Session

CASES_PATH = Path(__file__).resolve().parent / "data" / "compose-cases.json"
_DATA = json.loads(CASES_PATH.read_text(encoding="utf-8"))
# replicas_huge asks for 2**63 replicas: swarmsim refuses it on both paths (its own limit)
ACCEPTED = sorted(k for k, v in _DATA.items()
                  if not k.startswith("_") and v["error"] is None and k != "replicas_huge")
ENV = {"EMPTY_VAR": "", "HOME": "/root"}  # the corpus' environment (its "_about")


def _normal(spec):
    """A spec without what only a registry decides (the digest the CLI pins and the
    platforms /distribution reported: swarmsim's own deploy has no registry content),
    and with a healthcheck test of ["NONE"] read as the API has it: disabled."""
    hc = spec.healthcheck
    if hc is not None and hc.test[:1] == ("NONE",):
        hc = replace(hc, disabled=True)
    return replace(spec, image=tagged_image(spec.image.split("@")[0]),
                   placement=replace(spec.placement, platforms=()), healthcheck=hc)


@pytest.fixture(scope="module")
def server():
    with served("three.yaml", speed=20) as srv:
        yield srv


def _deploy_alone(compose: str, service: str, stack: str, tmp_path: Path):
    """swarmsim's own ``docker stack deploy`` of the file with only one of its services."""
    doc = yaml.safe_load(compose)
    doc["services"] = {service: doc["services"][service]}
    alone = tmp_path / "alone.yml"
    alone.write_text(yaml.safe_dump(doc), encoding="utf-8")
    twin = Session.start(load_scenario(DATA / "three.yaml"))
    twin.sim.env_vars = dict(ENV)
    return twin.docker(f"docker stack deploy -d -c {alone} {stack}", "myvm1")


def test_corpus_has_files_docker_accepts():
    assert len(ACCEPTED) >= 30


@pytest.mark.parametrize("name", ACCEPTED)
def test_cli_deploy_equals_swarmsims_own_deploy(server, name, tmp_path):
    """Same file, same stack name: the CLI through the API and swarmsim's own
    `docker stack deploy` on a twin swarm both succeed with equal services (ports
    allocated alike), or both fail with the same message."""
    case = _DATA[name]
    stack = "s" + str(ACCEPTED.index(name))
    compose = tmp_path / "docker-compose.yml"
    compose.write_text(case["compose"], encoding="utf-8")
    twin = Session.start(load_scenario(DATA / "three.yaml"))
    twin.sim.env_vars = dict(ENV)
    mine = twin.docker(f"docker stack deploy -d -c {compose} {stack}", "myvm1")
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("DOCKER_") and k not in ("IMAGE", "REPLICAS", "UNSET_VAR")}
    env.update(ENV, DOCKER_HOST=f"tcp://127.0.0.1:{server.port}",
               DOCKER_CONFIG=str(tmp_path))
    real = subprocess.run([DOCKER, "stack", "deploy", "-d", "-c", "docker-compose.yml", stack],
                          capture_output=True, text=True, env=env, cwd=tmp_path, timeout=60,
                          check=False)
    try:
        assert real.returncode == mine.exit_code, (real.stderr, mine.error)
        if real.returncode != 0:
            theirs = real.stderr.splitlines()[-1]
            failed = re.match(rf"failed to create service {stack}_(\S+): ", theirs)
            if failed and not mine.error.splitlines()[-1].startswith(failed.group(0)):
                # the CLI creates a stack's services in Go's map order (deployServices in
                # cli/command/stack/swarm/deploy_composefile.go ranges over a map), so of
                # several invalid services any may fail first: deploy that one alone
                mine = _deploy_alone(case["compose"], failed.group(1), stack, tmp_path)
            assert theirs == mine.error.splitlines()[-1]
            return
        state = server.view.sim.state
        posted = server.call(lambda: {s.name: _normal(s.spec) for s in state.services.values()
                                      if s.spec.stack == stack})
        own = {s.name: _normal(s.spec) for s in twin.sim.state.services.values()}
        assert posted == own
    finally:
        subprocess.run([DOCKER, "stack", "rm", stack], capture_output=True, env=env,
                       timeout=60, check=False)
