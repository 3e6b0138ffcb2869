"""Property tests of the scheduler, and its equivalence with a plain port of SwarmKit.

``RefScheduler`` below is a deliberately naive re-expression of SwarmKit's
``manager/scheduler`` (``scheduler.go``, ``nodeset.go``, ``decision_tree.go``,
``pipeline.go``, ``filter.go``, ``nodeinfo.go``): every group scans every node, builds a
capped max-heap per leaf of the decision tree, and counts filter failures exactly as the
Go pipeline does.  Go's map orders are replaced by the documented ones: nodes equal under
``nodeLess`` by node id, tree branches by ascending label value, and the tree is built
visiting nodes best first (``order="spread"``) or in node-id order (``order="id"``, which
must give the same placements; only explanations may differ).
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from swarmsim.input.specs import (
    NodeSpec,
    Placement,
    Platform,
    PortConfig,
    ResourceRequirements,
    Resources,
    ServiceSpec,
)
from swarmsim.scheduler import Decision, PendingTask, Scheduler, node_matches, parse_constraints

WINDOW_S, MAX_FAILURES = 300.0, 5
TEXTS = [
    "{} not available for new tasks",
    "insufficient resources on {}",
    "missing plugin on {}",
    "scheduling constraints not satisfied on {}",
    "unsupported platform on {}",
    "host-mode port already in use on {}",
    "max replicas per node limit exceed",
]


def ref_explain(counts: list[int]) -> str:
    parts = []
    for i in sorted(range(7), key=lambda i: -counts[i]):
        if counts[i]:
            n = counts[i]
            parts.append(TEXTS[i].format(f"{n} node" if n == 1 else f"{n} nodes"))
    return "; ".join(parts)


class RefNode:
    def __init__(self, spec: NodeSpec) -> None:
        self.spec = spec
        self.tasks: dict[str, list] = {}  # id -> [service, version, svc spec, active, preassigned]
        self.failures: dict[tuple[str, int], list[float]] = {}

    @property
    def id(self) -> str:
        return self.spec.id

    def active(self, svc: str | None = None) -> int:
        return sum(1 for t in self.tasks.values() if t[3] and (svc is None or t[0] == svc))

    def avail(self) -> tuple[int, int, dict[str, int]]:
        cpu, mem, gen = self.spec.nano_cpus, self.spec.memory_bytes, dict(self.spec.generic)
        for t in self.tasks.values():
            r = t[2].resources.reservations
            cpu, mem = cpu - r.nano_cpus, mem - r.memory_bytes
            for k, v in r.generic:
                gen[k] = gen.get(k, 0) - v
        return cpu, mem, gen

    def ports(self) -> set[tuple[str, int]]:
        return {p for t in self.tasks.values() for p in t[2].host_ports}

    def recent(self, key: tuple[str, int], now: float) -> int:
        stamps = self.failures.get(key, [])
        for i in range(len(stamps) - 1, -1, -1):
            if now - stamps[i] > WINDOW_S:
                return len(stamps) - i - 1
        return len(stamps)


class RefPipeline:
    def __init__(self, svc: ServiceSpec) -> None:
        self.svc = svc
        self.counts = [0] * 7

    def first_failure(self, n: RefNode) -> int:
        svc, spec = self.svc, n.spec
        if spec.status != "ready" or spec.availability != "active":
            return 0
        res = svc.resources.reservations
        if not res.is_zero():
            cpu, mem, gen = n.avail()
            if res.nano_cpus > cpu or res.memory_bytes > mem:
                return 1
            if any(gen.get(k, 0) < v for k, v in res.generic if v):
                return 1
        if svc.placement.constraints:
            try:
                cons = parse_constraints(svc.placement.constraints)
            except ValueError:
                cons = []
            if cons and not node_matches(cons, spec):
                return 3
        if svc.placement.platforms:
            norm = {"x86_64": "amd64", "aarch64": "arm64"}
            if spec.platform is None:
                return 4
            arch = norm.get(spec.platform.arch, spec.platform.arch)
            if not any(
                (not p.arch or norm.get(p.arch, p.arch) == arch)
                and (not p.os or p.os == spec.platform.os)
                for p in svc.placement.platforms
            ):
                return 4
        if svc.host_ports and set(svc.host_ports) & n.ports():
            return 5
        if svc.placement.max_replicas and n.active(svc.name) >= svc.placement.max_replicas:
            return 6
        return -1

    def process(self, n: RefNode) -> bool:
        f = self.first_failure(n)
        if f >= 0:
            self.counts[f] += 1
            return False
        self.counts = [0] * 7
        return True


class RefTree:
    def __init__(self) -> None:
        self.tasks = 0
        self.next: dict[str, RefTree] | None = None
        self.heap: list[RefNode] = []
        self.popped = False


class RefScheduler:
    def __init__(self, order: str = "spread") -> None:
        self.order = order
        self.nodes: dict[str, RefNode] = {}
        self.where: dict[str, str] = {}

    def add_node(self, spec: NodeSpec) -> None:
        if spec.id in self.nodes:
            self.nodes[spec.id].spec = spec
        else:
            self.nodes[spec.id] = RefNode(spec)

    def remove_node(self, node_id: str) -> None:
        node = self.nodes.pop(node_id, None)
        for tid in node.tasks if node else ():
            self.where.pop(tid, None)

    def add_task(self, task: PendingTask, node_id: str, svc: ServiceSpec) -> None:
        if node_id in self.nodes:
            entry = [svc.name, task.spec_version, svc, True, task.node_id is not None]
            self.nodes[node_id].tasks[task.id] = entry
            self.where[task.id] = node_id

    def release_task(self, tid: str) -> None:
        node = self.nodes.get(self.where.pop(tid, ""))
        if node:
            node.tasks.pop(tid, None)

    def set_desired_shutdown(self, tid: str) -> None:
        node = self.nodes.get(self.where.get(tid, ""))
        if node and tid in node.tasks:
            node.tasks[tid][3] = False

    def task_failed(self, tid: str, now: float) -> None:
        node = self.nodes.get(self.where.get(tid, ""))
        if node and tid in node.tasks and not node.tasks[tid][4]:
            key = (node.tasks[tid][0], node.tasks[tid][1])
            stamps = node.failures.get(key, [])
            while stamps and now - stamps[0] >= WINDOW_S:
                stamps = stamps[1:]
            node.failures[key] = [*stamps, now]
        self.release_task(tid)

    def schedule(self, pending, services, now) -> list[Decision]:
        out: dict[str, Decision] = {}
        for t in pending:
            if t.id in self.where:
                self.release_task(t.id)
        for t in pending:
            svc = services.get(t.service)
            if svc is None:
                out[t.id] = Decision(t.id, None, "", "")
            elif t.node_id is not None:
                node = self.nodes.get(t.node_id)
                if node is None:
                    out[t.id] = Decision(t.id, None, "", "")
                    continue
                p = RefPipeline(svc)
                if p.process(node):
                    self.add_task(t, node.id, svc)
                    out[t.id] = Decision(
                        t.id, node.id, "scheduler confirmed task can run on preassigned node", ""
                    )
                else:
                    out[t.id] = Decision(t.id, None, "", ref_explain(p.counts))
        groups: dict[tuple[str, int], list[PendingTask]] = {}
        for t in pending:
            if t.node_id is None and t.service in services:
                groups.setdefault((t.service, t.spec_version), []).append(t)
        for (name, version), tasks in groups.items():
            self._group(tasks, services[name], version, now, out)
        return [out[t.id] for t in pending]

    def _group(self, tasks, svc, version, now, out) -> None:
        p = RefPipeline(svc)
        key = (svc.name, version)

        def less(a: RefNode, b: RefNode) -> bool:
            fa, fb = a.recent(key, now), b.recent(key, now)
            if fa >= MAX_FAILURES or fb >= MAX_FAILURES:
                if fa != fb:
                    return fa < fb
            sa, sb = a.active(svc.name), b.active(svc.name)
            if sa != sb:
                return sa < sb
            return a.active() < b.active()

        def sort_key(n: RefNode) -> tuple:
            f = n.recent(key, now)
            return (f if f >= MAX_FAILURES else 0, n.active(svc.name), n.active(), n.id)

        levels = []
        for d in svc.placement.preferences:
            if len(d) > 12 and d[:12].lower() == "node.labels.":
                levels.append(("n", d[12:]))
            elif len(d) > 14 and d[:14].lower() == "engine.labels.":
                levels.append(("e", d[14:]))
        visit = sorted(
            self.nodes.values(), key=sort_key if self.order == "spread" else (lambda n: n.id)
        )
        root = RefTree()
        for node in visit:
            tree = root
            for kind, label in levels:
                value = dict(node.spec.labels if kind == "n" else node.spec.engine_labels).get(
                    label, ""
                )
                tree.tasks += node.active(svc.name)
                if tree.next is None:
                    tree.next = {}
                tree = tree.next.setdefault(value, RefTree())
            tree.tasks += node.active(svc.name)
            if len(tree.heap) < len(tasks):
                if p.process(node):
                    tree.heap.append(node)
            else:
                worst = max(tree.heap, key=sort_key)
                if less(node, worst) and p.process(node):
                    tree.heap[tree.heap.index(worst)] = node
        queue = list(tasks)
        self._subtree(len(tasks), root, queue, out, p, less, sort_key)
        if queue:
            text = ref_explain(p.counts)
            err = f"no suitable node ({text})" if text else "no suitable node"
            for t in queue:
                out[t.id] = Decision(t.id, None, "", err)

    def _subtree(self, n, tree, queue, out, p, less, sort_key) -> int:
        if tree.next is None:
            if tree.popped:  # a second visit re-checks, swapping the last node into a gap
                i = 0
                while i < len(tree.heap):
                    if p.process(tree.heap[i]):
                        i += 1
                    else:
                        tree.heap[i] = tree.heap[-1]
                        tree.heap.pop()
            tree.popped = True
            tree.heap.sort(key=sort_key)
            return self._nodes(n, tree.heap, queue, out, p, less) if tree.heap else 0
        done, usable, no_room, converging = 0, tree.tasks, set(), True
        subs = [tree.next[v] for v in sorted(tree.next)]
        while done != n and len(no_room) != len(subs) and converging:
            k = len(subs) - len(no_room)
            total = usable + n - done
            desired = abs(total) // k * (1 if total >= 0 else -1)
            rem = total - desired * k
            converging = False
            for i, sub in enumerate(subs):
                if i in no_room:
                    continue
                if sub.tasks < desired or (sub.tasks == desired and rem > 0):
                    converging = True
                    want = desired - sub.tasks + (1 if rem > 0 else 0)
                    got = self._subtree(want, sub, queue, out, p, less, sort_key)
                    if got < want:
                        no_room.add(i)
                        usable -= sub.tasks
                    elif rem > 0:
                        rem -= 1
                    done += got
        return done

    def _nodes(self, n, nodes, queue, out, p, less) -> int:
        done, failed, it = 0, set(), 0
        while queue:
            t = queue.pop(0)
            node = nodes[it % len(nodes)]
            svc = p.svc
            self.add_task(t, node.id, svc)
            out[t.id] = Decision(t.id, node.id, "scheduler assigned task to node", "")
            done += 1
            if done == n:
                return done
            if it + 1 < len(nodes):
                if less(nodes[it + 1], node):
                    it += 1
            else:
                it += 1
            start = it
            while it % len(nodes) in failed or not p.process(nodes[it % len(nodes)]):
                failed.add(it % len(nodes))
                it += 1
                if it - start == len(nodes):
                    return done
        return done

    def usage(self, node_id: str) -> tuple:
        node = self.nodes[node_id]
        cpu, mem, _ = node.avail()
        by: dict[str, int] = {}
        for t in node.tasks.values():
            if t[3]:
                by[t[0]] = by.get(t[0], 0) + 1
        return (
            node.spec.nano_cpus - cpu,
            node.spec.memory_bytes - mem,
            node.active(),
            tuple(sorted(by.items())),
        )


# --- strategies -------------------------------------------------------------------------

IDS = [f"{c}{'0' * 24}" for c in "0123456789abcdefghijklmnop"]
CONSTRAINTS = [
    "node.role==manager",
    "node.role!=manager",
    "node.labels.zone==a",
    "node.labels.zone!=b",
    "node.platform.os==linux",
    "node.labels.rack==r1",
    "engine.labels.disk==ssd",
    "node.hostname!=h1",
]


@st.composite
def node_specs(draw, node_id: str) -> NodeSpec:
    labels = {}
    if draw(st.booleans()):
        labels["zone"] = draw(st.sampled_from(["a", "b", "c"]))
    if draw(st.booleans()):
        labels["rack"] = draw(st.sampled_from(["r1", "r2"]))
    return NodeSpec(
        name=f"h{IDS.index(node_id) % 3}",
        id=node_id,
        role=draw(st.sampled_from(["manager", "worker", "worker"])),
        nano_cpus=draw(st.sampled_from([1, 2, 4, 8])) * 1_000_000_000,
        memory_bytes=draw(st.sampled_from([1, 2])) << 30,
        labels=tuple(sorted(labels.items())),
        engine_labels=(("disk", "ssd"),) if draw(st.booleans()) else (),
        platform=draw(
            st.sampled_from(
                [
                    Platform("linux", "x86_64"),
                    Platform("linux", "arm64"),
                    Platform("windows", "amd64"),
                ]
            )
        ),
        availability=draw(st.sampled_from(["active"] * 6 + ["pause", "drain"])),
        status=draw(st.sampled_from(["ready"] * 6 + ["down"])),
        generic=(("gpu", draw(st.integers(0, 2))),),
    )


@st.composite
def services(draw, name: str, spread: bool = False) -> ServiceSpec:
    """A service; ``spread`` favours preference trees with roomy, unconstrained tasks."""
    cpu = draw(st.sampled_from([0, 0, 250_000_000, 500_000_000, 1_500_000_000]))
    mem = draw(st.sampled_from([0, 0, 256 << 20, 768 << 20]))
    gpu = draw(st.sampled_from([0, 0, 0, 1]))
    prefs = draw(
        st.sampled_from(
            [
                (),
                (),
                ("node.labels.zone",),
                ("node.labels.zone", "node.labels.rack"),
                ("node.labels.rack", "node.labels.zone"),
                ("engine.labels.disk",),
                ("node.id",),
            ][2 * spread :]
        )
    )
    if spread:
        return ServiceSpec(
            name=name,
            image="img",
            placement=Placement(preferences=prefs),
            resources=ResourceRequirements(reservations=Resources(cpu, mem)),
        )
    return ServiceSpec(
        name=name,
        image="img",
        resources=ResourceRequirements(
            reservations=Resources(cpu, mem, (("gpu", gpu),) if gpu else ())
        ),
        placement=Placement(
            constraints=tuple(draw(st.lists(st.sampled_from(CONSTRAINTS), max_size=2))),
            preferences=prefs,
            max_replicas=draw(st.sampled_from([0, 0, 1, 2])),
            platforms=draw(
                st.sampled_from(
                    [
                        (),
                        (),
                        (Platform("linux", "amd64"),),
                        (Platform("", "arm64"), Platform("windows", "")),
                    ]
                )
            ),
        ),
        ports=(PortConfig(80, 8080, "tcp", "host"),) if draw(st.integers(0, 5)) == 0 else (),
    )


@st.composite
def scenarios(draw, spread: bool = False):
    ids = draw(
        st.lists(
            st.sampled_from(IDS),
            min_size=draw(st.sampled_from([0, 1, 2, 3])),
            max_size=7,
            unique=True,
        )
    )
    nodes = [draw(node_specs(i)) for i in ids]
    svcs = {f"s{i}": draw(services(f"s{i}", spread)) for i in range(draw(st.integers(1, 3)))}
    steps = []
    serial = 0
    for node_id in ids:  # history: tasks already running, and failure storms
        if draw(st.integers(0, 2)) == 0:
            name = draw(st.sampled_from(sorted(svcs)))
            steps.append(
                (
                    "history",
                    (
                        node_id,
                        name,
                        draw(st.integers(0, 1)),
                        draw(st.integers(0, 7)),
                        draw(st.integers(0, 3)),
                    ),
                )
            )
    if ids and draw(st.integers(0, 3)) == 0:
        steps.append(("remove", draw(st.sampled_from(ids))))
    for _ in range(draw(st.integers(1, 6))):
        kind = draw(
            st.sampled_from(
                ["schedule", "schedule", "schedule", "release", "shutdown", "fail", "node"]
            )
        )
        if kind == "schedule":
            batch = []
            for _ in range(draw(st.integers(1, 12))):
                serial += 1
                pre = draw(st.sampled_from([None] * 5 + ids)) if ids and not spread else None
                batch.append(
                    PendingTask(
                        f"t{serial}",
                        draw(st.sampled_from(sorted(svcs))),
                        draw(st.integers(0, 1)),
                        serial,
                        pre,
                    )
                )
            steps.append(("schedule", batch))
        elif kind == "node":
            if ids:
                steps.append(("node", draw(node_specs(draw(st.sampled_from(ids))))))
        else:
            steps.append((kind, draw(st.integers(0, 60))))
    return nodes, svcs, steps


def apply_setup(sched, kind: str, arg, svcs, now: float) -> None:
    """A ``history`` step (running tasks, failures) or a ``remove`` step (node rm)."""
    if kind == "remove":
        sched.remove_node(arg)
        return
    node_id, name, version, failures, running = arg
    for i in range(failures):
        task = PendingTask(f"f-{node_id[:2]}-{i}", name, version)
        sched.add_task(task, node_id, svcs[name])
        sched.task_failed(task.id, now + i)
    for i in range(running):
        sched.add_task(PendingTask(f"r-{node_id[:2]}-{i}", name, version), node_id, svcs[name])


def usage_tuple(sched: Scheduler, node_id: str) -> tuple:
    u = sched.node_usage(node_id)
    return (u.reserved_nano_cpus, u.reserved_memory, u.active_tasks, u.tasks_by_service)


def run_both(nodes, svcs, steps, order="spread", joins=None):
    """Drive both schedulers with the same steps; yield what each returns.

    ``joins``: step index -> nodes that join just before that step (the others join
    first)."""
    joins = joins or {}
    late = {spec.id for group in joins.values() for spec in group}
    fast, ref = Scheduler(), RefScheduler(order)
    for spec in nodes:
        if spec.id not in late:
            fast.add_node(spec)
            ref.add_node(spec)
    now = 0.0
    placed: list[str] = []
    for step, (kind, arg) in enumerate(steps):
        for spec in joins.get(step, ()):
            fast.add_node(spec)
            ref.add_node(spec)
        now += 40.0
        if kind in ("history", "remove"):
            for sched in (fast, ref):
                apply_setup(sched, kind, arg, svcs, now)
            continue
        if kind == "schedule":
            got, want = fast.schedule(arg, svcs, now), ref.schedule(arg, svcs, now)
            placed += [d.task_id for d in got if d.node_id]
            yield "schedule", arg, got, want
        elif kind == "node":
            fast.update_node(arg)
            ref.add_node(arg)
        elif placed:
            tid = placed[arg % len(placed)]
            if kind == "release":
                fast.release_task(tid)
                ref.release_task(tid)
            elif kind == "shutdown":
                fast.set_desired_shutdown(tid)
                ref.set_desired_shutdown(tid)
            else:
                fast.task_failed(tid, now)
                ref.task_failed(tid, now)
        known = [n.id for n in nodes if n.id in ref.nodes]
        yield "usage", None, [usage_tuple(fast, i) for i in known], [ref.usage(i) for i in known]


SETTINGS = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
THOROUGH = settings(SETTINGS, max_examples=2000)


def check_equivalence(scenario) -> None:
    for kind, _, got, want in run_both(*scenario):
        assert got == want, kind


@SETTINGS
@given(scenarios())
def test_matches_reference_port_of_swarmkit(scenario):
    """Placements, messages, explanations and accounting equal the naive port's."""
    check_equivalence(scenario)


