"""The architecture is enforced, not hoped for (docs/architecture.md): the layer, purity
and no-circle contracts (import-linter, configured in pyproject.toml), the lint rules
(ruff) and the strict type check of the whole package (mypy) run as part of the suite, so
the one test command a contributor runs checks them."""

from __future__ import annotations

import ast
import pkgutil
import subprocess
import sys
from pathlib import Path

import swarmsim

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def _run(*cmd: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=False,
                          timeout=900)


def test_import_contracts_hold():
    proc = _run(str(BIN / "lint-imports"), "--no-cache")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "0 broken" in proc.stdout


def test_ruff_passes():
    proc = _run(sys.executable, "-m", "ruff", "check", "swarmsim", "tests", "benchmarks",
                "tools")
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_mypy_strict_on_the_whole_package():
    proc = _run(sys.executable, "-m", "mypy")
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_every_package_says_what_it_owns_and_what_it_may_import():
    missing = []
    for info in pkgutil.walk_packages(swarmsim.__path__, "swarmsim."):
        if not info.ispkg:
            continue
        path = ROOT / Path(*info.name.split(".")) / "__init__.py"
        doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
        if "May import" not in doc and "Layers" not in doc:
            missing.append(info.name)
    assert not missing, f"package docstrings without 'May import:': {missing}"


def test_no_module_sits_loose_at_the_top():
    loose = sorted(p.name for p in (ROOT / "swarmsim").glob("*.py")
                   if p.name not in ("__init__.py", "__main__.py"))
    assert not loose, f"put these in the package of their layer: {loose}"
