"""``docker stats --no-stream``: docker's table (cli/command/container/formatter_stats.go)
filled from the resource model, in a timeline ``run:`` and in the shell alike."""

from __future__ import annotations

import json

import pytest

from swarmsim.app.run import run_scenario
from swarmsim.commands import run_command
from swarmsim.commands.stats import bytes_size, human_size
from swarmsim.input.scenario import load_scenario


def test_go_units_sizes():
    # go-units BytesSize is "%.4g" over powers of 1024, HumanSizeWithPrecision(x, 3)
    # "%.3g" over powers of 1000
    assert bytes_size(25 * 1024 * 1024) == "25MiB"
    assert bytes_size(50 * 1024 * 1024) == "50MiB"
    assert bytes_size(1536 * 1024 * 1024) == "1.5GiB"
    assert bytes_size(1000) == "1000B"
    assert human_size(0) == "0B"
    assert human_size(1234) == "1.23kB"


@pytest.fixture
def contended(tmp_path):
    (tmp_path / "app.yml").write_text("""version: "3.8"
services:
  web:
    image: example/web:1
    deploy:
      replicas: 1
      resources: {limits: {cpus: "0.1", memory: 50M}}
  hog:
    image: example/hog:1
    deploy:
      resources: {limits: {cpus: "1.5"}}
    x-swarmsim: {usage: {cpu: 3, memory: 300M}}
  busy:
    image: example/busy:1
    x-swarmsim: {usage: {cpu: 1}}
""", encoding="utf-8")
    (tmp_path / "s.yaml").write_text("""name: st
until: 20s
nodes:
  - {name: vm1, role: manager, cpus: 2, memory: 2G}
stacks: {app: app.yml}
timeline:
  - {at: 10s, run: "docker stats --no-stream"}
""", encoding="utf-8")
    return run_scenario(load_scenario(tmp_path / "s.yaml"))


def test_stats_table_from_the_model(contended):
    out = [e for e in contended.log if getattr(e, "command", "") == "docker stats --no-stream"]
    assert out and out[0].exit_code == 0
    lines = out[0].output.splitlines()
    assert lines[0].split() == ["CONTAINER", "ID", "NAME", "CPU", "%", "MEM", "USAGE", "/",
                                "LIMIT", "MEM", "%", "NET", "I/O", "BLOCK", "I/O", "PIDS"]
    rows = {line.split()[1].split(".")[0]: line.split() for line in lines[1:]}
    # 2 cores: web wants its idle 0.01, busy 1, hog 3 capped by its 1.5 quota; max-min:
    # web 0.01, then (2 - 0.01) / 2 = 0.995 each for busy and hog
    assert rows["app_web"][2] == "1.00%"
    assert rows["app_busy"][2] == "99.50%"
    assert rows["app_hog"][2] == "99.50%"
    # web: 25MiB working set (half its 50M limit); hog has no memory limit: the machine's
    assert rows["app_web"][3:6] == ["25MiB", "/", "50MiB"] and rows["app_web"][6] == "50.00%"
    assert rows["app_hog"][3:6] == ["300MiB", "/", "2GiB"] and rows["app_hog"][6] == "14.65%"
    assert rows["app_web"][7:] == ["0B", "/", "0B", "0B", "/", "0B", "1"]
    assert len(rows["app_web"][0]) == 12


def test_stats_picks_containers_and_names_unknown_ones(contended):
    sim = contended.sim
    name = next(t for t in sim.state.tasks.values() if t.service == "app_web")
    res = run_command(sim, f"docker stats --no-stream --no-trunc {name.name}.{name.id}")
    rows = res.output.splitlines()[1:]
    assert len(rows) == 1 and len(rows[0].split()[0]) == 64
    res = run_command(sim, "docker stats --no-stream nosuch")
    assert (res.exit_code, res.error) == (1, "Error response from daemon: No such container: "
                                          "nosuch\n")
    # --format: a template per container (no header without `table`), cli/command/
    # container/formatter_stats.go's fields; `table` adds the header row
    res = run_command(sim, "docker stats --no-stream --format '{{.Name}}: {{.PIDs}}'")
    assert res.output.splitlines() and all(
        line.startswith("app_") and line.endswith(": 1") for line in res.output.splitlines())
    res = run_command(sim, "docker stats --no-stream --format 'table {{.Name}}\\t{{.PIDs}}'")
    assert res.output.splitlines()[0].split() == ["NAME", "PIDS"]
    res = run_command(sim, "docker stats --no-stream --format json")
    assert sorted(json.loads(res.output.splitlines()[0])) == [
        "BlockIO", "CPUPerc", "Container", "ID", "MemPerc", "MemUsage", "Name", "NetIO", "PIDs"]
    res = run_command(sim, "docker stats --no-stream --format '{{.Nope'")
    assert (res.exit_code, res.error) == (1, "template parsing error: template: :1: unclosed "
                                          "action\n")
