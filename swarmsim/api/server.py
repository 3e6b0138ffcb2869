"""Running the API server: on a loopback TCP port or a unix socket, in the
foreground (``swarmsim serve``) or on a background thread (tests, benchmarks)."""

from __future__ import annotations

import asyncio
import gc
import ipaddress
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from contextlib import contextmanager
from typing import Any, TypeVar

from aiohttp import web

from swarmsim.api.app import make_app
from swarmsim.api.clock import LiveClock
from swarmsim.api.live import make_live_app
from swarmsim.api.view import View
from swarmsim.commands import control_api, default_machine
from swarmsim.shell.hostcmds import LOCAL

T = TypeVar("T")
GC_FREEZE_S = 2.0  # wall-clock seconds between two freezes of what is alive
GC_FULL_S = 600.0  # wall-clock seconds between two full collections


def is_loopback(host: str) -> bool:
    """True for ``localhost`` and loopback addresses."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class Server:
    """A simulated engine behind the Docker Engine API.

    Args:
        session: the shell session whose simulation and machines are served (its
            scenario already bootstrapped, its timeline due).
        speed: simulated seconds per wall-clock second.
        machine: the machine whose engine answers (default: the leader, else the
            first manager, else the laptop ``localhost``).
    """

    def __init__(self, session: Any, *, speed: float = 1.0,
                 machine: str | None = None) -> None:
        sim = session.sim
        if machine is None:
            try:
                machine = default_machine(sim, control_api(sim))
            except ValueError:
                machine = LOCAL
        if machine not in sim.machines:
            raise ValueError(f"no machine named {machine!r} in the scenario")
        self.session = session
        self.clock = LiveClock(sim, speed)
        self.view = View(sim, self.clock, machine)
        self.app = make_app(self.view)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._runner: web.AppRunner | None = None
        self._thread: threading.Thread | None = None
        self._live: web.AppRunner | None = None
        self.port = 0
        self.visualizer_port: int | None = None

    def with_visualizer(self, port: int) -> Server:
        """Also serve the live visualizer on ``port`` (0: a free one), on loopback."""
        self.visualizer_port = port
        return self

    async def _start(self, host: str, port: int, socket: str | None) -> None:
        self._runner = web.AppRunner(self.app, access_log=None, handle_signals=False)
        await self._runner.setup()
        site: web.BaseSite
        if socket is not None:
            site = web.UnixSite(self._runner, socket)
        else:
            site = web.TCPSite(self._runner, host, port, reuse_address=True)
        await site.start()
        if socket is None:
            self.port = _bound_port(site, port)
        if self.visualizer_port is not None:
            self._live = web.AppRunner(make_live_app(self.view), access_log=None,
                                       handle_signals=False)
            await self._live.setup()
            live = web.TCPSite(self._live, "127.0.0.1", self.visualizer_port,
                               reuse_address=True)
            await live.start()
            self.visualizer_port = _bound_port(live, self.visualizer_port)

    async def _cleanup(self) -> None:
        for runner in (self._live, self._runner):
            if runner is not None:
                await runner.cleanup()
        # streams still open (`/events`, `logs -f`) end with the server
        pending = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for t in pending:
            t.cancel()
        await asyncio.gather(*pending, return_exceptions=True)

    def start_background(self, host: str = "127.0.0.1", port: int = 0,
                         socket: str | None = None) -> Server:
        """Serve on a new thread; returns once the port is bound (``self.port``)."""
        ready = threading.Event()
        errors: list[BaseException] = []

        def main() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            asyncio.set_event_loop(loop)
            try:
                loop.run_until_complete(self._start(host, port, socket))
            except BaseException as err:  # reported to the starting thread
                errors.append(err)
                ready.set()
                return
            ready.set()
            loop.run_forever()
            loop.run_until_complete(self._cleanup())
            loop.close()

        self._thread = threading.Thread(target=main, name="swarmsim-api", daemon=True)
        self._thread.start()
        ready.wait()
        if errors:
            raise errors[0]
        return self

    def call(self, fn: Callable[[], T]) -> T:
        """Run ``fn`` on the server's loop (after advancing the clock), so it sees the
        same consistent state the API calls see; returns its result."""
        assert self._loop is not None

        async def run() -> T:
            self.clock.advance()
            self.view.sync()
            return fn()

        fut: Future[T] = asyncio.run_coroutine_threadsafe(run(), self._loop)
        return fut.result(timeout=60)

    @contextmanager
    def frozen(self) -> Iterator[None]:
        """Simulated time stands still inside the block (for comparing two views of
        one instant)."""
        self.call(self.clock.pause)
        try:
            yield
        finally:
            self.call(self.clock.resume)

    def stop(self) -> None:
        """Stop a background server and wait for its thread."""
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread is not None:
            self._thread.join(timeout=10)

    def run_forever(self, host: str, port: int, socket: str | None,
                    ready: Callable[[int], None]) -> None:
        """Serve in the foreground until interrupted."""
        loop = asyncio.new_event_loop()
        self._loop = loop
        gc.collect()
        gc.freeze()
        try:
            loop.run_until_complete(self._start(host, port, socket))
            ready(self.port)
            keeper = loop.create_task(keep_collector_short())
            loop.run_forever()
            keeper.cancel()
        except KeyboardInterrupt:
            pass
        finally:
            loop.run_until_complete(self._cleanup())
            loop.close()


async def keep_collector_short(every: float = GC_FREEZE_S, full: float = GC_FULL_S) -> None:
    """Keep the cyclic garbage collector's pauses short.

    The simulation's objects (nodes, tasks, specs, pending events) mostly live long; a
    full pass of the collector over them stalls every client for 100 ms and more on a
    thousand-task swarm.  So every ``every`` seconds what is alive is frozen (left out of
    later passes: ``gc.freeze``), and only every ``full`` seconds is everything unfrozen
    and collected once, so that cyclic garbage among once-frozen objects is not kept.
    """
    last_full = time.monotonic()
    while True:
        await asyncio.sleep(every)
        if time.monotonic() - last_full >= full:
            gc.unfreeze()
            gc.collect()
            last_full = time.monotonic()
        gc.freeze()


def _bound_port(site: web.BaseSite, asked: int) -> int:
    """The port a TCP site listens on (the one the system chose for port 0)."""
    server = getattr(site, "_server", None)
    sockets = getattr(server, "sockets", None) or []
    return int(sockets[0].getsockname()[1]) if sockets else asked
