"""The get-started stack shows its real usage: never 0% while its containers run, a
down machine apart from an idle one, the figures in summary.json and utilisation.png."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from matplotlib.figure import Figure

from swarmsim.app.run import run_scenario
from swarmsim.input.scenario import load_scenario
from swarmsim.outputs.files import write_run
from swarmsim.report import RunData, plot_usage
from swarmsim.report.build import write_results

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"


@pytest.fixture(scope="module")
def crash_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("crash")
    result = run_scenario(load_scenario(SCENARIOS / "crash.yaml"))
    write_run(result, out)
    write_results(result, out)
    return out


def test_the_get_started_stack_reports_its_usage(crash_dir):
    s = json.loads((crash_dir / "summary.json").read_text())
    util = s["utilisation"]["cluster"]
    # five containers with limits 0.1 CPU / 50M and nothing declared: 0.01 cores and
    # 25 MiB (half the limit) each; 3 machines of 1 core and 1 GiB, one down 60-120 s
    assert util["cpu_used"]["peak"] == pytest.approx(5 * 0.01 / 2)  # 5 on the 2 left up
    assert util["memory_used"]["peak"] == pytest.approx(5 * 25 / 2048)
    assert util["cpu_used"]["mean"] > 0 and util["memory_used"]["mean"] > 0
    assert util["cpu_limit"]["peak"] == pytest.approx(5 * 0.1 / 2)
    assert s["resources"]["model"] == "cfs-fair-share"
    assert s["resources"]["oom_kills"] == 0


def test_utilisation_plot_breaks_a_down_machines_line(crash_dir):
    data = RunData.load(crash_dir)
    ax = plot_usage(data, ax=Figure().add_subplot(), resource="cpu")
    lines = {line.get_label(): line for line in ax.get_lines()}
    x, y = lines["myvm2"].get_xdata(), lines["myvm2"].get_ydata()
    down = [v for t, v in zip(x, y, strict=True) if 60 <= t < 120]
    assert down and all(math.isnan(v) for v in down)  # down is not idle
    after = [v for t, v in zip(x, y, strict=True) if t >= 120]
    assert after and after[0] == 0.0  # back up, idle (nothing moves back)
    cluster = lines["cluster CPU used"].get_ydata()
    assert max(cluster) <= 100 and min(v for v in cluster[1:]) > 0
    assert any(p.get_label().startswith("a machine down") for p in ax.patches)
    ax = plot_usage(data, ax=Figure().add_subplot(), resource="memory", max_lines=2)
    assert ax.images  # past max_lines: a heatmap
