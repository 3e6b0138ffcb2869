"""Every research command line the docs, examples and scenario headers show works with
the installed ``swarmsim`` command as written, from the repository root: it parses, the
files it names exist, and the policies and measures it names load (running each
comparison in full would take minutes; ``test_comparisons`` runs the custom-policy one
through the console script)."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SOURCES = [ROOT / "docs" / "research.md", ROOT / "README.md",
           *sorted((ROOT / "examples").glob("*.y*ml")),
           *sorted((ROOT / "scenarios").glob("*.yaml"))]
COMMANDS = ("compare", "sweep", "explain", "plan")


def _command_lines() -> list[tuple[str, str]]:
    """(where, command line) for every complete `swarmsim <research command> ...` line
    in a code block or a comment (backslash continuations joined)."""
    found = []
    for path in SOURCES:
        lines = path.read_text(encoding="utf-8").splitlines()
        i = 0
        while i < len(lines):
            text = re.sub(r"^\s*(#\s*)?(\$\s*)?", "", lines[i])
            start = i
            while text.endswith("\\") and i + 1 < len(lines):
                i += 1
                text = text[:-1] + " " + re.sub(r"^\s*#?\s*", "", lines[i])
            i += 1
            words = text.split()
            if len(words) > 2 and words[0] == "swarmsim" and words[1] in COMMANDS and \
                    not any(w.isupper() for w in words[2:3]) and "`" not in text:
                found.append((f"{path.relative_to(ROOT)}:{start + 1}", text.strip()))
    return found


CASES = _command_lines()


def test_the_docs_show_research_command_lines():
    assert len(CASES) >= 8
    assert {line.split()[1] for _, line in CASES} >= {"compare", "sweep", "explain", "plan"}


@pytest.mark.parametrize(("where", "line"), CASES, ids=[w for w, _ in CASES])
def test_documented_command_line_works(where, line, monkeypatch):
    from swarmsim.cli import _parser
    from swarmsim.experiments.measures import resolve
    from swarmsim.policies import make_policy

    monkeypatch.chdir(ROOT)
    args = _parser().parse_args(shlex.split(line)[1:])  # SystemExit(2) fails the test
    for attr in ("scenario", "sweep"):
        name = getattr(args, attr, None)
        if name is not None:
            assert (ROOT / name).is_file(), f"{where}: {name} does not exist"
    for ref in getattr(args, "policy", None) or []:
        make_policy(ref)
    if isinstance(getattr(args, "policy", None), str):
        make_policy(args.policy)
    for ref in getattr(args, "measure", None) or []:
        if not ref.startswith("mymeasures"):  # the docs' own example module
            resolve(ref)
