"""Fuzzing the input paths: scenario files, compose files, timelines and traces.

Each example starts from a valid scenario directory (a scenario, its compose file and a
trace), mutates it (a value replaced by a hostile one, a key dropped or invented, deep
nesting, a stray byte, a byte-order mark, a truncation) and runs ``swarmsim plan`` or
``swarmsim run`` on it in-process. The property: the command returns 0, or 2 with
exactly one line on stderr; nothing escapes as a traceback; each example finishes within
a time budget and the process within a memory budget.

The normal suite runs a few dozen derandomized examples per input kind; run a bigger
campaign with ``HYPOTHESIS_PROFILE=fuzz python -m pytest tests/test_input_fuzz.py``.
"""

from __future__ import annotations

import copy
import os
import resource
import tempfile
import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from swarmsim.cli import main

FUZZ = os.environ.get("HYPOTHESIS_PROFILE") == "fuzz"
EXAMPLES = 1500 if FUZZ else 25
SECONDS_PER_EXAMPLE = 20.0
MAX_RSS_KB = 2_500_000  # the whole test process, after every example

# limits lowered so that a valid but large input still runs within the time budget; the
# defaults' worst cases are the regression tests of test_input_limits.py
LIMITS = {"SWARMSIM_MAX_NODES": "50", "SWARMSIM_MAX_REPLICAS": "300",
          "SWARMSIM_MAX_TASKS": "600", "SWARMSIM_MAX_REQUESTS": "20000"}

SCENARIO: dict[str, Any] = {
    "name": "fz", "seed": 1, "until": "20s",
    "nodes": [{"name": "m1", "role": "manager", "cpus": 2, "memory": "1G"},
              {"name": "w{i}", "count": 2, "labels": {"zone": "a"}, "bandwidth": "50M"}],
    "stacks": {"st": "c.yml"},
    "timeline": [{"at": "2s", "run": "docker service scale st_web=3"},
                 {"at": "3s", "fail": "w1"}, {"at": "5s", "recover": "w1"},
                 {"at": "6s", "kill": "st_web.1", "exit_code": 3},
                 {"at": "7s", "run": "docker node update --availability drain w2"}],
    "workload": [{"name": "w", "port": 8080, "rate": 5, "stop": "15s"}],
    "traces": ["t.csv"],
}
COMPOSE: dict[str, Any] = {
    "version": "3.8",
    "services": {"web": {
        "image": "nginx:1", "ports": ["8080:80"], "environment": {"A": "${A:-1}"},
        "deploy": {"replicas": 2, "resources": {"limits": {"cpus": "0.5", "memory": "64M"},
                                                "reservations": {"cpus": "0.1"}},
                   "restart_policy": {"condition": "on-failure"},
                   "placement": {"constraints": ["node.labels.zone == a"]}},
        "x-swarmsim": {"cpu_used": "0.2", "image_size": "10M", "mtbf": "30s"}}},
    "networks": {"default": {}},
}
TRACE = "time,service,replicas,cpu,memory,duration\n0,a,1,0.1,16M,5s\n4s,b,2,,32M,\n"

HOSTILE = [
    "1e999999999", "1e1000000", ".inf", "-.inf", ".nan", "1e308", "-1", "0", "-5s", "0s",
    "9" * 400, "9" * 5000, "1000000000", "18446744073709551616", "${X}", "${X:?boom}",
    "${R:-1000000000}", "", "~", "[", "{", "&a", "*a", "!!binary AAAA", "!!int x", "\u00e9",
    "\t", "1/0", "0x" + "f" * 40, "/dev/zero", "..", "a" * 300, "1ns", "1000000h",
    "docker service scale st_web=1000000000", "docker stack deploy -c /dev/zero st",
    "docker service update --replicas 99999999 st_web", "docker node rm m1",
]
VOCAB = ["name", "count", "cpus", "memory", "replicas", "image", "deploy", "rate", "until",
         "at", "run", "fail", "x-swarmsim", "<<", "mode", "file", "kind", "arrivals", "x-a"]

scalars = st.one_of(
    st.sampled_from(HOSTILE),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.booleans(),
    st.none(),
)


