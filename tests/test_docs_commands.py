"""Every command line docs/research.md shows works with the installed ``swarmsim``
console script, run from a fresh directory holding the shipped scenarios and examples
(and the files the page itself shows, like ``mymeasures.py``): exit status 0.  The
lines that take tens of seconds are marked slow (``pytest -m slow`` runs them)."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "research.md"
#: an inline `swarmsim ...` span is a command line when it names a file to run
_RUNNABLE = re.compile(r"\.(ya?ml|py)\b")


def documented_commands(text: str) -> list[str]:
    """``swarmsim ...`` lines of the page's code blocks (a ``$ `` prompt dropped,
    ``\\`` continuations joined) and inline code spans that name a scenario or sweep file
    and hold no placeholder (``S``, ``DIR``, ``TASK``)."""
    lines = text.splitlines()
    out: list[str] = []
    fenced = False
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.strip().startswith("```"):
            fenced = not fenced
        elif fenced or line.startswith("    "):
            cmd = line.strip().removeprefix("$ ")
            if cmd.startswith("swarmsim "):
                while cmd.endswith("\\"):
                    i += 1
                    cmd = cmd[:-1].rstrip() + " " + lines[i].strip()
                out.append(cmd)
        i += 1
    for span in re.findall(r"`(swarmsim [^`]+)`", text):
        words = span.split()[1:]
        if _RUNNABLE.search(span) and not any(w.isupper() or w.startswith("<") for w in words):
            out.append(span)
    return list(dict.fromkeys(out))


def code_blocks(text: str) -> list[tuple[str, list[str]]]:
    """Fenced code blocks as (info string, lines)."""
    blocks: list[tuple[str, list[str]]] = []
    current: list[str] | None = None
    info = ""
    for line in text.splitlines():
        if line.strip().startswith("```"):
            if current is None:
                info, current = line.strip()[3:], []
            else:
                blocks.append((info, current))
                current = None
        elif current is not None:
            current.append(line)
    return blocks


def shown_outputs(text: str) -> dict[str, list[str]]:
    """The output a code block shows under a ``$ swarmsim ...`` line: its lines up to
    ``...`` (the rest of the output is left out), by command."""
    found: dict[str, list[str]] = {}
    for _info, lines in code_blocks(text):
        if not lines or not lines[0].startswith("$ swarmsim "):
            continue
        cmd = lines[0][2:]
        i = 1
        while cmd.endswith("\\"):
            cmd = cmd[:-1].rstrip() + " " + lines[i].strip()
            i += 1
        shown = []
        for line in lines[i:]:
            if line.strip() == "...":
                break
            shown.append(line)
        found[cmd] = shown
    return found


def shown_files(text: str) -> dict[str, str]:
    """Files the page shows in full: a Python block whose first line is ``# name.py``."""
    found = {}
    for info, lines in code_blocks(text):
        match = re.fullmatch(r"# (\w+\.py)", lines[0].strip()) if lines else None
        if info == "python" and match:
            found[match.group(1)] = "\n".join(lines) + "\n"
    return found


COMMANDS = documented_commands(DOC.read_text(encoding="utf-8"))


def test_the_page_shows_commands_and_the_extraction_finds_them():
    assert len(COMMANDS) >= 7
    assert any(c.startswith("swarmsim sweep examples/sweep.yml") for c in COMMANDS)
    assert "swarmsim run examples/hooks.yaml" in COMMANDS
    assert "mymeasures.py" in shown_files(DOC.read_text(encoding="utf-8"))
    outputs = shown_outputs(DOC.read_text(encoding="utf-8"))
    assert len(outputs) >= 2 and all(cmd in COMMANDS for cmd in outputs)


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    d = tmp_path_factory.mktemp("docs")
    shutil.copytree(ROOT / "scenarios", d / "scenarios")
    shutil.copytree(ROOT / "examples", d / "examples")
    for name, code in shown_files(DOC.read_text(encoding="utf-8")).items():
        (d / name).write_text(code, encoding="utf-8")
    return d


def _heavy(command: str) -> bool:
    """Lines taking tens of seconds on the development machine: a sweep, plots of
    every measured column, the 10-minute contention scenario, two rebalance modes."""
    return any(w in command for w in ("sweep", "--out", "contention", "--rebalance"))


@pytest.mark.parametrize("command", [
    pytest.param(c, marks=pytest.mark.slow) if _heavy(c) else c for c in COMMANDS])
def test_a_documented_command_line_works(workdir, command):
    script = Path(sys.executable).with_name("swarmsim")
    assert script.is_file(), "the console script is installed beside the interpreter"
    args = shlex.split(command)[1:]
    if "--out" in args:  # each run writes to a directory of its own
        at = args.index("--out") + 1
        args[at] = f"{args[at]}-{COMMANDS.index(command)}"
    done = subprocess.run([str(script), *args], cwd=workdir, capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, (command, done.stderr[-2000:])
    assert "Traceback" not in done.stderr
    shown = shown_outputs(DOC.read_text(encoding="utf-8")).get(command)
    if shown:  # each paragraph of output the page shows is in the output, line for line
        got = [line.rstrip() for line in done.stdout.splitlines()]
        paragraphs = "\n".join(line.rstrip() for line in shown).split("\n\n")
        for para in filter(None, (p.strip("\n") for p in paragraphs)):
            want = para.splitlines()
            starts = [i for i, line in enumerate(got) if line == want[0]]
            assert any(got[i:i + len(want)] == want for i in starts), (command, para)