@SETTINGS
@given(st.one_of(scenarios(), scenarios(spread=True)), st.data())
def test_matches_reference_with_nodes_joining_between_passes(scenario, data):
    """Nodes that join later, alone or several between two uses of the scheduler (which
    adds them together in id order), are placed on as the reference places on them."""
    nodes, svcs, steps = scenario
    joins: dict[int, list] = {}
    for spec in nodes:
        when = data.draw(st.integers(-1, len(steps) - 1))
        if when >= 0:
            joins.setdefault(when, []).append(spec)
    for kind, _, got, want in run_both(nodes, svcs, steps, joins=joins):
        assert got == want, kind


@SETTINGS
@given(scenarios(spread=True))
def test_matches_reference_on_preference_trees(scenario):
    """The same, on clusters where placement preferences decide most placements."""
    check_equivalence(scenario)


@pytest.mark.slow
@THOROUGH
@given(scenarios())
def test_matches_reference_thoroughly(scenario):
    """Many more examples (``pytest -m slow``)."""
    check_equivalence(scenario)


@pytest.mark.slow
@THOROUGH
@given(scenarios(spread=True))
def test_matches_reference_on_preference_trees_thoroughly(scenario):
    """Many more preference-tree examples (``pytest -m slow``)."""
    check_equivalence(scenario)


