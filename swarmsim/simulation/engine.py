"""The simulation: a simpy environment, the cluster state and the components around it.

A :class:`Simulation` owns its clock (float seconds from 0), its random streams (one per
name, from the scenario's seed), the cluster state and the event records.  Components
(scheduler, orchestrators, restart supervisor, agents, liveness, constraint enforcer,
task reaper) each subscribe to state changes and act through the state, as SwarmKit's
manager components do through its store.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, Protocol

import simpy

from swarmsim.cluster.hostfs import HostFiles
from swarmsim.cluster.state import ClusterState
from swarmsim.foundation.collector import paused_collector
from swarmsim.foundation.rng import IdFactory, make_streams
from swarmsim.input.scenario import Scenario
from swarmsim.input.specs import NodeSpec
from swarmsim.manager.controlapi import ControlAPI
from swarmsim.manager.enforcer import ConstraintEnforcer
from swarmsim.manager.global_ import GlobalOrchestrator
from swarmsim.manager.jobs import JobsOrchestrator
from swarmsim.manager.leadership import Leadership
from swarmsim.manager.liveness import Liveness
from swarmsim.manager.quorum import Quorum
from swarmsim.manager.reaper import TaskReaper
from swarmsim.manager.rebalance import Rebalancer
from swarmsim.manager.replicated import ReplicatedOrchestrator
from swarmsim.manager.restart import RestartSupervisor
from swarmsim.manager.scheduling import SchedulingComponent
from swarmsim.manager.updater import Updater
from swarmsim.policies import make_policy
from swarmsim.resources.failures import RandomFailures
from swarmsim.resources.model import Resources
from swarmsim.scheduler import Scheduler
from swarmsim.simulation.agent import Agent
from swarmsim.simulation.clock import Clock, Coalesced
from swarmsim.simulation.images import Images
from swarmsim.simulation.storage import Storage
from swarmsim.workload.traffic import Traffic


class Simulation:
    """One run of a scenario.

    Args:
        scenario: the validated scenario.
        seed: overrides the scenario's seed.
        env_vars: environment compose files are interpolated from (default: the
            process environment).
    """

    def __init__(
        self,
        scenario: Scenario,
        *,
        seed: int | None = None,
        env_vars: dict[str, str] | None = None,
    ) -> None:
        self.scenario = scenario
        self.seed = scenario.seed if seed is None else seed
        self.env_vars = env_vars
        self.env = simpy.Environment()
        self.clock = Clock(self.env)
        self.streams = make_streams(self.seed)
        self.ids = IdFactory(self.streams["ids"])
        for _ in scenario.nodes:  # the scenario drew the node ids from the same stream
            self.ids.new_id()
        self.events: list[Any] = []
        self.state = ClusterState(self.env, self.ids.new_id, self.events.append)
        self.scheduler = Scheduler(make_policy(scenario.policy), self.streams["policy"])
        self.leadership = Leadership()
        self.machines: dict[str, NodeSpec] = {n.name: n for n in scenario.nodes}
        self.hostfs = HostFiles()  # the disks of machines whose files are modelled
        self._compose()
        for comp in self.components.values():
            comp.start()

    def _compose(self) -> None:
        """The composition root, the one place the component graph is wired: every
        component is built here from the components it names in its constructor (in
        the order they need each other; building has no effect of its own) and kept in
        a typed attribute; :attr:`components` gives the start order (docs/architecture.md
        has the table of who depends on whom)."""
        state, clock, leadership, streams = self.state, self.clock, self.leadership, self.streams
        record = self.events.append
        self.images: Images = Images(state, clock, self.scenario.registries)
        self.agent: Agent = Agent(state, clock, streams["faults"], self.images, self.hostfs)
        self.traffic: Traffic = Traffic(state, clock, self.scenario, streams["workload"])
        self.resources: Resources = Resources(
            state, clock, streams["usage"], record, self.agent, self.traffic)
        self.traffic.connect(self.resources)  # the one two-way pair: speeds <-> demand
        self.scheduling: SchedulingComponent = SchedulingComponent(
            state, clock, leadership, self.scheduler, self.resources)
        self.storage: Storage = Storage(state, clock, record, self.machines)
        self.liveness: Liveness = Liveness(state, clock, leadership, streams["heartbeat"])
        self.quorum: Quorum = Quorum(state, clock, leadership, self.ids)
        self.restart: RestartSupervisor = RestartSupervisor(state, clock, leadership)
        self.updater: Updater = Updater(state, clock, leadership, self.restart)
        self.replicated: ReplicatedOrchestrator = ReplicatedOrchestrator(
            state, clock, leadership, self.restart, self.updater)
        self.global_: GlobalOrchestrator = GlobalOrchestrator(
            state, clock, leadership, self.restart, self.updater)
        self.jobs: JobsOrchestrator = JobsOrchestrator(state, clock, leadership, self.restart)
        self.enforcer: ConstraintEnforcer = ConstraintEnforcer(state, clock, leadership)
        self.reaper: TaskReaper = TaskReaper(state, clock, leadership)
        self.failures: RandomFailures = RandomFailures(
            state, clock, self.scenario, streams["failures"], record)
        # not a started component: what docker commands go through
        self.controlapi: ControlAPI = ControlAPI(
            state, leadership, self.quorum, self.machines, self.ids, self.images, self.updater)
        # start order
        self.components: dict[str, _Component] = {
            "scheduling": self.scheduling, "images": self.images, "agent": self.agent,
            "storage": self.storage, "liveness": self.liveness, "quorum": self.quorum,
            "restart": self.restart, "updater": self.updater,
            "replicated": self.replicated, "global_": self.global_, "jobs": self.jobs,
            "enforcer": self.enforcer, "reaper": self.reaper, "traffic": self.traffic,
            "resources": self.resources, "failures": self.failures,
        }

    def rebalancer(self, mode: str, log: Callable[[str, str, str, int], None]) -> Rebalancer:
        """swarmsim's rebalancer (``rebalance:`` in a scenario; NOT swarm behaviour),
        wired here like the components; the caller starts it."""
        return Rebalancer(self.state, self.clock, self.controlapi, self.scheduler,
                          self.resources, self.restart, self.streams["policy"], mode, log)

    def bootstrap(self) -> None:
        """t=0: the first manager runs ``docker swarm init``, the other machines with
        ``joined`` (the default) join."""
        joined = [n for n in self.scenario.nodes if n.joined]
        managers = [n for n in joined if n.role == "manager"]
        if not managers:
            return
        self.init_swarm(managers[0])
        for node in joined:
            if node.id != managers[0].id:
                # ``status: down``: a member whose machine is off at t=0 (it comes back
                # with ``recover``)
                self.state.add_node(node, alive=node.status != "down")

    def init_swarm(self, node: NodeSpec) -> None:
        """``docker swarm init`` on ``node``: a one-manager swarm led by it."""
        self.quorum.init_swarm(node)

    @property
    def join_tokens(self) -> tuple[str, str] | None:
        """The swarm's (worker, manager) join tokens once initialised."""
        return self.quorum.join_tokens

    @join_tokens.setter
    def join_tokens(self, tokens: tuple[str, str] | None) -> None:  # ``--rotate``
        self.quorum.join_tokens = tokens

    # --- timers (the clock's, for the interfaces) ----------------------------------------
    def later(self, delay: float, fn: Callable[..., Any], *args: Any) -> simpy.events.Timeout:
        """Call ``fn(*args)`` after ``delay`` simulated seconds (a bare timer, no process)."""
        return self.clock.later(delay, fn, *args)

    def soon(self, fn: Callable[..., Any], *args: Any) -> simpy.events.Timeout:
        """Call ``fn(*args)`` at the current time, after the event being processed."""
        return self.clock.soon(fn, *args)

    def coalesced(self, fn: Callable[[], Any]) -> Coalesced:
        """A trigger that runs ``fn`` once at the current instant, however many events
        pull it before then."""
        return self.clock.coalesced(fn)

    def settle(self) -> None:
        """Run what is due at the current instant: the zero-delay reactions to a change
        (the components' work a store commit triggers), so a read that follows sees
        them without the time moving on."""
        env = self.env
        while env.peek() <= env.now:
            env.step()

    @property
    def now(self) -> float:
        """The simulated time in seconds."""
        return self.env.now

    # --- quorum (the leadership flag's, for the interfaces) ------------------------------
    @property
    def has_leader(self) -> bool:
        """True while a majority of the managers is up (raft has a leader)."""
        return self.leadership.has_leader

    def set_leader(self, ok: bool) -> None:
        """Quorum lost or regained; manager components pause or resume."""
        self.leadership.set_leader(ok)

    def on_leader(self, fn: Callable[[bool], None]) -> None:
        """Call ``fn(has_leader)`` when quorum is lost or regained."""
        self.leadership.on_leader(fn)


class _Component(Protocol):
    """What the engine asks of every component: start (subscribe to the store)."""

    def start(self) -> None: ...


@contextmanager
def tuned_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while simulating.

    A run keeps millions of small live objects (events, tasks, records); the cyclic
    collector would re-scan them again and again and cost a sixth to a third of the run
    time, while the engine makes little cyclic garbage. Reference counting still frees
    everything else at once; the collector is re-enabled afterwards (if it was on) and
    then reclaims the few cycles at its next pass.
    """
    with paused_collector():
        yield
