"""Hypothesis strategies for whole-engine property tests: small clusters, services and
fault sequences, plus the code that turns one generated world into a running
:class:`~swarmsim.simulation.engine.Simulation` or into scenario and compose files.

A world is plain frozen data (:class:`World`), so that hypothesis can shrink it and the
same world can be run several times (determinism) or written out as files.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from hypothesis import strategies as st

from swarmsim.cluster.tasks import TaskState
from swarmsim.commands import run_command
from swarmsim.input.scenario import Scenario
from swarmsim.input.specs import (
    NodeSpec,
    Placement,
    Platform,
    ResourceRequirements,
    Resources,
    RestartPolicy,
    ServiceSpec,
    SimParams,
)
from swarmsim.simulation.engine import Simulation

GIB = 1 << 30
MIB = 1 << 20
CORE = 1_000_000_000

#: constraints as (key, operator, value); all of them parse
CONSTRAINTS = (
    ("node.role", "==", "worker"),
    ("node.role", "==", "manager"),
    ("node.role", "!=", "manager"),
    ("node.labels.zone", "==", "a"),
    ("node.labels.zone", "!=", "b"),
    ("node.labels.disk", "==", "ssd"),
    ("node.labels.disk", "!=", "SSD"),
    ("node.platform.arch", "==", "x86_64"),
)
LABEL_VALUES = {"zone": ("a", "b", "c"), "disk": ("ssd", "hdd")}
SERVICE_PLATFORMS = (
    (),
    (Platform("linux", "amd64"),),
    (Platform("linux", "arm64"),),
    (Platform("", "arm64"), Platform("linux", "x86_64")),
)


@dataclass(frozen=True, slots=True)
class Fault:
    """One thing that happens to the cluster at simulated time ``at``.

    ``kind`` and what ``target``/``value`` mean:

    * ``crash`` / ``recover``: the machine ``target`` dies or comes back;
    * ``availability``: ``docker node update --availability <value> <target>``;
    * ``label-add`` (``value`` is ``k=v``) / ``label-rm`` (``value`` is ``k``);
    * ``scale``: ``docker service scale <target>=<value>``;
    * ``kill``: the container of one running task of service ``target`` exits;
      ``value`` is ``<index>:<exit code>``, the index picking among the service's live
      containers ordered by (slot, node, task id).
    """

    at: float
    kind: str
    target: str
    value: str = ""


@dataclass(frozen=True, slots=True)
class World:
    """A generated cluster, its services and the faults it goes through."""

    seed: int
    nodes: tuple[NodeSpec, ...]
    services: tuple[ServiceSpec, ...]
    faults: tuple[Fault, ...]
    until: float


def constraint_text(c: tuple[str, str, str], spaced: bool = False) -> str:
    """``key==value`` (or ``key == value``)."""
    key, op, value = c
    return f"{key} {op} {value}" if spaced else f"{key}{op}{value}"


# --- nodes ------------------------------------------------------------------------------
@st.composite
def node_specs(draw: st.DrawFn, *, managers: tuple[int, int] = (1, 3),
               workers: tuple[int, int] = (1, 6)) -> tuple[NodeSpec, ...]:
    """1-3 managers then 1-6 workers, with varied size, labels, platform and availability."""
    n_managers = draw(st.integers(*managers))
    n_workers = draw(st.integers(*workers))
    out: list[NodeSpec] = []
    for i in range(n_managers + n_workers):
        role = "manager" if i < n_managers else "worker"
        name = f"m{i + 1}" if role == "manager" else f"w{i - n_managers + 1}"
        labels = []
        for key, values in LABEL_VALUES.items():
            value = draw(st.sampled_from((None, *values)))
            if value is not None:
                labels.append((key, value))
        arch = draw(st.sampled_from(("x86_64", "x86_64", "x86_64", "aarch64")))
        availability = draw(st.sampled_from(("active",) * 6 + ("pause", "drain")))
        out.append(NodeSpec(
            name=name,
            id=f"node{i:021d}",
            role=role,
            nano_cpus=draw(st.sampled_from((1, 2, 4))) * CORE,
            memory_bytes=draw(st.sampled_from((512 * MIB, GIB, 2 * GIB, 4 * GIB))),
            labels=tuple(sorted(labels)),
            platform=Platform("linux", arch),
            availability=availability,
            addr=f"10.0.0.{i + 1}",
        ))
    return tuple(out)


# --- services ---------------------------------------------------------------------------
@st.composite
def service_specs(draw: st.DrawFn, index: int, *, platforms: bool = True,
                  modes: tuple[str, ...] = ("replicated", "replicated", "global")) -> ServiceSpec:
    """One replicated (0-8 replicas) or global service with random placement,
    reservations (some too big for any node), restart policy and crash rate."""
    mode = draw(st.sampled_from(modes))
    cpu = draw(st.sampled_from((0, 0, 0, CORE // 4, CORE // 2, CORE, 3 * CORE)))
    mem = draw(st.sampled_from((0, 0, 0, 128 * MIB, 256 * MIB, 512 * MIB, 3 * GIB)))
    how_many = draw(st.sampled_from((0, 0, 0, 1, 1, 2)))
    constraints = draw(st.lists(st.sampled_from(CONSTRAINTS), min_size=how_many,
                                max_size=how_many, unique=True))
    spaced = draw(st.booleans())
    placement = Placement(
        constraints=tuple(constraint_text(c, spaced) for c in constraints),
        preferences=draw(st.sampled_from(((), (), ("node.labels.zone",)))),
        max_replicas=draw(st.sampled_from((0, 0, 1, 2, 3))) if mode == "replicated" else 0,
        platforms=draw(st.sampled_from(((),) * 4 + SERVICE_PLATFORMS)) if platforms else (),
    )
    restart = RestartPolicy(
        condition=draw(st.sampled_from(("any", "any", "on-failure", "none"))),
        delay_s=draw(st.sampled_from((0.0, 1.0, 5.0))),
        max_attempts=draw(st.sampled_from((0, 0, 1, 3))),
    )
    mtbf = draw(st.sampled_from((None, None, None, 45.0, 120.0)))
    return ServiceSpec(
        name=f"app_s{index}",
        image="nginx:latest",
        stack="app",
        short_name=f"s{index}",
        mode=mode,
        replicas=draw(st.integers(0, 8)) if mode == "replicated" else 0,
        resources=ResourceRequirements(reservations=Resources(nano_cpus=cpu, memory_bytes=mem)),
        placement=placement,
        restart=restart,
        sim=SimParams(mtbf_s=mtbf),
    )


# --- faults -----------------------------------------------------------------------------
@st.composite
def fault_lists(draw: st.DrawFn, nodes: tuple[NodeSpec, ...],
                services: tuple[ServiceSpec, ...], *, max_faults: int = 8,
                labels: bool = True) -> tuple[Fault, ...]:
    """0-``max_faults`` faults at whole or half seconds in [1 s, 120 s], in time order."""
    names = [n.name for n in nodes]
    replicated = [s.name for s in services if s.mode == "replicated"]
    kinds = ["crash", "recover", "availability", "kill"]
    if labels:
        kinds += ["label-add", "label-rm"]
    if replicated:
        kinds.append("scale")
    out: list[Fault] = []
    for _ in range(draw(st.integers(0, max_faults))):
        at = draw(st.integers(2, 240)) / 2
        kind = draw(st.sampled_from(kinds))
        if kind in ("crash", "recover"):
            out.append(Fault(at, kind, draw(st.sampled_from(names))))
        elif kind == "availability":
            value = draw(st.sampled_from(("drain", "active", "pause")))
            out.append(Fault(at, kind, draw(st.sampled_from(names)), value))
        elif kind == "label-add":
            key = draw(st.sampled_from(sorted(LABEL_VALUES)))
            value = draw(st.sampled_from(LABEL_VALUES[key]))
            out.append(Fault(at, kind, draw(st.sampled_from(names)), f"{key}={value}"))
        elif kind == "label-rm":
            key = draw(st.sampled_from(sorted(LABEL_VALUES)))
            out.append(Fault(at, kind, draw(st.sampled_from(names)), key))
        elif kind == "scale":
            replicas = draw(st.integers(0, 8))
            out.append(Fault(at, kind, draw(st.sampled_from(replicated)), str(replicas)))
        elif services:
            service = draw(st.sampled_from([s.name for s in services]))
            code = draw(st.sampled_from((1, 1, 0, 137)))
            out.append(Fault(at, "kill", service, f"{draw(st.integers(0, 7))}:{code}"))
    return tuple(sorted(out, key=lambda f: f.at))


TAIL_S = 80.0  # quiet time after the last fault: detection, restart delay, start-up


@st.composite
def worlds(draw: st.DrawFn, *, max_services: int = 3, max_faults: int = 8,
           platforms: bool = True, labels: bool = True) -> World:
    """A cluster, 1-``max_services`` services and a fault sequence."""
    nodes = draw(node_specs())
    services = tuple(
        draw(service_specs(i, platforms=platforms))
        for i in range(draw(st.integers(1, max_services)))
    )
    faults = draw(fault_lists(nodes, services, max_faults=max_faults, labels=labels))
    last = max((f.at for f in faults), default=0.0)
    return World(draw(st.integers(0, 2**16)), nodes, services, faults, last + TAIL_S)


@st.composite
def quorum_worlds(draw: st.DrawFn) -> World:
    """Three managers, two of which crash (the first two faults); a kill and a scale
    during the outage, maybe a worker crash; one manager comes back (or not)."""
    nodes = draw(node_specs(managers=(3, 3), workers=(1, 4)))
    nodes = tuple(replace(n, nano_cpus=4 * CORE, memory_bytes=4 * GIB, availability="active",
                          platform=Platform("linux", "x86_64")) for n in nodes)
    replicas = draw(st.integers(1, 6))
    service = ServiceSpec(name="app_s0", image="nginx:latest", stack="app", short_name="s0",
                          replicas=replicas)
    down = draw(st.permutations(["m1", "m2", "m3"]))[:2]
    t1 = draw(st.integers(10, 40))
    t2 = t1 + draw(st.integers(0, 10))
    outage = t2 + draw(st.integers(1, 5))
    faults = [
        Fault(t1, "crash", down[0]),
        Fault(t2, "crash", down[1]),
        Fault(outage, "kill", "app_s0", f"{draw(st.integers(0, 5))}:1"),
        Fault(outage + 1, "scale", "app_s0", str(draw(st.integers(0, 8)))),
    ]
    if draw(st.booleans()):
        worker = draw(st.sampled_from([n.name for n in nodes if n.role == "worker"]))
        faults.append(Fault(outage + 2, "crash", worker))
    back = outage + draw(st.integers(10, 60))
    recover = draw(st.booleans())
    if recover:
        faults.append(Fault(back, "recover", draw(st.sampled_from(down))))
    until = (back if recover else outage) + TAIL_S
    return World(draw(st.integers(0, 2**16)), nodes, (service,), tuple(faults), until)


# --- running a world --------------------------------------------------------------------
def new_simulation(world: World) -> Simulation:
    """The simulation of ``world``, not started (attach listeners, then :func:`start`)."""
    return Simulation(Scenario(name="prop", seed=world.seed, nodes=world.nodes, stacks=(),
                               until=world.until))


def start(sim: Simulation, world: World, results: list[tuple[Fault, str]] | None = None) -> None:
    """Form the swarm, create the services at t=0 and schedule the faults.

    ``results`` receives ``(fault, outcome)`` as each fault happens (a command's stderr,
    or what was killed).
    """
    sim.bootstrap()
    for spec in world.services:
        sim.state.create_service(spec)
    for fault in world.faults:
        sim.later(fault.at, _apply, sim, fault, results)


def _manager_machine(sim: Simulation) -> str | None:
    """A manager machine that is up (commands go through it), or None."""
    for node in sorted(sim.state.nodes.values(), key=lambda n: n.name):
        if node.spec.role == "manager" and node.alive:
            return node.name
    return None


def _apply(sim: Simulation, fault: Fault, results: list[tuple[Fault, str]] | None) -> None:
    outcome = apply_fault(sim, fault)
    if results is not None:
        results.append((fault, outcome))


def apply_fault(sim: Simulation, fault: Fault) -> str:
    """Make ``fault`` happen now; returns a command's stderr or the kill's outcome."""
    kind, target = fault.kind, fault.target
    if kind in ("crash", "recover"):
        node = sim.state.nodes.get(sim.machines[target].id)
        alive = kind == "recover"
        if node is not None and node.alive != alive:
            sim.state.set_alive(node.id, alive)
        return ""
    if kind == "kill":
        index, code = (int(x) for x in fault.value.split(":"))
        live = sorted(
            (t for t in sim.state.tasks_of(target)
             if t.actual and t.state <= TaskState.RUNNING),
            key=lambda t: (t.slot, t.node_id or "", t.id),
        )
        if not live:
            return "nothing to kill"
        task = live[index % len(live)]
        return "killed" if sim.agent.kill(task, code) else "not running"  # type: ignore[attr-defined]
    machine = _manager_machine(sim)
    if machine is None:
        return "no manager up"
    return run_command(sim, command_line(fault), on=machine).error


def command_line(fault: Fault) -> str:
    """The docker command of an ``availability``, ``label-*`` or ``scale`` fault."""
    if fault.kind == "scale":
        return f"docker service scale {fault.target}={fault.value}"
    return f"docker node update --{fault.kind} {fault.value} {fault.target}"  # kind = flag


# --- the same world as files --------------------------------------------------------------
def _compose_service(spec: ServiceSpec) -> list[str]:
    lines = [f"  {spec.short_name}:", "    image: nginx:latest", "    deploy:"]
    if spec.mode == "global":
        lines.append("      mode: global")
    else:
        lines.append(f"      replicas: {spec.replicas}")
    res = spec.resources.reservations
    if res.nano_cpus or res.memory_bytes:
        lines += ["      resources:", "        reservations:"]
        if res.nano_cpus:
            lines.append(f"          cpus: '{res.nano_cpus / CORE:g}'")
        if res.memory_bytes:
            lines.append(f"          memory: {res.memory_bytes // MIB}M")
    p = spec.placement
    if p.constraints or p.preferences or p.max_replicas:
        lines.append("      placement:")
        if p.constraints:
            lines.append("        constraints:")
            lines += [f"          - {c}" for c in p.constraints]
        if p.preferences:
            lines.append("        preferences:")
            lines += [f"          - spread: {d}" for d in p.preferences]
        if p.max_replicas:
            lines.append(f"        max_replicas_per_node: {p.max_replicas}")
    r = spec.restart
    lines += ["      restart_policy:", f"        condition: {r.condition}",
              f"        delay: {r.delay_s:g}s"]
    if r.max_attempts:
        lines.append(f"        max_attempts: {r.max_attempts}")
    if spec.sim.mtbf_s:
        lines += ["    x-swarmsim:", f"      mtbf: {spec.sim.mtbf_s:g}s"]
    return lines


def _timeline_entry(f: Fault) -> str:
    at = f"at: {f.at:g}s"
    if f.kind in ("crash", "recover"):
        return f"  - {{{at}, {'fail' if f.kind == 'crash' else 'recover'}: {f.target}}}"
    if f.kind == "kill":
        index, code = f.value.split(":")
        return f"  - {{{at}, kill: {f.target}.{int(index) + 1}, exit_code: {code}}}"
    return f'  - {{{at}, run: "{command_line(f)}"}}'


def write_world(world: World, directory: Path) -> Path:
    """Write ``world`` as a scenario (``s.yaml``) deploying stack ``app`` from a compose
    file (``c.yml``), its faults as the timeline; returns the scenario's path.

    Platforms cannot be written in a compose file; services are expected to have none.
    """
    compose = ['version: "3.9"', "services:"]
    for spec in world.services:
        compose += _compose_service(spec)
    (directory / "c.yml").write_text("\n".join(compose) + "\n")
    lines = [f"seed: {world.seed}", f"until: {world.until:g}s", "nodes:"]
    for n in world.nodes:
        lines += [f"  - name: {n.name}", f"    role: {n.role}",
                  f"    cpus: {n.nano_cpus // CORE}", f"    memory: {n.memory_bytes // MIB}M",
                  f"    availability: {n.availability}",
                  f"    platform: {{os: {n.platform.os}, arch: {n.platform.arch}}}"]
        if n.labels:
            lines.append("    labels: {" + ", ".join(f"{k}: {v}" for k, v in n.labels) + "}")
    lines += ["stacks:", "  app: c.yml"]
    if world.faults:
        lines.append("timeline:")
        lines += [_timeline_entry(f) for f in world.faults]
    path = directory / "s.yaml"
    path.write_text("\n".join(lines) + "\n")
    return path
