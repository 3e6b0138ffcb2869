"""Hostile and careless input: one line, exit 2, in bounded time and memory.

One test per case of the robustness report: numbers that hang or overflow, sizes that
would take all the memory, files that never end, bad encodings, deep nesting and
self-referencing anchors, quadratic duplicate keys. Each error names the file, the line
and the key path; docker's words are checked against the Go source they come from.
"""

from __future__ import annotations

import resource
import time
from pathlib import Path

import pytest

from swarmsim.app.run import run_scenario
from swarmsim.cli import main
from swarmsim.compose.loader import load_stack, load_stack_text
from swarmsim.compose.yamlv3 import parse
from swarmsim.experiments.sweep import load_sweep
from swarmsim.foundation.errors import InputError
from swarmsim.foundation.inputfile import yaml_text
from swarmsim.foundation.units import parse_bytes, parse_cpus
from swarmsim.input.scenario import load_scenario

NODE = "nodes:\n  - {name: m1, role: manager}\n"
WEB = "version: '3.8'\nservices:\n  web:\n    image: nginx\n"


def cli(tmp_path: Path, capsys: pytest.CaptureFixture[str], files: dict[str, str | bytes],
        *args: str) -> tuple[int, str, list[str], float]:
    """Write ``files`` into ``tmp_path`` and run ``swarmsim ARGS`` there (file names in
    ``args`` are relative to it). Returns (status, stdout, stderr lines, seconds)."""
    for name, body in files.items():
        path = tmp_path / name
        if isinstance(body, bytes):
            path.write_bytes(body)
        else:
            path.write_text(body, encoding="utf-8")
    argv = [str(tmp_path / a) if (tmp_path / a).exists() else a for a in args]
    start = time.perf_counter()
    status = main(argv)
    took = time.perf_counter() - start
    out, err = capsys.readouterr()
    return status, out, err.splitlines(), took


def refused(tmp_path, capsys, files, *args, within: float = 5.0) -> str:
    """The one stderr line of a refused input (exit 2, nothing on stdout)."""
    status, out, err, took = cli(tmp_path, capsys, files, *args)
    assert status == 2, (out, err)
    assert len(err) == 1, err
    assert out == ""
    assert took < within
    return err[0]


def stack(deploy: str = "", extra: str = "") -> str:
    return WEB + extra + "    deploy:\n      replicas: 1\n" + deploy


def scenario_with(compose: str) -> dict[str, str]:
    return {"s.yaml": "until: 30s\n" + NODE + "stacks: {st: c.yml}\n", "c.yml": compose}


# --- numbers ------------------------------------------------------------------------------


@pytest.mark.parametrize("where", ["reservations", "limits"])
def test_cpus_with_a_huge_exponent_is_refused_at_once(tmp_path, capsys, where):
    # Go's math/big (ratconv.go) refuses a power of ten beyond 1e6, so docker's
    # opts.ParseCPUs says "failed to parse ... as a rational number"
    compose = stack(f"      resources:\n        {where}:\n          cpus: \"1e999999999\"\n")
    line = refused(tmp_path, capsys, scenario_with(compose), "plan", "s.yaml", within=3)
    assert line.endswith("c.yml:9: service web: failed to parse 1e999999999 as a rational number")


def test_cpu_used_with_a_huge_exponent_is_refused_at_once(tmp_path, capsys):
    compose = WEB + "    x-swarmsim:\n      cpu_used: \"1e999999999\"\n"
    line = refused(tmp_path, capsys, scenario_with(compose), "plan", "s.yaml", within=3)
    assert line.endswith(
        "c.yml:6: services.web.x-swarmsim.cpu_used failed to parse 1e999999999 as a "
        "rational number")


def test_cpus_parser_bounds():
    start = time.perf_counter()
    for text in ("1e1000001", "1e10000000", "-1e999999999", "0.5e-1000001"):
        with pytest.raises(ValueError, match="as a rational number"):
            parse_cpus(text)
    # within Go's exponent range but no int64 of nano-CPUs holds it (Go's Int64 wraps)
    for text in ("1e1000000", "1e20", "10000000000"):
        with pytest.raises(ValueError, match="out of range"):
            parse_cpus(text)
    assert time.perf_counter() - start < 1.0
    assert parse_cpus("1.5e3") == 1_500_000_000_000
    assert parse_cpus("5e-1") == 500_000_000


