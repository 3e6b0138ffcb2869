"""Pure decisions of the resource model: how a node's cores are shared, whom the OOM
killer picks.

CPU. Swarm gives a container only a CFS quota from ``limits.cpus`` and never sets CPU
shares from ``reservations.cpus``: moby's ``daemon/cluster/executor/container/
container.go`` (``containerConfig.resources``) copies ``Limits.NanoCPUs`` to
``NanoCPUs`` and ``Limits.MemoryBytes`` to ``Memory`` and reads no reservation, so every
container's cgroup keeps the default weight (1024). Under CFS, cgroups of equal weight
that want more than the node has share it max-min fairly: each gets an equal share,
capped by what it wants and by its quota, and what a capped one leaves goes to the
others (work-conserving).

Memory. A container over its memory limit is killed by its cgroup's OOM killer; when
the node itself runs out, the kernel's OOM killer (``mm/oom_kill.c``,
``oom_evaluate_task``) kills the task with the highest badness, its resident memory
plus ``oom_score_adj`` (0 for swarm tasks: docker's default); walking the tasks in
creation order and keeping a later task on a tie, so the newest of equals dies.
"""

from __future__ import annotations

import math
from collections.abc import Sequence


def fair_share(capacity: float, caps: Sequence[float]) -> list[float]:
    """Max-min fair shares of ``capacity`` among claimants wanting at most ``caps``.

    Water-filling: the claimants are served from the smallest cap up; each gets the
    smaller of its cap and an equal share of what is left.
    """
    n = len(caps)
    got = [0.0] * n
    left = max(capacity, 0.0)
    for k, i in enumerate(sorted(range(n), key=caps.__getitem__)):
        give = min(max(caps[i], 0.0), left / (n - k))
        got[i] = give
        left -= give
    return got


def cpu_caps(demand: Sequence[float], limit: Sequence[float]) -> list[float]:
    """What each container can take: its demand, capped by its CPU limit (0: none)."""
    return [min(d, lim) if lim > 0 else d for d, lim in zip(demand, limit, strict=True)]


def allocate(cores: float, demand: Sequence[float], limit: Sequence[float]) -> list[float]:
    """The cores each container of a node gets (CFS, equal weights, quota ``limit``)."""
    caps = cpu_caps(demand, limit)
    if sum(caps) <= cores:  # no contention: everyone gets what it can take
        return [max(c, 0.0) for c in caps]
    return fair_share(cores, caps)


def worker_speed(got: float, background: float, workers: int) -> float:
    """Cores one busy request worker runs at when its container got ``got`` cores while
    its background wants ``background``: the threads of one cgroup share it max-min
    fairly, each worker wanting one core."""
    if workers <= 0:
        return 0.0
    shares = fair_share(got, [background, *([1.0] * workers)])
    return shares[1]


def oom_victim(working_sets: Sequence[float], limit: float) -> int | None:
    """The container the kernel's OOM killer kills when their working sets exceed
    ``limit`` (None while they fit): the largest, the newest of equals (``working_sets``
    in start order)."""
    if sum(working_sets) <= limit or not working_sets:
        return None
    best = -math.inf
    pick = None
    for i, ws in enumerate(working_sets):
        if ws >= best:
            best, pick = ws, i
    return pick
