"""An output directory: checked before a command runs, its files replaced at once after.

Every command that writes a directory (``run --out``, ``compare``, ``sweep``, ``report``)
goes through here; this module loads nothing of the simulation, so the commands that
only need it start without the run's output code.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from swarmsim.foundation.errors import InputError
from swarmsim.foundation.textfiles import GZ

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
    if not all(m in entries or m + GZ in entries for m in markers):
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
