"""Drawing processes: the figures they write are the bytes this process writes, every
job is drawn once, an error reaches the caller as one line, and no drawer outlives the
command (normal end, error, interrupt, the command killed)."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from swarmsim.experiments.compare import summarize
from swarmsim.experiments.drawers import DrawError, Drawers, started_drawers
from swarmsim.experiments.plots import figure_jobs, save_interval_plots
from swarmsim.experiments.sharing import cpu_ledger

ROOT = Path(__file__).resolve().parents[1]
METRICS = ("replica_availability", "availability", "reschedules")


def _records() -> list[dict[str, object]]:
    rng = random.Random(7)
    return [{"workload.0.rate": rate, "policy": policy, "replication": i, "seed": i,
             **{m: rng.random() for m in METRICS}}
            for rate in ("20", "40") for policy in ("spread", "binpack") for i in range(3)]


@pytest.fixture(autouse=True)
def forkable(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fork the drawers here even if an earlier test left a thread running (the tests'
    drawers only draw)."""
    if sys.platform != "linux":
        pytest.skip("drawers fork (Linux)")
    monkeypatch.setattr("swarmsim.experiments.drawers.fork_safe", lambda: True)


def _gone(pids: list[int], within: float = 5.0) -> bool:
    """Whether every process in ``pids`` has ended (and been reaped) within ``within``
    seconds."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        alive = []
        for pid in pids:
            try:
                stat = Path(f"/proc/{pid}/stat").read_text()
            except OSError:
                continue
            if stat.rsplit(")", 1)[1].split()[0] != "Z":
                alive.append(pid)
        if not alive:
            return True
        time.sleep(0.05)
    return False


def test_drawers_write_the_bytes_this_process_writes(tmp_path: Path) -> None:
    records = _records()
    rows = summarize(records, point=["workload.0.rate"])
    here = save_interval_plots(tmp_path, records, rows, point=["workload.0.rate"])
    (tmp_path / "drawn").mkdir()
    jobs = figure_jobs(tmp_path / "drawn", records, rows, point=["workload.0.rate"])
    before = len(cpu_ledger)
    with started_drawers(2, "png") as drawers:
        assert drawers is not None
        pids = drawers.ready()
        drawn = drawers.draw(jobs)
    assert [p.name for p in drawn] == [p.name for p in here] == [f"{m}.png" for m in
                                                                   METRICS]
    assert all(p.read_bytes() == q.read_bytes() for p, q in zip(drawn, here, strict=True))
    assert len(set(pids)) == 2 and os.getpid() not in pids
    assert _gone(pids)
    # the ledger: the drawers' start-up (loading the plotting library), then the figures
    startup, figures = cpu_ledger[before], cpu_ledger[-1]
    assert {pid for pid, _ in startup.helpers} == set(pids)
    assert {pid for pid, _ in figures.helpers} <= set(pids)
    assert sum(cpu for _, cpu in figures.helpers) > 0


def test_an_error_reaches_the_caller_as_one_line(tmp_path: Path,
                                                 capfd: pytest.CaptureFixture[str]) -> None:
    records = _records()
    rows = summarize(records)
    jobs = figure_jobs(tmp_path / "missing", records, rows)  # no such directory
    drawers = Drawers(2, "png")
    try:
        pids = drawers.ready()
        with pytest.raises(DrawError) as err:
            drawers.draw(jobs)
    finally:
        drawers.close()
    message = str(err.value)
    assert "\n" not in message and message.startswith("cannot draw ")
    assert "No such file or directory" in message
    assert capfd.readouterr().err == ""  # the drawers print nothing (no traceback)
    assert _gone(pids)


def test_an_interrupt_stops_the_drawers_at_once() -> None:
    started = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        with started_drawers(2, "png") as drawers:
            assert drawers is not None
            pids = drawers.ready()
            raise KeyboardInterrupt
    assert time.monotonic() - started < 10
    assert _gone(pids)


def test_drawers_end_when_the_command_is_killed(tmp_path: Path) -> None:
    code = ("import os, sys\n"
            "from swarmsim.experiments.drawers import Drawers\n"
            "d = Drawers(2, 'png')\n"
            "print(*d.ready(), flush=True)\n"
            "os.kill(os.getpid(), 9)\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60, cwd=ROOT)
    assert proc.returncode == -signal.SIGKILL
    pids = [int(p) for p in proc.stdout.split()]
    assert len(pids) == 2
    assert _gone(pids)


def _descendants(root: int) -> set[int]:
    """The processes under ``root`` now."""
    parents = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found, todo = set(), [root]
    while todo:
        pid = todo.pop()
        kids = {p for p, parent in parents.items() if parent == pid} - found
        found |= kids
        todo.extend(kids)
    return found


@pytest.mark.slow
def test_ctrl_c_on_the_sweep_command_leaves_no_process(tmp_path: Path) -> None:
    (tmp_path / "sweep.yml").write_text(
        f"scenario: {ROOT / 'scenarios' / 'policy-compare.yaml'}\n"
        "policies: [spread, binpack]\nseeds: 4\nuntil: 2m\n"
        "grid:\n  workload.0.rate: [20, 40]\n", encoding="utf-8")
    proc = subprocess.Popen(
        [sys.executable, "-c", "import sys; from swarmsim.cli import main; "
         "sys.exit(main(sys.argv[1:]))", "sweep", str(tmp_path / "sweep.yml"),
         "--workers", "2", "--out", str(tmp_path / "out")],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True)
    seen: set[int] = set()
    deadline = time.monotonic() + 60
    while len(seen) < 3 and time.monotonic() < deadline:  # two drawers and a helper
        seen |= _descendants(proc.pid)
        time.sleep(0.02)
    assert len(seen) >= 3
    os.killpg(proc.pid, signal.SIGINT)  # Ctrl-C reaches the terminal's process group
    proc.wait(timeout=30)
    assert _gone(sorted(seen))


def test_a_figure_that_cannot_be_drawn_ends_the_sweep_command_with_one_line(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    from swarmsim.cli import main
    from swarmsim.experiments import drawers

    def full(path: Path, data: object) -> Path:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(drawers, "render", full)  # the drawers are forked copies
    (tmp_path / "sweep.yml").write_text(
        f"scenario: {ROOT / 'scenarios' / 'policy-compare.yaml'}\n"
        "policies: [spread]\nseeds: 2\nuntil: 20s\nmeasures: [availability]\n",
        encoding="utf-8")
    code = main(["sweep", str(tmp_path / "sweep.yml"), "--workers", "2",
                 "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 1
    assert err[-1].startswith("swarmsim sweep: cannot draw ")
    assert err[-1].endswith("No space left on device")
    assert "Traceback" not in "\n".join(err)
    assert not list((tmp_path / "out").glob("*.png"))  # nothing half-written


def test_the_sweep_command_loads_no_run_output_code(tmp_path: Path) -> None:
    """``sweep`` writes its directory through ``outputs.staging`` alone: the files of a
    run's ``--out`` (``outputs.files`` and the snapshot and traffic documents it writes)
    are not loaded, since every import before the runs is on the command's critical
    path."""
    (tmp_path / "sweep.yml").write_text(
        f"scenario: {ROOT / 'scenarios' / 'policy-compare.yaml'}\n"
        "policies: [spread]\nseeds: 1\nuntil: 20s\nmeasures: [availability]\n",
        encoding="utf-8")
    code = ("import sys\nfrom swarmsim.cli import main\n"
            f"code = main(['sweep', {str(tmp_path / 'sweep.yml')!r}, '--workers', '1', "
            f"'--out', {str(tmp_path / 'out')!r}])\n"
            "print(' '.join(sorted(sys.modules)), file=sys.stderr)\nsys.exit(code)\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, cwd=ROOT)
    loaded = set(proc.stderr.split())
    assert "swarmsim.outputs.staging" in loaded
    assert (tmp_path / "out" / "sweep.csv").is_file()
    for module in ("swarmsim.outputs.files", "swarmsim.outputs.snapshot",
                   "swarmsim.workload.summary"):
        assert module not in loaded, module


def _collector_state(path: Path, data: object) -> Path:
    """A stand-in for ``render``, run in a drawer: what its collector can walk."""
    import gc

    from matplotlib.figure import Figure

    walked = any(o is Figure for o in gc.get_objects())
    Path(path).write_text(f"{gc.get_freeze_count()} {walked}", encoding="utf-8")
    return Path(path)


def test_a_drawer_keeps_the_plotting_library_out_of_its_collections(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each drawer froze the plotting library it was forked with before any collection:
    no collection walks those objects (or copies the pages the drawers share)."""
    from swarmsim.experiments import drawers

    if not drawers.fork_safe():
        pytest.skip("drawers are forked only where a process can be forked safely")
    monkeypatch.setattr(drawers, "render", _collector_state)  # the drawers are copies
    records = _records()
    rows = summarize(records, point=["workload.0.rate"])
    jobs = figure_jobs(tmp_path, records, rows, point=["workload.0.rate"])
    with started_drawers(2, "png") as started:
        assert started is not None
        drawn = started.draw(jobs)
    for path in drawn:
        frozen, walked = path.read_text(encoding="utf-8").split()
        assert int(frozen) > 10_000  # the library's objects (some 90,000)
        assert walked == "False"  # the Figure class is among them, out of reach
