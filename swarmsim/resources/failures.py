"""Random machine failures: the scenario's ``failures:`` processes in simulated time.

Each process alternates up and down times drawn from its own generator, spawned at the
start from the run's ``failures`` stream in the scenario's order, so for one seed every
placement policy sees the same failure times (common random numbers). A process per
machine, or one for a whole group with ``together``. A machine already down when its
failure comes (a timeline ``fail``) is left alone, and only machines this process took
down are brought back.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np

from swarmsim.cluster.state import ClusterState
from swarmsim.input.constraint import parse_constraints
from swarmsim.input.failures import FailureSpec
from swarmsim.input.scenario import Scenario
from swarmsim.scheduler.constraint import node_matches
from swarmsim.simulation.clock import Clock


class FailureEvent(NamedTuple):
    """A machine failing or coming back by a ``failures:`` process (``events.jsonl``)."""

    time: float
    action: str  # fail | recover
    target: str
    detail: str
    kind: str = "fault"


class _Process:
    __slots__ = ("down", "index", "machines", "rng", "spec")

    def __init__(self, spec: FailureSpec, index: int, machines: tuple[str, ...],
                 rng: np.random.Generator) -> None:
        self.spec = spec
        self.index = index
        self.machines = machines
        self.rng = rng
        self.down: list[str] = []

    def draw(self, mean: float) -> float:
        s = self.spec
        if s.dist == "weibull":
            return float(s.scale(mean) * self.rng.weibull(s.shape))
        return float(self.rng.exponential(mean))


class RandomFailures:
    """Every ``failures:`` process of the scenario (inert without any)."""

    def __init__(
        self,
        state: ClusterState,
        clock: Clock,
        scenario: Scenario,
        rng: np.random.Generator,
        record: Callable[[Any], None],
    ) -> None:
        self.state = state
        self.clock = clock
        self.scenario = scenario
        self.rng = rng  # the "failures" stream: one seed per failure process
        self.record = record  # the simulation's event records
        self.processes: list[_Process] = []
        self.log: list[FailureEvent] = []

    def start(self) -> None:
        specs = getattr(self.scenario, "failures", ())
        if not specs:
            return
        names = [n.name for n in self.scenario.nodes]
        groups: list[tuple[FailureSpec, int, tuple[str, ...]]] = []
        for i, spec in enumerate(specs):
            chosen = tuple(names) if spec.nodes == ("all",) or spec.constraint else spec.nodes
            if spec.together:
                groups.append((spec, i, chosen))
            else:
                groups += [(spec, i, (name,)) for name in chosen]
        seeds = self.rng.integers(0, 2**63, size=len(groups))
        for (spec, i, machines), seed in zip(groups, seeds, strict=True):
            p = _Process(spec, i, machines, np.random.default_rng(int(seed)))
            self.processes.append(p)
            self.clock.later(spec.start_s + p.draw(spec.mtbf_s), self._fail, p)

    def _matches(self, spec: FailureSpec, name: str) -> bool:
        node = self.state.node_by_name(name)
        if node is None or not node.alive or not node.in_swarm:
            return False
        if spec.constraint:
            return node_matches(parse_constraints([spec.constraint]), node.spec)
        return True

    def _fail(self, p: _Process) -> None:
        for name in p.machines:
            if self._matches(p.spec, name):
                node = self.state.node_by_name(name)
                assert node is not None
                self.state.set_alive(node.id, False)
                p.down.append(name)
                self._note("fail", name, p)
        self.clock.later(p.draw(p.spec.mttr_s), self._repair, p)

    def _repair(self, p: _Process) -> None:
        for name in p.down:
            node = self.state.node_by_name(name)
            if node is not None and not node.alive:
                self.state.set_alive(node.id, True)
                self._note("recover", name, p)
        p.down = []
        self.clock.later(p.draw(p.spec.mtbf_s), self._fail, p)

    def _note(self, action: str, name: str, p: _Process) -> None:
        ev = FailureEvent(self.clock.now, action, name, f"failures.{p.index}")
        self.log.append(ev)
        self.record(ev)
