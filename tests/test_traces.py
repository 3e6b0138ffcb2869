"""Workload traces: the CSV format against hand-computed rows, errors at file, line and
column, replay as service arrivals and departures, and the synthetic generator."""

from __future__ import annotations

from pathlib import Path

import pytest

from swarmsim.app.run import run_scenario
from swarmsim.cluster.tasks import TaskState
from swarmsim.foundation.errors import InputError
from swarmsim.input.scenario import load_scenario
from swarmsim.input.traces import TraceRow, generate_trace, read_trace

GIB = 1024**3


def test_rows_hand_computed():
    text = ("time,service,replicas,cpu,memory,duration,extra\n"
            "1m,web,2,0.5,256M,90,x\n"
            "30,batch,3,,,\n")
    rows = read_trace(text, "jobs")
    assert rows == [
        TraceRow(60.0, "jobs", "web", 2, 500_000_000, 256 * 1024**2, 90.0, 2),
        TraceRow(30.0, "jobs", "batch", 3, 0, 0, None, 3),
    ]
    assert rows[0].name == "jobs_web"


@pytest.mark.parametrize(("row", "column", "message"), [
    ("0,web,two,1,1G,", "replicas", "invalid replica count 'two'"),
    ("0,web,1,abc,1G,", "cpu", "failed to parse abc as a rational number"),
    ("soon,web,1,1,1G,", "time", "invalid duration 'soon'"),
    ("0,web,1,1,1G,-5", "duration", "must not be negative"),
])
def test_errors_name_file_line_and_column(row, column, message):
    text = "time,service,replicas,cpu,memory,duration\n0,ok,1,,,\n" + row + "\n"
    with pytest.raises(InputError) as info:
        read_trace(text, "t", "t.csv", 2)
    err = info.value
    assert (err.file, err.line, err.keys) == ("t.csv", 3, ("traces", 2, column))
    assert message in err.message


def test_missing_column_and_duplicate_service():
    with pytest.raises(InputError, match="missing column"):
        read_trace("time,service,replicas,cpu,memory\n", "t")
    with pytest.raises(InputError, match="duplicate service 'a'"):
        read_trace("time,service,replicas,cpu,memory,duration\n0,a,1,,,\n1,a,1,,,\n", "t")


def _scenario(tmp_path: Path, trace: str, extra: str = "") -> Path:
    (tmp_path / "jobs.csv").write_text(trace)
    path = tmp_path / "s.yaml"
    path.write_text(
        "until: 1m\nnodes:\n  - {name: m1, role: manager, cpus: 2, memory: 4G}\n"
        f"traces: [jobs.csv]\n{extra}"
    )
    return path


def test_scenario_key_errors_carry_the_scenario_line(tmp_path):
    path = _scenario(tmp_path, "")
    path.write_text("nodes:\n  - {name: m1, role: manager}\ntraces: [nope.csv]\n")
    with pytest.raises(InputError) as info:
        load_scenario(path)
    assert info.value.line == 3 and info.value.keys == ("traces", 0)
    assert "open nope.csv: no such file or directory" in info.value.message


def _running(result, service):
    state = result.sim.state
    return sorted(
        t.slot for t in state.tasks.values()
        if t.service == service and t.state == TaskState.RUNNING
        and t.desired == TaskState.RUNNING
    )


def test_replay_arrivals_departures_and_reservations(tmp_path):
    # one 2-CPU node: `a` (2 x 1 CPU) fills it from t=0 to its departure at 30 s; `b`
    # (2 x 1 CPU) arrives at 10 s and stays pending until `a` is removed
    path = _scenario(tmp_path, "time,service,replicas,cpu,memory,duration\n"
                               "0s,a,2,1,1G,30s\n10s,b,2,1,1G,\n")
    scenario = load_scenario(path)
    at5 = run_scenario(scenario, until=5)
    assert sorted(at5.sim.state.services) == ["jobs_a"]
    assert _running(at5, "jobs_a") == [1, 2]
    at20 = run_scenario(scenario, until=20)
    assert _running(at20, "jobs_b") == []
    pending = [t for t in at20.sim.state.tasks_of("jobs_b") if t.state == TaskState.PENDING]
    assert len(pending) == 2
    at50 = run_scenario(scenario, until=50)
    assert sorted(at50.sim.state.services) == ["jobs_b"]
    assert _running(at50, "jobs_b") == [1, 2]
    spec = at50.sim.state.services["jobs_b"].spec
    assert spec.resources.reservations.nano_cpus == 1_000_000_000
    assert spec.resources.reservations.memory_bytes == GIB


def test_generator_is_seeded_and_reads_back():
    text = generate_trace(20, seed=3, rate=0.5, max_replicas=3)
    assert text == generate_trace(20, seed=3, rate=0.5, max_replicas=3)
    assert text != generate_trace(20, seed=4, rate=0.5, max_replicas=3)
    rows = read_trace(text, "syn")
    assert [r.service for r in rows] == [f"svc{i}" for i in range(1, 21)]
    assert all(1 <= r.replicas <= 3 for r in rows)
    times = [r.time for r in rows]
    assert times == sorted(times) and times[0] > 0
    assert {r.nano_cpus for r in rows} <= {250_000_000, 500_000_000, 1_000_000_000}