@settings(SETTINGS, max_examples=20)
@given(scenarios())
def test_tree_visit_order_does_not_change_placements(scenario):
    """Visiting nodes in id order instead (another Go map order) moves no task."""
    nodes, svcs, steps = scenario
    a = [x for x in run_both(nodes, svcs, steps, "spread") if x[0] == "schedule"]
    b = [x for x in run_both(nodes, svcs, steps, "id") if x[0] == "schedule"]
    for (_, _, _, da), (_, _, _, db) in zip(a, b, strict=True):
        assert [d.node_id for d in da] == [d.node_id for d in db]


@SETTINGS
@given(st.one_of(scenarios(), scenarios(spread=True)))
def test_invariants(scenario):
    """Capacity, filters, readiness and 'assigned iff some node passes'."""
    nodes, svcs, steps = scenario
    sched = Scheduler()
    specs = {n.id: n for n in nodes}
    for spec in nodes:
        sched.add_node(spec)
    now = 0.0
    for kind, arg in steps:
        now += 40.0
        if kind in ("history", "remove"):
            apply_setup(sched, kind, arg, svcs, now)
            if kind == "remove":
                del specs[arg]
            continue
        if kind == "node":
            if arg.id not in specs:
                continue
            sched.update_node(arg)
            specs[arg.id] = arg
        if kind != "schedule":
            continue
        before = {i: sched.node_usage(i) for i in specs}
        decisions = sched.schedule(arg, svcs, now)
        ports_taken: set[tuple[str, str, int]] = set()
        for task, d in zip(arg, decisions, strict=True):
            assert d.task_id == task.id
            if d.node_id is None:
                continue
            spec, svc = specs[d.node_id], svcs[task.service]
            assert spec.status == "ready" and spec.availability == "active"
            if svc.placement.constraints:
                assert node_matches(parse_constraints(svc.placement.constraints), spec)
            if svc.placement.platforms:
                norm = {"x86_64": "amd64", "aarch64": "arm64"}
                arch = norm.get(spec.platform.arch, spec.platform.arch)
                assert any(
                    p.os in ("", spec.platform.os) and norm.get(p.arch, p.arch) in ("", arch)
                    for p in svc.placement.platforms
                )
            for proto, port in svc.host_ports:  # no two new tasks share a host port
                assert (d.node_id, proto, port) not in ports_taken
                ports_taken.add((d.node_id, proto, port))
            if task.node_id is not None:
                assert d.node_id == task.node_id
        for node_id, spec in specs.items():
            use = sched.node_usage(node_id)
            grew = (
                use.reserved_nano_cpus > before[node_id].reserved_nano_cpus
                or use.reserved_memory > before[node_id].reserved_memory
            )
            if grew:  # the scheduler itself never over-commits a node
                assert use.reserved_nano_cpus <= spec.nano_cpus
                assert use.reserved_memory <= spec.memory_bytes
            counts, old = dict(use.tasks_by_service), dict(before[node_id].tasks_by_service)
            for name, svc in svcs.items():
                cap = svc.placement.max_replicas
                if cap and counts.get(name, 0) > old.get(name, 0):
                    assert counts[name] <= cap
        # an unassigned replicated task means that no node passes the filters now
        for task, d in zip(arg, decisions, strict=True):
            if d.node_id is None and task.node_id is None and task.service in svcs:
                verdicts = sched.explain_task(task, svcs[task.service], now)
                assert all(v.failed_filter for v in verdicts)
                assert d.error.startswith("no suitable node")
            if d.node_id is not None and task.node_id is None:
                assert d.message == "scheduler assigned task to node"
            if d.node_id is None and task.node_id in specs and task.service in svcs:
                # a refused pre-assigned task: its own node still fails (later tasks only
                # consume more), and the error is that node's bare explanation
                verdicts = sched.explain_task(task, svcs[task.service], now)
                [mine] = [v for v in verdicts if v.node_id == task.node_id]
                assert mine.failed_filter
                assert d.error and not d.error.startswith("no suitable node")


