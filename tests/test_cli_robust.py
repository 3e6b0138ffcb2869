"""Bad command lines and bad ``--out`` directories: one line on stderr, exit status 2,
nothing written or overwritten (issue: robustness, the command half)."""

import json
from pathlib import Path

import pytest

from swarmsim.cli import main

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"
SMALL = str(SCENARIOS / "tutorial-part3.yaml")  # one machine, 2 simulated minutes


def one_error_line(capsys, *needles):
    """The command printed exactly one line on stderr, holding every needle."""
    err = capsys.readouterr().err
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    for needle in needles:
        assert needle in lines[0], lines[0]
    return lines[0]


@pytest.mark.parametrize(("argv", "needles"), [
    (["run", SMALL, "--until", "0s"], ("--until", "positive")),
    (["run", SMALL, "--until=-5s"], ("--until", "positive")),
    (["run", SMALL, "--until", "soon"], ("--until", "invalid duration")),
    (["plan", SMALL, "--seed", "-1"], ("--seed", "from 0 to")),
    (["plan", SMALL, "--seed", "1" * 5000], ("--seed",)),
    (["run", SMALL, "--seed", str(2**64)], ("--seed",)),
    (["explain", SMALL, "--at", "0s"], ("--at", "positive")),
    (["report", "nowhere", "--at=-1s"], ("--at", "negative")),
    (["compare", SMALL, "--seeds", "-1"], ("--seeds", "from 1 to 10000")),
    # 0 replications used to exit 0 with empty tables
    (["compare", SMALL, "--seeds", "0"], ("--seeds", "from 1 to 10000")),
    (["compare", SMALL, "--seeds", "10001"], ("--seeds",)),
    (["compare", SMALL, "--workers", "0"], ("--workers", "from 1 to")),
    (["compare", SMALL, "--workers", "-1"], ("--workers", "from 1 to")),
    (["sweep", "x.yml", "--workers", "0"], ("--workers",)),
    (["run", SMALL, "--out", ""], ("--out", "empty")),
    (["compare", SMALL, "--out", ""], ("--out", "empty")),
    (["run"], ("SCENARIO",)),
    # bind() raised OverflowError with a traceback for these
    (["serve", SMALL, "--port", "70000"], ("--port", "0 to 65535")),
    (["serve", SMALL, "--visualizer", "-1"], ("--visualizer", "0 to 65535")),
    (["serve", SMALL, "--port", "abc"], ("--port", "invalid port")),
    (["frobnicate"], ("invalid choice",)),
])
def test_bad_flag_values_are_one_line_and_exit_2(capsys, argv, needles):
    assert main(argv) == 2
    one_error_line(capsys, *needles)


def test_help_still_exits_0(capsys):
    assert main(["run", "--help"]) == 0
    assert "--force" in capsys.readouterr().out


def test_compare_dask_without_dask_installed(capsys):
    pytest.importorskip("swarmsim")
    try:
        import dask.distributed  # noqa: F401
    except ImportError:
        pass
    else:  # pragma: no cover - only where the dask extra is absent
        pytest.skip("dask is installed here")
    argv = ["compare", SMALL, "--seeds", "1", "--dask", "127.0.0.1:1"]
    assert main(argv) == 2
    one_error_line(capsys, "--dask", "pip install")


# --- --out --------------------------------------------------------------------------------

def test_out_naming_a_file_or_a_path_under_a_file(tmp_path, capsys):
    a_file = tmp_path / "afile"
    a_file.write_text("mine\n")
    assert main(["run", SMALL, "--out", str(a_file)]) == 2
    one_error_line(capsys, "--out", "not a directory")
    assert main(["run", SMALL, "--out", str(a_file / "sub")]) == 2
    one_error_line(capsys, "--out", "afile is not a directory")
    assert a_file.read_text() == "mine\n"


def test_out_that_cannot_be_created(capsys):
    # /proc refuses new directories even to root, so this holds whoever runs the tests
    assert main(["run", SMALL, "--out", "/proc/swarmsim-out"]) == 2
    one_error_line(capsys, "--out /proc/swarmsim-out", "cannot write")


def test_out_refuses_a_directory_that_is_not_an_earlier_run(tmp_path, capsys):
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "thesis.tex").write_text("years of work\n")
    for extra in ([], ["--force"]):
        assert main(["run", SMALL, "--out", str(mine), *extra]) == 2
        one_error_line(capsys, "not empty and not an earlier output")
    assert sorted(p.name for p in mine.iterdir()) == ["thesis.tex"]


def test_out_replaces_an_earlier_run_only_with_force(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["run", SMALL, "--out", str(out)]) == 0
    capsys.readouterr()
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    assert {"events.jsonl", "final.json", "scenario.json", "report.html"} <= set(before)
    (out / "notes.txt").write_text("kept\n")
    assert main(["run", SMALL, "--out", str(out), "--seed", "7"]) == 2
    one_error_line(capsys, "earlier output", "--force")
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.name != "notes.txt"} == before
    assert main(["run", SMALL, "--out", str(out), "--seed", "7", "--force"]) == 0
    capsys.readouterr()
    scenario = json.loads((out / "scenario.json").read_text())
    assert scenario["seed"] == 7
    assert (out / "notes.txt").read_text() == "kept\n"
    assert not [p for p in out.iterdir() if p.name.startswith(".")]  # no staging left


