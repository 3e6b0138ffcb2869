"""``swarmsim run``'s human output: each command once, waiting progress after it, and
the redis lesson (data kept or lost) in words."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _run(name: str) -> list[str]:
    proc = subprocess.run([sys.executable, "-m", "swarmsim", "run", str(ROOT / "scenarios" / name)],
                          capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.splitlines()


def test_a_waiting_command_prints_once_with_its_progress():
    lines = _run("drain-scale.yaml")
    scale = [i for i, ln in enumerate(lines) if ln.endswith("$ docker service scale "
                                                            "getstartedlab_web=8")]
    assert len(scale) == 1  # the command ran once
    at = scale[0]
    # docker/cli service scale: "<svc> scaled to 8", then the progress until converged
    assert lines[at + 1] == "getstartedlab_web scaled to 8"
    assert lines[at + 2] == "overall progress: 8 out of 8 tasks"
    assert lines[at + 11] == "verify: Service getstartedlab_web converged"
    assert lines[at + 12].startswith("[0:01:20.000] ")


def test_redis_keeps_its_data_on_the_same_node():
    lines = _run("redis-keeps-data.yaml")
    # redis from 3.05 s, killed at 30 s: 26 items (one per second of running, floored);
    # restarted after the 5 s restart delay on myvm1 (pinned): it finds them
    assert ("[0:00:36.000] getstartedlab_redis.1 found its data in /home/docker/data on "
            "myvm1: 26 items kept") in lines
    assert not any("data lost" in ln for ln in lines)


def test_redis_loses_its_data_when_it_moves():
    lines = _run("redis-loses-data.yaml")
    lost = [ln for ln in lines if "data lost" in ln]
    assert len(lost) == 1
    assert lost[0].endswith("getstartedlab_redis.1 found an empty /home/docker/data on myvm2: "
                            "data lost (its 26 items stay on myvm3)")


def test_the_visit_count_shows_redis_keeping_or_losing_its_data():
    # part 5: redis pinned to myvm1 with /home/docker/data: killed at 50 s, restarted on
    # myvm1, it finds the counter again (app.py's INCR on the same redis data)
    lines = _run("tutorial-part5.yaml")
    visits = [ln.rsplit("<b>Visits:</b> ", 1)[1] for ln in lines if "<b>Visits:</b>" in ln]
    assert visits == ["1", "2", "3"]
    # unpinned: redis on myvm2, which dies at 40 s; redis restarts on myvm1, whose
    # /home/docker/data is another directory: the count starts again
    lines = _run("tutorial-mistakes-redis-unpinned.yaml")
    visits = [ln.rsplit("<b>Visits:</b> ", 1)[1] for ln in lines if "<b>Visits:</b>" in ln]
    assert visits == ["1", "2", "1"]
    at = lines.index("[0:01:31.000] myvm1$ curl http://192.168.99.100/")
    assert lines[at + 1].startswith("<h3>Hello World!</h3>")


def test_a_timeline_curl_needs_one_url(tmp_path):
    from swarmsim.commands import check_command

    assert check_command("curl http://192.168.99.100:4000/") is None
    assert check_command("curl 192.168.99.100") is None
    for bad in ("curl", "curl http://a/ http://b/", "curl -s http://a/"):
        assert check_command(bad).startswith("curl: (3) URL using bad/illegal format")
    scen = tmp_path / "s.yaml"
    scen.write_text("name: s\nnodes: [{name: m1, role: manager}]\n"
                    "timeline:\n  - {at: 1s, run: \"curl\"}\n")
    proc = subprocess.run([sys.executable, "-m", "swarmsim", "run", str(scen)],
                          capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.count("\n") == 1 and "timeline" in proc.stderr