@settings(SETTINGS, max_examples=40)
@given(scenarios(), st.permutations(range(7)), st.booleans())
def test_deterministic_whatever_the_node_join_order(scenario, perm, batch):
    """Same inputs, same decisions, even when nodes join in another order, one by one or
    in one batch (``add_nodes``, which adds them in id order)."""
    nodes, svcs, steps = scenario
    shuffled = [nodes[i] for i in perm if i < len(nodes)]
    first = [x[2] for x in run_both(nodes, svcs, steps) if x[0] == "schedule"]
    sched = Scheduler()
    if batch:
        sched.add_nodes(shuffled)
    else:
        for spec in shuffled:
            sched.add_node(spec)
    second = []
    now = 0.0
    placed: list[str] = []
    for kind, arg in steps:
        now += 40.0
        if kind in ("history", "remove"):
            apply_setup(sched, kind, arg, svcs, now)
        elif kind == "schedule":
            got = sched.schedule(arg, svcs, now)
            placed += [d.task_id for d in got if d.node_id]
            second.append(got)
        elif kind == "node":
            sched.update_node(arg)
        elif placed:
            tid = placed[arg % len(placed)]
            if kind == "release":
                sched.release_task(tid)
            elif kind == "shutdown":
                sched.set_desired_shutdown(tid)
            else:
                sched.task_failed(tid, now)
    assert first == second


