"""run --out-format gzip: the large tables gzipped, the same text inside, reproducible
bytes, and `swarmsim report` reads them."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from swarmsim.cli import main
from swarmsim.foundation.textfiles import located, open_text

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = str(ROOT / "scenarios" / "crash.yaml")
PACKED = ("events.jsonl", "metrics.csv", "tasks.csv")


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("fmt")
    for name, extra in (("plain", []), ("gz", ["--out-format", "gzip"]),
                        ("gz2", ["--out-format", "gzip"])):
        assert main(["run", SCENARIO, "--out", str(tmp / name), *extra]) == 0
    return tmp


def test_gzip_holds_the_same_text_and_everything_else_is_unchanged(runs, capsys):
    capsys.readouterr()
    plain, gz = runs / "plain", runs / "gz"
    names = {p.name for p in plain.iterdir()}
    assert {p.name for p in gz.iterdir()} == (names - set(PACKED)) | {n + ".gz" for n in PACKED}
    for name in names:
        if name in PACKED:
            assert gzip.decompress((gz / (name + ".gz")).read_bytes()) == (
                plain / name).read_bytes(), name
        else:
            assert (gz / name).read_bytes() == (plain / name).read_bytes(), name
    for name in PACKED:  # same run, same bytes (no time or name in the gzip header)
        assert (gz / (name + ".gz")).read_bytes() == (runs / "gz2" / (name + ".gz")).read_bytes()


def test_gzip_header_has_no_time_and_no_name(tmp_path):
    path = tmp_path / "x.csv.gz"
    with open_text(path, "w") as fh:
        fh.write("a,b\n1,2\n")
    raw = path.read_bytes()
    assert raw[:3] == b"\x1f\x8b\x08"  # RFC 1952: magic, deflate
    assert raw[3] & 0x08 == 0  # FNAME not set
    assert raw[4:8] == b"\0\0\0\0"  # MTIME absent
    with open_text(path) as fh:
        assert fh.read() == "a,b\n1,2\n"
    assert located(tmp_path, "x.csv") == path
    (tmp_path / "x.csv").write_text("")
    assert located(tmp_path, "x.csv") == tmp_path / "x.csv"


def test_report_rebuilds_from_gzipped_tables(runs, capsys):
    gz = runs / "gz"
    before = (gz / "report.html").read_bytes()
    assert main(["report", str(gz)]) == 0
    capsys.readouterr()
    assert (gz / "report.html").read_bytes() == before
    viz = "visualizer.html"
    assert (gz / viz).read_bytes() == (runs / "plain" / viz).read_bytes()


def test_a_run_in_the_other_format_replaces_the_tables(runs, tmp_path, capsys):
    out = tmp_path / "o"
    assert main(["run", SCENARIO, "--out", str(out), "--out-format", "gzip"]) == 0
    assert main(["run", SCENARIO, "--out", str(out), "--force"]) == 0
    names = {p.name for p in out.iterdir()}
    assert all(n in names and n + ".gz" not in names for n in PACKED)
    assert main(["run", SCENARIO, "--out", str(out), "--force", "--out-format", "gzip"]) == 0
    names = {p.name for p in out.iterdir()}
    assert all(n not in names and n + ".gz" in names for n in PACKED)
    capsys.readouterr()


def test_report_refuses_a_broken_gzip_in_one_line(runs, tmp_path, capsys):
    d = tmp_path / "bad"
    d.mkdir()
    for p in (runs / "gz").iterdir():
        (d / p.name).write_bytes(p.read_bytes())
    (d / "events.jsonl.gz").write_bytes(b"\x1f\x8b\x08\0\0\0\0\0\0\x03garbage")
    capsys.readouterr()
    assert main(["report", str(d)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "events.jsonl.gz" in err[0], err
