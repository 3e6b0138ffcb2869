"""The ``typed_forbidden`` import-linter contract (tools/typed_contracts.py) counts the
imports made for annotations only, which the session's graph leaves out: on a tiny
package whose module imports another only under ``if TYPE_CHECKING:``, the plain
``forbidden`` contract is kept and the typed one is broken, naming that import."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"

CONFIG = """
[tool.importlinter]
root_package = "tinypkg"
exclude_type_checking_imports = true
contract_types = ["typed_forbidden: tools.typed_contracts.TypedForbiddenContract"]

[[tool.importlinter.contracts]]
id = "plain"
name = "plain forbidden"
type = "forbidden"
source_modules = ["tinypkg.component"]
forbidden_modules = ["tinypkg.root"]

[[tool.importlinter.contracts]]
id = "typed"
name = "typed forbidden"
type = "typed_forbidden"
source_modules = ["tinypkg.component"]
forbidden_modules = ["tinypkg.root"]
"""


def _package(tmp: Path, component: str) -> None:
    pkg = tmp / "tinypkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "root.py").write_text("from tinypkg import component\n")
    (pkg / "component.py").write_text(component)
    (tmp / "pyproject.toml").write_text(CONFIG)


def _lint(tmp: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp), str(ROOT)])}
    return subprocess.run([str(LINT_IMPORTS), "--no-cache"], cwd=tmp, env=env,
                          capture_output=True, text=True, check=False, timeout=300)


def test_an_import_for_a_type_only_breaks_the_typed_contract(tmp_path):
    _package(tmp_path, "from typing import TYPE_CHECKING\n\nif TYPE_CHECKING:\n"
                       "    from tinypkg.root import X\n")
    proc = _lint(tmp_path)
    out = proc.stdout
    assert proc.returncode == 1, out + proc.stderr
    assert "plain forbidden KEPT" in out
    assert "typed forbidden BROKEN" in out
    assert "tinypkg.component -> tinypkg.root (l.4)" in out


def test_a_component_that_imports_nothing_forbidden_keeps_both(tmp_path):
    _package(tmp_path, "from typing import TYPE_CHECKING\n\nif TYPE_CHECKING:\n"
                       "    from collections.abc import Callable\n")
    proc = _lint(tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "typed forbidden KEPT" in proc.stdout
