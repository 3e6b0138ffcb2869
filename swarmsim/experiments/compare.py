"""``swarmsim compare``: every policy on the same seeds, with intervals and paired
differences to the baseline policy (the first)."""

from __future__ import annotations

import csv
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from swarmsim.experiments.measures import DEFAULT_MEASURES, point_label, resolve
from swarmsim.experiments.runner import Job, replication_seeds, run_jobs
from swarmsim.experiments.stats import estimate, paired_difference
from swarmsim.input.rebalance import parse_rebalance
from swarmsim.input.scenario import Scenario, load_scenario
from swarmsim.policies.loader import make_policy


def policy_labels(policies: Sequence[str]) -> list[str]:
    """The ``name`` each policy reference shows in tables, CSVs and plots.

    ``spread`` and the built-ins show their own names; a user policy its ``name``
    attribute, or its class or function name.

    Raises:
        ValueError: if a policy cannot be loaded, or two different references share a
            name (their rows could not be told apart).
    """
    labels: list[str] = []
    seen: dict[str, str] = {}
    for ref in policies:
        obj = make_policy(ref)
        label = "spread" if obj is None else str(getattr(obj, "name", "") or ref)
        if seen.get(label, ref) != ref:
            raise ValueError(f"policies {seen[label]} and {ref} are both named {label!r}")
        seen[label] = ref
        labels.append(label)
    return labels


def compare(
    scenario: Any,
    policies: Sequence[str] = ("spread", "binpack"),
    *,
    seeds: int = 10,
    base_seed: int | None = None,
    until: float | None = None,
    workers: int | None = None,
    client: Any = None,
    progress: Callable[[int, int], None] | None = None,
    rebalance: Sequence[str] | None = None,
    measures: Sequence[str] = DEFAULT_MEASURES,
    warmup: float = 0.0,
    slo: float | None = None,
    helpers: Any = None,
) -> list[dict[str, Any]]:
    """Run ``scenario`` under every policy on the same ``seeds`` replications.

    Args:
        scenario: a :class:`~swarmsim.input.scenario.Scenario` or a scenario file path.
        policies: policy references; the first is the baseline of the paired differences.
        seeds: replications per policy.
        base_seed: root of the seed streams (default: the scenario's ``seed``), the same
            root and derivation as :func:`~swarmsim.experiments.sweep.sweep`'s.
        until: overrides the scenario's ``until`` (seconds).
        workers: local processes (default: all cores).
        client: a ``dask.distributed.Client`` to run on instead.
        progress: ``progress(done, total)`` after each run.
        rebalance: rebalancing modes to run every policy under (``off``,
            ``on-recovery``, ...; a what-if, NOT swarm behaviour). When given, records
            carry ``rebalance`` and ``variant`` (``<policy> rebalance=<mode>``) columns;
            summarise them with ``summarize(records, by="variant")``.
        measures: what to measure: built-in names (``availability``, ``requests``, ...;
            see :mod:`swarmsim.experiments.builtin_measures`) or ``module:function``.
        warmup: seconds cut from the start of every run before measuring.
        slo: latency objective (s) for the ``slo_violations`` column.
        helpers: a started process pool sharing the runs with this process.

    Returns:
        One record (flat dict) per (policy, mode, replication), sorted by policy order,
        then mode, then replication; the ``policy`` column holds each policy's ``name``
        (:func:`policy_labels`); ``pandas.DataFrame(records)`` loads them.
    """
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    if not policies:
        raise ValueError("at least one policy is needed")
    labels = policy_labels(policies)
    for ref in measures:
        resolve(ref)  # fail here, not in every worker
    root = scenario.seed if base_seed is None else base_seed
    run_seeds = replication_seeds(root, seeds)

    modes: Sequence[str | None] = [parse_rebalance(m) for m in rebalance] if rebalance else [None]
    jobs = [
        Job(scenario, policy, seed, i, until=until, rebalance=mode, label=label,
            measures=tuple(measures), warmup=warmup, slo=slo)
        for policy, label in zip(policies, labels, strict=True)
        for mode in modes
        for i, seed in enumerate(run_seeds)
    ]
    records = run_jobs(jobs, workers=workers, client=client, progress=progress,
                       helpers=helpers)
    if rebalance:
        for rec in records:
            rec["variant"] = f"{rec['policy']} rebalance={rec['rebalance']}"
    return records


@dataclass(frozen=True, slots=True)
class SummaryRow:
    """One (metric, grid point, policy) line of a comparison table.

    ``policy`` holds the value of the column the records were grouped by (the policy,
    or the ``variant`` of a rebalancing comparison); ``point`` the grid point
    (``key=value,...``; empty for ``compare``).  ``diff_*`` is the paired difference
    ``policy - baseline`` over the same seeds at the same grid point (NaN for the
    baseline itself).
    """

    metric: str
    point: str
    policy: str
    baseline: str
    n: int
    mean: float
    std: float
    ci_low: float
    ci_high: float
    diff_mean: float
    diff_low: float
    diff_high: float


#: record columns that identify a run rather than measure it
ID_COLUMNS = frozenset(("scenario", "policy", "rebalance", "variant", "replication", "seed",
                        "point", "group"))


