"""The README's Quickstart stays true: CI runs exactly its test command."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _quickstart_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Quickstart", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sh\n(.+?)\n```", section)


def test_quickstart_has_a_run_command_and_a_test_command():
    commands = _quickstart_commands()
    assert len(commands) == 2
    run, tests = commands
    assert "swarmsim run scenarios/" in run
    scenario = run.rsplit(" ", 1)[1]
    assert (ROOT / scenario).is_file()
    assert "pytest" in tests


def test_ci_runs_the_readme_test_command():
    _, tests = _quickstart_commands()
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert tests in ci


def test_readme_documents_every_x_swarmsim_key():
    from swarmsim.compose.xswarmsim import markdown_table

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert markdown_table().strip() in text
