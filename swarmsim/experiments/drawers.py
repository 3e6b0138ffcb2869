"""Drawing processes: figures rendered beside the process that computes them.

:func:`started_drawers` forks the drawing processes early, before this process loads
the simulation: the first imports the plotting library (on another core, while this
process goes on) and then forks the others, which start with it loaded.  They wait on
pipes until :meth:`Drawers.draw` hands them figures as plain data
(:class:`~swarmsim.experiments.plots.IntervalFigure`): one figure at a time to whichever
is free, so they finish together (the tail is at most one figure).

A drawer never prints: an error reaches this process as one line (:class:`DrawError`).
Drawers ignore Ctrl-C (this process stops them) and end when this process ends, however
it ends.  Only this module's own imports (and the plotting library) load in a drawer.
"""

from __future__ import annotations

import gc
import os
import signal
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from multiprocessing import Pipe
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any

from swarmsim.experiments.plots import IntervalFigure, load_plotting, render
from swarmsim.experiments.sharing import SharedCpu, cpu_ledger, fork_safe
from swarmsim.foundation.collector import paused_collector

#: seconds between a waiting drawer's checks that the process that started it is alive
_WATCH = 0.5
#: seconds this process waits for a drawer to exit when stopping it, before killing it
_GRACE = 5.0


class DrawError(Exception):
    """A figure a drawer could not render, or a drawer that ended unexpectedly (one
    line)."""


class Drawers:
    """Started drawing processes (see the module's text).

    Attributes:
        pids: the drawers' process ids, once they have answered (:meth:`draw`).
    """

    def __init__(self, count: int, fmt: str) -> None:
        pipes = [Pipe() for _ in range(count)]
        self._conns: list[Connection] = [mine for mine, _ in pipes]
        self._ready: dict[Connection, float] = {}
        self._ledger_at = len(cpu_ledger)
        self._forked_at = time.process_time()
        self.pids: list[int] = []
        self._drawn = False
        for stream in (sys.stdout, sys.stderr):  # a copy never writes them a second time
            stream.flush()
        self._first = os.fork()
        if self._first == 0:  # pragma: no cover - runs in the drawer (measured there)
            _first_drawer(pipes, fmt, os.getppid())

        for _, theirs in pipes:
            theirs.close()

    def ready(self) -> list[int]:
        """Wait until every drawer has started (loaded the plotting library); their
        process ids."""
        for conn in self._conns:
            if conn not in self._ready:  # the greeting: the pid, the start-up's CPU
                _, pid, cpu = self._receive(conn)
                self._ready[conn] = cpu
                self.pids.append(pid)
        return list(self.pids)

    @staticmethod
    def _receive(conn: Connection) -> tuple[Any, ...]:
        try:
            answer: tuple[Any, ...] = conn.recv()
        except (EOFError, OSError):
            raise DrawError("a drawing process ended unexpectedly") from None
        return answer

    def draw(self, jobs: Sequence[tuple[Path, IntervalFigure]]) -> list[Path]:
        """Render every ``(path, figure)``, each by the next free drawer; the paths in
        job order.  The CPU seconds of the drawers (their start-up, then the figures)
        go to :data:`~swarmsim.experiments.sharing.cpu_ledger`.

        Raises:
            DrawError: the first figure that failed (one line), once the drawers are
                idle again.
        """
        start = time.process_time()
        self.ready()
        busy: dict[Connection, int] = {}
        cpu: dict[int, float] = {}
        failures: list[str] = []
        todo = iter(range(len(jobs)))
        idle = list(self._conns)
        pid_of = dict(zip(self._conns, self.pids, strict=True))
        while True:
            while idle and not failures:
                i = next(todo, None)
                if i is None:
                    break
                conn = idle.pop()
                try:
                    conn.send(jobs[i])
                except OSError:
                    raise DrawError("a drawing process ended unexpectedly") from None
                busy[conn] = i
            if not busy:
                break
            answered = wait(list(busy))
            for conn in [c for c in self._conns if c in answered]:
                status, message, spent = self._receive(conn)
                del busy[conn]
                idle.append(conn)
                cpu[pid_of[conn]] = cpu.get(pid_of[conn], 0.0) + spent
                if status != "done":
                    failures.append(message)
        own = time.process_time() - start
        startup = tuple(sorted((pid_of[c], spent) for c, spent in self._ready.items()))
        # the drawers' start-up ran beside this process's own work from their fork to
        # here (outside the stretches shared since)
        mine = start - self._forked_at - sum(p.own for p in cpu_ledger[self._ledger_at:])
        cpu_ledger.insert(self._ledger_at, SharedCpu(max(0.0, mine), startup))
        cpu_ledger.append(SharedCpu(own, tuple(sorted(cpu.items()))))
        self._drawn = True
        if failures:
            raise DrawError(failures[0])
        return [job[0] for job in jobs]

    def close(self) -> None:
        """Stop the drawers and wait for the first.  Before the figures are drawn (an
        error, an interrupt) the first is stopped at once, still loading or drawing,
        and the others follow it within :data:`_WATCH` seconds; after, they are told to
        exit (and killed if they do not in time)."""
        for conn in self._conns:
            try:
                conn.send(None)
            except OSError:
                pass
            conn.close()
        if not self._drawn:
            os.kill(self._first, signal.SIGTERM)
        deadline = time.monotonic() + _GRACE
        while True:
            try:
                done, _ = os.waitpid(self._first, os.WNOHANG)
            except ChildProcessError:
                return
            if done:
                return
            if time.monotonic() > deadline:
                os.kill(self._first, signal.SIGKILL)  # the others see it end and exit
                os.waitpid(self._first, 0)
                return
            time.sleep(0.01)


