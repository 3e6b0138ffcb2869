"""Comparisons done right: paired differences against the baseline policy at the same
grid point (hand-computed), columns named for what they hold, compare and sweep on the
same replication seeds, and policies shown by their ``name``."""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import pytest

from swarmsim.experiments import compare, format_table, summarize, sweep
from swarmsim.experiments.compare import metric_columns, policy_labels

ROOT = Path(__file__).resolve().parents[1]
COMPARE = ROOT / "scenarios" / "policy-compare.yaml"


def _records() -> list[dict[str, object]]:
    # two grid points x two policies x three replications; x = point value, made up
    values = {
        ("a", "spread"): [1.0, 2.0, 3.0],
        ("a", "binpack"): [1.5, 2.5, 4.0],  # diffs 0.5, 0.5, 1.0
        ("b", "spread"): [10.0, 20.0, 30.0],
        ("b", "binpack"): [10.0, 21.0, 29.0],  # diffs 0, 1, -1
    }
    return [
        {"scenario": "s", "k": point, "policy": policy, "replication": i, "seed": 7 + i,
         "x": v}
        for (point, policy), vs in values.items()
        for i, v in enumerate(vs)
    ]


def test_paired_difference_is_taken_at_the_same_grid_point():
    rows = {(r.point, r.policy): r for r in summarize(_records(), point=["k"])}
    a, b = rows["k=a", "binpack"], rows["k=b", "binpack"]
    assert a.baseline == b.baseline == "spread"
    assert a.diff_mean == pytest.approx(2 / 3)  # (0.5 + 0.5 + 1) / 3
    assert b.diff_mean == pytest.approx(0.0)  # (0 + 1 - 1) / 3
    # not against the first grid point's spread (that would read (10+21+29)/3 - 2 = 18)
    assert math.isnan(rows["k=b", "spread"].diff_mean)
    assert rows["k=b", "spread"].mean == 20.0


def test_another_baseline_can_be_named():
    rows = {(r.point, r.policy): r
            for r in summarize(_records(), point=["k"], baseline="binpack")}
    assert rows["k=a", "spread"].diff_mean == pytest.approx(-2 / 3)
    with pytest.raises(ValueError, match="baseline"):
        summarize(_records(), point=["k"], baseline="random")


def test_columns_say_what_they_hold():
    text = format_table(summarize(_records(), point=["k"]))
    head = text.splitlines()[1].split()
    assert head[:4] == ["GRID", "POINT", "POLICY", "N"]
    assert "MINUS spread (PAIRED, 95% CI)" in text.splitlines()[1]
    assert "k=b" in text
    plain = format_table(summarize([r for r in _records() if r["k"] == "a"]))
    assert "GRID POINT" not in plain and plain.splitlines()[1].split()[0] == "POLICY"
    assert metric_columns(_records(), ["k"]) == ["x"]


def test_compare_and_sweep_replications_coincide(tmp_path):
    """A grid point that leaves the scenario as it is repeats compare's runs: same
    seeds from the same root (the scenario's seed), same numbers."""
    text = COMPARE.read_text(encoding="utf-8")
    assert "\nseed: 0\n" in text
    scenario = tmp_path / "seeded.yaml"  # a root other than 0, the sweep file's old default
    scenario.write_text(text.replace("\nseed: 0\n", "\nseed: 3\n").replace(
        "compose/", f"{COMPARE.parent}/compose/"), encoding="utf-8")
    spec = tmp_path / "s.yml"
    spec.write_text(f"scenario: {scenario}\npolicies: [spread, binpack]\nseeds: 2\n"
                    "until: 30s\ngrid:\n  nodes.0.cpus: [2]\n")
    swept = sweep(spec, workers=1)
    compared = compare(scenario, ["spread", "binpack"], seeds=2, until=30.0, workers=1)
    assert [r["seed"] for r in swept] == [r["seed"] for r in compared]
    for s, c in zip(swept, compared, strict=True):
        assert {k: v for k, v in s.items() if k != "nodes.0.cpus"} == c


def test_a_policy_is_shown_by_its_name(tmp_path):
    (tmp_path / "pols.py").write_text(
        "class Named:\n    name = 'fewest'\n    def rank(self, nodes, task, rng):\n"
        "        return sorted(nodes, key=lambda n: (n.tasks, n.id))\n"
        "class Unnamed:\n    def rank(self, nodes, task, rng):\n        return nodes\n"
        "def by_id(nodes, task, rng):\n    return nodes\n"
        "class Clash:\n    name = 'binpack'\n    def rank(self, nodes, task, rng):\n"
        "        return nodes\n"
    )
    f = tmp_path / "pols.py"
    assert policy_labels(["spread", "binpack", f"{f}:Named", f"{f}:Unnamed", f"{f}:by_id"]) \
        == ["spread", "binpack", "fewest", "Unnamed", "by_id"]
    with pytest.raises(ValueError, match="both named 'binpack'"):
        policy_labels(["binpack", f"{f}:Clash"])
    records = compare(COMPARE, ["spread", f"{f}:Named"], seeds=1, until=20.0, workers=1)
    assert [r["policy"] for r in records] == ["spread", "fewest"]
    text = format_table(summarize(records))
    assert "fewest" in text and "pols.py" not in text


def test_documented_policy_command_line_works_with_the_console_script(tmp_path):
    """The custom-policy example's command line, run by the installed ``swarmsim``
    script from the repository root (no repository directory on ``sys.path``)."""
    script = Path(sys.executable).with_name("swarmsim")
    if not script.exists():
        pytest.skip("the swarmsim console script is not installed")
    doc = (ROOT / "examples" / "my_policy.py").read_text(encoding="utf-8")
    ref = doc.split("--policy ", 1)[1].split("``", 1)[0]
    assert ref == "examples/my_policy.py:LeastLoaded"
    done = subprocess.run(
        [str(script), "compare", "examples/custom-policy.yaml", "--policy", "spread",
         "--policy", ref, "--seeds", "1", "--until", "10s", "--workers", "1"],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert "least-loaded" in done.stdout and "my_policy.py" not in done.stdout
