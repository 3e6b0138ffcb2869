"""``docker stats`` streaming in the shell.

docker/cli (cli/command/container/stats.go) redraws the table every half second until
interrupted: each frame is ``ESC[H`` (cursor home), every line of the table followed by
``ESC[K`` (clear to the end of the line), then ``ESC[J`` (clear below), and the daemon
samples each container once a second.  On a terminal the shell redraws as the clock
moves until Ctrl-C.  When the lines come from a pipe it prints :data:`PIPED_FRAMES`
frames, one simulated second apart, so a transcript is the same on every run.
``--no-stream`` prints one table (:mod:`swarmsim.commands.stats`).
"""

from __future__ import annotations

import shlex
from typing import TYPE_CHECKING

from swarmsim.commands import control_api, run_command
from swarmsim.commands.context import Context
from swarmsim.commands.run import checked_parse
from swarmsim.commands.stats import stats_entries, stats_text
from swarmsim.foundation.errors import CommandError
from swarmsim.shell.reply import Reply

if TYPE_CHECKING:
    from swarmsim.shell.laptop import Laptop

#: frames a streaming ``docker stats`` prints when its line came from a pipe
PIPED_FRAMES = 3
#: simulated seconds between two samples (the daemon's stats interval)
SAMPLE_S = 1.0


def frame(table: str) -> str:
    """One redraw of the table, with docker's cursor and clearing codes."""
    lines = table.split("\n")
    return "\033[H" + "".join(f"{ln}\033[K\n" for ln in lines) + "\033[J"


def wants_stats(words: list[str]) -> bool:
    """A ``docker stats`` or ``docker container stats`` line."""
    return words[1:2] == ["stats"] or words[1:3] == ["container", "stats"]


def stats_command(session: Laptop, machine: str, words: list[str]) -> Reply:
    """One table (``--no-stream``), or the first frame (and on a terminal, what draws
    the next ones)."""
    plain = ["docker", "stats", *words[3:]] if words[1] == "container" else list(words)
    if "--no-stream" in plain:
        res = run_command(session.sim, shlex.join(plain), on=machine)
        return Reply(res.output, res.error, res.exit_code)
    try:
        parsed = checked_parse(plain)
    except CommandError as err:
        return Reply("", err.message + "\n", err.exit_code)
    refs = list(parsed.args)
    fmt = str(parsed.values.get("format") or "")
    trunc = not parsed.values.get("no-trunc")

    def draw() -> str:
        ctx = Context(session.sim, control_api(session.sim), machine)
        return frame(stats_text(stats_entries(ctx, refs, trunc), fmt))

    try:
        first = draw()
    except CommandError as err:
        return Reply("", err.message + "\n", err.exit_code)
    if session.ask is not None:  # a terminal: until Ctrl-C

        def more() -> str:
            session.catch_up()
            try:
                return draw()
            except CommandError:  # the container went away: docker clears and stops
                return "\033[H\033[J"

        return Reply(first, follow=more)
    out = [first]
    for _ in range(PIPED_FRAMES - 1):
        out.append(session.advance(session.sim.now + SAMPLE_S))
        session.settle()
        try:
            out.append(draw())
        except CommandError:
            out.append("\033[H\033[J")
            break
    return Reply("".join(out))
