"""``swarmsim compare``: every policy on the same seeds, with intervals and paired
differences to the first policy."""

from __future__ import annotations

import csv
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from swarmsim.experiments.measures import METRICS
from swarmsim.experiments.runner import Job, replication_seeds, run_jobs
from swarmsim.experiments.stats import estimate, paired_difference


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
) -> list[dict[str, Any]]:
    """Run ``scenario`` under every policy on the same ``seeds`` replications.

    Args:
        scenario: a :class:`~swarmsim.scenario.Scenario` or a scenario file path.
        policies: policy names; the first is the baseline of the paired differences.
        seeds: replications per policy.
        base_seed: root of the seed streams (default: the scenario's ``seed``).
        until: overrides the scenario's ``until`` (seconds).
        workers: local processes (default: all cores).
        client: a ``dask.distributed.Client`` to run on instead.
        progress: ``progress(done, total)`` after each run.
        rebalance: rebalancing modes to run every policy under (``off``,
            ``on-recovery``, ...; a what-if, NOT swarm behaviour). When given, records
            carry ``rebalance`` and ``variant`` (``<policy> rebalance=<mode>``) columns;
            summarise them with ``summarize(records, by="variant")``.

    Returns:
        One record (flat dict) per (policy, mode, replication), sorted by policy order,
        then mode, then replication; ``pandas.DataFrame(records)`` loads them.
    """
    from swarmsim.scenario import Scenario, load_scenario

    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    if not policies:
        raise ValueError("at least one policy is needed")
    root = scenario.seed if base_seed is None else base_seed
    run_seeds = replication_seeds(root, seeds)
    from swarmsim.manager.rebalance import parse_rebalance

    modes: Sequence[str | None] = [parse_rebalance(m) for m in rebalance] if rebalance else [None]
    jobs = [
        Job(scenario, policy, seed, i, until=until, rebalance=mode)
        for policy in policies
        for mode in modes
        for i, seed in enumerate(run_seeds)
    ]
    records = run_jobs(jobs, workers=workers, client=client, progress=progress)
    if rebalance:
        for rec in records:
            rec["variant"] = f"{rec['policy']} rebalance={rec['rebalance']}"
    return records


@dataclass(frozen=True, slots=True)
class SummaryRow:
    """One (metric, policy) line of a comparison table.

    ``diff_*`` is the paired difference policy - baseline over the same seeds (NaN for
    the baseline itself).
    """

    metric: str
    policy: str
    n: int
    mean: float
    std: float
    ci_low: float
    ci_high: float
    diff_mean: float
    diff_low: float
    diff_high: float


def summarize(
    records: Sequence[Mapping[str, Any]],
    metrics: Sequence[str] = METRICS,
    by: str = "policy",
) -> list[SummaryRow]:
    """Per metric and group (policy by default): mean, std, 95% CI and the paired
    difference to the first group (records are paired by ``replication``)."""
    groups: dict[Any, dict[int, Mapping[str, Any]]] = {}
    for rec in records:
        groups.setdefault(rec[by], {})[rec["replication"]] = rec
    names = list(groups)
    rows = []
    for metric in metrics:
        base = groups[names[0]] if names else {}
        for name in names:
            recs = groups[name]
            reps = sorted(recs)
            values = [recs[r].get(metric, math.nan) for r in reps]
            est = estimate(values)
            if name == names[0]:
                diff = estimate([])
            else:
                common = [r for r in reps if r in base]
                diff = paired_difference(
                    [recs[r].get(metric, math.nan) for r in common],
                    [base[r].get(metric, math.nan) for r in common],
                )
            rows.append(SummaryRow(metric, str(name), est.n, est.mean, est.std, est.ci_low,
                                   est.ci_high, diff.mean, diff.ci_low, diff.ci_high))
    return rows


def _fmt(x: float) -> str:
    if math.isnan(x):
        return "-"
    return f"{x:.4g}"


def format_table(rows: Sequence[SummaryRow]) -> str:
    """The comparison as text: one block per metric, one line per policy."""
    out = []
    head = ("POLICY", "N", "MEAN", "STD", "95% CI", "DIFF VS FIRST (95% CI)")
    for metric in dict.fromkeys(r.metric for r in rows):
        block = [r for r in rows if r.metric == metric]
        if all(r.n == 0 for r in block):
            continue
        lines = [head]
        for r in block:
            ci = f"[{_fmt(r.ci_low)}, {_fmt(r.ci_high)}]" if r.n > 1 else "-"
            diff = "-" if math.isnan(r.diff_mean) else (
                f"{_fmt(r.diff_mean)} [{_fmt(r.diff_low)}, {_fmt(r.diff_high)}]")
            lines.append((r.policy, str(r.n), _fmt(r.mean), _fmt(r.std), ci, diff))
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
                     rows: Sequence[SummaryRow]) -> list[Path]:
    """Write ``runs.csv``, ``summary.csv`` and one ``<metric>.png`` interval plot per
    metric into ``out``; return the files written."""
    from dataclasses import asdict

    from swarmsim.experiments.plots import save_interval_plots

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    write_csv(out / "runs.csv", records)
    write_csv(out / "summary.csv", [asdict(r) for r in rows])
    return [out / "runs.csv", out / "summary.csv", *save_interval_plots(out, records, rows)]
