"""Images on the nodes: per-node caches, downloads, private registries and credentials.

A service whose ``x-swarmsim`` gives ``image_size`` has a modelled image: the first task
of that image on a node downloads it, spending ``image_size / bandwidth`` seconds (the
node's scenario key ``bandwidth``) in ``preparing``; tasks of the same image that reach
the node while it downloads wait for the same download; later tasks find it on disk and
go straight on.  The disk keeps its images across task restarts and machine crashes; a
crash during a download loses that download.  Without ``image_size`` (or with an
explicit ``pull``) every task spends ``pull`` in ``preparing``, as before.

A registry the scenario declares ``private`` refuses anonymous pulls.  A node can pull
from it when its machine ran ``docker login REGISTRY``, or when the service carries the
deploying machine's credentials (``docker stack deploy --with-registry-auth``).
Otherwise the pull fails and, as docker's executor does, the engine goes on with the
image only if it already has it: a missing image ends the task ``rejected`` with
``No such image: <image>``, and the restart policy retries it.

An image's manifest lists the platforms it is built for (``x-swarmsim.image_platforms``,
by default a multi-arch Linux image).  When the client resolves the image (``docker
stack deploy --resolve-image always``, the default, or ``changed`` for a new or changed
image; ``docker service create`` and ``update --image`` unless ``--no-resolve-image``),
it copies them into the service's ``Placement.Platforms``, so the scheduler's platform
filter keeps the tasks off other nodes; unresolved, a service has none (an update keeps
its old ones).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from swarmsim.cluster.state import ClusterState
from swarmsim.compose import imageref
from swarmsim.foundation import defaults
from swarmsim.input.specs import Platform, ServiceSpec
from swarmsim.simulation.clock import Clock

if TYPE_CHECKING:
    from swarmsim.cluster.state import NodeRecord
    from swarmsim.cluster.tasks import Task
    from swarmsim.input.specs import NodeSpec

#: the registry of images written without a registry host
DOCKER_HUB = "docker.io"
#: the host ``docker login`` without an argument logs in to (as docker prints it)
DOCKER_HUB_LOGIN = "https://index.docker.io/v1/"


@functools.lru_cache(maxsize=4096)
def registry_of(image: str) -> str:
    """The registry host of an image reference (``docker.io`` for Docker Hub).
    Memoised: every task of a service asks for the same image."""
    try:
        return imageref.parse(image).domain or DOCKER_HUB
    except imageref.ReferenceError:
        return DOCKER_HUB


def manifest_platforms(entries: tuple[str, ...]) -> tuple[Platform, ...]:
    """The placement platforms the client derives from an image manifest's platforms
    (moby client/service_create.go, imageDigestAndPlatforms): ``unknown`` entries
    (attestations) skipped, the architecture of ``arm`` cleared (any architecture, the
    swarmkit#2294 patch), the variant dropped and duplicates skipped, in manifest order."""
    out: list[Platform] = []
    for entry in entries:
        os_name, arch = ([*entry.split("/"), ""])[:2]
        if os_name == "unknown" or arch == "unknown":
            continue
        platform = Platform(os_name, "" if arch.lower() == "arm" else arch)
        if platform not in out:
            out.append(platform)
    return tuple(out)


def resolve_image(spec: ServiceSpec, *, query: bool, reachable: bool) -> ServiceSpec:
    """``spec`` as the client sends it: with the image's platforms when it queried the
    registry and the registry answered (moby client/service_create.go,
    resolveContainerSpecImage); otherwise unchanged (a compose file sets no platforms)."""
    if not (query and reachable):
        return spec
    entries = spec.sim.image_platforms or defaults.IMAGE_PLATFORMS
    platforms = manifest_platforms(entries)
    if not platforms:
        return spec
    return replace(spec, placement=replace(spec.placement, platforms=platforms))


def query_registry(resolve: str, image: str, old_label_image: str | None) -> bool:
    """Whether ``docker stack deploy --resolve-image RESOLVE`` has the registry queried
    for a service (docker/cli cli/command/stack/deploy_composefile.go, deployServices):
    ``always``; ``changed`` for a new service or one whose compose image differs from
    the image label of the existing service; never with ``never``."""
    if resolve == "always":
        return True
    if resolve == "changed":
        return old_label_image is None or image != old_label_image
    return False


def pull_seconds(size: int, bandwidth: int) -> float:
    """Seconds to download ``size`` bytes at ``bandwidth`` bytes per second."""
    return size / bandwidth if bandwidth > 0 else 0.0


def no_such_image(image: str) -> str:
    """The task error docker reports when the image could not be pulled and is not on
    the node."""
    return f"No such image: {image}"


@dataclass(frozen=True, slots=True)
class PullPlan:
    """What ``preparing`` does for one task: wait ``wait`` seconds, or fail with
    ``error`` (then the task is rejected at once)."""

    wait: float
    error: str = ""


def plan_pull(
    *,
    now: float,
    ready_at: float | None,
    fixed_s: float,
    size: int | None,
    bandwidth: int,
    allowed: bool,
) -> tuple[PullPlan, float | None]:
    """Decide one task's ``preparing`` (a pure function).

    Args:
        now: the current time.
        ready_at: when the image is (or will be) on the node's disk, None if never pulled.
        fixed_s: the ``pull`` time, used when ``size`` is None.
        size: the image's size in bytes, or None when the image is not modelled.
        bandwidth: the node's download rate, bytes per second.
        allowed: False when the registry refuses the node (private, no credentials).

    Returns:
        the plan, and the new ``ready_at`` of the image on that node.
    """
    on_disk = ready_at is not None and ready_at <= now
    if not allowed and not on_disk:
        return PullPlan(0.0, "refused"), ready_at
    if size is None:
        done = now + fixed_s
        return PullPlan(fixed_s), ready_at if ready_at is not None and ready_at <= done else done
    if ready_at is not None:  # on disk, or being downloaded: share that download
        return PullPlan(max(0.0, ready_at - now)), ready_at
    wait = pull_seconds(size, bandwidth)
    return PullPlan(wait), now + wait


class Images:
    """Every node's image store and every machine's registry credentials."""

    def __init__(
        self,
        state: ClusterState,
        clock: Clock,
        registries: Iterable[tuple[str, bool]],
    ) -> None:
        self.state = state
        self.clock = clock
        self.private: frozenset[str] = frozenset(h for h, private in registries if private)
        self._ready: dict[str, dict[str, float]] = {}  # node id -> image -> on disk at
        self.logins: dict[str, dict[str, str]] = {}  # machine -> registry -> user
        self.unpublished: set[str] = set()  # built locally, never pushed: no registry has it

    def start(self) -> None:
        """Subscribe to node changes (a crash loses the downloads under way)."""
        self.state.on_node(self._on_node)

    def _on_node(self, node: NodeRecord, before: NodeSpec) -> None:
        if node.alive:
            return
        images = self._ready.get(node.id)
        if images:
            now = self.clock.now
            for image in [i for i, at in images.items() if at > now]:
                del images[image]

    # --- credentials -------------------------------------------------------------------
    def login(self, machine: str, registry: str, user: str) -> None:
        """``docker login``: store credentials for ``registry`` on ``machine``."""
        self.logins.setdefault(machine, {})[registry] = user

    def logout(self, machine: str, registry: str) -> bool:
        """``docker logout``: forget them; False when there were none."""
        return self.logins.get(machine, {}).pop(registry, None) is not None

    def has_login(self, machine: str, registry: str) -> bool:
        """True when ``machine`` holds credentials for ``registry``."""
        return registry in self.logins.get(machine, {})

    def is_private(self, image: str) -> bool:
        """True when the image's registry refuses anonymous pulls."""
        return registry_of(image) in self.private

    def answers(self, image: str, auth_from: str | None) -> bool:
        """Whether a registry answers a client's manifest query for ``image`` (the
        ``DistributionInspect`` behind image resolution): not for an image no registry
        has (built or tagged locally, never pushed), nor from a private registry unless
        the client sends ``auth_from``'s credentials for it."""
        if image in self.unpublished:
            return False
        if not self.is_private(image):
            return True
        return auth_from is not None and self.has_login(auth_from, registry_of(image))

    # --- the node side -----------------------------------------------------------------
    def prepare(self, task: Task) -> PullPlan:
        """What ``preparing`` does for ``task`` on its node now (records the download)."""
        node = self.state.nodes.get(task.node_id or "")
        spec = task.spec
        if node is None:
            return PullPlan(spec.sim.pull_s)
        allowed = not self.is_private(spec.image) or spec.registry_auth or self.has_login(
            node.spec.name, registry_of(spec.image)
        )
        allowed = allowed and spec.image not in self.unpublished
        images = self._ready.setdefault(node.id, {})
        plan, ready_at = plan_pull(
            now=self.clock.now,
            ready_at=images.get(spec.image),
            fixed_s=spec.sim.pull_s,
            size=spec.sim.image_size,
            bandwidth=node.spec.bandwidth,
            allowed=allowed,
        )
        if plan.error:
            return PullPlan(0.0, no_such_image(spec.image))
        if ready_at is not None:
            images[spec.image] = ready_at
        return plan

    def load(self, node_id: str, image: str) -> None:
        """The node's engine has ``image`` on disk now (it built or tagged it itself)."""
        self._ready.setdefault(node_id, {})[image] = self.clock.now

    def on_disk(self, node_id: str) -> list[str]:
        """The images on a node's disk now, sorted."""
        now = self.clock.now
        return sorted(img for img, at in self._ready.get(node_id, {}).items() if at <= now)
