"""visualizer.html in a real headless Chromium: it loads without console errors, and at
chosen times its task boxes per node are the simulation's, node status included."""

import shutil
import tempfile
import time
from pathlib import Path

import pytest

from swarmsim.app.run import run_scenario
from swarmsim.cli import main
from swarmsim.cluster.tasks import TaskState
from swarmsim.input.scenario import load_scenario
from tests.metrics_fixtures import CAUSES_COMPOSE, CAUSES_SCENARIO, crash, make

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None or DRIVER is None,
    reason="needs Debian's chromium and chromium-driver (.ci/run installs them)",
)


@pytest.fixture(scope="module")
def browser():
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    profile = tempfile.mkdtemp(prefix="swarmsim-chromium-")
    for arg in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", f"--user-data-dir={profile}",
                "--window-size=1400,1000"):
        opts.add_argument(arg)
    opts.binary_location = CHROMIUM
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(DRIVER), options=opts)
    yield driver
    driver.quit()
    shutil.rmtree(profile, ignore_errors=True)


def _write(tmp: Path, scenario: Path) -> Path:
    out = tmp / "out"
    assert main(["run", str(scenario), "--out", str(out)]) == 0
    return out / "visualizer.html"


def _errors(browser) -> list:
    """Console errors, and anything the page's own script logged."""
    return [e for e in browser.get_log("browser")
            if e["level"] == "SEVERE" or e.get("source") in ("javascript", "console-api")]


def _open(browser, page: Path) -> list:
    browser.get_log("browser")  # drop what an earlier page logged
    browser.get(page.resolve().as_uri())
    return _errors(browser)


def _show(browser, t: float) -> dict:
    browser.execute_script(
        "var s = document.getElementById('time'); s.value = arguments[0];"
        "s.dispatchEvent(new Event('input'));", t)
    return browser.execute_script(
        "var out = {}; document.querySelectorAll('#cluster .node').forEach(function (n) {"
        "  out[n.dataset.node] = {boxes: n.querySelectorAll('.task').length,"
        "    state: n.dataset.state, alive: n.dataset.alive,"
        "    availability: n.dataset.availability}; }); return out;")


def _simulated(scenario: Path, at: float) -> dict[str, int]:
    """Boxes the visualizer should show: tasks on each node with desired state running,
    from a run stopped at ``at``."""
    sim = run_scenario(load_scenario(scenario), until=at).sim
    counts = {n.name: 0 for n in sim.state.nodes.values()}
    for t in sim.state.tasks.values():
        node = sim.state.nodes.get(t.node_id or "")
        if node is not None and t.desired == TaskState.RUNNING:
            counts[node.name] += 1
    return counts


def test_crash_replay_matches_the_simulation(browser, tmp_path, capsys):
    crash(tmp_path / "sc")
    scenario = tmp_path / "sc" / "scenario.yaml"
    page = _write(tmp_path, scenario)
    capsys.readouterr()
    assert _open(browser, page) == []  # no console error
    for at in (1.5, 65.0, 100.0):
        shown = _show(browser, at)
        assert {n: v["boxes"] for n, v in shown.items()} == _simulated(scenario, at), at
    at65, at100 = _show(browser, 65.0), _show(browser, 100.0)
    assert at65["myvm2"]["alive"] == "0" and at65["myvm2"]["state"] == "ready"  # not noticed
    assert at100["myvm2"]["state"] == "down"
    dead = browser.execute_script(
        "window.swarmsimViz.render(65); return document.querySelectorAll("
        "'.node[data-node=myvm2] .task[data-alive=\"0\"]').length;")
    assert dead == 1  # the manager still believes in a container that died with its machine
    assert _errors(browser) == []


def test_play_button_moves_time(browser, tmp_path, capsys):
    crash(tmp_path / "sc")
    page = _write(tmp_path, tmp_path / "sc" / "scenario.yaml")
    capsys.readouterr()
    _open(browser, page)
    browser.find_element("id", "speed").send_keys("100x")
    browser.find_element("id", "play").click()  # at the end: replays from the start
    deadline = time.monotonic() + 20  # generous: a loaded machine slows the browser
    value = 0.0
    while time.monotonic() < deadline:
        value = float(browser.find_element("id", "time").get_attribute("value"))
        if value > 5.0:
            break
        time.sleep(0.05)
    assert 5.0 < value < 120.0
    assert browser.find_element("id", "play").text == "Pause"
    browser.find_element("id", "play").click()
    assert browser.find_element("id", "play").text == "Play"
    assert _errors(browser) == []


def test_drained_node_and_updates(browser, tmp_path, capsys):
    scenario = make(tmp_path / "sc", CAUSES_SCENARIO.replace(
        "timeline:\n", "timeline:\n  - {at: 50s, run: \"docker node update --availability "
        "drain n2\"}\n"), CAUSES_COMPOSE, "app.yml")
    page = _write(tmp_path, scenario)
    capsys.readouterr()
    assert _open(browser, page) == []
    for at in (10.0, 30.5, 42.0, 55.0):
        shown = _show(browser, at)
        assert {n: v["boxes"] for n, v in shown.items()} == _simulated(scenario, at), at
    assert _show(browser, 55.0)["n2"]["availability"] == "drain"