def metric_columns(records: Sequence[Mapping[str, Any]],
                   exclude: Sequence[str] = ()) -> list[str]:
    """The measured columns of ``records`` (numbers, not identifying or grid columns),
    in first-appearance order."""
    skip = ID_COLUMNS | set(exclude)
    out: dict[str, None] = {}
    for rec in records:
        for key, value in rec.items():
            if key not in skip and isinstance(value, float):
                out[key] = None
    return list(out)


def summarize(
    records: Sequence[Mapping[str, Any]],
    metrics: Sequence[str] | None = None,
    by: str = "policy",
    *,
    point: Sequence[str] = (),
    baseline: str | None = None,
) -> list[SummaryRow]:
    """Per metric, grid point and group (policy by default): mean, std, 95% CI and the
    paired difference to the baseline group at the same grid point.

    Args:
        records: replication records (from :func:`compare` or ``sweep``).
        metrics: the columns to summarise (default: every measured column,
            :func:`metric_columns`).
        by: the column naming a record's group (``policy`` or ``variant``).
        point: the grid columns; records are compared only within a grid point.
        baseline: the group every other one is compared with (default: the first).

    Records are paired by ``replication`` (the same seed under every policy).
    """
    if metrics is None:
        metrics = metric_columns(records, point)
    cells: dict[tuple[str, str], dict[int, Mapping[str, Any]]] = {}
    for rec in records:
        cells.setdefault((point_label(rec, point), str(rec[by])), {})[rec["replication"]] = rec
    names = list(dict.fromkeys(name for _, name in cells))
    if baseline is None:
        baseline = names[0] if names else ""
    elif names and baseline not in names:
        raise ValueError(f"baseline {baseline!r} is not one of {', '.join(names)}")
    rows = []
    for metric in metrics:
        for (where, name), recs in cells.items():
            base = cells.get((where, baseline), {})
            reps = sorted(recs)
            est = estimate([recs[r].get(metric, math.nan) for r in reps])
            if name == baseline:
                diff = estimate([])
            else:
                common = [r for r in reps if r in base]
                diff = paired_difference(
                    [recs[r].get(metric, math.nan) for r in common],
                    [base[r].get(metric, math.nan) for r in common],
                )
            rows.append(SummaryRow(metric, where, name, baseline, est.n, est.mean, est.std,
                                   est.ci_low, est.ci_high, diff.mean, diff.ci_low,
                                   diff.ci_high))
    return rows


def _fmt(x: float) -> str:
    if math.isnan(x):
        return "-"
    return f"{x:.4g}"


def format_table(rows: Sequence[SummaryRow], by: str = "policy") -> str:
    """The comparison as text: one block per metric, one line per (grid point, group);
    the last column is the paired difference to the named baseline."""
    out = []
    for metric in dict.fromkeys(r.metric for r in rows):
        block = [r for r in rows if r.metric == metric]
        if all(r.n == 0 for r in block):
            continue
        points = any(r.point for r in block)
        head = (*(("GRID POINT",) if points else ()), by.upper(), "N", "MEAN", "STD",
                "95% CI", f"MINUS {block[0].baseline} (PAIRED, 95% CI)")
        lines = [head]
        for r in block:
            ci = f"[{_fmt(r.ci_low)}, {_fmt(r.ci_high)}]" if r.n > 1 else "-"
            diff = "-" if math.isnan(r.diff_mean) else (
                f"{_fmt(r.diff_mean)} [{_fmt(r.diff_low)}, {_fmt(r.diff_high)}]")
            lines.append((*((r.point,) if points else ()), r.policy, str(r.n), _fmt(r.mean),
                          _fmt(r.std), ci, diff))
        widths = [max(len(line[i]) for line in lines) for i in range(len(head))]
        out.append(metric)
        out.extend("  " + "   ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)).rstrip()
                   for line in lines)
        out.append("")
    return "\n".join(out)


def write_csv(path: Path, rows: Sequence[Mapping[str, Any]]) -> None:
    """Write records (dicts) as CSV, columns in first-appearance order."""
    columns: dict[str, None] = {}
    for row in rows:
        columns.update(dict.fromkeys(row))
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(columns))
        writer.writeheader()
        for row in rows:
            writer.writerow(row)


def write_comparison(out: str | Path, records: Sequence[Mapping[str, Any]],
                     rows: Sequence[SummaryRow], *, by: str = "policy", fmt: str = "png",
                     pool: Any = None) -> list[Path]:
    """Write ``runs.csv``, ``summary.csv`` and one ``<metric>.<fmt>`` interval plot per
    measured column into ``out`` (plots rendered on ``pool`` too, when given); return
    the files written."""
    from dataclasses import asdict

    # matplotlib loads only when plots are asked for
    from swarmsim.experiments.plots import save_interval_plots

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    write_csv(out / "runs.csv", records)
    write_csv(out / "summary.csv", [asdict(r) for r in rows])
    return [out / "runs.csv", out / "summary.csv",
            *save_interval_plots(out, records, rows, by, fmt=fmt, pool=pool)]
