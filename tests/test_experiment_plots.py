"""Comparison figures fit for a paper: formats, 200 dpi, a legend for every marker,
tick labels that neither overlap nor leave the figure, byte-identical output, whether
drawn by the calling process or by helper processes."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from swarmsim.experiments.compare import summarize
from swarmsim.experiments.plots import interval_plot, plot_jobs, save_interval_plots, save_one

KEYS = ["workload.0.rate", "nodes.1.cpus"]


def _records() -> list[dict[str, object]]:
    rng = random.Random(1)
    out = []
    for rate, cpus in (("20", "1"), ("40", "2"), ("80", "4")):
        for policy in ("spread", "binpack", "least-loaded-memory-first", "random"):
            for i in range(4):
                out.append({"workload.0.rate": rate, "nodes.1.cpus": cpus, "policy": policy,
                            "replication": i, "seed": i,
                            "replica_availability": 0.9 + rng.random() * 0.05})
    return out


def test_labels_never_overlap_or_leave_the_figure():
    from matplotlib.figure import Figure

    records = _records()
    rows = summarize(records, point=KEYS)
    (job,) = plot_jobs(Path("."), records, rows, point=KEYS)
    _path, recs, block, metric, by, point = job
    fig = Figure(figsize=(min(12.0, max(3.6, 1.0 + 0.85 * len(block))), 3.9),
                 layout="constrained")
    ax = interval_plot(fig.add_subplot(), recs, block, metric, by, point)
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    renderer = canvas.get_renderer()
    figbox = fig.bbox
    texts = [t for t in ax.get_xticklabels() if t.get_text()]
    texts += [t for sec in ax.child_axes for t in sec.get_xticklabels() if t.get_text()]
    texts += [ax.title, ax.yaxis.label]
    boxes = [t.get_window_extent(renderer) for t in texts]
    for box in boxes:  # inside the figure: nothing clipped
        assert box.x0 >= figbox.x0 - 1 and box.x1 <= figbox.x1 + 1
        assert box.y0 >= figbox.y0 - 1 and box.y1 <= figbox.y1 + 1
    for i, a in enumerate(boxes):  # no two labels on top of each other
        for b in boxes[i + 1:]:
            assert not a.overlaps(b), (a, b)
    legend = ax.get_legend()
    assert [t.get_text() for t in legend.get_texts()] == ["one replication", "mean, 95% CI"]
    assert len(ax.get_xticklabels()) == 12  # every grid point x policy is labelled
    assert sorted(t.get_text() for t in ax.child_axes[0].get_xticklabels()) == [
        "workload.0.rate=20,\nnodes.1.cpus=1", "workload.0.rate=40,\nnodes.1.cpus=2",
        "workload.0.rate=80,\nnodes.1.cpus=4"]


@pytest.mark.parametrize("fmt", ["png", "svg", "pdf"])
def test_formats_and_resolution(tmp_path, fmt):
    records = _records()
    rows = summarize(records, point=KEYS)
    (path,) = save_interval_plots(tmp_path, records, rows, point=KEYS, fmt=fmt)
    assert path.name == f"replica_availability.{fmt}"
    data = path.read_bytes()
    (tmp_path / "again").mkdir()
    again = save_interval_plots(tmp_path / "again", records, rows, point=KEYS, fmt=fmt)[0]
    assert again.read_bytes() == data  # the same figure, the same bytes
    if fmt == "png":
        import struct

        width = struct.unpack(">I", data[16:20])[0]
        # 12 groups: 1 + 0.85 * 12 = 11.2 inches at 200 dots per inch
        assert width == pytest.approx(11.2 * 200, abs=2)
    with pytest.raises(ValueError):
        save_interval_plots(tmp_path, records, rows, fmt="gif")


def test_save_one_is_what_the_pool_runs(tmp_path):
    records = _records()
    rows = summarize(records, point=KEYS)
    (job,) = plot_jobs(tmp_path, records, rows, point=KEYS)
    assert save_one(*job).exists()


def test_sweep_command_writes_the_same_bytes_with_two_workers(tmp_path, capsys):
    # the helper processes (forked copies of this one where the platform allows) draw
    # some of the figures: every file must still be the one a single process writes
    from swarmsim.cli import main

    root = Path(__file__).resolve().parents[1]
    (tmp_path / "sweep.yml").write_text(
        f"scenario: {root / 'scenarios' / 'policy-compare.yaml'}\n"
        "policies: [spread]\nseeds: 2\nuntil: 20s\n"
        "measures: [availability, requests]\n"
        "grid:\n  workload.0.rate: [20, 40]\n", encoding="utf-8")
    outs = {}
    for workers in (1, 2):
        out = tmp_path / f"w{workers}"
        assert main(["sweep", str(tmp_path / "sweep.yml"), "--workers", str(workers),
                     "--out", str(out)]) == 0
        outs[workers] = {p.name: p.read_bytes() for p in sorted(out.iterdir())}
    capsys.readouterr()
    assert "sweep.csv" in outs[1] and any(n.endswith(".png") for n in outs[1])
    assert outs[1] == outs[2]
