"""The architecture is enforced, not hoped for (docs/architecture.md): the layer, purity
and no-circle contracts (import-linter, configured in pyproject.toml), the lint rules
(ruff) and the strict type check of the whole package (mypy) run as part of the suite, so
the one test command a contributor runs checks them; no two modules import each other,
directly or around a circle, counting imports deferred into functions and those made
only for the type checker."""

from __future__ import annotations

import ast
import pkgutil
import subprocess
import sys
from pathlib import Path

import grimp
import networkx as nx

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


def _import_graph() -> nx.DiGraph:
    """swarmsim's modules and the imports between them, as grimp (import-linter's graph)
    reads them: every import that runs, deferred into a function or not, and those made
    under ``if TYPE_CHECKING:`` (a circle of types is still a circle: the shared type
    belongs in the module that owns it, or in a protocol the user declares)."""
    graph = grimp.build_graph("swarmsim", exclude_type_checking_imports=False, cache_dir=None)
    g = nx.DiGraph()
    for module in graph.modules:
        g.add_node(module)
        g.add_edges_from((module, imported)
                         for imported in graph.find_modules_directly_imported_by(module))
    return g


def _circles(g: nx.DiGraph) -> list[list[str]]:
    """One circle of each group of modules that import each other, as a path."""
    out = []
    for group in nx.strongly_connected_components(g):
        if len(group) > 1:
            edges = nx.find_cycle(g.subgraph(group))
            out.append([a for a, _b in edges] + [edges[0][0]])
    return out


def test_circles_are_found_and_shown():
    g = nx.DiGraph([("a", "b"), ("b", "c"), ("c", "a"), ("c", "d")])
    (circle,) = _circles(g)
    assert circle[0] == circle[-1] and set(circle) == {"a", "b", "c"} and len(circle) == 4
    assert _circles(nx.DiGraph([("a", "b"), ("b", "c")])) == []


def test_no_import_circle_between_modules():
    g = _import_graph()
    assert g.number_of_nodes() == sum(1 for _ in (ROOT / "swarmsim").rglob("*.py"))
    circles = _circles(g)
    assert not circles, "import circles:\n" + "\n".join(" -> ".join(c) for c in circles)