def _paths(node: Any, at: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [at]
    if isinstance(node, dict):
        for k, v in node.items():
            out += _paths(v, (*at, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += _paths(v, (*at, i))
    return out


def _mutate(data: Any, draw: Any) -> Any:
    """Apply one to three structural mutations to a copy of ``data``."""
    data = copy.deepcopy(data)
    for _ in range(draw(st.integers(1, 3))):
        paths = [p for p in _paths(data) if p]
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent = data
        for k in path[:-1]:
            parent = parent[k]
        op = draw(st.sampled_from(["replace", "replace", "drop", "add", "nest", "list"]))
        last = path[-1]
        if op == "replace":
            parent[last] = draw(scalars)
        elif op == "drop":
            del parent[last]
        elif op == "add" and isinstance(parent, dict):
            parent[draw(st.sampled_from(VOCAB) | st.text(max_size=6))] = draw(scalars)
        elif op == "nest":
            value = parent[last]
            for _ in range(draw(st.integers(1, 150))):
                value = [value]
            parent[last] = value
        elif op == "list":
            parent[last] = [parent[last]] * draw(st.integers(0, 3))
    return data


def _text(data: Any, draw: Any) -> bytes:
    """Dump ``data`` as YAML, then maybe damage the bytes."""
    try:
        text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    except yaml.YAMLError:
        text = str(data)
    raw = text.encode("utf-8")
    op = draw(st.sampled_from(["none", "none", "byte", "bom16", "cut", "dupline", "plain"]))
    if op == "byte" and raw:
        at = draw(st.integers(0, len(raw)))
        raw = raw[:at] + bytes([draw(st.integers(0, 255))]) + raw[at:]
    elif op == "bom16":
        raw = b"\xff\xfe" + text.encode("utf-16-le") + draw(st.sampled_from([b"", b"a"]))
    elif op == "cut" and raw:
        raw = raw[: draw(st.integers(0, len(raw)))]
    elif op == "dupline":
        lines = raw.splitlines(keepends=True)
        if lines:
            i = draw(st.integers(0, len(lines) - 1))
            raw = b"".join([*lines[: i + 1], lines[i], *lines[i + 1 :]])
    elif op == "plain":
        raw = draw(st.sampled_from(HOSTILE)).encode("utf-8") + b"\n" + raw
    return raw


def _check(command: str, files: dict[str, bytes], capsys: pytest.CaptureFixture[str],
           *extra: str) -> int:
    with tempfile.TemporaryDirectory() as tmp, pytest.MonkeyPatch.context() as mp:
        for name, value in LIMITS.items():
            mp.setenv(name, value)
        mp.chdir(tmp)
        for name, body in files.items():
            Path(tmp, name).write_bytes(body)
        start = time.perf_counter()
        status = main([command, "s.yaml", *extra])
        took = time.perf_counter() - start
        _, err = capsys.readouterr()
    lines = err.splitlines()
    assert status in (0, 2), (status, err)
    if status == 2:
        assert len(lines) == 1, err
        assert "Traceback" not in err
    assert took < SECONDS_PER_EXAMPLE, took
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss < MAX_RSS_KB
    return status


def _files(scenario: bytes | None = None, compose: bytes | None = None,
           trace: bytes | None = None) -> dict[str, bytes]:
    return {
        "s.yaml": scenario if scenario is not None else yaml.safe_dump(SCENARIO).encode(),
        "c.yml": compose if compose is not None else yaml.safe_dump(COMPOSE).encode(),
        "t.csv": trace if trace is not None else TRACE.encode(),
    }


FUZZ_SETTINGS = settings(max_examples=EXAMPLES, deadline=None,
                         suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                HealthCheck.too_slow])


def test_the_seed_inputs_are_valid(capsys):
    assert _check("plan", _files(), capsys) == 0
    assert _check("run", _files(), capsys, "--until", "20s") == 0


@FUZZ_SETTINGS
@given(st.data())
def test_fuzz_scenario_files(capsys, data):
    scenario = _text(_mutate(SCENARIO, data.draw), data.draw)
    _check("plan", _files(scenario=scenario), capsys)


@FUZZ_SETTINGS
@given(st.data())
def test_fuzz_compose_files(capsys, data):
    compose = _text(_mutate(COMPOSE, data.draw), data.draw)
    _check("plan", _files(compose=compose), capsys)


@FUZZ_SETTINGS
@given(st.data())
def test_fuzz_timelines_and_traces_through_run(capsys, data):
    scenario = copy.deepcopy(SCENARIO)
    scenario["timeline"] = _mutate(scenario["timeline"], data.draw)
    rows = TRACE.splitlines()
    cells = rows[1].split(",")
    cells[data.draw(st.integers(0, len(cells) - 1))] = str(data.draw(scalars))
    trace = "\n".join([rows[0], ",".join(cells), *rows[2:]]) + "\n"
    _check("run", _files(scenario=_text(scenario, data.draw), trace=trace.encode()), capsys,
           "--until", "20s")
