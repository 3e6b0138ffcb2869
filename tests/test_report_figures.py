"""The figures of ``swarmsim run --out`` and ``swarmsim report``, measured as a reader
would see them: 200 dpi PNG (and valid SVG/PDF on request), no tick label overlapping
another or leaving the figure (matplotlib's renderer gives every label's box), a legend
entry for down periods, every node named in a heatmap or, past the size where names
cannot be read, the nodes grouped by a label and the axis saying so."""

from __future__ import annotations

import itertools
import struct
from pathlib import Path

import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from swarmsim.app.run import run_scenario
from swarmsim.cli import main
from swarmsim.input.scenario import load_scenario
from swarmsim.report import RunData, plot_replicas, plot_task_timeline, plot_utilisation
from swarmsim.report.heatmap import panel_height
from swarmsim.report.snapshot import abbreviate
from swarmsim.report.usageplot import plot_usage

ROOT = Path(__file__).resolve().parents[1]


def cluster(tmp_path: Path, per_zone: int, until: str = "3m", steps: str = "") -> Path:
    """Three zones of ``per_zone`` workers (hostname stems worker, node-east-,
    node-west-), long service names, a crash and a recovery."""
    (tmp_path / "c.yml").write_text("""version: "3.8"
services:
  web:
    image: example/web:1
    deploy: {replicas: 12, resources: {reservations: {cpus: "0.25", memory: 256M}}}
    x-swarmsim: {usage: {cpu: 0.2, memory: 200M}}
  batch-processing-service-with-a-long-name:
    image: example/batch:1
    deploy: {replicas: 9, resources: {reservations: {cpus: "0.5", memory: 512M}}}
    x-swarmsim: {usage: {cpu: 0.6, memory: 400M}}
""")
    (tmp_path / "s.yaml").write_text(f"""name: figures
seed: 0
until: {until}
nodes:
  - {{name: manager1, role: manager, cpus: 4, memory: 8G, labels: {{zone: a}}}}
  - {{name: "worker{{i}}", count: {per_zone}, cpus: 2, memory: 4G, labels: {{zone: a}}}}
  - {{name: "node-east-{{i}}", count: {per_zone}, cpus: 2, memory: 4G, labels: {{zone: b}}}}
  - {{name: "node-west-{{i}}", count: {per_zone}, cpus: 4, memory: 8G, labels: {{zone: c}}}}
stacks: {{lab: c.yml}}
timeline:
  - {{at: 30s, fail: worker2}}
  - {{at: 90s, recover: worker2}}
{steps}""")
    return tmp_path / "s.yaml"


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    out = {}
    for name, per_zone in (("small", 2), ("named", 9), ("grouped", 40)):
        d = tmp_path_factory.mktemp(name)
        out[name] = RunData.from_result(run_scenario(load_scenario(cluster(d, per_zone))))
    out["crash"] = RunData.from_result(run_scenario(load_scenario(
        ROOT / "scenarios" / "crash.yaml")))
    return out


def drawn(draws, size):
    """A figure laid out as build.py lays it out, and its renderer."""
    fig = Figure(figsize=size, dpi=200)
    FigureCanvasAgg(fig)
    axes = fig.subplots(len(draws), 1, sharex=True, squeeze=False)[:, 0]
    for draw, ax in zip(draws, axes, strict=True):
        assert draw(ax) is ax  # a plot takes an Axes and returns it
    fig.tight_layout()
    fig.canvas.draw()
    return fig, fig.canvas.get_renderer()


def assert_readable(fig, renderer):
    """No two tick labels of one axis overlap; every label and legend is inside."""
    inside = fig.bbox
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            low, high = sorted(axis.get_view_interval())
            boxes = [t.label1.get_window_extent(renderer) for t in axis.get_major_ticks()
                     if t.label1.get_visible() and t.label1.get_text()
                     and low - 1e-9 <= t.get_loc() <= high + 1e-9]  # the ticks drawn
            for a, b in itertools.combinations(boxes, 2):
                assert not a.overlaps(b), (ax.get_title(loc="left") or ax.get_title(),
                                           a, b)
            for box in boxes:
                assert inside.x0 - 1 <= box.x0 and box.x1 <= inside.x1 + 1
                assert inside.y0 - 1 <= box.y0 and box.y1 <= inside.y1 + 1
        legend = ax.get_legend()
        if legend is not None:
            box = legend.get_window_extent(renderer)
            assert inside.x0 - 1 <= box.x0 and box.x1 <= inside.x1 + 1, ax.get_title()
            assert inside.y0 - 1 <= box.y0 and box.y1 <= inside.y1 + 1, ax.get_title()
        for text in (ax.xaxis.label, ax.yaxis.label, ax.title, ax._left_title):
            if text.get_text():
                box = text.get_window_extent(renderer)
                assert inside.x0 - 1 <= box.x0 and box.x1 <= inside.x1 + 1, text.get_text()


@pytest.mark.parametrize("name", ["crash", "small", "named", "grouped"])
def test_usage_panels_are_readable(runs, name):
    data = runs[name]
    nodes = len(data.node_names())
    fig, renderer = drawn([lambda ax: plot_usage(data, ax=ax, resource="cpu"),
                           lambda ax: plot_usage(data, ax=ax, resource="memory")],
                          (11, 2 * panel_height(nodes)))
    assert_readable(fig, renderer)
    for ax in fig.axes[:2]:  # memory is drawn as well as CPU; down has its legend entry
        labels = [t.get_text() for t in ax.get_legend().get_texts()]
        assert any("down" in label for label in labels), labels


