"""``swarmsim plan``: a dry run of ``docker stack deploy`` on a scenario's cluster.

Every stack of the scenario is loaded as docker would load it, its services are created,
their tasks are made (one per replica slot, or one per eligible node for global
services) and one scheduling pass places them, at t=0 and with nothing else moving.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from itertools import repeat
from typing import Any, NamedTuple

from swarmsim.compose import load_stack, validate_for_daemon
from swarmsim.foundation import defaults
from swarmsim.foundation.collector import paused_collector
from swarmsim.foundation.errors import InputError
from swarmsim.foundation.rng import IdFactory, make_streams
from swarmsim.input.scenario import Scenario
from swarmsim.input.specs import NodeSpec, PortConfig, ServiceSpec, Stack
from swarmsim.manager.controlapi import tagged_image
from swarmsim.policies import make_policy
from swarmsim.scheduler import PendingTask, Scheduler
from swarmsim.scheduler.constraint import node_matches, parse_constraints
from swarmsim.simulation.images import registry_of, resolve_image


class PlannedTask(NamedTuple):
    """One task of the plan, as ``docker stack ps`` would list it (a named tuple: a plan
    holds one per replica, 100,000 for a big stack, and a tuple is the cheapest to make)."""

    id: str
    name: str
    service: str
    slot: int
    node: str | None  # hostname; None only for a task no node holds (an unplaced replica)
    node_id: str | None
    desired_state: str
    state: str
    error: str
    image: str


@dataclass(frozen=True, slots=True)
class PlannedService:
    """A created service with its id and allocated ports."""

    id: str
    spec: ServiceSpec
    desired: int


@dataclass(frozen=True, slots=True)
class NodeReport:
    """A node with what the plan reserved on it."""

    spec: NodeSpec
    reserved_nano_cpus: int
    reserved_memory: int
    tasks: int


@dataclass(frozen=True, slots=True)
class Plan:
    """Result of :func:`plan`: stacks as loaded, services, tasks and per-node totals."""

    scenario: Scenario
    stacks: tuple[Stack, ...]
    services: tuple[PlannedService, ...]
    tasks: tuple[PlannedTask, ...]
    nodes: tuple[NodeReport, ...]
    time: float = 0.0

    @property
    def deployed_later(self) -> tuple[float, ...]:
        """When the timeline runs ``docker stack deploy`` (the plan shows t=0 only)."""
        return tuple(
            step.at
            for step in self.scenario.timeline
            if step.action == "run" and " stack deploy " in f" {' '.join(step.target.split())} "
        )

    def to_dict(self) -> dict[str, Any]:
        """The JSON document of ``swarmsim plan --json``."""
        return {
            "time": self.time,
            "nodes": [
                {
                    "name": n.spec.name,
                    "id": n.spec.id,
                    "role": n.spec.role,
                    "status": n.spec.status,
                    "availability": n.spec.availability,
                    "cpus": n.spec.nano_cpus / 1e9,
                    "memory": n.spec.memory_bytes,
                    "labels": dict(n.spec.labels),
                    "joined": n.spec.joined,
                    "reserved_cpus": n.reserved_nano_cpus / 1e9,
                    "reserved_memory": n.reserved_memory,
                }
                for n in self.nodes
            ],
            "services": [
                {"name": s.spec.name, "mode": s.spec.mode, "desired": s.desired, "running": 0}
                for s in self.services
            ],
            "tasks": [
                {
                    "id": t.id,
                    "name": t.name,
                    "service": t.service,
                    "slot": t.slot,
                    "node": t.node,
                    "desired_state": t.desired_state,
                    "state": t.state,
                    "error": t.error,
                }
                for t in self.tasks
            ],
        }


def plan(scenario: Scenario, *, env: dict[str, str] | None = None) -> Plan:
    """Place every stack of ``scenario`` at t=0.

    Args:
        scenario: a loaded scenario.
        env: the environment compose files are interpolated from (default: the
            process environment).

    Raises:
        InputError: a compose file docker would reject, or a deploy docker would
            refuse (no manager in the swarm).
    """
    with paused_collector():  # a plan builds a record per task and no reference cycles
        return _plan(scenario, env)


def _plan(scenario: Scenario, env: dict[str, str] | None) -> Plan:
    streams = make_streams(scenario.seed)
    ids = IdFactory(streams["ids"])
    # node ids were drawn first by the scenario; skip past them so ids never repeat
    for _ in scenario.nodes:
        ids.new_id()
    nodes = [n for n in scenario.nodes if n.joined]
    if scenario.stacks and not any(n.role == "manager" for n in nodes):
        raise InputError(
            'this node is not a swarm manager. Use "docker swarm init" or "docker swarm join" '
            "to connect this node to swarm and try again",
            file=scenario.source,
            path="stacks",
        )
    stacks: list[Stack] = []
    created: list[PlannedService] = []
    ports = _PortAllocator()
    for ref in scenario.stacks:
        stack = load_stack(list(ref.compose_files), ref.name, env=env, display=list(ref.given))
        try:
            validate_for_daemon(stack, existing=[s.spec for s in created])
        except InputError as err:
            raise err.located(file=ref.given[0]) from None
        stacks.append(stack)
        for spec in stack.services:
            # docker stack deploy resolves images by default (--resolve-image always); a
            # private registry does not answer a dry run, which sends no credentials
            private = registry_of(spec.image) in {h for h, p in scenario.registries if p}
            spec = resolve_image(spec, query=True, reachable=not private)
            spec = ports.allocate(spec)
            desired = _desired(spec, nodes)
            created.append(PlannedService(id=ids.new_id(), spec=spec, desired=desired))

    scheduler = Scheduler(make_policy(scenario.policy), streams["policy"])
    return _place(scenario, nodes, stacks, created, ids, scheduler)


def deploy_lines(stack: Stack) -> list[str]:
    """What ``docker stack deploy`` prints for a first deploy of ``stack``, in its order:
    networks, secrets, configs, then services (docker/cli
    cli/command/stack/deploy_composefile.go: createNetworks, createSecrets,
    createConfigs, deployServices)."""
    lines = [f"Creating network {net.name}" for net in stack.networks if not net.external]
    lines += [f"Creating secret {name}" for name in stack.secrets]
    lines += [f"Creating config {name}" for name in stack.configs]
    lines += [f"Creating service {svc.name}" for svc in stack.services]
    return lines


def _desired(spec: ServiceSpec, nodes: list[NodeSpec]) -> int:
    if spec.is_global:
        return len(_global_nodes(spec, nodes))
    return spec.replicas


def _global_nodes(spec: ServiceSpec, nodes: list[NodeSpec]) -> list[NodeSpec]:
    """Nodes the global orchestrator makes a task for: not drained, not down, not
    paused, and meeting the service's constraints."""
    try:
        constraints = parse_constraints(spec.placement.constraints)
    except ValueError:
        constraints = []
    return [
        n
        for n in nodes
        if n.availability == "active"
        and n.status == "ready"
        and node_matches(constraints, n)
    ]


