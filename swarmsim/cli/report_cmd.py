"""``swarmsim report``: rebuild the plots and pages of a run directory from its files."""

from __future__ import annotations

import argparse
from pathlib import Path

from swarmsim.errors import InputError

#: files ``swarmsim run --out`` writes that the report is built from
NEEDED = ("metrics.csv", "tasks.csv", "nodes.csv", "summary.json", "events.jsonl",
          "scenario.json")


def run(args: argparse.Namespace) -> int:
    from swarmsim.units import parse_duration  # noqa: PLC0415

    directory = Path(args.directory)
    if not directory.is_dir():
        raise InputError(f"{args.directory}: no such directory")
    missing = [name for name in NEEDED if not (directory / name).is_file()]
    if missing:
        raise InputError(f"{args.directory}: missing {', '.join(missing)} "
                         "(write it with `swarmsim run SCENARIO --out DIR`)")
    at = None
    if args.at is not None:
        try:
            at = parse_duration(args.at)
        except ValueError:
            raise InputError(f"--at: invalid duration {args.at!r}") from None
    from swarmsim.report import build_report  # noqa: PLC0415 (matplotlib: only here)

    for path in build_report(directory, at=at):
        print(path)
    return 0
