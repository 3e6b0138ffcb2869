"""Whole-engine invariants over random swarms, services and faults (engine_strategies.py):
a :class:`Checker` on the state's listeners checks, after every change and every 5
simulated seconds, what swarm-semantics.md §1-§5 say must always hold:

1. the reservations of the tasks the scheduler counts on a node (``assigned`` to
   ``running``) never exceed the node's CPUs and memory (§1.2);
2. a task is assigned only to a node that is ready and active and passes its
   constraints, platforms and max replicas per node at that moment (§1.3, §1.9);
3. a global service has at most one live task per node and, once settled, exactly one
   on every ready, active node meeting its constraints: running, or pending with an
   error when it cannot run there (§2.3);
4. once settled, a replicated service restarting on ``any`` without ``max_attempts``
   has ``replicas`` slots with a running task or a task pending with a scheduler error,
   and no pending task has a node that would pass every filter (§1.3, §2.1);
5. a task's observed state never goes backwards (§5);
6. nothing is created or assigned while a majority of managers is down (§4);
7. the same world and seed give identical ``sim.events``.

Expectations come from task and node records through this file's own small matchers.
"""

from __future__ import annotations

import dataclasses
from bisect import bisect_right
from collections import defaultdict

from hypothesis import HealthCheck, event, example, given, settings

from swarmsim.app.run import run_scenario
from swarmsim.cluster.state import NodeEvent, NodeRecord, ServiceRecord, TaskEvent
from swarmsim.cluster.tasks import Task, TaskState
from swarmsim.foundation import defaults
from swarmsim.input.scenario import load_scenario
from swarmsim.input.specs import NodeSpec, ServiceSpec
from swarmsim.simulation.engine import Simulation
from swarmsim.simulation.images import manifest_platforms
from tests import engine_strategies as gen
from tests.engine_strategies import Fault, World

