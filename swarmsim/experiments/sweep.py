"""``swarmsim sweep``: a grid over scenario keys x policies x seeds, as tidy records.

A sweep file::

    scenario: ../scenarios/policy-compare.yaml   # relative to the sweep file
    policies: [spread, binpack]                  # default: [spread]
    seeds: 5                                     # replications per grid point
    seed: 0                     # root of the seed streams (default: the scenario's seed)
    until: 2m                                    # overrides the scenario's (optional)
    measures: [availability, mymod:fn]           # what to measure (default: the built-in
                                                 # set, docs/research.md)
    warmup: 30s                                  # cut from the start of every run
    slo: 200ms                                   # latency objective (slo_violations)
    grid:                                        # dotted key paths into the scenario
      workload.0.rate: [20, 40]                  # list items by index
      nodes.1.count: [2, 4]
      env.REPLICAS: [4, 8]                       # an environment variable for the
                                                 # compose files (${REPLICAS:-8})

Every grid point is the scenario with those keys replaced; each runs under every policy
on the same seeds.  The seeds are derived as :func:`~swarmsim.experiments.compare.compare`
derives them (``SeedSequence(root).spawn(seeds)``, root: the scenario's ``seed``), so a
grid point that leaves the scenario as it is repeats ``compare``'s replications.
"""

from __future__ import annotations

import copy
import itertools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from swarmsim.compose.yamlv3 import load_yaml_text
from swarmsim.experiments.compare import policy_labels
from swarmsim.experiments.measures import DEFAULT_MEASURES, resolve
from swarmsim.experiments.runner import Job, replication_seeds, run_jobs
from swarmsim.foundation.errors import InputError
from swarmsim.foundation.inputfile import read_limited, yaml_text
from swarmsim.input.checks import duration, key_error
from swarmsim.policies.loader import check_policy_name

_KEYS = ("scenario", "policies", "seeds", "seed", "until", "grid", "measures", "warmup", "slo")


@dataclass(frozen=True)
class Sweep:
    """A parsed sweep file."""

    scenario: Path
    policies: tuple[str, ...]
    seeds: int
    seed: int | None
    until: float | None
    grid: tuple[tuple[str, tuple[Any, ...]], ...]
    measures: tuple[str, ...] = DEFAULT_MEASURES
    warmup: float = 0.0
    slo: float | None = None


def _read_yaml(path: Path) -> tuple[Any, Any]:
    """A YAML file's data and the line of each key (within the size limit)."""
    text = yaml_text(read_limited(path, str(path)), str(path))
    try:
        return load_yaml_text(text)
    except InputError as err:
        raise err.located(file=str(path)) from None


def load_sweep(path: str | Path) -> Sweep:
    """Read and check a sweep file.

    Raises:
        InputError: naming the file, the line and the key at fault.
    """
    p = Path(path)
    data, lines = _read_yaml(p)
    try:
        return _check_sweep(data, p)
    except InputError as err:
        line = lines.lookup(err.keys) if err.keys is not None else None
        raise err.located(file=str(p), line=line) from None