@pytest.mark.parametrize("value", [".inf", "1e308", ".nan"])
def test_compose_cpus_inf_nan_and_huge_floats(tmp_path, capsys, value):
    compose = stack(f"      resources:\n        limits:\n          cpus: {value}\n")
    line = refused(tmp_path, capsys, scenario_with(compose), "plan", "s.yaml")
    assert "c.yml:9: " in line and "services.web.deploy.resources.limits.cpus" in line


@pytest.mark.parametrize(("value", "message"), [
    (".inf", "nodes.0.cpus must be less than 9223372036"),
    ("1e308", "nodes.0.cpus must be less than 9223372036"),
    (".nan", "nodes.0.cpus must be greater than 0"),
])
def test_node_cpus_inf_nan_and_huge(tmp_path, capsys, value, message):
    scenario = f"nodes:\n  - {{name: m1, role: manager, cpus: {value}}}\n"
    line = refused(tmp_path, capsys, {"s.yaml": scenario}, "plan", "s.yaml")
    assert line.startswith(f"{tmp_path / 's.yaml'}:2: {message}")


NINES = "9" * 400
# go-units RAMInBytes returns strconv.ParseFloat's error: ErrRange for 1e400
OUT_OF_RANGE = f'strconv.ParseFloat: parsing "{NINES}": value out of range'


@pytest.mark.parametrize(("key", "quoted"), [
    ("memory", True), ("memory", False), ("bandwidth", True)])
def test_400_digit_node_sizes(tmp_path, capsys, key, quoted):
    value = f"'{NINES}'" if quoted else NINES
    scenario = f"nodes:\n  - {{name: m1, role: manager, {key}: {value}}}\n"
    line = refused(tmp_path, capsys, {"s.yaml": scenario}, "plan", "s.yaml")
    assert line == f"{tmp_path / 's.yaml'}:2: nodes.0.{key} {OUT_OF_RANGE}"


def test_400_digit_compose_sizes(tmp_path, capsys):
    compose = stack(f"      resources:\n        limits:\n          memory: \"{NINES}\"\n")
    line = refused(tmp_path, capsys, scenario_with(compose), "plan", "s.yaml")
    assert line.startswith("c.yml:9: services.web.deploy.resources.limits.memory")
    assert OUT_OF_RANGE in line
    compose = WEB + f"    x-swarmsim:\n      image_size: \"{NINES}\"\n"
    line = refused(tmp_path, capsys, scenario_with(compose), "plan", "s.yaml")
    assert line == f"c.yml:6: services.web.x-swarmsim.image_size {OUT_OF_RANGE}"


def test_sizes_beyond_int64_are_refused():
    with pytest.raises(ValueError, match="over 8 EiB"):
        parse_bytes("16384P")
    assert parse_bytes("8191P") == 8191 << 50


def test_integers_too_long_for_any_int_stay_strings():
    # yaml.v3 resolve: ParseInt, ParseUint and ParseFloat all fail, so the plain
    # scalar is a !!str (and Python's 4,300-digit int() limit is never reached)
    value = parse("a: " + "9" * 5000 + "\n")[0]["a"]
    assert value == "9" * 5000


# --- counts that would fill the memory ------------------------------------------------------


def test_node_count_limit(tmp_path, capsys, monkeypatch):
    scenario = "nodes:\n  - {name: 'm{i}', role: manager, count: 1000000000}\n"
    line = refused(tmp_path, capsys, {"s.yaml": scenario}, "plan", "s.yaml", within=2)
    assert line == (f"{tmp_path / 's.yaml'}:2: nodes.0.count 1,000,000,000 nodes is over "
                    "swarmsim's limit of 20,000 (SWARMSIM_MAX_NODES raises it)")
    # the total counts: two entries of 2 are over a limit of 3, and the variable raises it
    monkeypatch.setenv("SWARMSIM_MAX_NODES", "3")
    two = "nodes:\n  - {name: 'a{i}', count: 2}\n  - {name: 'b{i}', count: 2}\n"
    line = refused(tmp_path, capsys, {"s.yaml": two}, "plan", "s.yaml")
    assert "nodes.1.count 4 nodes is over swarmsim's limit of 3" in line
    monkeypatch.setenv("SWARMSIM_MAX_NODES", "4")
    assert len(load_scenario(tmp_path / "s.yaml").nodes) == 4


