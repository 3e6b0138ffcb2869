"""Each shell session has its own working directory: ``cd`` moves the session's, never
the process's, and every laptop command that reads a file by a relative path (``docker
stack deploy -c``, ``docker build``'s context, ``docker-machine scp``) reads it from
there, as a terminal's processes inherit their shell's directory.  Two sessions in one
process (the API server's and a test's, or two tests') do not see each other's ``cd``."""

from __future__ import annotations

import os
import shlex
from pathlib import Path

import pytest

from swarmsim.shell import Session
from tests.shell_helpers import pipe

STACK = 'version: "3"\nservices:\n  web:\n    image: nginx\n    deploy:\n      replicas: {n}\n'


@pytest.fixture
def two_dirs(tmp_path: Path) -> Path:
    for name, replicas in (("a", 2), ("b", 3)):
        d = tmp_path / name
        d.mkdir()
        (d / "stack.yml").write_text(STACK.format(n=replicas))
        (d / "note.txt").write_text(f"from {name}\n")
    (tmp_path / "a" / "Dockerfile").write_text('FROM python:2.7-slim\nCMD ["python"]\n')
    return tmp_path


def test_two_sessions_keep_their_own_directory(two_dirs):
    before = os.getcwd()
    a = Session.start(cwd=two_dirs)
    b = Session.start(cwd=two_dirs)
    assert pipe(a, "cd a\n") == ("", "")
    assert pipe(b, f"cd {shlex.quote(str(two_dirs / 'b'))}\n") == ("", "")  # absolute too
    assert (a.cwd, b.cwd) == (two_dirs / "a", two_dirs / "b")
    assert os.getcwd() == before  # the process did not move

    # docker stack deploy -c: each session's own stack.yml
    for s in (a, b):
        _, err = pipe(s, "docker swarm init\ndocker stack deploy -d -c stack.yml st\n")
        assert err == "", err
    assert a.sim.state.services["st_web"].spec.replicas == 2
    assert b.sim.state.services["st_web"].spec.replicas == 3

    # docker build .: the context is the session's directory (only a/ has a Dockerfile)
    _, err = pipe(a, "docker build -t mine .\n")
    assert "naming to docker.io/library/mine:latest done" in err
    _, err = pipe(b, "docker build -t mine .\n")
    assert err == ("ERROR: failed to build: failed to solve: failed to read dockerfile: "
                   "open Dockerfile: no such file or directory\n")

    # docker-machine scp: the laptop's file from the session's directory
    for s in (a, b):
        out, err = pipe(s, "docker-machine create vm\ndocker-machine scp note.txt vm:~\n"
                           'docker-machine ssh vm "cat note.txt"\n')
        assert err == "", err
    assert out.endswith("from b\n")
    assert pipe(a, 'docker-machine ssh vm "cat note.txt"\n')[0] == "from a\n"

    # cd .. in one session moves only that one; bash's messages for bad targets
    assert pipe(a, "cd ..\n") == ("", "")
    assert (a.cwd, b.cwd) == (two_dirs, two_dirs / "b")
    assert pipe(b, "cd nowhere\n") == ("", "bash: cd: nowhere: No such file or directory\n")
    assert pipe(b, "cd note.txt\n") == ("", "bash: cd: note.txt: Not a directory\n")
    assert pipe(b, "cd a b\n") == ("", "bash: cd: too many arguments\n")
    assert b.cwd == two_dirs / "b"
    assert os.getcwd() == before


def test_a_session_starts_in_the_process_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    s = Session.start()
    monkeypatch.chdir(tmp_path.parent)  # moving the process later does not move the session
    assert s.cwd == tmp_path
    (tmp_path / "stack.yml").write_text(STACK.format(n=1))
    _, err = pipe(s, "docker swarm init\ndocker stack deploy -d -c stack.yml st\n")
    assert err == ""
