"""Fuzzing the command line: whatever the arguments, ``swarmsim`` succeeds or exits
with status 2 and one line on stderr; never a traceback, and within a time budget.

A bounded number of argument vectors runs in the normal suite; set
``SWARMSIM_FUZZ_EXAMPLES`` (e.g. 2000) for a longer search.
"""

import os
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from swarmsim.cli import main

ROOT = Path(__file__).resolve().parents[1]
SMALL = ROOT / "scenarios" / "tutorial-part3.yaml"  # one machine, two simulated minutes
EXAMPLES = int(os.environ.get("SWARMSIM_FUZZ_EXAMPLES", "40"))
BUDGET_S = 60.0  # per command line, on a shared machine

try:
    import dask.distributed  # noqa: F401
    HAVE_DASK = True
except ImportError:
    HAVE_DASK = False


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """Files the arguments may name, and a working directory for relative ones."""
    d = tmp_path_factory.mktemp("fuzz")
    (d / "garbage.yaml").write_bytes(bytes(range(256)) * 4)
    (d / "empty.yaml").write_text("")
    (d / "list.yaml").write_text("- 1\n- 2\n")
    (d / "dir").mkdir()
    (d / "afile").write_text("x\n")
    (d / "pol.py").write_text("def rank(nodes, task, rng):\n    return 42\n")
    run_dir = d / "run"
    assert main(["run", str(SMALL), "--out", str(run_dir)]) == 0
    cwd = os.getcwd()
    os.chdir(d)  # relative paths the fuzzer invents land here, not in the repository
    yield d
    os.chdir(cwd)


JUNK = st.text(max_size=12)
SMALL_INT = st.integers(-3, 3).map(str)


def paths(d: Path) -> st.SearchStrategy[str]:
    named = [str(SMALL), str(d / "garbage.yaml"), str(d / "empty.yaml"),
             str(d / "list.yaml"), str(d / "dir"), str(d / "missing.yaml"), str(d / "run"),
             str(d / "afile"), "", "-"]
    return st.one_of(st.sampled_from(named), JUNK)


def option_values(d: Path) -> dict[str, st.SearchStrategy[str] | None]:
    durations = st.sampled_from(["1s", "30s", "90s", "0s", "-5s", "1h1", "5", "1e400s",
                                 "9223372036s", "1.5m"])
    outs = st.sampled_from(["", str(d / "afile"), str(d / "afile" / "x"), "/proc/x",
                            str(d / "run"), str(d / "dir")]) | st.builds(
        lambda n: str(d / f"out{n}"), st.integers(0, 10**9))
    policies = st.sampled_from(["spread", "binpack", "random", "least-allocated",
                                "os:system", "nope", f"{d / 'pol.py'}:rank",
                                f"{d / 'pol.py'}:missing", "x.py:Y", "a:b:c", ""])
    values: dict[str, st.SearchStrategy[str] | None] = {
        "--seed": st.one_of(SMALL_INT, JUNK, st.just(str(2**64)), st.just("1" * 5000)),
        "--seeds": st.one_of(st.integers(-1, 2).map(str), JUNK, st.just("10001")),
        "--workers": st.one_of(st.integers(-1, 2).map(str), JUNK, st.just("100000")),
        "--until": st.one_of(durations, JUNK),
        "--at": st.one_of(durations, JUNK),
        "--out": st.one_of(outs, JUNK.map(lambda s: str(d / "j" / s.replace("\0", "")))),
        "--policy": st.one_of(policies, JUNK),
        "--speed": st.one_of(st.sampled_from(["0", "-1", "nan", "inf", "1e308"]), JUNK),
        "--rebalance": st.one_of(st.sampled_from(["off", "on-join"]), JUNK),
        "--json": None, "--force": None, "--no-trunc": None, "--help": None,
    }
    if not HAVE_DASK:
        values["--dask"] = st.sampled_from(["127.0.0.1:1", "", "tcp://x"])
    return values


@st.composite
def argvs(draw, d: Path) -> list[str]:
    command = draw(st.sampled_from(["plan", "run", "report", "compare", "sweep",
                                    "explain", "bogus", ""]))
    argv = [command] if command else []
    if draw(st.booleans()):
        argv.append(draw(paths(d)))
    values = option_values(d)
    for flag in draw(st.lists(st.sampled_from(sorted(values)), max_size=4)):
        argv.append(flag)
        if values[flag] is not None:
            argv.append(draw(values[flag]))
    if draw(st.integers(0, 9)) == 0:
        argv.append(draw(JUNK))
    return argv


@settings(max_examples=EXAMPLES, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_any_command_line_succeeds_or_is_one_line_and_exit_2(world, capsys, data):
    argv = data.draw(argvs(world))
    start = time.monotonic()
    code = main(argv)
    elapsed = time.monotonic() - start
    err = capsys.readouterr().err
    assert "Traceback" not in err, (argv, err)
    assert elapsed < BUDGET_S, (argv, elapsed)
    if code == 2:
        lines = err.splitlines()
        assert len(lines) == 1 and lines[0].strip(), (argv, err)
    else:
        assert code in (0, 1), (argv, code, err)  # explain: 1 when a task is unknown


def test_examples_the_fuzzer_found(world, capsys):
    # each of these once ended in a traceback or a wrong exit status
    for argv in (["plan", "x\0y"], ["plan", "\r"], ["run", "a\u2028b\nc"],
                 ["run", str(SMALL), "--out", "a\0b"], ["report", "x\0y"],
                 ["compare", str(SMALL), "--policy", "a\0:b"]):
        assert main(argv) == 2, argv
        lines = capsys.readouterr().err.splitlines()
        assert len(lines) == 1, (argv, lines)
