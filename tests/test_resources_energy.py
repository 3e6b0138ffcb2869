"""Energy by the linear power model: a machine draws idle + (max - idle) x CPU share
while it is up, nothing while it is down (hand-computed against the run's own times)."""

from __future__ import annotations

import pytest

from swarmsim.app.run import run_scenario
from swarmsim.experiments.builtin_measures import energy
from swarmsim.experiments.measures import RunView
from swarmsim.foundation.errors import InputError
from swarmsim.input.power import node_power
from swarmsim.input.scenario import load_scenario
from swarmsim.metrics import collect


def test_power_is_linear_in_the_cpu_share():
    assert node_power(100, 250, 0, 4) == 100
    assert node_power(100, 250, 2, 4) == 175
    assert node_power(100, 250, 4, 4) == 250


def test_energy_per_node_and_run(tmp_path):
    (tmp_path / "app.yml").write_text("""version: "3.8"
services:
  burn:
    image: example/burn:1
    deploy: {placement: {constraints: [node.hostname == w1]}}
    x-swarmsim: {usage: {cpu: 1}}
""", encoding="utf-8")
    (tmp_path / "s.yaml").write_text("""name: e
until: 1h
nodes:
  - {name: m1, role: manager, power: {idle: 80W, max: 200W}}
  - {name: w1, cpus: 2, power: {idle: 50, max: 150}}
stacks: {app: app.yml}
timeline:
  - {at: 30m, fail: w1}
  - {at: 40m, recover: w1}
""", encoding="utf-8")
    res = run_scenario(load_scenario(tmp_path / "s.yaml"))
    m = collect(res)
    rows = sorted((r for r in m.tasks if r.service == "app_burn"), key=lambda r: r.created)
    first, second = rows[0], rows[-1]
    # w1: 50 W idle; 100 W while its container burns one of its two cores; off 30-40 min
    busy = (1800 - first.container_start) + (3600 - second.container_start)
    w1 = (50 * (3600 - 600) + 50 * busy) / 3600
    assert m.summary["energy"]["nodes"]["w1"] == pytest.approx(w1)
    assert m.summary["energy"]["nodes"]["m1"] == pytest.approx(80.0)  # idle for an hour
    assert m.summary["energy"]["total_wh"] == pytest.approx(w1 + 80.0)
    assert energy(RunView(res))["energy_wh"] == pytest.approx(w1 + 80.0)


@pytest.mark.parametrize(("power", "message"), [
    ("{idle: 100W, max: 50W}", "nodes.0.power.max must not be less than idle"),
    ("{idle: lots}", "nodes.0.power.idle must be a number of watts"),
    ("{peak: 1}", "nodes.0.power Additional property peak is not allowed"),
    ("200", "nodes.0.power must be a mapping"),
])
def test_power_mistakes(tmp_path, power, message):
    (tmp_path / "s.yaml").write_text(f"name: e\nnodes:\n  - {{name: m1, role: manager, "
                                     f"power: {power}}}\n", encoding="utf-8")
    with pytest.raises(InputError, match=message):
        load_scenario(tmp_path / "s.yaml")
