"""Small scenarios whose metrics can be worked out by hand, shared by the metrics and
report tests."""

from __future__ import annotations

from pathlib import Path

from swarmsim.app.run import RunResult, run_scenario
from swarmsim.input.scenario import load_scenario

# web: 3 replicas, one per node; pull 2 s, startup 1 s (defaults); myvm2 crashes at 60 s
CRASH_COMPOSE = """\
version: "3.8"
services:
  web:
    image: example/web:1
    deploy:
      replicas: 3
"""
CRASH_SCENARIO = """\
name: lab
until: 120s
nodes:
  - {name: myvm1, role: manager}
  - {name: myvm2}
  - {name: myvm3}
stacks:
  lab: web.yml
timeline:
  - {at: 60s, fail: myvm2}
"""

# 7 replicas reserving 1 CPU on nodes of 4, 1 and 1 CPUs: 4/1/1 placed, one pending
PACK_COMPOSE = """\
version: "3.8"
services:
  app:
    image: example/app:1
    deploy:
      replicas: 7
      resources:
        reservations:
          cpus: "1"
    x-swarmsim:
      cpu_used: 0.5
      memory_used: 100M
"""
PACK_SCENARIO = """\
name: pack
until: 100s
nodes:
  - {name: big, role: manager, cpus: 4, memory: 4G}
  - name: small{i}
    count: 2
    cpus: 1
    memory: 1G
stacks:
  pack: app.yml
"""

# oom: killed at every start; web: one task killed at 30 s, then an image update at 40 s
CAUSES_COMPOSE = """\
version: "3.8"
services:
  oom:
    image: example/oom:1
    deploy:
      resources:
        limits:
          memory: 50M
    x-swarmsim:
      memory_used: 100M
  web:
    image: example/web:1
    deploy:
      replicas: 2
"""
CAUSES_SCENARIO = """\
name: causes
until: 60s
nodes:
  - {name: n1, role: manager, cpus: 2, memory: 2G}
  - {name: n2, cpus: 2, memory: 2G}
stacks:
  causes: app.yml
timeline:
  - {at: 30s, kill: causes_web.1, exit_code: 3}
  - {at: 40s, run: "docker service update --image example/web:2 causes_web"}
"""


def make(tmp: Path, scenario: str, compose: str, compose_name: str) -> Path:
    """Write a scenario and its compose file into ``tmp``; returns the scenario path."""
    tmp.mkdir(parents=True, exist_ok=True)
    (tmp / compose_name).write_text(compose, encoding="utf-8")
    path = tmp / "scenario.yaml"
    path.write_text(scenario, encoding="utf-8")
    return path


def run(tmp: Path, scenario: str, compose: str, compose_name: str,
        until: float | None = None) -> RunResult:
    """Write and run a scenario."""
    return run_scenario(load_scenario(make(tmp, scenario, compose, compose_name)), until=until)


def crash(tmp: Path, until: float | None = None) -> RunResult:
    return run(tmp, CRASH_SCENARIO, CRASH_COMPOSE, "web.yml", until)


def pack(tmp: Path) -> RunResult:
    return run(tmp, PACK_SCENARIO, PACK_COMPOSE, "app.yml")


def causes(tmp: Path) -> RunResult:
    return run(tmp, CAUSES_SCENARIO, CAUSES_COMPOSE, "app.yml")
