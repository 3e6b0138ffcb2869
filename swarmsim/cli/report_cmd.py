"""``swarmsim report``: rebuild the plots and pages of a run directory from its files.

The directory's files are checked before anything is drawn (each must be UTF-8 text of
the form ``swarmsim run --out`` writes), so a directory of something else gives one
line naming the file. The new files are written beside the old ones through a staging
directory (see :func:`swarmsim.outputs.files.write_staged`): never through a symbolic link.
"""

from __future__ import annotations

import argparse
import codecs
import csv
import gzip
import json
import math
import os
import zlib
from dataclasses import fields
from pathlib import Path
from typing import Any

from swarmsim.foundation.errors import InputError
from swarmsim.foundation.textfiles import GZ, located, open_text
from swarmsim.foundation.units import parse_duration

#: files ``swarmsim run --out`` writes that the report is built from
NEEDED = ("metrics.csv", "tasks.csv", "nodes.csv", "summary.json", "events.jsonl",
          "scenario.json")
#: read too when present
OPTIONAL = ("stack-ps.txt",)
#: what a record of ``events.jsonl`` must have
_EVENT_KEYS = ("time", "kind")
#: errors the report's readers and plots raise on values a run never writes
_DATA_ERRORS = (ValueError, KeyError, TypeError, IndexError, AttributeError, csv.Error,
                OverflowError, ZeroDivisionError)


def run(args: argparse.Namespace) -> int:
    # this sub-command's modules load only when it runs: `swarmsim --help` and the
    # other sub-commands start without them
    from swarmsim.outputs.staging import write_staged

    directory = Path(args.directory)
    if not directory.is_dir():
        raise InputError(f"{args.directory}: no such directory")
    missing = [name for name in NEEDED if not located(directory, name).is_file()]
    if missing:
        raise InputError(f"{args.directory}: missing {', '.join(missing)} "
                         "(write it with `swarmsim run SCENARIO --out DIR`)")
    at = None
    if args.at is not None:
        try:
            at = parse_duration(args.at)
        except ValueError:
            raise InputError(f"--at: invalid duration {args.at!r}") from None
    events = check_run_files(directory)
    from swarmsim.report import build_report

    def build(staging: Path) -> list[Path]:
        for name in (*NEEDED, *OPTIONAL):
            found = located(directory, name)  # plain or gzipped (run --out-format)
            if found.is_file():
                os.symlink(found.resolve(), staging / found.name)
        try:
            return build_report(staging, at=at, events=events,
                                fmt=getattr(args, "format", "png"))
        except _DATA_ERRORS as exc:
            raise InputError(f"{args.directory}: its files are not those of a swarmsim run "
                             f"({type(exc).__name__}: {exc})") from None

    for path in write_staged(directory, build, label=args.directory):
        print(path)
    return 0


def check_run_files(directory: Path) -> list[dict[str, Any]]:
    """Check that ``directory``'s files have the form ``run --out`` gives them; returns
    the records of its ``events.jsonl``.

    Raises:
        InputError: naming the file, and the line where there is one.
    """
    # this sub-command's modules load only when it runs: `swarmsim --help` and the
    # other sub-commands start without them
    from swarmsim.metrics import NodeRow, TaskRow

    for name in NEEDED:
        _check_utf8(located(directory, name))
    headers = {"metrics.csv": ("time", "entity", "metric", "value"),
               "tasks.csv": tuple(f.name for f in fields(TaskRow)),
               "nodes.csv": tuple(f.name for f in fields(NodeRow))}
    for name, wanted in headers.items():
        with open_text(located(directory, name)) as fh:
            try:
                header = next(csv.reader(fh), [])
            except csv.Error as exc:
                raise InputError(f"{directory / name}:1: {exc}") from None
        lacking = [c for c in wanted if c not in header]
        if lacking:
            raise InputError(f"{directory / name}:1: not a swarmsim {name}: no column "
                             f"{', '.join(lacking[:3])}")
    for name in ("summary.json", "scenario.json"):
        path = directory / name
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except (ValueError, RecursionError) as exc:
            raise InputError(f"{path}: not JSON: {exc}") from None
        if not isinstance(doc, dict):
            raise InputError(f"{path}: not a swarmsim {name}: not a JSON object")
    return _read_events(located(directory, "events.jsonl"))


def _read_events(path: Path) -> list[dict[str, Any]]:
    events = []
    with open_text(path) as fh:
        for number, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except (ValueError, RecursionError) as exc:
                raise InputError(f"{path}:{number}: not JSON: {exc}") from None
            if not isinstance(record, dict) or not all(k in record for k in _EVENT_KEYS):
                raise InputError(f"{path}:{number}: not an event record (an object with "
                                 "time and kind)")
            when = record["time"]
            if isinstance(when, bool) or not isinstance(when, int | float) or not (
                    math.isfinite(when)):
                raise InputError(f"{path}:{number}: time must be a finite number")
            events.append(record)
    return events


def _check_utf8(path: Path, chunk: int = 1 << 20) -> None:
    """Decode ``path`` (gunzipped when its name ends in ``.gz``) as UTF-8 a chunk at a
    time (bounded memory)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    line = 1
    with (gzip.open(path, "rb") if path.suffix == GZ else path.open("rb")) as fh:
        while True:
            try:
                block = fh.read(chunk)
            except (OSError, EOFError, zlib.error) as exc:
                raise InputError(f"{path}: not gzip data ({exc})") from None
            try:
                decoder.decode(block, final=not block)
            except UnicodeDecodeError as exc:
                where = line + block.count(b"\n", 0, max(exc.start, 0))
                raise InputError(f"{path}:{where}: not UTF-8 text ({exc.reason})") from None
            if not block:
                return
            line += block.count(b"\n")
