"""A user's policy code that goes wrong: one line naming the policy and what it did,
exit status 2; never a traceback, never a silent exit (issue: robustness)."""

from pathlib import Path

import pytest

from swarmsim.cli import main
from swarmsim.policies.loader import check_policy_name, make_policy

ROOT = Path(__file__).resolve().parents[1]
COMPOSE = ROOT / "scenarios" / "compose" / "policy-compare.yml"


def scenario_with(tmp_path, policy: str, code: str | None) -> Path:
    if code is not None:
        (tmp_path / "pol.py").write_text(code)
    (tmp_path / "lab.yml").write_text(COMPOSE.read_text())
    path = tmp_path / "s.yaml"
    path.write_text(f"name: p\nseed: 0\nuntil: 30s\npolicy: {policy}\nnodes:\n"
                    "  - {name: m1, role: manager}\n  - {name: 'w{i}', count: 2}\n"
                    "stacks: {lab: lab.yml}\n")
    return path


def error_line(capsys) -> str:
    captured = capsys.readouterr()
    lines = captured.err.splitlines()
    assert len(lines) == 1, captured.err
    assert "Traceback" not in captured.err
    return lines[0]


# at validation: the scenario's line (4: `policy:`) and the module's own line
AT_LOAD = [
    ("raise RuntimeError('boom')\n", ("s.yaml:4", "RuntimeError: boom (pol.py:1)")),
    ("def rank(nodes task rng):\n    pass\n", ("s.yaml:4", "pol.py:1: syntax error")),
    ("import sys\nsys.exit(0)\n", ("s.yaml:4", "SystemExit(0)", "pol.py:2")),
    ("rank = 5\n", ("s.yaml:4", "neither a policy class")),
    ("def rank(nodes):\n    return nodes\n", ("s.yaml:4", "must take (nodes, task, rng)")),
    ("class rank:\n    pass\n", ("s.yaml:4", "has no rank method")),
    ("class rank:\n    def __init__(self, x):\n        pass\n"
     "    def rank(self, nodes, task, rng):\n        return nodes\n",
     ("s.yaml:4", "rank() raised TypeError")),
]


@pytest.mark.parametrize(("code", "needles"), AT_LOAD)
@pytest.mark.parametrize("command", ["plan", "run"])
def test_policy_module_broken_at_load(tmp_path, capsys, command, code, needles):
    path = scenario_with(tmp_path, "pol.py:rank", code)
    assert main([command, str(path)]) == 2
    line = error_line(capsys)
    for needle in needles:
        assert needle in line


# while ranking: only `run` places with the policy (`plan` is spread's dry run)
WHILE_RANKING = [
    ("def rank(nodes, task, rng):\n    raise KeyError('x')\n",
     "rank raised KeyError: 'x' (pol.py:2)"),
    ("def rank(nodes, task, rng):\n    return 42\n", "rank returned int 42, not a list"),
    ("def rank(nodes, task, rng):\n    return None\n", "rank returned NoneType None"),
    ("def rank(nodes, task, rng):\n    return 'm1'\n", "rank returned str 'm1'"),
    ("def rank(nodes, task, rng):\n    return ['nope']\n",
     "rank returned str 'nope', which is not one of the nodes"),
    ("def rank(nodes, task, rng):\n    return [nodes[0], nodes[0]]\n", "twice"),
    ("import sys\ndef rank(nodes, task, rng):\n    sys.exit(0)\n",
     "rank raised SystemExit(0) (sys.exit) (pol.py:3)"),
    ("def rank(nodes, task, rng):\n    yield nodes[0]\n    raise ValueError('late')\n",
     "rank raised ValueError: late (pol.py:3)"),
    ("import itertools\ndef rank(nodes, task, rng):\n    return itertools.cycle(nodes)\n",
     "rank returned node"),
]


@pytest.mark.parametrize(("code", "needle"), WHILE_RANKING)
def test_policy_rank_that_goes_wrong(tmp_path, capsys, code, needle):
    path = scenario_with(tmp_path, "pol.py:rank", code)
    out = tmp_path / "out"
    assert main(["run", str(path), "--out", str(out)]) == 2
    line = error_line(capsys)
    assert line.startswith(f"policy {tmp_path / 'pol.py'}:rank: "), line
    assert needle in line
    assert not out.exists()  # nothing half-written


def test_a_generator_and_a_subset_are_fine(tmp_path, capsys):
    code = ("def rank(nodes, task, rng):\n"
            "    yield from sorted(nodes, key=lambda n: n.hostname, reverse=True)[:1]\n")
    path = scenario_with(tmp_path, "pol.py:rank", code)
    assert main(["run", str(path)]) == 0
    assert "Traceback" not in capsys.readouterr().err


def test_os_system_is_refused_at_validation_before_import(tmp_path, capsys):
    assert check_policy_name("os:system") is not None
    assert check_policy_name("subprocess:run") is not None
    assert check_policy_name("os.path:join") is not None
    path = scenario_with(tmp_path, "os:system", None)
    assert main(["run", str(path)]) == 2
    line = error_line(capsys)
    assert "s.yaml:4" in line
    assert "policy must name a module of yours, not os" in line
    path = scenario_with(tmp_path, "spread", None)
    assert main(["compare", str(path), "--policy", "shutil:rmtree", "--seeds", "1"]) == 2
    assert "--policy shutil:rmtree: must name a module of yours" in error_line(capsys)


def test_a_module_that_failed_to_import_is_not_cached(tmp_path):
    pol = tmp_path / "flaky.py"
    pol.write_text("raise RuntimeError('first time')\n")
    with pytest.raises(ValueError, match="first time"):
        make_policy(f"{pol}:rank")
    pol.write_text("def rank(nodes, task, rng):\n    return nodes\n")
    assert make_policy(f"{pol}:rank") is not None


def test_compare_reports_a_policy_error_from_its_workers(tmp_path, capsys):
    path = scenario_with(tmp_path, "spread", None)
    (tmp_path / "pol.py").write_text("def rank(nodes, task, rng):\n    return 42\n")
    argv = ["compare", str(path), "--policy", f"{tmp_path / 'pol.py'}:rank", "--seeds", "2",
            "--workers", "2"]
    assert main(argv) == 2
    assert "rank returned int 42" in error_line(capsys)
