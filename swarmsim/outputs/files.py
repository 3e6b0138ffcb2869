"""Files a run writes with ``--out DIR``: ``events.jsonl``, ``final.json``,
``scenario.json``, and the final ``docker stack ps`` text (``stack-ps.txt``)."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import fields
from operator import attrgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any

from swarmsim.commands import run_command
from swarmsim.foundation.errors import InputError
from swarmsim.outputs.snapshot import snapshot

if TYPE_CHECKING:
    from swarmsim.app.run import RunResult


#: one encoder for every line of ``events.jsonl`` (``json.dumps`` with options builds one
#: per call)
_LINE = json.JSONEncoder(separators=(",", ":"))


#: per record type: its keys in output order, and a getter of their values
_LAYOUTS: dict[type, tuple[tuple[str, ...], Callable[[Any], tuple[Any, ...]]]] = {}


def event_dict(event: Any) -> dict[str, Any]:
    """A record as one JSON object: ``time`` and ``kind`` first, then its fields."""
    layout = _LAYOUTS.get(type(event))
    if layout is None:
        names = event._fields if hasattr(event, "_fields") else [f.name for f in fields(event)]
        keys = ("time", "kind", *[n for n in names if n not in ("time", "kind")])
        layout = _LAYOUTS[type(event)] = (keys, attrgetter(*keys))
    keys, values = layout
    return dict(zip(keys, values(event), strict=True))


_PLAIN = (str, int, float, bool)


def event_records(result: RunResult) -> list[dict[str, Any]]:
    """Every record of ``events.jsonl`` as ``json.loads`` reads its lines back, built
    without the text round trip where a record holds only plain values."""
    out = []
    for event in result.sim.events:
        d = event_dict(event)
        if not all(v is None or type(v) in _PLAIN for v in d.values()):
            d = json.loads(_LINE.encode(d))
        out.append(d)
    return out


def final_document(result: RunResult) -> dict[str, Any]:
    """The ``--json`` document of a run: the swarm at the final time (with a workload,
    also its ``requests`` and ``requests_by_service`` figures)."""
    from swarmsim.workload.summary import traffic_document

    return {**snapshot(result.sim), **traffic_document(result.sim)}


def write_run(result: RunResult, out_dir: str | Path) -> list[Path]:
    """Write a run's files into ``out_dir`` (created if needed); returns their paths."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    events = out / "events.jsonl"
    with events.open("w", encoding="utf-8") as fh:
        for event in result.sim.events:
            fh.write(_LINE.encode(event_dict(event)) + "\n")
    final = out / "final.json"
    final.write_text(json.dumps(final_document(result), indent=2) + "\n", encoding="utf-8")
    scenario = out / "scenario.json"
    scenario.write_text(json.dumps(result.scenario.to_dict(), indent=2) + "\n", encoding="utf-8")
    from swarmsim.workload.report import write_traffic_csv

    return [events, final, scenario, *write_traffic_csv(result.sim, out)]


# --- where ``--out`` may write -----------------------------------------------------------

#: the files by which an earlier run's directory is recognised, per command
RUN_MARKERS = ("events.jsonl", "final.json", "scenario.json")
_STAGING = ".swarmsim-writing-"


def check_out_dir(given: str, *, force: bool, markers: tuple[str, ...] = RUN_MARKERS,
                  flag: str = "--out") -> Path:
    """Check, before anything runs, that ``given`` may receive a command's files.

    The directory may be missing (it is created, with its parents), empty, or hold an
    earlier output of the same command (recognised by all of ``markers``), which is
    replaced only with ``force``. Anything else is refused: an empty name, a file, a
    path under a file, a directory that cannot be written, a non-empty directory that
    is not an earlier output.

    Raises:
        InputError: one line naming the flag, the path and the problem.
    """
    def refuse(problem: str) -> InputError:
        return InputError(f"{flag} {given}: {problem}" if given else f"{flag}: {problem}")

    if not given:
        raise refuse("an empty name; give a directory")
    out = Path(given)
    if out.exists() and not out.is_dir():
        raise refuse("not a directory")
    if not out.exists():
        parent = out
        while not parent.exists() and not parent.is_symlink():
            if parent.parent == parent:
                break
            parent = parent.parent
        if parent.is_symlink() and not parent.exists():
            raise refuse(f"{parent} is a dangling symbolic link")
        if not parent.is_dir():
            raise refuse(f"{parent} is not a directory")
        if not _writable(parent):
            raise refuse(f"cannot create it: {parent} is not writable")
        return out
    if not _writable(out):
        raise refuse("not writable")
    entries = [e for e in _entries(out) if not e.startswith(_STAGING)]
    if not entries:
        return out
    if not all(m in entries for m in markers):
        raise refuse("not empty and not an earlier output of this command; "
                     "give a new or empty directory")
    if not force:
        raise refuse("holds an earlier output; add --force to replace its files")
    return out


def _writable(path: Path) -> bool:
    return os.access(path, os.W_OK | os.X_OK)


def _entries(path: Path) -> list[str]:
    try:
        return os.listdir(path)
    except OSError:
        return []


def write_staged(out: Path, write: Callable[[Path], list[Path]], *,
                 label: str | None = None) -> list[Path]:
    """Call ``write(staging)`` on a fresh directory inside ``out``, then move each file it
    wrote into ``out``, replacing a file or a symbolic link of the same name (never
    writing through one). If ``write`` fails, ``out`` keeps its earlier files.

    Returns:
        The paths of the files in ``out``.

    Raises:
        InputError: ``out`` cannot be created or written (the line starts with
            ``label``, by default ``--out OUT``).
    """
    label = f"--out {out}" if label is None else label
    try:
        out.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=_STAGING, dir=out))
    except OSError as exc:
        raise InputError(f"{label}: cannot write there: {exc.strerror or exc}") from None
    try:
        written = write(staging)
        names = list(dict.fromkeys(p.name for p in written))
        for name in names:
            if (staging / name).is_dir():
                raise RuntimeError(f"a command wrote a directory ({name}) into --out")
            target = out / name
            if target.is_dir() and not target.is_symlink():
                raise InputError(f"{label}: {name} is a directory; "
                                 "cannot replace it with a file")
        for name in names:  # a rename replaces a symlink itself, never its target
            os.replace(staging / name, out / name)
        return [out / name for name in names]
    except OSError as exc:
        raise InputError(f"{label}: cannot write there: {exc.strerror or exc}") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def stack_ps_text(result: RunResult) -> str:
    """The final ``docker stack ps`` of every stack, as the CLI prints it."""
    sim = result.sim
    names = sorted({svc.spec.stack for svc in sim.state.services.values() if svc.spec.stack})
    parts = []
    for name in names:
        res = run_command(sim, f"docker stack ps {name}")
        parts.append(f"$ docker stack ps {name}\n{(res.output or res.error).rstrip()}\n")
    return "\n".join(parts)