def test_a_bad_limit_variable_is_one_line(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("SWARMSIM_MAX_NODES", "lots")
    line = refused(tmp_path, capsys, {"s.yaml": NODE}, "plan", "s.yaml")
    assert line.endswith(" SWARMSIM_MAX_NODES='lots': must be a positive whole number")


@pytest.mark.parametrize(("replicas", "shown"), [
    ("1000000000", "1,000,000,000"),
    # 2**64: a float to yaml.v3, which Go's uint64 decoding turns into 2**63
    ("18446744073709551616", "9,223,372,036,854,775,808"),
    ("${R:-1000000000}", "1,000,000,000"),
])
def test_replicas_limit_in_compose(tmp_path, capsys, replicas, shown):
    compose = stack().replace("replicas: 1", f"replicas: {replicas}")
    line = refused(tmp_path, capsys, scenario_with(compose), "plan", "s.yaml", within=2)
    assert line == (f"c.yml:6: service web: {shown} replicas is over "
                    "swarmsim's limit of 200,000 (SWARMSIM_MAX_REPLICAS raises it)")


def test_replicas_limit_is_raised_by_its_variable(monkeypatch):
    compose = stack().replace("replicas: 1", "replicas: 3")
    monkeypatch.setenv("SWARMSIM_MAX_REPLICAS", "2")
    with pytest.raises(InputError, match="3 replicas is over swarmsim's limit of 2"):
        load_stack_text(compose, filename="c.yml", stack="st", env={})
    monkeypatch.setenv("SWARMSIM_MAX_REPLICAS", "3")
    assert load_stack_text(compose, filename="c.yml", stack="st", env={}).services


def test_timeline_scale_beyond_the_limit_is_refused_like_a_command(tmp_path):
    (tmp_path / "c.yml").write_text(WEB)
    (tmp_path / "s.yaml").write_text(
        "until: 20s\n" + NODE + "stacks: {st: c.yml}\ntimeline:\n"
        "  - {at: 2s, run: 'docker service scale st_web=1000000000'}\n"
        "  - {at: 3s, run: 'docker service update --replicas 300000 st_web'}\n")
    start = time.perf_counter()
    result = run_scenario(load_scenario(tmp_path / "s.yaml"))
    assert time.perf_counter() - start < 10
    outputs = [e.error.strip() for e in result.log if e.kind == "command"]
    assert ("st_web: 1,000,000,000 replicas is over swarmsim's limit of 200,000 "
            "(SWARMSIM_MAX_REPLICAS raises it)") in outputs
    assert ("300,000 replicas is over swarmsim's limit of 200,000 "
            "(SWARMSIM_MAX_REPLICAS raises it)") in outputs
    assert result.sim.state.services["st_web"].spec.replicas == 1


def test_tasks_limit_counts_every_service(tmp_path, monkeypatch):
    monkeypatch.setenv("SWARMSIM_MAX_TASKS", "5")
    (tmp_path / "a.yml").write_text(WEB + "    deploy: {replicas: 3}\n")
    (tmp_path / "b.yml").write_text(WEB + "    deploy: {replicas: 3}\n")
    (tmp_path / "s.yaml").write_text(
        "until: 10s\n" + NODE + "timeline:\n"
        "  - {at: 1s, run: 'docker stack deploy -c a.yml a'}\n"
        "  - {at: 2s, run: 'docker stack deploy -c b.yml b'}\n")
    result = run_scenario(load_scenario(tmp_path / "s.yaml"))
    last = [e for e in result.log if e.kind == "command"][-1]
    assert "6 tasks is over swarmsim's limit of 5 (SWARMSIM_MAX_TASKS raises it)" in last.error
    assert set(result.sim.state.services) == {"a_web"}


TRACE_HEADER = "time,service,replicas,cpu,memory,duration\n"


def trace_scenario(rows: str) -> dict[str, str]:
    return {"s.yaml": "until: 30s\n" + NODE + "traces: [t.csv]\n", "t.csv": TRACE_HEADER + rows}


def test_trace_row_replicas_limit(tmp_path, capsys):
    line = refused(tmp_path, capsys, trace_scenario("0,web,1000000000,,,\n"), "plan", "s.yaml")
    assert line == ("t.csv:2: traces.0.replicas: replicas: 1,000,000,000 replicas is over "
                    "swarmsim's limit of 200,000 (SWARMSIM_MAX_REPLICAS raises it)")


def test_trace_tasks_at_once(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("SWARMSIM_MAX_TASKS", "10")
    # 6 + 4 alive together; at 5 s the first leaves as the third (5) arrives: 9
    rows = "0,a,6,,,5\n1,b,4,,,\n5,c,5,,,\n"
    assert len(load_scenario(_write(tmp_path, trace_scenario(rows))).traces) == 3
    line = refused(tmp_path, capsys, trace_scenario(rows + "6,d,2,,,\n"), "plan", "s.yaml")
    assert line.startswith("t.csv:5: traces.0.replicas: replicas: 11 tasks at once is over")


def _write(tmp_path: Path, files: dict[str, str]) -> Path:
    for name, body in files.items():
        (tmp_path / name).write_text(body)
    return tmp_path / "s.yaml"


def test_trace_time_inf(tmp_path, capsys):
    line = refused(tmp_path, capsys, trace_scenario("inf,web,1,,,\n"), "plan", "s.yaml")
    assert line == "t.csv:2: traces.0.time: time: invalid duration 'inf'"


def test_request_rate_limit(tmp_path, capsys, monkeypatch):
    scenario = "until: 30s\n" + NODE + "workload: [{name: w, port: 80, rate: 10000000}]\n"
    line = refused(tmp_path, capsys, {"s.yaml": scenario}, "plan", "s.yaml", within=2)
    # 10,000,000/s x 30 s
    assert line == (f"{tmp_path / 's.yaml'}:4: workload.0.rate 300,000,000 requests in the "
                    "run is over swarmsim's limit of 10,000,000 (SWARMSIM_MAX_REQUESTS "
                    "raises it)")
    # a later `until` (run --until, a sweep) is checked before the run allocates
    ok = "until: 30s\n" + NODE + "workload: [{name: w, port: 80, rate: 100000, stop: 20s}]\n"
    s = load_scenario(_write(tmp_path, {"s.yaml": ok}))
    monkeypatch.setenv("SWARMSIM_MAX_REQUESTS", "1000000")
    with pytest.raises(InputError, match=r"2,000,000 requests in the run"):
        run_scenario(s, until=3600.0)
    with pytest.raises(InputError, match="until must be greater than 0"):
        run_scenario(s, until=-5.0)


# --- files that never end --------------------------------------------------------------------

DEV_ZERO = Path("/dev/zero")
needs_dev_zero = pytest.mark.skipif(not DEV_ZERO.exists(), reason="no /dev/zero")
DATA_LIMIT = ("the file is larger than swarmsim's limit of 32 MiB "
              "(SWARMSIM_MAX_DATA_FILE_BYTES raises it)")


@needs_dev_zero
def test_env_file_dev_zero(tmp_path, capsys):
    compose = WEB + "    env_file: /dev/zero\n"
    line = refused(tmp_path, capsys, scenario_with(compose), "plan", "s.yaml")
    assert line == (f"c.yml:5: services.web.env_file.0: invalid env file "
                    f"(/dev/zero): read /dev/zero: {DATA_LIMIT}")


@needs_dev_zero
def test_trace_files_dev_zero(tmp_path, capsys):
    scenario = "until: 30s\n" + NODE + "traces: [/dev/zero]\n"
    line = refused(tmp_path, capsys, {"s.yaml": scenario}, "plan", "s.yaml")
    assert line == f"{tmp_path / 's.yaml'}:4: traces.0 read /dev/zero: {DATA_LIMIT}"
    scenario = ("until: 30s\n" + NODE + "workload: [{name: w, port: 80, arrivals: "
                "{kind: trace, file: /dev/zero}}]\n")
    line = refused(tmp_path, capsys, {"s.yaml": scenario}, "plan", "s.yaml")
    assert line == f"{tmp_path / 's.yaml'}:4: workload.0.arrivals.file read /dev/zero: {DATA_LIMIT}"


@needs_dev_zero
def test_stack_deploy_dev_zero(tmp_path, capsys):
    with pytest.raises(InputError, match=r"read /dev/zero: the file is larger than swarmsim's "
                       r"limit of 2 MiB \(SWARMSIM_MAX_YAML_FILE_BYTES raises it\)"):
        load_stack("/dev/zero", "st")
    scenario = "until: 5s\n" + NODE + "stacks: {st: /dev/zero}\n"
    line = refused(tmp_path, capsys, {"s.yaml": scenario}, "plan", "s.yaml")
    assert line.startswith("/dev/zero: read /dev/zero: the file is larger")


def test_yaml_file_size_limit(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("SWARMSIM_MAX_YAML_FILE_BYTES", "100")
    line = refused(tmp_path, capsys, {"s.yaml": NODE + "#" * 100 + "\n"}, "plan", "s.yaml")
    assert line == (f"{tmp_path / 's.yaml'}: read {tmp_path / 's.yaml'}: the file is larger "
                    "than swarmsim's limit of 100 bytes (SWARMSIM_MAX_YAML_FILE_BYTES raises it)")


def test_yaml_values_limit(tmp_path, capsys, monkeypatch):
    # 2 MiB of "[[...]]" is a million nodes: refused once the count passes the limit
    monkeypatch.setenv("SWARMSIM_MAX_YAML_NODES", "8")
    # 12 nodes: the root, nodes, its list, the item, 2 keys + 2 values, x, its list, 1, 2
    text = NODE + "x: [1, 2]\n"
    line = refused(tmp_path, capsys, {"s.yaml": text}, "plan", "s.yaml")
    assert line == (f"{tmp_path / 's.yaml'}:3: yaml: line 3: the file has more than 8 keys and "
                    "values, swarmsim's limit (SWARMSIM_MAX_YAML_NODES raises it)")
    monkeypatch.setenv("SWARMSIM_MAX_YAML_NODES", "12")
    assert parse(text)[0]["x"] == [1, 2]
    monkeypatch.setenv("SWARMSIM_MAX_YAML_NODES", "11")
    with pytest.raises(InputError, match="more than 11 keys"):
        parse(text)


# --- encodings -------------------------------------------------------------------------------


def test_non_utf8_scenario(tmp_path, capsys):
    line = refused(tmp_path, capsys, {"s.yaml": NODE.encode() + b"name: \xff\n"}, "plan",
                   "s.yaml")
    assert line == f"{tmp_path / 's.yaml'}:3: yaml: invalid leading UTF-8 octet"


@pytest.mark.parametrize(("data", "problem"), [
    # yaml.v3 readerc.go, yaml_parser_update_buffer: one message per rule
    (b"a: \x80", "invalid leading UTF-8 octet"),
    (b"a: \xf8\x80\x80\x80", "invalid leading UTF-8 octet"),
    (b"a: \xe2\x82", "incomplete UTF-8 octet sequence"),
    (b"a: \xe2\x28\xa1", "invalid trailing UTF-8 octet"),
    (b"a: \xc0\x80", "invalid length of a UTF-8 sequence"),
    (b"a: \xe0\x80\x80", "invalid length of a UTF-8 sequence"),
    (b"a: \xed\xa0\x80", "invalid Unicode character"),
    (b"a: \xf4\x90\x80\x80", "invalid Unicode character"),
])
def test_utf8_errors_in_yaml_v3_words(data, problem):
    with pytest.raises(InputError) as info:
        yaml_text(b"x: 1\n" + data, "f.yml")
    assert info.value.message == f"yaml: {problem}"
    assert info.value.line == 2


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_compose_files_load_as_docker_loads_them(tmp_path, capsys, codec):
    # yaml.v3 (readerc.go yaml_parser_determine_encoding) reads UTF-16 with a BOM
    compose = stack().replace("replicas: 1", "replicas: 2")
    files = scenario_with("")
    files["c.yml"] = "\ufeff".encode(codec) + compose.encode(codec)  # type: ignore[assignment]
    status, out, err, _ = cli(tmp_path, capsys, files, "plan", "s.yaml")
    assert status == 0, err
    assert out.count("st_web.") == 2


@pytest.mark.parametrize(("tail", "problem"), [
    (b"a", "incomplete UTF-16 character"),
    (b"\x00\xdc", "unexpected low surrogate area"),
    (b"\x00\xd8", "incomplete UTF-16 surrogate pair"),
    (b"\x00\xd8a\x00", "expected low surrogate area"),
])
def test_utf16_errors_in_yaml_v3_words(tmp_path, capsys, tail, problem):
    data = b"\xff\xfe" + (WEB + "x-a: 1\n").encode("utf-16-le") + tail
    line = refused(tmp_path, capsys, {**scenario_with(""), "c.yml": data}, "plan", "s.yaml")
    assert line == f"c.yml:6: yaml: {problem}"


# --- nesting and anchors -------------------------------------------------------------------------


@pytest.mark.parametrize("deep", [
    "x: " + "[" * 500 + "]" * 500,
    "x: " + "{a: " * 500 + "1" + "}" * 500,
    "x:\n" + "".join(" " * i + "- \n" for i in range(1, 500)),
])
def test_500_deep_nesting(tmp_path, capsys, deep):
    line = refused(tmp_path, capsys, {"s.yaml": deep + "\n" + NODE}, "plan", "s.yaml")
    assert line.endswith(": yaml: line 1: exceeded max depth of 100") or (
        "exceeded max depth of 100" in line)


def test_nesting_up_to_the_limit_is_read():
    # the root mapping and x-deep's 99 lists: 100 levels
    text = WEB + "x-deep: " + "[" * 99 + "]" * 99 + "\n"
    assert load_stack_text(text, filename="c.yml", stack="st", env={}).services
    with pytest.raises(InputError, match="exceeded max depth of 100"):
        load_stack_text(text.replace("[", "[[", 1).replace("]", "]]", 1), filename="c.yml",
                        stack="st", env={})


def test_aliases_cannot_nest_past_the_limit():
    text = "a0: &a0 [[[[[[[[[[1]]]]]]]]]]\n" + "".join(
        f"a{i}: &a{i} [[[[[[[[[[*a{i - 1}]]]]]]]]]]\n" for i in range(1, 12))
    with pytest.raises(InputError, match="exceeded max depth of 100"):
        parse(text)


def test_a_mapping_merging_itself(tmp_path, capsys):
    # yaml.v3 decode.go: d.merge unmarshals the alias, and d.alias refuses an alias
    # already being decoded
    line = refused(tmp_path, capsys, {"s.yaml": "a: &a {<<: *a}\n" + NODE}, "plan", "s.yaml")
    assert line == f"{tmp_path / 's.yaml'}:1: yaml: anchor 'a' value contains itself"


def test_no_machines_then_run(tmp_path, capsys):
    line = refused(tmp_path, capsys, {"s.yaml": "nodes: []\n"}, "run", "s.yaml")
    assert line == f"{tmp_path / 's.yaml'}:1: nodes must list at least one machine to run on"


def test_sweep_with_negative_until(tmp_path):
    (tmp_path / "s.yaml").write_text(NODE)
    (tmp_path / "sw.yml").write_text("scenario: s.yaml\nseeds: 1\nuntil: -5s\n")
    with pytest.raises(InputError) as info:
        load_sweep(tmp_path / "sw.yml")
    assert str(info.value) == f"{tmp_path / 'sw.yml'}:3: until must be greater than 0"


# --- duplicate keys in linear time --------------------------------------------------------------


def _cpu_seconds_to_parse(n: int, repeat: int) -> float:
    """The least CPU time of this process (not wall time: other processes' load does not
    count) to read a mapping of ``n`` keys, then the same with the first key repeated."""
    keys = "".join(f"  k{i}: 1\n" for i in range(n))
    best = float("inf")
    for _ in range(repeat):
        start = time.process_time()
        parse("x:\n" + keys)
        with pytest.raises(InputError):
            parse("x:\n" + keys + "  k0: 2\n")
        best = min(best, time.process_time() - start)
    return best


def test_50000_keys_in_linear_time():
    # ten times the keys: about ten times the work when linear (13x measured), a hundred
    # times when the duplicate check is quadratic (the quadratic check took > 30 s at
    # 50,000 keys); the bound lies between, and is measured against a baseline taken here
    small = _cpu_seconds_to_parse(5_000, repeat=5)
    large = _cpu_seconds_to_parse(50_000, repeat=2)
    assert large < 40 * max(small, 1e-3), (small, large)
    keys = "".join(f"  k{i}: 1\n" for i in range(50_000))
    with pytest.raises(InputError) as info:
        parse("x:\n" + keys + "  k0: 2\n")
    assert info.value.message == (
        'yaml: unmarshal errors:\n  line 50002: mapping key "k0" already defined at line 2')


def test_duplicate_errors_in_yaml_v3_order():
    # decode.go d.mapping: for each key i, every later key j with its text, in order
    with pytest.raises(InputError) as info:
        parse("a: 1\nb: 1\na: 2\nb: 2\na: 3\n")
    assert info.value.message.splitlines()[1:] == [
        '  line 3: mapping key "a" already defined at line 1',
        '  line 5: mapping key "a" already defined at line 1',
        '  line 4: mapping key "b" already defined at line 2',
        '  line 5: mapping key "a" already defined at line 3',
    ]


def test_one_key_many_times_keeps_the_first_100_errors():
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with pytest.raises(InputError) as info:
        parse("".join(f"a: {i}\n" for i in range(20_000)))
    lines = info.value.message.splitlines()
    assert len(lines) == 101
    assert lines[-1] == '  line 101: mapping key "a" already defined at line 1'
    # yaml.v3 would list 199,990,000 pairs
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss < 200_000