def _place(
    scenario: Scenario,
    nodes: list[NodeSpec],
    stacks: list[Stack],
    services: list[PlannedService],
    ids: IdFactory,
    scheduler: Scheduler,
) -> Plan:
    scheduler.add_nodes(nodes)
    by_name = {s.spec.name: s.spec for s in services}
    # the plan's records are built column by column (one list per field, parallel to
    # ``pending``), then zipped into tuples in one pass: 100,000 records cost a few
    # list passes rather than 100,000 calls of a ten-field constructor
    pending: list[PendingTask] = []
    names: list[str] = []
    slots: list[int] = []
    owners: list[str] = []  # the service of each task
    desired: list[str] = []
    images: list[str] = []
    task_ids: list[str] = []
    for svc in services:
        spec = svc.spec
        name = spec.name
        prefix = f"{name}."
        if spec.is_global:
            hosts = [node.id for node in _global_nodes(spec, nodes)]
            made_ids = ids.new_ids(len(hosts))
            made = _pending(made_ids, name, repeat(0), hosts)
            names += map(prefix.__add__, hosts)  # <service>.<node id>
            slots += repeat(0, len(made))
        else:
            first = 0 if spec.mode == "replicated-job" else 1
            span = range(first, first + spec.replicas)
            made_ids = ids.new_ids(len(span))
            made = _pending(made_ids, name, span, repeat(None))
            names += map(prefix.__add__, map(str, span))  # <service>.<slot>
            slots += span
        task_ids += made_ids
        pending += made
        owners += repeat(name, len(made))
        desired += repeat("complete" if spec.is_job else "running", len(made))
        # the client tags a bare image ``:latest`` before it creates the service
        # (moby client/service_create.go, imageWithTagString): once per service, not per task
        images += repeat(tagged_image(spec.image), len(made))
    decisions = scheduler.schedule(pending, by_name, 0.0)  # in the order of ``pending``
    placed = [d.node_id for d in decisions]
    # a global task is created for its node (pre-assigned) and keeps it while pending;
    # docker service ps prints that node (swarmkit orchestrator/global/global.go)
    node_ids = [p or task.node_id for p, task in zip(placed, pending, strict=True)]
    hostnames: dict[str | None, str] = {n.id: n.name for n in nodes}
    tasks: list[PlannedTask] = list(map(
        tuple.__new__,
        repeat(PlannedTask),
        zip(
            task_ids, names, owners, slots,
            map(hostnames.get, node_ids), node_ids, desired,  # get(None) is None
            ["assigned" if p else "pending" for p in placed], [d.error for d in decisions],
            images, strict=True,
        ),
    ))
    reports = []
    for node in scenario.nodes:
        if node.joined:
            reports.append(NodeReport(node, *scheduler.node_reserved(node.id)))
        else:
            reports.append(NodeReport(node, 0, 0, 0))
    return Plan(
        scenario=scenario,
        stacks=tuple(stacks),
        services=tuple(services),
        tasks=tuple(tasks),
        nodes=tuple(reports),
    )


def _pending(task_ids: list[str], service: str, slots: Iterable[int],
             hosts: Iterable[str | None]) -> list[PendingTask]:
    """The pending tasks of one service (spec version 0), made without a Python-level
    call each (``tuple.__new__`` over the columns, as the plan's records are)."""
    return list(map(
        tuple.__new__, repeat(PendingTask),
        zip(task_ids, repeat(service), repeat(0), slots, hosts),
    ))


class _PortAllocator:
    """Hands out ingress published ports from swarm's dynamic range (30000-32767)."""

    def __init__(self) -> None:
        self._next = defaults.DYNAMIC_PORT_START
        self._used: set[tuple[str, int]] = set()

    def allocate(self, spec: ServiceSpec) -> ServiceSpec:
        for p in spec.ports:
            if p.published and p.mode == "ingress":
                self._used.add((p.protocol, p.published))
        if not any(p.published == 0 and p.mode == "ingress" for p in spec.ports):
            return spec
        ports: list[PortConfig] = []
        for p in spec.ports:
            if p.published == 0 and p.mode == "ingress":
                while (p.protocol, self._next) in self._used:
                    self._next += 1
                if self._next > defaults.DYNAMIC_PORT_END:
                    raise InputError("could not find an available port in the dynamic range")
                self._used.add((p.protocol, self._next))
                p = replace(p, published=self._next)
                self._next += 1
            ports.append(p)
        return replace(spec, ports=tuple(ports))