@contextmanager
def started_drawers(count: int, fmt: str) -> Iterator[Drawers | None]:
    """``count`` started :class:`Drawers` (None where they cannot be forked), stopped
    on leaving, whatever ends the block."""
    if count < 1 or not fork_safe():
        yield None
        return
    drawers = Drawers(count, fmt)
    try:
        yield drawers
    finally:
        drawers.close()


def _first_drawer(pipes: list[tuple[Connection, Connection]], fmt: str,
                  parent: int) -> None:  # pragma: no cover - runs in a forked drawer
    """The first drawer: import the plotting library, fork the others, serve."""
    code = 1
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # the command stops its drawers
        for mine, _ in pipes:
            mine.close()
        start = time.process_time()
        # the library's objects live as long as the drawer: frozen before the collector
        # runs again, no collection walks them (the first ones after the import would
        # walk all of them, young, then old) or writes to the pages that the drawers
        # forked below share with this one
        with paused_collector():
            load_plotting(fmt)
            gc.freeze()
        others = []
        for k in range(1, len(pipes)):
            pid = os.fork()
            if pid == 0:
                code = 1
                try:
                    for j, (_, theirs) in enumerate(pipes):
                        if j != k:
                            theirs.close()
                    code = _serve(pipes[k][1], 0.0, os.getppid())
                finally:
                    os._exit(code)
            others.append(pid)
        for _, theirs in pipes[1:]:
            theirs.close()
        code = _serve(pipes[0][1], time.process_time() - start, parent)
        for pid in others:
            os.waitpid(pid, 0)
    finally:
        os._exit(code)


def _serve(conn: Connection, startup: float, parent: int) -> int:  # pragma: no cover
    """A drawer's loop: greet, then render each job received until told to stop (None)
    or the process that started it is gone; the exit status."""
    try:
        conn.send(("hello", os.getpid(), startup))
        while True:
            while not conn.poll(_WATCH):
                if os.getppid() != parent:
                    return 1
            job = conn.recv()
            if job is None:
                return 0
            path, data = job
            start = time.process_time()
            try:
                render(path, data)
                answer = ("done", str(path), time.process_time() - start)
            except Exception as exc:
                text = " ".join(str(exc).split()) or type(exc).__name__
                answer = ("error", f"cannot draw {Path(path).name}: {text}",
                          time.process_time() - start)
            conn.send(answer)
    except (EOFError, OSError):  # the command has gone
        return 1
