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
from typing import TYPE_CHECKING, Any, Protocol

import simpy

from swarmsim.cluster.hostfs import HostFiles
from swarmsim.cluster.state import ClusterState
from swarmsim.foundation.collector import paused_collector
from swarmsim.foundation.rng import IdFactory, make_streams
from swarmsim.input.scenario import Scenario
from swarmsim.input.specs import NodeSpec
from swarmsim.scheduler import Scheduler

if TYPE_CHECKING:
    from swarmsim.manager.controlapi import ControlAPI
    from swarmsim.manager.enforcer import ConstraintEnforcer
    from swarmsim.manager.global_ import GlobalOrchestrator
    from swarmsim.manager.jobs import JobsOrchestrator
    from swarmsim.manager.liveness import Liveness
    from swarmsim.manager.quorum import Quorum
    from swarmsim.manager.reaper import TaskReaper
    from swarmsim.manager.replicated import ReplicatedOrchestrator
    from swarmsim.manager.restart import RestartSupervisor
    from swarmsim.manager.scheduling import SchedulingComponent
    from swarmsim.manager.updater import Updater
    from swarmsim.resources.failures import RandomFailures
    from swarmsim.resources.model import Resources
    from swarmsim.simulation.agent import Agent
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
        self.streams = make_streams(self.seed)
        self.ids = IdFactory(self.streams["ids"])
        for _ in scenario.nodes:  # the scenario drew the node ids from the same stream
            self.ids.new_id()
        self.events: list[Any] = []
        self.state = ClusterState(self.env, self.ids.new_id, self.events.append)
        from swarmsim.policies import make_policy

        self.scheduler = Scheduler(make_policy(scenario.policy), self.streams["policy"])
        self._leader_ok = True
        self._leader_listeners: list[Callable[[bool], None]] = []
        self.machines: dict[str, NodeSpec] = {n.name: n for n in scenario.nodes}
        self.join_tokens: tuple[str, str] | None = None  # (worker, manager) once initialised
        self.hostfs = HostFiles()  # the disks of machines whose files are modelled
        self.controlapi: ControlAPI | None = None  # made on first use (control_api)
        self._compose()
        for comp in self.components.values():
            comp.start()

    def _compose(self) -> None:
        """The composition root: every component, built in start order and kept in a
        typed attribute, so the type checker sees which component uses which."""
        from swarmsim.manager.enforcer import ConstraintEnforcer
        from swarmsim.manager.global_ import GlobalOrchestrator
        from swarmsim.manager.jobs import JobsOrchestrator
        from swarmsim.manager.liveness import Liveness
        from swarmsim.manager.quorum import Quorum
        from swarmsim.manager.reaper import TaskReaper
        from swarmsim.manager.replicated import ReplicatedOrchestrator
        from swarmsim.manager.restart import RestartSupervisor
        from swarmsim.manager.scheduling import SchedulingComponent
        from swarmsim.manager.updater import Updater
        from swarmsim.resources.failures import RandomFailures
        from swarmsim.resources.model import Resources
        from swarmsim.simulation.agent import Agent
        from swarmsim.simulation.images import Images
        from swarmsim.simulation.storage import Storage
        from swarmsim.workload.traffic import Traffic

        self.scheduling: SchedulingComponent = SchedulingComponent(self)
        self.images: Images = Images(self)
        self.agent: Agent = Agent(self)
        self.storage: Storage = Storage(self)
        self.liveness: Liveness = Liveness(self)
        self.quorum: Quorum = Quorum(self)
        self.restart: RestartSupervisor = RestartSupervisor(self)
        self.updater: Updater = Updater(self)
        self.replicated: ReplicatedOrchestrator = ReplicatedOrchestrator(self)
        self.global_: GlobalOrchestrator = GlobalOrchestrator(self)
        self.jobs: JobsOrchestrator = JobsOrchestrator(self)
        self.enforcer: ConstraintEnforcer = ConstraintEnforcer(self)
        self.reaper: TaskReaper = TaskReaper(self)
        self.traffic: Traffic = Traffic(self)
        self.resources: Resources = Resources(self)
        self.failures: RandomFailures = RandomFailures(self)
        # start order
        self.components: dict[str, _Component] = {
            "scheduling": self.scheduling, "images": self.images, "agent": self.agent,
            "storage": self.storage, "liveness": self.liveness, "quorum": self.quorum,
            "restart": self.restart, "updater": self.updater,
            "replicated": self.replicated, "global_": self.global_, "jobs": self.jobs,
            "enforcer": self.enforcer, "reaper": self.reaper, "traffic": self.traffic,
            "resources": self.resources, "failures": self.failures,
        }

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
        from dataclasses import replace

        self.join_tokens = self.ids.join_token_pair()
        self.state.add_node(replace(node, role="manager"))
        self.quorum.init_leader(node.id)

    # --- timers ------------------------------------------------------------------------
    def later(self, delay: float, fn: Callable[..., Any], *args: Any) -> simpy.events.Timeout:
        """Call ``fn(*args)`` after ``delay`` simulated seconds (a bare timer, no process)."""
        ev = self.env.timeout(max(0.0, delay))
        ev.callbacks.append(lambda _ev: fn(*args))
        return ev

    def soon(self, fn: Callable[..., Any], *args: Any) -> simpy.events.Timeout:
        """Call ``fn(*args)`` at the current time, after the event being processed."""
        return self.later(0.0, fn, *args)

    def coalesced(self, fn: Callable[[], Any]) -> Coalesced:
        """A trigger that runs ``fn`` once at the current instant, however many events
        pull it before then (the components' batch of work per store commit)."""
        return Coalesced(self, fn)

    @property
    def now(self) -> float:
        """The simulated time in seconds."""
        return self.env.now

    # --- quorum ------------------------------------------------------------------------
    @property
    def has_leader(self) -> bool:
        """True while a majority of the managers is up (raft has a leader)."""
        return self._leader_ok

    def set_leader(self, ok: bool) -> None:
        """Quorum lost or regained; manager components pause or resume."""
        if ok == self._leader_ok:
            return
        self._leader_ok = ok
        for fn in self._leader_listeners:
            fn(ok)

    def on_leader(self, fn: Callable[[bool], None]) -> None:
        """Call ``fn(has_leader)`` when quorum is lost or regained."""
        self._leader_listeners.append(fn)


class _Component(Protocol):
    """What the engine asks of every component: start (subscribe to the store)."""

    def start(self) -> None: ...


class Coalesced:
    """Calling it schedules ``fn`` for the current instant unless already scheduled."""

    __slots__ = ("_armed", "_fn", "_sim")

    def __init__(self, sim: Simulation, fn: Callable[[], Any]) -> None:
        self._sim = sim
        self._fn = fn
        self._armed = False

    def __call__(self) -> None:
        if not self._armed:
            self._armed = True
            self._sim.soon(self._run)

    def _run(self) -> None:
        self._armed = False
        self._fn()


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
