"""``swarmsim shell [SCENARIO]``: an interactive docker prompt on a simulated swarm."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from swarmsim.cli import args as checked
from swarmsim.foundation.errors import InputError

if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import TextIO

    from swarmsim.shell import Session


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add the ``shell`` subcommand."""
    p = sub.add_parser(
        "shell",
        help="an interactive docker / docker-machine prompt on a simulated swarm",
        description="Type docker and docker-machine commands as in Docker's get-started "
        "tutorial; `sleep 30s` lets simulated time pass, `curl http://ADDR:PORT/` sends a "
        "request, `why TASK` explains a placement. Without SCENARIO you start with no "
        "machines; lines can also come from a pipe. Simulated time follows the wall clock "
        "on a terminal; read from a pipe, each line is preceded by a fixed simulated second "
        "(--speed seconds), so transcripts are deterministic.",
    )
    p.add_argument("scenario", nargs="?", metavar="SCENARIO", type=checked.path,
                   help="scenario YAML file")
    p.add_argument("--seed", type=checked.seed, default=None,
                   help="override the scenario's seed")
    p.add_argument("--speed", type=checked.speed, default=None, metavar="N",
                   help="simulated seconds per wall-clock second (default 1); read from a "
                   "pipe: simulated seconds before each line (default 1)")
    p.add_argument("--paused", action="store_true",
                   help="simulated time moves only on `sleep`")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    # this sub-command's modules load only when it runs: `swarmsim --help` and the
    # other sub-commands start without them
    from swarmsim.input.scenario import load_scenario
    from swarmsim.shell import Session
    from swarmsim.shell.clock import clock_for
    from swarmsim.shell.repl import run_lines

    tty = sys.stdin.isatty()
    if args.speed is not None and not args.speed > 0:
        raise InputError(f"--speed: must be a positive number, not {args.speed:g}")
    scenario = load_scenario(args.scenario, seed=args.seed) if args.scenario else None
    clock = clock_for(tty=tty, paused=args.paused, speed=args.speed)
    session = Session.start(scenario, seed=args.seed, clock=clock)
    if tty:
        return interactive(session)
    from swarmsim.shell.limits import read_lines

    return run_lines(session, read_lines(sys.stdin, sys.stderr), sys.stdout, sys.stderr)


def interactive(session: Session) -> int:  # pragma: no cover - needs a terminal
    """The prompt: ``machine$`` (or ``$`` for the laptop), with readline."""
    import getpass

    # this sub-command's modules load only when it runs: `swarmsim --help` and the
    # other sub-commands start without them
    from swarmsim.shell.repl import completions, emit

    session.ask = lambda text, hidden: getpass.getpass(text) if hidden else input(text)

    try:
        import readline
    except ImportError:
        readline = None  # type: ignore[assignment]
    if readline is not None:
        def complete(text: str, state: int) -> str | None:
            line = readline.get_line_buffer()[: readline.get_endidx()]
            found = completions(session, line)
            return found[state] + " " if state < len(found) else None

        readline.set_completer_delims(" \t\n\"'")
        readline.set_completer(complete)
        readline.parse_and_bind("tab: complete")
    code = 0
    while True:
        prompt = session.prompt()
        try:
            line = input(prompt)
        except EOFError:
            print()
            return code
        except KeyboardInterrupt:
            print()
            continue
        reply = session.execute(line)
        if reply.done:
            return code
        emit(reply, sys.stdout, sys.stderr)
        if reply.follow is not None:  # docker service logs -f: until Ctrl-C
            follow(reply.follow, sys.stderr if reply.follow_stderr else sys.stdout)
        code = reply.exit_code


def follow(more: Callable[[], str], stream: TextIO) -> None:  # pragma: no cover - a tty
    """Print what a following command prints next, every wall second, until Ctrl-C."""
    import time

    try:
        while True:
            time.sleep(1.0)
            stream.write(more())
            stream.flush()
    except KeyboardInterrupt:
        print()
