"""The filter pipeline of SwarmKit's scheduler (``filter.go``, ``pipeline.go``).

Filters run in a fixed order and a node stops at the first one it fails; that filter's
failure count goes up by one.  Whenever a node passes every filter, all counts go back to
zero, so :meth:`Pipeline.explain` describes only the failures since the last node that
passed.  The explanation lists the non-zero counts, most failures first (ties keep
pipeline order), joined with ``"; "``.

The plugin filter is enabled for tasks on networks but always passes (every swarmsim node
has every plugin), so it never appears in an explanation; it keeps its place in the order.
CSI cluster volumes are not modelled, so SwarmKit's ``VolumesFilter`` is absent.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from functools import lru_cache

from swarmsim.input.specs import Platform, ServiceSpec
from swarmsim.scheduler.constraint import NodeFacts, compile_constraints, parse_constraints
from swarmsim.scheduler.nodeinfo import NodeInfo

READY, RESOURCES, PLUGIN, CONSTRAINTS, PLATFORM, HOST_PORT, MAX_REPLICAS = range(7)
FILTER_NAMES = (
    "ready",
    "resources",
    "plugin",
    "constraints",
    "platform",
    "host-port",
    "max-replicas",
)
_TEXTS = (
    "not available for new tasks",
    "insufficient resources on",
    "missing plugin on",
    "scheduling constraints not satisfied on",
    "unsupported platform on",
    "host-mode port already in use on",
)
_ARCH_ALIASES = {"x86_64": "amd64", "aarch64": "arm64"}

Check = Callable[[NodeInfo], bool]


def explain_filter(index: int, nodes: int) -> str:
    """A filter's failure text for ``nodes`` failing nodes (SwarmKit's ``Explain``)."""
    if index == MAX_REPLICAS:
        return "max replicas per node limit exceed"
    unit = "node" if nodes == 1 else "nodes"
    if index == READY:
        return f"{nodes} {unit} {_TEXTS[READY]}"
    return f"{_TEXTS[index]} {nodes} {unit}"


def explain_counts(counts: Sequence[int]) -> str:
    """Join the non-zero failure counts, most first, ties in pipeline order."""
    order = sorted(range(len(counts)), key=lambda i: -counts[i])
    return "; ".join(explain_filter(i, counts[i]) for i in order if counts[i] > 0)


@lru_cache(maxsize=4096)
def _constraint_check(constraints: tuple[str, ...]) -> Callable[[NodeFacts], bool] | None:
    try:
        parsed = parse_constraints(constraints)
    except ValueError:
        return None  # an unparseable constraint disables the filter
    return compile_constraints(parsed)


def _norm_arch(arch: str) -> str:
    return _ARCH_ALIASES.get(arch, arch)


#: a node's platform as the platform filter reads it: ``(os, arch)``, None for none
NodePlatform = tuple[str, str] | None


def node_platform(node: NodeInfo) -> NodePlatform:
    """What the platform filter reads on ``node``."""
    facts = node.facts
    return (facts.os, facts.arch) if facts.has_platform else None


@lru_cache(maxsize=4096)
def _platform_fits(platforms: tuple[Platform, ...], mine: NodePlatform) -> bool:
    """Whether a node of platform ``mine`` passes (``platformFilter.Check``)."""
    if mine is None:
        return False
    os, arch = mine[0], _norm_arch(mine[1])
    return any((not p.arch or _norm_arch(p.arch) == arch) and (not p.os or p.os == os)
               for p in platforms)


@lru_cache(maxsize=4096)
def _platform_check(platforms: tuple[Platform, ...]) -> Check:
    """The platform filter for these platforms; a node's verdict depends on its ``(os,
    arch)`` alone, so it is worked out once per distinct pair (a cluster has few)."""
    verdicts: dict[tuple[str, str], bool] = {}

    def check(n: NodeInfo) -> bool:
        facts = n.facts
        if not facts.has_platform:
            return False
        mine = (facts.os, facts.arch)
        verdict = verdicts.get(mine)
        if verdict is None:
            verdict = verdicts[mine] = _platform_fits(platforms, mine)
        return verdict

    return check


def _resource_check(service: ServiceSpec) -> Check:
    res = service.resources.reservations
    cpu, mem = res.nano_cpus, res.memory_bytes
    generic = tuple(g for g in res.generic if g[1])
    if not generic:
        return lambda n: cpu <= n.avail_cpu and mem <= n.avail_mem

    def check(n: NodeInfo) -> bool:
        if cpu > n.avail_cpu or mem > n.avail_mem:
            return False
        avail = n.avail_generic
        return all(avail.get(kind, 0) >= count for kind, count in generic)

    return check


def build_checks(service: ServiceSpec, platforms: Collection[NodePlatform] = ()
                 ) -> tuple[tuple[int, Check], ...]:
    """The enabled filters for tasks of ``service``, in pipeline order (``SetTask``).

    ``platforms``: the platforms of every node the pipeline will see, when known; if
    every one passes the platform filter, that filter is left out (it cannot fail, so
    it changes no verdict and no count).
    """
    checks: list[tuple[int, Check]] = [(READY, lambda n: n.ready)]
    if not service.resources.reservations.is_zero():
        checks.append((RESOURCES, _resource_check(service)))
    placement = service.placement
    if placement.constraints:
        match = _constraint_check(tuple(placement.constraints))
        if match is not None:
            checks.append((CONSTRAINTS, lambda n: match(n.facts)))
    wanted = tuple(placement.platforms)
    if wanted and not (platforms and all(_platform_fits(wanted, p) for p in platforms)):
        checks.append((PLATFORM, _platform_check(wanted)))
    ports = service.host_ports
    if ports:
        checks.append((HOST_PORT, lambda n: not any(p in n.used_ports for p in ports)))
    if placement.max_replicas > 0:
        svc, limit = service.name, placement.max_replicas
        checks.append((MAX_REPLICAS, lambda n: n.by_service.get(svc, 0) < limit))
    return tuple(checks)


DYNAMIC = frozenset((RESOURCES, HOST_PORT, MAX_REPLICAS))  # may change as tasks are placed


class Pipeline:
    """The filters enabled for one task (group), with SwarmKit's failure counting.

    During one scheduling pass only the resource, host-port and max-replicas filters can
    change their verdict on a node (they depend on the tasks placed so far); readiness,
    constraints and platform cannot.  A node that passed once is re-checked with
    :meth:`process_candidate`, which runs only the filters that can change.
    """

    __slots__ = ("checks", "counts", "dirty", "dynamic", "passed")

    def __init__(self, service: ServiceSpec, platforms: Collection[NodePlatform] = ()) -> None:
        """Args:
            platforms: the platforms of every node this pipeline will check, if known
                (see :func:`build_checks`).
        """
        self.checks = build_checks(service, platforms)
        self.dynamic = tuple(c for c in self.checks if c[0] in DYNAMIC)
        self.counts = [0] * len(FILTER_NAMES)
        self.dirty = False
        self.passed = False

    def first_failure(self, node: NodeInfo) -> int:
        """Index of the first filter ``node`` fails, or -1; the counts are not touched."""
        for index, check in self.checks:
            if not check(node):
                return index
        return -1

    def process(self, node: NodeInfo) -> bool:
        """Run ``node`` through the filters, counting a failure or resetting on a pass."""
        return self._count(self.checks, node)

    def process_candidate(self, node: NodeInfo) -> bool:
        """:meth:`process` for a node known to pass the filters that cannot change."""
        return self._count(self.dynamic, node)

    def _count(self, checks: Sequence[tuple[int, Check]], node: NodeInfo) -> bool:
        for index, check in checks:
            if not check(node):
                self.counts[index] += 1
                self.dirty = True
                return False
        if self.dirty:
            self.counts = [0] * len(FILTER_NAMES)
            self.dirty = False
        self.passed = True
        return True

    def note_pass(self) -> None:
        """Record that a node passed (what :meth:`process` does on a pass)."""
        if self.dirty:
            self.counts = [0] * len(FILTER_NAMES)
            self.dirty = False
        self.passed = True

    def reset(self) -> None:
        """Clear the counts and the pass flag (``SetTask``)."""
        self.counts = [0] * len(FILTER_NAMES)
        self.dirty = False
        self.passed = False

    def explain(self) -> str:
        """The failures since the last node that passed (``insufficient resources on 1 node``)."""
        return explain_counts(self.counts)
