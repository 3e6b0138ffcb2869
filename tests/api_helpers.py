"""Running ``swarmsim serve`` in-process and the real docker CLI against it."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from swarmsim.api.server import Server
from swarmsim.input.scenario import load_scenario
from swarmsim.shell import Session

DATA = Path(__file__).parent / "data" / "api"
DOCKER = shutil.which("docker")
_AGO = re.compile(r"(Running|Shutdown|Preparing|Starting|Assigned|Pending|Failed|Rejected|"
                  r"Complete|Accepted|Ready|New|Orphaned|Remove)\s+((about |less than )?"
                  r"(an?|\d+) \w+|less than a second) ago")


@contextmanager
def served(scenario: str | None = None, *, speed: float = 1.0, machine: str | None = None,
           seed: int | None = None) -> Iterator[Server]:
    """A server on a free loopback port, on a background thread."""
    scen = load_scenario(DATA / scenario, seed=seed) if scenario else None
    session = Session.start(scen, seed=seed)
    server = Server(session, speed=speed, machine=machine)
    server.start_background("127.0.0.1", 0)
    try:
        yield server
    finally:
        server.stop()


def docker(server: Server, *args: str, timeout: float = 60,
           tmp: Path | None = None) -> subprocess.CompletedProcess[str]:
    """The real docker CLI with DOCKER_HOST pointing at the server."""
    assert DOCKER is not None, "the docker CLI is needed (.ci/run installs it)"
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOCKER_")}
    env["DOCKER_HOST"] = f"tcp://127.0.0.1:{server.port}"
    if tmp is not None:
        env["DOCKER_CONFIG"] = str(tmp)
    return subprocess.run([DOCKER, *args], capture_output=True, text=True, env=env,
                          timeout=timeout, check=False, cwd=DATA)


def own(server: Server, line: str, machine: str | None = None) -> tuple[str, str, int]:
    """swarmsim's own answer to a docker command line, on the server's state."""
    from swarmsim.commands import run_command

    res = server.call(lambda: run_command(server.view.sim, line,
                                          on=machine or server.view.machine))
    return res.output, res.error, res.exit_code


def untimed(text: str) -> str:
    """A table with the ``<State> x ago`` cells reduced to the state."""
    return _AGO.sub(lambda m: m.group(1), text)


def cells(text: str) -> list[list[str]]:
    """A docker table as rows of cells (columns are 3+ spaces apart), times reduced."""
    return [[untimed(c) for c in re.split(r" {2,}", line.rstrip())]
            for line in text.splitlines()]