def _check_sweep(data: Any, p: Path) -> Sweep:
    if not isinstance(data, Mapping):
        raise InputError("top-level object must be a mapping", file=str(p))
    for key in data:
        if key not in _KEYS:
            raise InputError(f"Additional property {key} is not allowed", file=str(p),
                             keys=(str(key),))
    if not isinstance(data.get("scenario"), str):
        raise InputError("scenario must be a string (the scenario file)", file=str(p),
                         keys=("scenario",))
    policies = data.get("policies", ["spread"])
    if isinstance(policies, str):
        policies = [policies]
    for name in policies:
        problem = check_policy_name(name)
        if problem:
            raise InputError(f"policies {problem}", file=str(p), keys=("policies",))
    seeds = data.get("seeds", 5)
    if isinstance(seeds, bool) or not isinstance(seeds, int) or seeds < 1:
        raise InputError("seeds must be a positive integer", file=str(p), keys=("seeds",))
    grid = data.get("grid") or {}
    if not isinstance(grid, Mapping) or not all(
        isinstance(v, list) and v for v in grid.values()
    ):
        raise InputError("grid must map key paths to non-empty lists", file=str(p),
                         keys=("grid",))
    until = None
    if data.get("until") is not None:
        until = duration(data["until"], "until", negative=True)
        if not until > 0:
            raise key_error("must be greater than 0", "until")
    measures = data.get("measures", list(DEFAULT_MEASURES))
    if isinstance(measures, str):
        measures = [measures]
    if not isinstance(measures, list) or not measures:
        raise InputError("measures must be a list of measure names", file=str(p),
                         keys=("measures",))
    for i, ref in enumerate(measures):
        try:
            resolve(str(ref))
        except ValueError as exc:
            raise InputError(str(exc), file=str(p), keys=("measures", i)) from None
    return Sweep(
        scenario=(p.parent / data["scenario"]),
        policies=tuple(policies),
        seeds=seeds,
        seed=_seed(data.get("seed"), p),
        until=until,
        grid=tuple((str(k), tuple(v)) for k, v in grid.items()),
        measures=tuple(str(m) for m in measures),
        warmup=0.0 if data.get("warmup") is None else duration(data["warmup"], "warmup"),
        slo=None if data.get("slo") is None else duration(data["slo"], "slo"),
    )


def _seed(value: Any, path: Path) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InputError("seed must be a non-negative integer", file=str(path), keys=("seed",))
    return value


def set_key(data: Any, dotted: str, value: Any) -> None:
    """Replace the value at ``dotted`` (``workload.0.rate``) in nested dicts and lists.

    Raises:
        KeyError: if a step of the path does not exist.
    """
    parts = dotted.split(".")
    node = data
    for part in parts[:-1]:
        node = node[int(part)] if isinstance(node, list) else node[part]
    last = parts[-1]
    if isinstance(node, list):
        node[int(last)] = value
    elif last in node or isinstance(node, dict):
        node[last] = value


def sweep(
    spec: str | Path | Sweep,
    *,
    workers: int | None = None,
    client: Any = None,
    progress: Callable[[int, int], None] | None = None,
    helpers: Any = None,
) -> list[dict[str, Any]]:
    """Run every grid point x policy x seed of a sweep.

    Args:
        spec: a sweep file or a :class:`Sweep`.
        workers: local processes (default: all cores).
        client: a ``dask.distributed.Client`` to run on instead.
        progress: ``progress(done, total)`` after each run.
        helpers: a started process pool sharing the runs with this process.

    Returns:
        One tidy record per run, with a column per grid key, sorted by grid point, then
        policy, then replication.
    """
    sw = spec if isinstance(spec, Sweep) else load_sweep(spec)
    base = _read_yaml(sw.scenario)[0]
    root = sw.seed
    if root is None:
        root = base.get("seed", 0) if isinstance(base, Mapping) else 0
    run_seeds = replication_seeds(root if isinstance(root, int) else 0, sw.seeds)
    labels = policy_labels(sw.policies)
    keys = [k for k, _ in sw.grid]
    jobs = []
    for values in itertools.product(*(v for _, v in sw.grid)):
        data = copy.deepcopy(base)
        env: list[tuple[str, str]] = []
        for key, value in zip(keys, values, strict=True):
            if key.startswith("env."):
                env.append((key[4:], str(value)))
                continue
            try:
                set_key(data, key, value)
            except (KeyError, IndexError, ValueError, TypeError):
                raise InputError(f"grid key {key} is not in the scenario",
                                 keys=("grid", key)) from None
        params = tuple(zip(keys, values, strict=True))
        for policy, label in zip(sw.policies, labels, strict=True):
            for i, seed in enumerate(run_seeds):
                jobs.append(Job((data, str(sw.scenario)), policy, seed, i, params, sw.until,
                                env=tuple(env), label=label, measures=sw.measures,
                                warmup=sw.warmup, slo=sw.slo))
    return run_jobs(jobs, workers=workers, client=client, progress=progress, helpers=helpers)
