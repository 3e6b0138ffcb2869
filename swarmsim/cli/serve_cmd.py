"""``swarmsim serve [SCENARIO]``: the simulated swarm behind the Docker Engine API."""

from __future__ import annotations

import argparse
import sys


def _port(text: str) -> int:
    """A TCP port number, 0 (any free port) to 65535, refused by argparse otherwise."""
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid port: '{text}'") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"invalid port: '{text}' (0 to 65535)")
    return port


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add the ``serve`` subcommand."""
    p = sub.add_parser(
        "serve",
        help="answer the Docker Engine API, so the real docker CLI and SDK drive the swarm",
        description="Load SCENARIO (or start with no machine but this laptop), run its "
        "simulated clock against the wall clock x --speed, and answer the Docker Engine "
        "API as the engine of --machine would. Then: "
        "export DOCKER_HOST=tcp://127.0.0.1:PORT and use docker as usual.",
    )
    p.add_argument("scenario", nargs="?", metavar="SCENARIO", help="scenario YAML file")
    p.add_argument("--seed", type=int, default=None, help="override the scenario's seed")
    p.add_argument("--host", default="127.0.0.1",
                   help="address to listen on (default 127.0.0.1; any other address "
                   "exposes the API beyond this machine and prints a warning)")
    where = p.add_mutually_exclusive_group()
    where.add_argument("--port", type=_port, default=2375, help="TCP port (default 2375)")
    where.add_argument("--socket", default=None, metavar="PATH",
                       help="listen on a unix socket instead (DOCKER_HOST=unix://PATH)")
    p.add_argument("--speed", type=float, default=1.0,
                   help="simulated seconds per wall-clock second (default 1)")
    p.add_argument("--machine", default=None, metavar="NODE",
                   help="the machine whose engine answers (default: the first manager)")
    p.add_argument("--visualizer", type=_port, default=None, metavar="PORT",
                   help="also serve the live visualizer at http://127.0.0.1:PORT/")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    # this sub-command's modules load only when it runs: `swarmsim --help` and the
    # other sub-commands start without them
    from swarmsim.api.server import Server, is_loopback
    from swarmsim.input.scenario import load_scenario
    from swarmsim.shell import Session

    if not args.speed > 0:
        print("swarmsim serve: --speed must be a positive number", file=sys.stderr)
        return 2
    scenario = load_scenario(args.scenario, seed=args.seed) if args.scenario else None
    session = Session.start(scenario, seed=args.seed)
    try:
        server = Server(session, speed=args.speed, machine=args.machine)
    except ValueError as err:
        print(f"swarmsim serve: {err}", file=sys.stderr)
        return 2
    if args.socket is None and not is_loopback(args.host):
        print(f"WARNING: listening on {args.host}: anyone who reaches this address can "
              "drive the simulated swarm (no TLS, no authentication)", file=sys.stderr)

    if args.visualizer is not None:
        server.with_visualizer(args.visualizer)

    def ready(port: int) -> None:
        where = f"unix://{args.socket}" if args.socket else f"tcp://{args.host}:{port}"
        print(f"swarmsim serve: the engine of {server.view.machine} at {where} "
              f"(speed x{args.speed:g})", flush=True)
        print(f"  export DOCKER_HOST={where}", flush=True)
        if server.visualizer_port is not None:
            print(f"  visualizer: http://127.0.0.1:{server.visualizer_port}/", flush=True)

    try:
        server.run_forever(args.host, args.port, args.socket, ready)
    except OSError as err:
        print(f"swarmsim serve: {err.strerror or err}", file=sys.stderr)
        return 1
    return 0
