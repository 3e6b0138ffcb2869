"""Running replications: one job per (scenario variant, policy, seed), on local processes
or a Dask cluster, with results in job order whatever ran them.

Worker functions are top-level and the pool is created only when work is submitted
(spawn-safe: nothing runs at import time).  Every job is self-contained (the scenario
data, the policy name, the seed), so a run's numbers depend on nothing but its job.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from concurrent.futures import Executor, as_completed
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from swarmsim.experiments.measures import DEFAULT_MEASURES, measure
from swarmsim.experiments.sharing import make_pool as make_pool
from swarmsim.experiments.sharing import share as share
from swarmsim.experiments.sharing import start_helpers as start_helpers
from swarmsim.foundation.collector import paused_collector
from swarmsim.input.scenario import scenario_from_data


@dataclass(frozen=True)
class Job:
    """One replication.

    Attributes:
        scenario: a loaded :class:`swarmsim.input.scenario.Scenario`, or ``(data, path)``: the
            scenario mapping and the file it stands for (sweeps build variants this way).
        policy: the policy reference (``spread``, ``binpack``, ..., ``module:Name``).
        seed: the run's seed.
        replication: the replication's index (0-based).
        params: the sweep parameters of this variant, as ``(key, value)`` pairs.
        until: overrides the scenario's ``until``.
        rebalance: overrides the scenario's ``rebalance`` (a what-if, NOT swarm
            behaviour; see :mod:`swarmsim.manager.rebalance`).
        env: environment variables set for the compose files' interpolation, on top of
            the process environment (sweeps of ``env.NAME`` keys).
        label: the policy's ``name`` shown in the record's ``policy`` column (default:
            the reference itself).
        measures: what to measure (built-in names or ``module:function``; default:
            :data:`~swarmsim.experiments.measures.DEFAULT_MEASURES`).
        warmup: seconds cut from the start of the run before measuring.
        slo: the latency objective (s) of the ``slo_violations`` measure.
    """

    scenario: Any
    policy: str
    seed: int
    replication: int
    params: tuple[tuple[str, Any], ...] = field(default=())
    until: float | None = None
    rebalance: str | None = None
    env: tuple[tuple[str, str], ...] = field(default=())
    label: str | None = None
    measures: tuple[str, ...] = DEFAULT_MEASURES
    warmup: float = 0.0
    slo: float | None = None


def replication_seeds(base_seed: int, n: int) -> list[int]:
    """``n`` independent run seeds from ``SeedSequence(base_seed).spawn(n)``.

    Replication ``i`` gets the same seed under every policy (common random numbers).
    """
    children = np.random.SeedSequence(base_seed).spawn(n)
    return [int(c.generate_state(1, dtype=np.uint32)[0]) for c in children]


def run_job(job: Job) -> dict[str, Any]:
    """Simulate one job and return its record (a flat dict)."""
    with paused_collector():  # importing builds many objects and no garbage
        # the simulation loads in the workers only (warm()): the parent process starts
        # without it
        from swarmsim.app.run import run_scenario

    scenario = job.scenario
    if isinstance(scenario, tuple):
        data, path = scenario
        scenario = scenario_from_data(data, path)
    scenario = replace(scenario, policy=job.policy)
    if job.rebalance is not None:
        scenario = replace(scenario, rebalance=job.rebalance)
    env_vars = {**os.environ, **dict(job.env)} if job.env else None
    result = run_scenario(scenario, seed=job.seed, until=job.until, env_vars=env_vars)
    record: dict[str, Any] = {
        "scenario": scenario.name,
        **dict(job.params),
        "policy": job.label or job.policy,
        **({"rebalance": scenario.rebalance} if scenario.rebalance != "off" or job.rebalance
           else {}),
        "replication": job.replication,
        "seed": job.seed,
    }
    record.update(measure(result, job.measures, warmup=job.warmup, slo=job.slo))
    return record


def run_jobs(
    jobs: Sequence[Job],
    *,
    workers: int | None = None,
    client: Any = None,
    progress: Callable[[int, int], None] | None = None,
    executor: Executor | None = None,
    helpers: Executor | None = None,
) -> list[dict[str, Any]]:
    """Run every job and return the records in job order.

    Args:
        jobs: the replications.
        workers: local processes (default: the machine's cores; 1 runs in this process).
        client: a ``dask.distributed.Client``; when given, the jobs run on its cluster.
        progress: called as ``progress(done, total)`` after each finished job.
        executor: an already started pool to run on (left running afterwards), e.g. to
            time runs without the pool's start-up; ``workers`` is then ignored.
        helpers: an already started pool that shares the jobs with this process
            (:func:`share`; left running afterwards); ``workers`` is then ignored.

    With ``workers`` W >= 2 and neither pool given, W - 1 processes are started and this
    process works beside them (:func:`share`), so work starts at once, not after the
    processes' start-up.

    Returns:
        One record per job, ``records[i]`` from ``jobs[i]``: identical whatever the worker
        count or engine.
    """
    total = len(jobs)
    out: list[dict[str, Any] | None] = [None] * total
    if client is not None:
        return _run_dask(jobs, client, progress)
    if executor is not None:
        return _run_pool(jobs, executor, progress)
    if helpers is not None:
        return share(run_job, jobs, helpers, progress)
    workers = workers or os.cpu_count() or 1
    if workers <= 1 or total <= 1:
        for i, job in enumerate(jobs):
            out[i] = run_job(job)
            if progress is not None:
                progress(i + 1, total)
        return out  # type: ignore[return-value]
    with make_pool(min(workers, total) - 1) as pool:
        return share(run_job, jobs, pool, progress)


def run_chunk(jobs: Sequence[Job]) -> list[dict[str, Any]]:
    """Run several jobs in one worker call (fewer round trips to the pool)."""
    return [run_job(job) for job in jobs]


#: jobs handed to a pool worker at once: enough to amortise the round trip, few enough
#: that the workers finish together
CHUNKS_PER_WORKER = 2


def _run_pool(
    jobs: Sequence[Job], pool: Executor, progress: Callable[[int, int], None] | None
) -> list[dict[str, Any]]:
    total = len(jobs)
    out: list[dict[str, Any] | None] = [None] * total
    workers = getattr(pool, "_max_workers", os.cpu_count() or 1)
    size = max(1, total // (workers * CHUNKS_PER_WORKER))
    futures = {
        pool.submit(run_chunk, list(jobs[i : i + size])): i for i in range(0, total, size)
    }
    done = 0
    for fut in as_completed(futures):
        start = futures[fut]
        for k, record in enumerate(fut.result()):
            out[start + k] = record
        done += min(size, total - start)
        if progress is not None:
            progress(done, total)
    return out  # type: ignore[return-value]


def _run_dask(
    jobs: Sequence[Job], client: Any, progress: Callable[[int, int], None] | None
) -> list[dict[str, Any]]:
    from dask.distributed import as_completed as dask_completed

    futures = client.map(run_job, list(jobs), pure=False)
    index = {f.key: i for i, f in enumerate(futures)}
    out: list[dict[str, Any] | None] = [None] * len(jobs)
    for done, fut in enumerate(dask_completed(futures), start=1):
        out[index[fut.key]] = fut.result()
        if progress is not None:
            progress(done, len(jobs))
    return out  # type: ignore[return-value]


def connect_dask(address: str) -> Any:
    """A ``dask.distributed.Client`` for the scheduler at ``address``.

    Raises:
        ImportError: if dask's distributed extra is not installed
            (``pip install swarmsim-docker[dask]``).
    """
    try:
        from dask.distributed import Client
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError(
            "--dask needs dask[distributed]: pip install 'swarmsim-docker[dask]'"
        ) from exc
    return Client(address)

