"""The notebooks in ``notebooks/`` run from top to bottom in a fresh ``python3`` kernel
(their own folder as the working directory), are stored clean, and show the cluster view
and at least one plot."""

import os
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
NAMES = sorted(p.name for p in NOTEBOOKS.glob("*.ipynb"))


def test_the_five_notebooks_are_there():
    assert NAMES == [
        "01_services.ipynb",
        "02_swarm_and_failures.ipynb",
        "03_stacks_and_volumes.ipynb",
        "04_rolling_updates.ipynb",
        "05_comparing_policies.ipynb",
    ]


@pytest.mark.parametrize("name", NAMES)
def test_notebook_is_clean_and_says_what_it_teaches(name):
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    nbformat.validate(nb)
    first = nb.cells[0]
    assert first.cell_type == "markdown" and "teaches" in first.source
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None


@pytest.mark.parametrize("name", NAMES)
def test_notebook_runs(name, monkeypatch):
    # the kernel imports this checkout (it is also what an installed test extra has)
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(
        [str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]))
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    client = nbclient.NotebookClient(nb, kernel_name="python3", timeout=120,
                                     resources={"metadata": {"path": str(NOTEBOOKS)}})
    client.execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    html = [o.data["text/html"] for o in outputs if "text/html" in o.get("data", {})]
    assert any('class="swarmsim-node"' in h for h in html)
    assert any("image/png" in o.get("data", {}) for o in outputs)