def test_reference_agrees_on_a_large_spread():
    """A bigger hand-made case: 40 nodes, 3 zones, resources running out part way."""
    nodes = [
        NodeSpec(
            name=f"n{i}",
            id=f"{i:02d}{'x' * 23}",
            nano_cpus=2_000_000_000,
            labels=(("zone", "abc"[i % 3] if i % 7 else ""),),
            status="down" if i % 11 == 0 else "ready",
        )
        for i in range(40)
    ]
    svcs = {
        "web": ServiceSpec(
            name="web",
            image="i",
            placement=Placement(preferences=("node.labels.zone",)),
            resources=ResourceRequirements(reservations=Resources(nano_cpus=700_000_000)),
        ),
        "db": ServiceSpec(
            name="db",
            image="i",
            resources=ResourceRequirements(reservations=Resources(memory_bytes=300 << 20)),
        ),
    }
    pending = [PendingTask(f"w{i}", "web", 1) for i in range(120)]
    pending += [PendingTask(f"d{i}", "db", 1) for i in range(150)]
    fast, ref = Scheduler(), RefScheduler()
    for n in nodes:
        fast.add_node(n)
        ref.add_node(n)
    got, want = fast.schedule(pending, svcs, 0.0), ref.schedule(pending, svcs, 0.0)
    assert got == want
    assert sum(d.node_id is None for d in got) > 0  # some tasks really found no node
    more = [PendingTask(f"x{i}", "web", 2) for i in range(5)]
    assert fast.schedule(more, svcs, 1.0) == ref.schedule(more, svcs, 1.0)
    fast.update_node(replace(nodes[0], status="ready"))
    ref.add_node(replace(nodes[0], status="ready"))
    again = [PendingTask(f"y{i}", "db", 1) for i in range(5)]
    assert fast.schedule(again, svcs, 2.0) == ref.schedule(again, svcs, 2.0)