@pytest.mark.parametrize("name", ["crash", "named", "grouped"])
def test_the_other_figures_are_readable(runs, name):
    data = runs[name]
    for draw, size in ((lambda ax: plot_replicas(data, ax=ax), (11, 4.6)),
                       (lambda ax: plot_task_timeline(data, ax=ax), (11, 14)),
                       (lambda ax: plot_utilisation(data, ax=ax, metric="reserved_cpus"),
                        (11, panel_height(len(data.node_names()))))):
        assert_readable(*drawn([draw], size))


def test_every_node_is_named_up_to_the_readable_size(runs):
    data = runs["named"]  # 28 nodes: a heatmap naming each
    fig, _r = drawn([lambda ax: plot_usage(data, ax=ax)], (11, panel_height(28)))
    ax = fig.axes[0]
    assert sorted(t.get_text() for t in ax.get_yticklabels()) == sorted(data.node_names())
    assert min(t.get_fontsize() for t in ax.get_yticklabels()) >= 5


def test_beyond_it_nodes_are_grouped_by_label_and_the_axis_says_so(runs):
    data = runs["grouped"]  # 121 nodes, zones a (41), b (40), c (40)
    fig, _r = drawn([lambda ax: plot_usage(data, ax=ax)], (11, panel_height(121)))
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == [
        "zone=a\n(41 nodes)", "zone=b\n(40 nodes)", "zone=c\n(40 nodes)"]
    assert "grouped by node label zone" in ax.get_ylabel()
    # worker2 was down from 30 s to 90 s: its row is masked there and not after
    image = ax.get_images()[0]
    row = sorted(data.node_names(), key=lambda n: (n.startswith("node-"), n)).index("worker2")
    grid = image.get_array()
    bins = grid.shape[1]
    at = lambda t: int(t / 180 * bins)  # noqa: E731
    order = [t.get_text() for t in ax.get_yticklabels()]
    assert order[0].startswith("zone=a")
    # rows of zone a come first, in natural hostname order: manager1, worker1, worker2
    assert row >= 0 and grid.mask[2, at(60)] and not grid.mask[2, at(150)]


def png_info(path: Path) -> tuple[int, int, float]:
    """Width and height (pixels) and dots per inch of a PNG (its pHYs chunk)."""
    raw = path.read_bytes()
    assert raw[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", raw[16:24])
    at = raw.index(b"pHYs")
    ppm = struct.unpack(">I", raw[at + 4:at + 8])[0]
    return width, height, ppm * 0.0254


@pytest.mark.parametrize("fmt", ["svg", "pdf"])
def test_formats_and_resolution(tmp_path, fmt):
    out = tmp_path / "run"
    assert main(["run", str(ROOT / "scenarios" / "crash.yaml"), "--out", str(out),
                 "--format", fmt]) == 0
    pngs = sorted(out.glob("*.png"))
    others = sorted(out.glob(f"*.{fmt}"))
    assert [p.stem for p in pngs] == [p.stem for p in others] and pngs
    for png in pngs:
        width, _height, dpi = png_info(png)
        assert round(dpi) >= 200 and width >= 4.5 * 200  # the narrowest figure: 4.5 in
    head = b"%PDF" if fmt == "pdf" else b"<?xml"
    for other in others:
        assert other.read_bytes()[:5].startswith(head)
        if fmt == "svg":
            assert b"<svg" in other.read_bytes()[:2000]
    # swarmsim report rebuilds them in the format asked for
    for p in others:
        p.unlink()
    assert main(["report", str(tmp_path / "run"), "--format", fmt]) == 0
    assert all(p.is_file() for p in others)


def test_long_task_names_are_cut_in_the_middle_keeping_the_slot():
    assert abbreviate("web.3") == "web.3"
    cut = abbreviate("batch-processing-service-with-a-long-name.27")
    assert len(cut) == 22 and cut.endswith("\u2026.27") and cut.startswith("batch-")


def test_disturbance_labels_never_overlap_or_leave_the_figure(tmp_path):
    # six steps within 5 s, one at the last second: three rows of labels
    # take what fits, the rest are left out and the title says how many
    steps = "".join(f"  - {{at: {t}s, fail: node-east-{i}}}\n"
                    for i, t in enumerate((40, 41, 42, 43, 44, 45), start=1))
    steps += "  - {at: 179s, fail: node-west-2}\n"
    data = RunData.from_result(run_scenario(load_scenario(cluster(tmp_path, 6, steps=steps))))
    fig, renderer = drawn([lambda ax: plot_replicas(data, ax=ax)], (11, 4.6))
    assert_readable(fig, renderer)
    ax = fig.axes[0]
    boxes = [t.get_window_extent(renderer) for t in ax.texts]
    assert len(boxes) >= 4
    for a, b in itertools.combinations(boxes, 2):
        assert not a.overlaps(b), (a, b)
    for box in boxes:
        assert fig.bbox.x0 <= box.x0 and box.x1 <= fig.bbox.x1
        assert ax.bbox.x0 - 1 <= box.x0 and box.x1 <= ax.bbox.x1 + 1  # not under the legend
    shown = len(ax.texts)
    if shown < 9:  # 30 s, 90 s and seven crashes
        assert f"({9 - shown} close disturbance times unlabelled)" in ax.get_title()
