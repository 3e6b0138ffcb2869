"""Every shell command block of docs/learning.md runs, and does what the text says."""

from __future__ import annotations

import io
import os
import re
import shlex
from pathlib import Path

import pytest

from swarmsim.cli import main
from swarmsim.shell import Session
from swarmsim.shell.clock import clock_for
from swarmsim.shell.repl import run_lines

ROOT = Path(__file__).resolve().parents[1]
DOC = (ROOT / "docs" / "learning.md").read_text()


def _blocks() -> dict[str, str]:
    """The ``sh`` blocks, by the title of their section."""
    found = {}
    for section in re.split(r"^## ", DOC, flags=re.M)[1:]:
        title = section.splitlines()[0]
        for n, block in enumerate(re.findall(r"```sh\n(.*?)```", section, re.S)):
            found[f"{title}#{n}"] = block
    return found


BLOCKS = _blocks()


def test_the_doc_has_the_blocks_this_test_runs():
    assert sorted(BLOCKS) == ["1. Install#0", "2. Start a shell on a fresh \"laptop\"#0",
                              "3. Part 2: a container on the laptop#0",
                              "4. Part 3: a service on the laptop's own swarm#0",
                              "5. Part 4: a swarm of two machines#0",
                              "6. Part 5: the stack with redis#0",
                              "8. The tutorial as scenarios#0"]
    assert "pip install" in BLOCKS["1. Install#0"]  # installing is what the suite runs in


@pytest.fixture
def compose_dir():
    old = os.getcwd()
    os.chdir(ROOT / "scenarios" / "compose")
    yield
    os.chdir(old)


def test_start_block(compose_dir, monkeypatch, capsys):
    lines = BLOCKS['2. Start a shell on a fresh "laptop"#0'].splitlines()
    assert lines[0].split()[:2] == ["cd", "scenarios/compose"]
    assert lines[1] == "swarmsim shell"
    monkeypatch.setattr("sys.stdin", io.StringIO("docker node ls\n"))
    assert main(["shell"]) == 1  # the laptop is in no swarm, as the text says
    assert "This node is not a swarm manager." in capsys.readouterr().err


def test_parts_2_to_5_blocks_in_one_shell(compose_dir):
    s = Session.start(clock=clock_for(tty=False))
    out, err = io.StringIO(), io.StringIO()
    part2 = BLOCKS["3. Part 2: a container on the laptop#0"]
    assert run_lines(s, part2.splitlines(), out, err) == 0
    text = out.getvalue()
    assert "<b>Visits:</b> <i>cannot connect to Redis, counter disabled</i>" in text
    assert "Login Succeeded\nThe push refers to repository [docker.io/gordon/get-started]\n" in text
    assert err.getvalue().startswith('#0 building with "default" instance')
    out, err = io.StringIO(), io.StringIO()
    part3 = BLOCKS["4. Part 3: a service on the laptop's own swarm#0"]
    assert run_lines(s, part3.splitlines(), out, err) == 0
    text = out.getvalue()
    assert " 192.168.1.10:2377\n" in text
    ls = [ln.split() for ln in text.splitlines() if "getstartedlab_web   replicated" in ln]
    assert [row[3] for row in ls] == ["0/5", "7/7"]
    assert "<h3>Hello World!</h3>" in text
    assert text.endswith("Node left the swarm.\n")
    out, err = io.StringIO(), io.StringIO()
    part4 = BLOCKS["5. Part 4: a swarm of two machines#0"]
    assert run_lines(s, part4.splitlines(), out, err) == 0
    notice = ("Since --detach=false was not specified, tasks will be created in the "
              "background.\nIn a future release, --detach=false will become the default.\n")
    # docker's stack deploy notice, then the app's log (Flask writes it to stderr)
    assert err.getvalue().startswith(notice)
    logged = err.getvalue()[len(notice):]
    text = out.getvalue()
    assert "This node joined a swarm as a worker.\n" in text
    assert text.count("Visits:</b> <i>cannot connect to Redis, counter disabled</i>") == 2
    assert "Removing service getstartedlab_web\n" in text
    assert "\n5\n" in text  # docker inspect --format on the service
    stamped = [ln for ln in logged.splitlines() if re.match(
        r"2026-01-01T00:\d\d:\d\d\.\d{9}Z getstartedlab_web\.\d\.\w{12}@myvm\d    \| ", ln)]
    assert len(stamped) == 5 == len(logged.splitlines())  # --tail 1: each task's last line
    out, err = io.StringIO(), io.StringIO()
    part5 = BLOCKS["6. Part 5: the stack with redis#0"]
    assert run_lines(s, part5.splitlines(), out, err) == 0
    text = out.getvalue()
    assert err.getvalue() == notice
    before_mkdir = text.split("getstartedlab_redis.1 (")[1]
    assert 'rejected: invalid mount config for type "bind": bind source path does not ' \
           "exist: /home/docker/data" in before_mkdir
    assert re.search(r"task getstartedlab_redis\.1 \(\w+\) on myvm1 running", text)
    assert "<b>Visits:</b> 1\n" in text
    assert "getstartedlab_redis.1 (" in text and "is running on myvm1" in text
    assert text.endswith("Node left the swarm.\nNode left the swarm.\n")


def test_scenario_block_commands(capsys):
    old = os.getcwd()
    os.chdir(ROOT)
    try:
        for line in BLOCKS["8. The tutorial as scenarios#0"].splitlines():
            words = shlex.split(line)
            assert words[0] == "swarmsim"
            assert main(words[1:]) == 0, line
    finally:
        os.chdir(old)
    out = capsys.readouterr().out
    assert "end of simulation" in out
    assert "getstartedlab_redis.1" in out