S = TaskState
SETTLE_S = 40.0  # quiet time after a fault or a task failure: detection, delay, start-up
LEADER_SETTLE_S = 50.0  # after quorum returns: election, then "unknown" nodes time out
CHECK_EVERY_S = 5.0
PROPS = settings(max_examples=100, deadline=None, derandomize=True, database=None,
                 suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
_ARCH = {"x86_64": "amd64", "aarch64": "arm64"}


# --- independent expectations -------------------------------------------------------------
def constraint_holds(text: str, node: NodeSpec) -> bool:
    """A generated constraint (role, node label, platform arch) on a node: case-insensitive
    equality, a missing label counting as empty."""
    op = "==" if "==" in text else "!="
    key, value = (part.strip() for part in text.split(op, 1))
    if key == "node.role":
        have = node.role
    elif key == "node.platform.arch":
        have = node.platform.arch
    else:
        have = dict(node.labels).get(key.removeprefix("node.labels."), "")
    return (have.lower() == value.lower()) == (op == "==")


def meets_constraints(spec: ServiceSpec, node: NodeSpec) -> bool:
    """Every constraint of the service holds on the node."""
    return all(constraint_holds(c, node) for c in spec.placement.constraints)


def platform_ok(spec: ServiceSpec, node: NodeSpec) -> bool:
    """Some listed platform matches (arch aliases normalised, empty fields match all)."""
    arch = _ARCH.get(node.platform.arch, node.platform.arch)
    return not spec.placement.platforms or any(
        (not p.os or p.os == node.platform.os) and (not p.arch or _ARCH.get(p.arch, p.arch) == arch)
        for p in spec.placement.platforms)


def counted(task: Task) -> bool:
    """The scheduler holds the task's reservations on its node."""
    return S.ASSIGNED <= task.state <= S.RUNNING


def reserved(tasks: list[Task]) -> tuple[int, int]:
    """(nano-CPUs, bytes) reserved by the counted tasks."""
    held = [t.spec.resources.reservations for t in tasks if counted(t)]
    return sum(r.nano_cpus for r in held), sum(r.memory_bytes for r in held)


def fits(spec: ServiceSpec, node: NodeRecord, tasks: list[Task]) -> bool:
    """The service's reservation fits in what the counted tasks leave free."""
    want = spec.resources.reservations
    cpu, mem = reserved(tasks)
    free_cpu, free_mem = node.spec.nano_cpus - cpu, node.spec.memory_bytes - mem
    return want.nano_cpus == want.memory_bytes == 0 or (
        want.nano_cpus <= free_cpu and want.memory_bytes <= free_mem)


def active_on(service: str, tasks: list[Task]) -> int:
    """Tasks of ``service`` the scheduler counts as active on a node (max replicas)."""
    return sum(1 for t in tasks if t.service == service and counted(t) and t.desired <= S.COMPLETE)


def available(node: NodeRecord) -> bool:
    """Ready and active: the node takes new tasks."""
    return node.spec.status == "ready" and node.spec.availability == "active"


def passes_filters(spec: ServiceSpec, node: NodeRecord, tasks: list[Task]) -> bool:
    """Every filter passes for a new task of ``spec`` on ``node``."""
    limit = spec.placement.max_replicas
    return (available(node) and fits(spec, node, tasks) and meets_constraints(spec, node.spec)
            and platform_ok(spec, node.spec)
            and (limit == 0 or active_on(spec.name, tasks) < limit))


def restarts_forever(spec: ServiceSpec) -> bool:
    """Condition ``any`` without ``max_attempts``: every stopped task is replaced."""
    return spec.restart.condition == "any" and spec.restart.max_attempts == 0


# --- the checker ------------------------------------------------------------------------
class Checker:
    """Watches one simulation (listeners on its state) and collects violations as text."""

    def __init__(self, sim: Simulation, world: World) -> None:
        self.sim, self.state, self.world = sim, sim.state, world
        self.fault_times = sorted(f.at for f in world.faults)
        self.violations: list[str] = []
        self.last_failure = self.leader_back = 0.0
        self.assignments = self.settled_checks = 0
        self.quorum_lost_at: float | None = None
        self._armed = False
        sim.state.on_task(self._on_task)
        sim.state.on_node(self._on_node)
        sim.on_leader(self._on_leader)
        sim.later(CHECK_EVERY_S, self._periodic)
        sim.later(world.until - 0.5, self.check)

    def fail(self, text: str) -> None:
        """Record one violation (with the time)."""
        if len(self.violations) < 20:
            self.violations.append(f"t={self.sim.now:.3f}: {text}")

    def without_quorum(self) -> bool:
        """A majority of managers has been down since before this instant (what happens
        at the very instant of the loss is ordered before it)."""
        return self.quorum_lost_at is not None and self.sim.now > self.quorum_lost_at

    def settled(self) -> bool:
        """No fault and no task failure for SETTLE_S, a leader for LEADER_SETTLE_S."""
        now, i = self.sim.now, bisect_right(self.fault_times, self.sim.now)
        last = max(self.fault_times[i - 1] if i else 0.0, self.last_failure)
        return (self.sim.has_leader and now - last >= SETTLE_S
                and now - self.leader_back >= LEADER_SETTLE_S)

    # --- listeners ---------------------------------------------------------------------
    def _on_leader(self, ok: bool) -> None:
        if ok:
            self.leader_back = self.sim.now

    def _on_node(self, node: NodeRecord, before: NodeSpec) -> None:
        managers = [n for n in self.state.nodes.values() if n.spec.role == "manager"]
        if sum(n.alive for n in managers) >= len(managers) // 2 + 1:  # really up
            self.quorum_lost_at = None
        elif self.quorum_lost_at is None:
            self.quorum_lost_at = self.sim.now
        self._arm()

    def _on_task(self, task: Task, old_state: TaskState, old_desired: TaskState) -> None:
        if task.id in self.state.tasks:
            created = task.state == old_state == S.NEW and old_desired == task.desired
            if created and self.without_quorum():  # 6: orchestrators run on the leader
                self.fail(f"{task.name} created without quorum")
            if task.state == S.ASSIGNED and old_state < S.ASSIGNED:
                self._on_assigned(task)
            if task.state in (S.FAILED, S.REJECTED, S.COMPLETE) and old_state != task.state:
                self.last_failure = self.sim.now
        self._arm()

    def _on_assigned(self, task: Task) -> None:
        self.assignments += 1
        node = self.state.nodes.get(task.node_id or "")
        if node is None:
            self.fail(f"{task.name} assigned to unknown node {task.node_id}")
            return
        spec, here = task.spec, list(self.state.tasks_on(node.id))
        where = f"{task.name} assigned to {node.name} ({node.spec})"
        if self.without_quorum():  # 6
            self.fail(f"{where} while a majority of managers is down")
        if not available(node):  # 2
            self.fail(f"{where}: not ready and active")
        if not (meets_constraints(spec, node.spec) and platform_ok(spec, node.spec)):
            self.fail(f"{where} against {spec.placement}")
        limit = spec.placement.max_replicas
        if limit and active_on(task.service, here) > limit:
            self.fail(f"{where}: more than {limit} tasks of the service there")
        self._check_capacity(node, here)  # 1, right at the assignment

    def _arm(self) -> None:
        """Check once the current change is complete (after the callback making it)."""
        if not self._armed:
            self._armed = True
            self.sim.soon(self.check)

    def _periodic(self) -> None:
        self.check()
        self.sim.later(CHECK_EVERY_S, self._periodic)

    # --- checks -------------------------------------------------------------------------
    def check(self) -> None:
        """Invariants that hold at every instant, and when settled the stronger ones."""
        self._armed = False
        by_node = {nid: list(self.state.tasks_on(nid)) for nid in sorted(self.state.nodes)}
        for nid, tasks in by_node.items():
            self._check_capacity(self.state.nodes[nid], tasks)
        settled = self.settled()
        self.settled_checks += settled
        for svc in (self.state.services[s.name] for s in self.world.services):
            if svc.spec.mode == "global":
                self._check_global(svc, by_node, settled)
            elif settled:
                self._check_replicated(svc, by_node)

    def _check_capacity(self, node: NodeRecord, tasks: list[Task]) -> None:
        cpu, mem = reserved(tasks)
        if cpu > node.spec.nano_cpus or mem > node.spec.memory_bytes:
            self.fail(f"{node.name} over-committed: {cpu}/{mem} reserved of {node.spec}")

    def _check_global(self, svc: ServiceRecord, by_node: dict[str, list[Task]],
                      settled: bool) -> None:
        spec = svc.spec
        for nid, tasks in by_node.items():
            node = self.state.nodes[nid]
            live = [t for t in tasks if t.service == svc.name
                    and t.desired <= S.RUNNING and t.state <= S.RUNNING]
            if len(live) > 1:
                self.fail(f"{svc.name}: {len(live)} live tasks on {node.name}")
            if not settled or node.spec.availability == "pause":
                continue  # a paused node keeps what it has and gets nothing new
            eligible = available(node) and meets_constraints(spec, node.spec)
            if not eligible and live:
                self.fail(f"{svc.name}: live task on ineligible node {node.spec}")
            if not eligible or not restarts_forever(spec):
                continue
            if len(live) != 1:
                self.fail(f"{svc.name}: {len(live)} live tasks on eligible {node.name}")
                continue
            task = live[0]
            can_run = platform_ok(spec, node.spec) and fits(spec, node, [t for t in tasks
                                                                         if t is not task])
            waits = task.state == S.PENDING and bool(task.error)  # with the scheduler's reason
            if (task.state != S.RUNNING) if can_run else not waits:
                self.fail(f"{svc.name}: task on {node.name} is {task.state.label} "
                          f"({task.error!r}); it {'can' if can_run else 'cannot'} run there")

    def _check_replicated(self, svc: ServiceRecord, by_node: dict[str, list[Task]]) -> None:
        spec = svc.spec
        tasks = [t for t in self.state.tasks_of(svc.name) if t.desired <= S.RUNNING]
        slots: dict[int, list[Task]] = defaultdict(list)
        for t in tasks:
            slots[t.slot].append(t)
        if any(len(occupants) > 1 for occupants in slots.values()):
            self.fail(f"{svc.name}: a slot with several tasks meant to run: {sorted(slots)}")
        if len(slots) > spec.replicas:
            self.fail(f"{svc.name}: {len(slots)} slots meant to run, replicas {spec.replicas}")
        for t in tasks:
            if t.state == S.PENDING:
                fitting = [self.state.nodes[nid].name for nid, here in by_node.items()
                           if passes_filters(spec, self.state.nodes[nid], here)]
                if fitting:
                    self.fail(f"{t.name} pending ({t.error!r}) although {fitting} would take it")
        if restarts_forever(spec):
            good = {t.slot for t in tasks
                    if t.state == S.RUNNING or (t.state == S.PENDING and t.error)}
            if len(good) != spec.replicas:
                states = sorted((t.slot, t.state.label, t.error) for t in tasks)
                self.fail(f"{svc.name}: {len(good)} of {spec.replicas} slots: {states}")


def states_never_go_backwards(events: list[object]) -> list[str]:
    """Invariant 5 over a recorded event list."""
    last: dict[str, TaskState] = {}
    out = []
    for e in events:
        if isinstance(e, TaskEvent):
            state = TaskState[e.state.upper()]
            if state < last.get(e.id, S.NEW):
                out.append(f"t={e.time}: {e.task} {last[e.id].label} -> {e.state}")
            last[e.id] = state
    return out


def replay_violations(sim: Simulation) -> list[str]:
    """Invariants 1, 2 (readiness, constraints) and 6 re-checked from the event log
    alone, rebuilding node and task records event by event (node labels must not change
    during the run: node events do not carry them)."""
    nodes = {n.name: n for n in sim.scenario.nodes}
    status: dict[str, tuple[str, str, str, bool]] = {}
    tasks: dict[str, tuple[str | None, TaskState, str]] = {}
    specs = {name: svc.spec for name, svc in sim.state.services.items()}
    out: list[str] = []
    lost_at = None
    for e in sim.events:
        if isinstance(e, NodeEvent):
            status[e.node] = (e.status, e.availability, e.role, e.alive)
            managers = [s for s in status.values() if s[2] == "manager"]
            up = sum(s[3] for s in managers) >= len(managers) // 2 + 1
            lost_at = None if up else e.time if lost_at is None else lost_at
        if not isinstance(e, TaskEvent):
            continue
        state, before = TaskState[e.state.upper()], tasks.get(e.id, (None, S.NEW, ""))[1]
        tasks[e.id] = (e.node, state, e.service)
        if not (state == S.ASSIGNED and before < S.ASSIGNED):
            continue
        spec, node = specs[e.service], nodes[e.node]
        held = [specs[svc].resources.reservations for where, st, svc in tasks.values()
                if where == e.node and S.ASSIGNED <= st <= S.RUNNING]
        if ((lost_at is not None and e.time > lost_at)
                or status[e.node][:2] != ("ready", "active") or not meets_constraints(spec, node)
                or sum(r.nano_cpus for r in held) > node.nano_cpus
                or sum(r.memory_bytes for r in held) > node.memory_bytes):
            out.append(f"t={e.time}: {e.task} assigned to {e.node} {status[e.node]}")
    return out


def run_checked(world: World) -> tuple[Simulation, Checker]:
    """Run ``world`` to its end with a checker attached."""
    sim = gen.new_simulation(world)
    checker = Checker(sim, world)
    gen.start(sim, world)
    sim.env.run(until=world.until)
    return sim, checker


# --- the properties ---------------------------------------------------------------------
# a fixed bug: reconciling a node for several global services read its tasks once, so
# every service after the first got a second task there on any node change
TWO_GLOBALS = World(0, (NodeSpec("m1", "node000000000000000000000", role="manager"),
                        NodeSpec("w1", "node000000000000000000001")),
                    tuple(ServiceSpec(f"app_s{i}", "nginx:latest", mode="global", replicas=0)
                          for i in range(2)),
                    (Fault(10.0, "label-add", "w1", "zone=a"),), 90.0)


@PROPS
@example(TWO_GLOBALS)
@given(gen.worlds())
def test_invariants_hold_through_random_faults(world: World) -> None:
    sim, checker = run_checked(world)
    assert not checker.violations, "\n".join(checker.violations)
    assert states_never_go_backwards(sim.events) == []
    event(f"settled checks: {'some' if checker.settled_checks else 'none'}")
    if sim.has_leader and not any(s.sim.mtbf_s for s in world.services):
        assert checker.settled_checks > 0  # the quiet tail was checked


@settings(PROPS, max_examples=15)
@given(gen.quorum_worlds())
def test_nothing_is_scheduled_without_quorum(world: World) -> None:
    sim = gen.new_simulation(world)
    checker = Checker(sim, world)
    outcomes: list[tuple[Fault, str]] = []
    gen.start(sim, world, outcomes)
    sim.env.run(until=world.until)
    assert not checker.violations, "\n".join(checker.violations)
    assert states_never_go_backwards(sim.events) == []
    (_, killed), (_, scaled) = (o for o in outcomes if o[0].kind in ("kill", "scale"))
    assert "does not have a leader" in scaled  # the scale was refused
    lost = world.faults[1].at  # the second manager crash
    back = [f.at for f in world.faults if f.kind == "recover"]
    if killed == "killed":  # the failure is seen, but replaced only once quorum is back
        created = [e.time for e in sim.events
                   if isinstance(e, TaskEvent) and e.state == "new" and e.time > lost]
        assert all(t >= back[0] for t in created) if back else created == []
    if back:  # then invariant 4 was checked: the killed task was replaced
        assert checker.settled_checks > 0


@settings(PROPS, max_examples=10)
@given(gen.worlds(max_services=2, max_faults=6))
def test_same_world_and_seed_give_identical_events(world: World) -> None:
    first, _ = run_checked(world)
    second, _ = run_checked(world)
    assert first.events == second.events
    plain = gen.new_simulation(world)  # without a checker: it only reads, same events
    gen.start(plain, world)
    plain.env.run(until=world.until)
    assert plain.events == first.events


@settings(PROPS, max_examples=8, suppress_health_check=list(HealthCheck))
@given(gen.worlds(max_services=2, max_faults=6, platforms=False, labels=False))
def test_compose_scenarios_replay_identically(tmp_path_factory, world: World) -> None:
    scenario = load_scenario(gen.write_world(world, tmp_path_factory.mktemp("world")))
    first = run_scenario(scenario).sim
    assert sorted(first.state.services) == sorted(s.name for s in world.services)
    for spec in world.services:  # the compose file says what the world says
        deployed = first.state.services[spec.name].spec
        # ... and the deploy adds the image's platforms, as the client does when it
        # resolves the image (moby client/service_create.go, resolveContainerSpecImage)
        resolved = manifest_platforms(defaults.IMAGE_PLATFORMS)
        assert deployed.placement.platforms == resolved
        placement = dataclasses.replace(deployed.placement, platforms=())
        assert (deployed.mode, placement, deployed.restart, deployed.resources) == (
            spec.mode, spec.placement, spec.restart, spec.resources)
    assert run_scenario(scenario).sim.events == first.events
    assert states_never_go_backwards(first.events) == []
    assert replay_violations(first) == []
