"""The live visualizer in headless Chromium: a service scaled through the API (by the
real docker CLI) appears on the page, box by box, where the simulation put it."""

from __future__ import annotations

import time

import pytest
from api_helpers import DATA, docker

from tests.test_visualizer_browser import (  # noqa: F401
    CHROMIUM,
    DRIVER,
    _errors,
    _write,
    browser,
)

pytestmark = pytest.mark.skipif(
    CHROMIUM is None or DRIVER is None,
    reason="needs Debian's chromium and chromium-driver (.ci/run installs them)",
)


def _boxes(browser) -> dict:  # noqa: F811
    return browser.execute_script(
        "var out = {}; document.querySelectorAll('#cluster .node').forEach(function (n) {"
        "  out[n.dataset.node] = Array.prototype.map.call(n.querySelectorAll('.task'),"
        "    function (t) { return t.dataset.task; }).sort(); }); return out;")


def _wait(browser, check, timeout=15.0):  # noqa: F811
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if check(_boxes(browser)):
            return _boxes(browser)
        time.sleep(0.1)
    return _boxes(browser)


def test_live_page_follows_a_scale_through_the_api(browser):  # noqa: F811
    from swarmsim.api.server import Server
    from swarmsim.input.scenario import load_scenario
    from swarmsim.shell import Session

    session = Session.start(load_scenario(DATA / "part3.yaml"))
    srv = Server(session, speed=20).with_visualizer(0)
    srv.start_background("127.0.0.1", 0)
    try:
        browser.get_log("browser")
        browser.get(f"http://127.0.0.1:{srv.visualizer_port}/")
        shown = _wait(browser, lambda b: sum(map(len, b.values())) == 5)
        assert sorted(shown) == ["myvm1", "myvm2"]
        assert sum(map(len, shown.values())) == 5
        scaled = docker(srv, "service", "scale", "-d", "getstartedlab_web=8")
        assert scaled.returncode == 0, scaled.stderr
        shown = _wait(browser, lambda b: sum(map(len, b.values())) == 8)
        state = srv.view.sim.state

        def expected():
            out: dict[str, list[str]] = {"myvm1": [], "myvm2": []}
            for t in state.tasks.values():
                if t.desired.name == "RUNNING" and t.node_id:
                    out[state.nodes[t.node_id].name].append(t.id)
            return {k: sorted(v) for k, v in out.items()}

        assert shown == srv.call(expected)  # the boxes are the simulation's tasks
        assert sum(map(len, shown.values())) == 8
        assert _errors(browser) == []
    finally:
        browser.get("about:blank")  # else the page polls a stopped server into the next test
        srv.stop()


def _expected(srv):
    state = srv.view.sim.state

    def tasks():
        out: dict[str, list[str]] = {n.name: [] for n in state.nodes.values()}
        for t in state.tasks.values():
            if t.desired.name == "RUNNING" and t.node_id:
                out[state.nodes[t.node_id].name].append(t.id)
        return {k: sorted(v) for k, v in out.items()}

    return srv.call(tasks)


def test_a_run_visualizer_page_follows_a_served_swarm(browser, tmp_path, capsys):  # noqa: F811
    """The visualizer.html `swarmsim run --out` wrote replays its run; opened with
    ``?live=`` and the address of a running `swarmsim serve` (its API port), the same
    page draws the served swarm instead, and follows a scale made through the API."""
    from swarmsim.api.server import Server
    from swarmsim.input.scenario import load_scenario
    from swarmsim.shell import Session

    page = _write(tmp_path, DATA / "part3.yaml")  # its replay ends with five boxes
    capsys.readouterr()
    session = Session.start(load_scenario(DATA / "part3.yaml"))
    srv = Server(session, speed=20).start_background("127.0.0.1", 0)
    try:
        browser.get_log("browser")
        browser.get(page.resolve().as_uri() + f"?live=http://127.0.0.1:{srv.port}")
        shown = _wait(browser, lambda b: sum(map(len, b.values())) == 5)
        assert shown == _expected(srv)  # the served swarm's tasks, not the run's
        assert docker(srv, "service", "scale", "-d", "getstartedlab_web=7").returncode == 0
        shown = _wait(browser, lambda b: sum(map(len, b.values())) == 7)
        assert shown == _expected(srv)
        assert browser.execute_script("return document.getElementById('play').style.display"
                                      ) == "none"  # no replay controls in live mode
        assert _errors(browser) == []
    finally:
        browser.get("about:blank")  # else the page polls a stopped server into the next test
        srv.stop()
