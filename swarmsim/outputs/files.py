"""Files a run writes with ``--out DIR``: ``events.jsonl``, ``final.json``,
``scenario.json``, and the final ``docker stack ps`` text (``stack-ps.txt``)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from swarmsim.commands import run_command
from swarmsim.foundation.collector import paused_collector
from swarmsim.foundation.jsontext import dump_indented, dumps_indented
from swarmsim.foundation.textfiles import GZ, open_text
from swarmsim.outputs.jsonlines import EventRecords, TaskLines
from swarmsim.outputs.jsonlines import event_dict as event_dict  # re-exported
from swarmsim.outputs.snapshot import snapshot
from swarmsim.workload.summary import traffic_document

if TYPE_CHECKING:
    from swarmsim.app.run import RunResult


def event_records(result: RunResult) -> EventRecords:
    """Every record of ``events.jsonl`` as ``json.loads`` reads its lines back, each built
    when it is read (:class:`~swarmsim.outputs.jsonlines.EventRecords`)."""
    return EventRecords(result.sim.events)


def final_document(result: RunResult) -> dict[str, Any]:
    """The ``--json`` document of a run: the swarm at the final time (with a workload,
    also its ``requests`` and ``requests_by_service`` figures)."""
    return {**snapshot(result.sim), **traffic_document(result.sim)}


#: the values of ``swarmsim run --out-format``: plain files, or the large tables gzipped
OUT_FORMATS = ("plain", "gzip")


def write_run(result: RunResult, out_dir: str | Path, *, compress: bool = False) -> list[Path]:
    """Write a run's files into ``out_dir`` (created if needed); returns their paths.

    The records go to ``events.jsonl`` (``events.jsonl.gz`` with ``compress``) a block of
    lines at a time, each line built from its record as it is written (with the cyclic
    collector paused: the lines and documents hold no cycles)."""
    with paused_collector():
        return _write_run(result, Path(out_dir), compress)


def _write_run(result: RunResult, out: Path, compress: bool) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    events = out / ("events.jsonl" + (GZ if compress else ""))
    with open_text(events, "w") as fh:
        line, records = TaskLines().line, result.sim.events
        for i in range(0, len(records), 4096):  # a block of lines at a time
            fh.write("\n".join(map(line, records[i:i + 4096])) + "\n")
    final = out / "final.json"
    with final.open("w", encoding="utf-8") as fh:
        dump_indented(final_document(result), fh)
        fh.write("\n")
    scenario = out / "scenario.json"
    scenario.write_text(dumps_indented(result.scenario.to_dict()) + "\n", encoding="utf-8")
    from swarmsim.workload.report import write_traffic_csv

    return [events, final, scenario, *write_traffic_csv(result.sim, out)]


# --- where ``--out`` may write -----------------------------------------------------------

#: the files by which an earlier run's directory is recognised, per command
def final_stack_ps(result: RunResult, name: str) -> str:
    """What ``docker stack ps NAME`` prints at the end of the run (its output, else its
    error), built once per run and stack: the run is over, so it cannot change."""
    cache: dict[tuple[int, str], str] | None = None
    if result.recorder is not None:
        cache = result.recorder.cache.setdefault("stack_ps", {})
    key = (len(result.sim.events), name)  # a run that went on is asked again
    text = cache.get(key) if cache is not None else None
    if text is None:
        res = run_command(result.sim, f"docker stack ps {name}")
        text = res.output or res.error
        if cache is not None:
            cache[key] = text
    return text


def drop_other_format(written: list[Path]) -> None:
    """Remove, beside each file just written, the same file in the other format (an
    earlier run's ``events.jsonl`` when ``events.jsonl.gz`` was written, or the reverse),
    so a directory never holds two runs' tables."""
    for p in written:
        other = p.with_name(p.name[:-len(GZ)]) if p.name.endswith(GZ) else p.with_name(
            p.name + GZ)
        if other.is_file() or other.is_symlink():
            other.unlink()


def stack_ps_text(result: RunResult) -> str:
    """The final ``docker stack ps`` of every stack, as the CLI prints it."""
    sim = result.sim
    names = sorted({svc.spec.stack for svc in sim.state.services.values() if svc.spec.stack})
    parts = []
    for name in names:
        parts.append(f"$ docker stack ps {name}\n{final_stack_ps(result, name).rstrip()}\n")
    return "\n".join(parts)