def test_reference_agrees_through_many_rounds_of_churn():
    """Long churn on one cluster: heap entries go stale, heaps get compacted, nodes
    drain and come back, labels move nodes between branches."""
    nodes = [
        NodeSpec(
            name=f"n{i}",
            id=f"{(i * 7) % 16:02d}{'c' * 23}",
            nano_cpus=4_000_000_000,
            labels=(("zone", "ab"[i % 2]),),
        )
        for i in range(16)
    ]
    svcs = {
        "api": ServiceSpec(
            name="api", image="i", placement=Placement(preferences=("node.labels.zone",))
        ),
        "job": ServiceSpec(
            name="job",
            image="i",
            resources=ResourceRequirements(reservations=Resources(nano_cpus=1_000_000_000)),
        ),
        "one": ServiceSpec(name="one", image="i", placement=Placement(max_replicas=1)),
    }
    fast, ref = Scheduler(), RefScheduler()
    for n in nodes:
        fast.add_node(n)
        ref.add_node(n)
    live: list[str] = []
    for r in range(60):
        now = float(r * 10)
        batch = [
            PendingTask(f"{name}.{r}.{i}", name, r // 20)
            for i, name in enumerate(("api", "api", "job", "one", "api", "job"))
        ]
        got, want = fast.schedule(batch, svcs, now), ref.schedule(batch, svcs, now)
        assert got == want, r
        live += [d.task_id for d in got if d.node_id]
        for j, tid in enumerate(live[:: 3 + r % 3]):
            action = (fast.task_failed, ref.task_failed) if j % 2 else None
            if action:
                action[0](tid, now)
                action[1](tid, now)
            else:
                fast.release_task(tid)
                ref.release_task(tid)
            live.remove(tid)
        if r % 7 == 3:
            changed = replace(
                nodes[r % 16],
                availability="drain" if r % 2 else "active",
                labels=(("zone", "abc"[r % 3]),),
            )
            fast.update_node(changed)
            ref.add_node(changed)
        for n in nodes:
            assert usage_tuple(fast, n.id) == ref.usage(n.id)
