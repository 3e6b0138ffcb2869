"""Streaming ``docker stats`` in the shell, against docker/cli's cli/command/container/
stats.go: each redraw is ``ESC[H``, every table line followed by ``ESC[K``, then
``ESC[J``; from a pipe, a fixed number of frames one simulated second apart."""

from __future__ import annotations

from swarmsim.shell.stats_cmd import PIPED_FRAMES, frame
from tests.shell_helpers import piped_session, run_line

SWARM = """\
docker-machine create myvm1
docker-machine ssh myvm1 "docker swarm init --advertise-addr 192.168.99.100"
eval $(docker-machine env myvm1)
docker service create -d --name web --replicas 2 gordon/get-started:part2
"""


def _frames(text):
    assert text.startswith("\033[H") and text.endswith("\033[J")
    return [f.removesuffix("\033[J") for f in text[len("\033[H"):].split("\033[J\033[H")]


def test_frame_codes():
    assert frame("A\nb\n") == "\033[HA\033[K\nb\033[K\n\033[K\n\033[J"


def test_piped_stats_prints_a_fixed_number_of_frames_a_second_apart():
    s = piped_session(SWARM)
    before = s.sim.now
    out, err, code = run_line(s, "docker stats")
    assert (err, code) == ("", 0)
    frames = _frames(out)
    assert len(frames) == PIPED_FRAMES == 3
    # the line ran at before + 1 (a piped line's second), then two samples a second apart
    assert s.sim.now == before + 1 + (PIPED_FRAMES - 1)
    for f in frames:
        lines = f.split("\033[K\n")
        assert lines[0].split()[:4] == ["CONTAINER", "ID", "NAME", "CPU"]
        assert lines[-1] == ""  # the table's last newline makes one more cleared line
    # tasks started in the meantime appear in a later frame
    assert len(frames[-1].split("\033[K\n")) >= len(frames[0].split("\033[K\n"))


def test_stats_formats_and_errors():
    s = piped_session(SWARM + "sleep 20\n")
    out, _, _ = run_line(s, "docker container stats --no-stream --format '{{.Name}} {{.PIDs}}'")
    assert sorted(ln.split(".")[0] for ln in out.splitlines()) == ["web", "web"]
    assert all(ln.endswith(" 1") for ln in out.splitlines())
    out, _, _ = run_line(s, "docker stats --format 'table {{.ID}}\\t{{.MemPerc}}'")
    first = _frames(out)[0].split("\033[K\n")
    assert first[0].split() == ["CONTAINER", "ID", "MEM", "%"]
    assert len(first[1].split()[0]) == 12
    out, err, code = run_line(s, "docker stats --no-trunc nope")
    assert (out, err, code) == ("", "Error response from daemon: No such container: nope\n", 1)


def test_on_a_terminal_each_call_draws_the_next_frame():
    s = piped_session(SWARM + "sleep 20\n")
    s.ask = lambda text, hidden: ""  # a terminal
    reply = s.execute("docker stats --no-trunc")
    assert reply.follow is not None and len(_frames(reply.output)) == 1
    nxt = reply.follow()
    assert len(_frames(nxt)) == 1 and len(nxt.split("\033[K\n")[1].split()[0]) == 64


def test_ps_format():
    # cli/command/formatter/container.go's fields and headers; `table` adds the header
    s = piped_session(SWARM + "sleep 20\n")
    out, err, code = run_line(s, "docker ps --format '{{.Names}} {{.State}} {{.Command}}'")
    assert (err, code) == ("", 0)
    assert sorted(ln.split(".")[0] for ln in out.splitlines()) == ["web", "web"]
    assert all(ln.endswith(' running "python app.py"') for ln in out.splitlines())
    out, _, _ = run_line(s, "docker container ls --format 'table {{.ID}}\\t{{.Status}}'")
    assert out.splitlines()[0].split() == ["CONTAINER", "ID", "STATUS"]
    assert out.splitlines()[1].split()[1] == "Up"
    _, err, code = run_line(s, "docker ps --format '{{.Nope'")
    assert (err, code) == ("template parsing error: template: :1: unclosed action\n", 1)