def test_out_never_writes_through_a_planted_symlink(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["run", SMALL, "--out", str(out)]) == 0
    capsys.readouterr()
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    for name in ("report.html", "events.jsonl"):
        (out / name).unlink()
        (out / name).symlink_to(victim)
    assert main(["run", SMALL, "--out", str(out), "--force"]) == 0
    capsys.readouterr()
    assert victim.read_text() == "precious\n"
    for name in ("report.html", "events.jsonl"):
        assert not (out / name).is_symlink()
        assert (out / name).stat().st_size > 0
    # `report` rewrites the pages in place, also never through a link
    (out / "report.html").unlink()
    (out / "report.html").symlink_to(victim)
    assert main(["report", str(out)]) == 0
    capsys.readouterr()
    assert victim.read_text() == "precious\n"
    assert not (out / "report.html").is_symlink()


def test_run_that_fails_leaves_out_untouched(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nnodes: [{name: m, role: manager}]\nuntil: 1m\n"
                   "stacks: {lab: missing.yml}\n")
    out = tmp_path / "out"
    assert main(["run", str(bad), "--out", str(out)]) == 2
    one_error_line(capsys, "missing.yml")
    assert not out.exists()


# --- stacks: a file docker rejects ---------------------------------------------------------

def test_run_exits_2_on_an_invalid_stacks_file_as_plan_does(tmp_path, capsys):
    (tmp_path / "bad.yml").write_text(
        'version: "3"\nservices:\n  web:\n    image: nginx\n    deploy:\n'
        "      replicas: many\n")
    scenario = tmp_path / "s.yaml"
    scenario.write_text("name: s\nuntil: 30s\nnodes: [{name: m1, role: manager}]\n"
                        "stacks: {lab: bad.yml}\n")
    assert main(["plan", str(scenario)]) == 2
    plan_line = one_error_line(capsys, "bad.yml:6", "services.web.deploy.replicas")
    for extra in ([], ["--json"]):
        assert main(["run", str(scenario), *extra]) == 2
        assert one_error_line(capsys) == plan_line


def test_a_refused_timeline_command_stays_simulated_output(tmp_path, capsys):
    (tmp_path / "bad.yml").write_text(
        'version: "3"\nservices:\n  web:\n    image: nginx\n    deploy:\n'
        "      replicas: many\n")
    scenario = tmp_path / "s.yaml"
    scenario.write_text(
        "name: s\nuntil: 30s\nnodes: [{name: m1, role: manager}]\ntimeline:\n"
        '  - {at: 5s, run: "docker stack deploy -c bad.yml lab"}\n')
    assert main(["run", str(scenario)]) == 0
    out = capsys.readouterr().out
    assert "services.web.deploy.replicas must be a integer" in out


# --- report on a directory of something else ---------------------------------------------

NEEDED = ("metrics.csv", "tasks.csv", "nodes.csv", "summary.json", "events.jsonl",
          "scenario.json")


@pytest.fixture(scope="module")
def good_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("run") / "out"
    assert main(["run", SMALL, "--out", str(out)]) == 0
    return out


def _copy_run(good_run, dest):
    dest.mkdir()
    for name in NEEDED:
        (dest / name).write_bytes((good_run / name).read_bytes())
    return dest


@pytest.mark.parametrize(("name", "content", "needles"), [
    ("metrics.csv", b"\xff\xfe\x00garbage", ("metrics.csv:1", "UTF-8")),
    ("events.jsonl", b'{"time": 0, "kind": "task"}\n\x80\n', ("events.jsonl:2", "UTF-8")),
    ("events.jsonl", b'{"time": 0, "kind": "task"}\nnot json\n', ("events.jsonl:2", "JSON")),
    ("events.jsonl", b"[1, 2]\n", ("events.jsonl:1", "event record")),
    ("events.jsonl", b'{"time": NaN, "kind": "task"}\n', ("events.jsonl:1", "finite")),
    ("summary.json", b"[]", ("summary.json", "JSON object")),
    ("scenario.json", b"{" * 100_000, ("scenario.json", "JSON")),
    ("tasks.csv", b"a,b,c\n1,2,3\n", ("tasks.csv:1", "no column")),
    ("metrics.csv", b"time,entity,metric,value\nnow,x,y,z\n", ("its files are not",)),
])
def test_report_on_garbage_names_the_file(tmp_path, capsys, good_run, name, content,
                                          needles):
    d = _copy_run(good_run, tmp_path / "d")
    (d / name).write_bytes(content)
    assert main(["report", str(d)]) == 2
    one_error_line(capsys, *needles)
    assert sorted(p.name for p in d.iterdir()) == sorted(NEEDED)  # nothing written


def test_report_on_random_bytes(tmp_path, capsys):
    import random

    rng = random.Random(16)
    d = tmp_path / "junk"
    d.mkdir()
    for name in NEEDED:
        (d / name).write_bytes(bytes(rng.randrange(256) for _ in range(300)))
    assert main(["report", str(d)]) == 2
    one_error_line(capsys, str(d))


def test_compare_and_sweep_out_follow_the_same_rules(tmp_path, capsys):
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "data.csv").write_text("mine\n")
    # refused before anything runs (the sweep file need not even exist)
    assert main(["compare", SMALL, "--seeds", "1", "--out", str(mine)]) == 2
    one_error_line(capsys, "not empty and not an earlier output")
    assert main(["sweep", str(tmp_path / "none.yml"), "--out", str(mine), "--force"]) == 2
    one_error_line(capsys, "not empty and not an earlier output")
    earlier = tmp_path / "earlier"
    earlier.mkdir()
    (earlier / "sweep.csv").write_text("point,policy\n")
    assert main(["sweep", str(tmp_path / "none.yml"), "--out", str(earlier)]) == 2
    one_error_line(capsys, "earlier output", "--force")
    assert (mine / "data.csv").read_text() == "mine\n"
