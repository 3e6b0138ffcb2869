"""Memory under the resource model: usage profiles, OOM kills over the limit and by the
node's OOM killer, the restart policy acting on them (docker's exit 137)."""

from __future__ import annotations

import pytest
import yaml

from swarmsim.app.run import run_scenario
from swarmsim.compose.xswarmsim import parse_sim_params
from swarmsim.foundation.errors import InputError
from swarmsim.input.scenario import load_scenario
from swarmsim.metrics import collect
from swarmsim.resources.model import background_profiles


def run(tmp_path, services: str, *, memory="1G", cpus=1, until="2m", nodes=1):
    (tmp_path / "app.yml").write_text('version: "3.8"\nservices:\n' + services,
                                      encoding="utf-8")
    (tmp_path / "s.yaml").write_text(f"""name: t
seed: 3
until: {until}
nodes:
  - {{name: "n{{i}}", count: {nodes}, cpus: {cpus}, memory: {memory}, role: manager}}
stacks: {{app: app.yml}}
""", encoding="utf-8")
    return run_scenario(load_scenario(tmp_path / "s.yaml"))


def test_working_set_over_the_limit_is_oom_killed_and_restarted(tmp_path):
    # the working set steps from 40M to 80M at 30 s of running; the limit is 64M: the
    # container is killed then (exit 137) and the restart policy starts another one
    res = run(tmp_path, """
  leaky:
    image: example/leaky:1
    deploy:
      resources: {limits: {memory: 64M}}
      restart_policy: {condition: on-failure, delay: 5s}
    x-swarmsim:
      usage:
        memory: {kind: steps, steps: [{at: 0s, value: 40M}, {at: 30s, value: 80M}]}
""")
    m = collect(res)
    rows = [r for r in m.tasks if r.service == "app_leaky"]
    first = rows[0]
    assert first.exit_code == 137
    assert first.error == "task: non-zero exit (137)"
    assert first.ended_because == "oom"
    # started at 3 s (2 s pull, 1 s startup: the container exists from `starting` at 2 s)
    assert first.container_end == pytest.approx(first.container_start + 30)
    assert rows[1].restart_of == first.task_id
    assert len(rows) >= 3  # it keeps leaking: killed every ~30 s + 5 s delay + start
    kinds = [e for e in res.sim.events if getattr(e, "action", "") == "oom"]
    assert kinds and kinds[0].detail == "memory limit"
    assert m.summary["restarts"]["by_cause"].get("oom", 0) >= 2


def test_node_out_of_memory_kills_the_largest(tmp_path):
    # 512M machine: small 100M and big 300M fit (400M); at 20 s big's neighbour grows to
    # 250M (650M > 512M): the kernel's OOM killer kills the largest, big (300M)
    res = run(tmp_path, """
  big:
    image: example/big:1
    x-swarmsim: {usage: {memory: 300M}}
    deploy: {restart_policy: {condition: none}}
  grow:
    image: example/grow:1
    deploy: {restart_policy: {condition: none}}
    x-swarmsim:
      usage:
        memory: {kind: steps, steps: [{at: 0s, value: 100M}, {at: 20s, value: 250M}]}
""", memory="512M")
    m = collect(res)
    by = {r.service: r for r in m.tasks}
    assert by["app_big"].ended_because == "oom"
    assert by["app_big"].exit_code == 137
    assert by["app_grow"].ended_because == ""  # still running
    oom = [e for e in res.sim.events if getattr(e, "action", "") == "oom"]
    assert [e.detail for e in oom] == ["node memory"]
    assert oom[0].target == "app_big.1"


def test_defaults_for_a_container_with_nothing_declared(tmp_path):
    res = run(tmp_path, """
  web:
    image: example/web:1
    deploy: {resources: {limits: {cpus: "0.1", memory: 50M}}}
  db:
    image: example/db:1
    deploy: {resources: {reservations: {cpus: "0.5", memory: 200M}}}
""", until="30s")
    tasks = {t.service: t for t in res.sim.state.tasks.values()}
    cpu, mem = background_profiles(tasks["app_web"])
    assert (cpu.value, mem.value) == (0.01, 25 * 1024 * 1024)  # half the 50M limit
    cpu, mem = background_profiles(tasks["app_db"])
    # a CPU reservation only gates placement; memory is reserved for a working set
    assert (cpu.value, mem.value) == (0.01, 200 * 1024 * 1024)
    used = {s.node: s for s in res.sim.resources.samples}["n1"]
    assert used.used_cpus == pytest.approx(0.02)
    assert used.used_memory == 225 * 1024 * 1024


@pytest.mark.parametrize(("usage", "message"), [
    ("{cpu: {kind: sine}}", 'x-swarmsim.usage.cpu.kind must be one of the following'),
    ("{disk: 1}", "x-swarmsim.usage Additional property disk is not allowed"),
    ("{memory: lots}", "x-swarmsim.usage.memory"),
    ("{cpu: {kind: steps, steps: [{at: 1m, value: 1}, {at: 10s, value: 2}]}}",
     "x-swarmsim.usage.cpu.steps must be in increasing order of at"),
    ("{cpu: {kind: random_walk, start: 3, max: 2}}",
     "x-swarmsim.usage.cpu.start must lie between min and max"),
    ("{cpu: {kind: diurnal}}", "x-swarmsim.usage.cpu mean is required"),
])
def test_usage_mistakes_are_one_line_errors(usage, message):
    value = yaml.safe_load(f"{{usage: {usage}}}")
    with pytest.raises(InputError) as err:
        parse_sim_params(value, "web")
    assert f"services.web.{message}" in str(err.value)
    assert "\n" not in str(err.value)


def test_usage_profiles_parse_and_shorthands_keep_working():
    p = parse_sim_params({"usage": {"cpu": "0.3", "memory": "120M"}}, "web").usage
    assert (p.cpu.kind, p.cpu.value, p.memory.value) == ("constant", 0.3, 120 * 1024 * 1024)
    p = parse_sim_params({"usage": {"cpu": {"kind": "trace", "step": "10s",
                                            "values": [0.1, 0.4], "repeat": True}}},
                         "web").usage
    assert p.cpu.points == ((0.0, 0.1), (10.0, 0.4)) and p.cpu.period == 20.0
    old = parse_sim_params({"cpu_used": 0.25, "memory_used": "60M"}, "web")
    assert old.usage is None and old.cpu_used == 250_000_000
