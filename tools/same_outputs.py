"""Check that every shipped scenario still writes the same bytes.

For each ``scenarios/*.yaml`` this runs ``swarmsim run SCENARIO --out DIR --json``
(keeping its standard output as ``stdout.json`` beside the files ``--out`` writes),
``swarmsim run SCENARIO --json`` (the summary computed without writing files, kept as
``summary-only.json``) and ``swarmsim run SCENARIO`` (the text a user reads, kept as
``stdout.txt``), then compares
every file byte for byte with a reference directory made the same way::

    python tools/same_outputs.py --record REF     # before a change
    python tools/same_outputs.py REF              # after it: exit 1 on any difference

A refactoring that must not change behaviour is checked this way: the events, the final
state, the metrics, the plots and the pages must all come out identical.
"""

from __future__ import annotations

import argparse
import filecmp
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def produce(out: Path) -> None:
    """Every shipped scenario's outputs under ``out/NAME/``."""
    for scenario in sorted((ROOT / "scenarios").glob("*.yaml")):
        target = out / scenario.stem
        target.mkdir(parents=True)
        rel = scenario.relative_to(ROOT)
        for args, keep in (
            (["--out", str(target / "out"), "--json"], "stdout.json"),
            (["--json"], "summary-only.json"),
            ([], "stdout.txt"),
        ):
            proc = subprocess.run(
                [sys.executable, "-m", "swarmsim", "run", str(rel), *args],
                cwd=ROOT, capture_output=True, check=False,
            )
            (target / keep).write_bytes(proc.stdout)
            (target / (keep + ".stderr")).write_bytes(proc.stderr)
            (target / (keep + ".status")).write_text(f"{proc.returncode}\n")


def differences(ref: Path, new: Path) -> list[str]:
    """Files that differ, or are only on one side, as paths relative to the two roots."""
    found: list[str] = []

    def walk(cmp: filecmp.dircmp[str], at: Path) -> None:
        found.extend(f"only in reference: {at / n}" for n in cmp.left_only)
        found.extend(f"only in new: {at / n}" for n in cmp.right_only)
        for name in cmp.common_files:
            a, b = Path(cmp.left) / name, Path(cmp.right) / name
            if a.read_bytes() != b.read_bytes():
                found.append(f"differs: {at / name}")
        for name, sub in cmp.subdirs.items():
            walk(sub, at / name)

    walk(filecmp.dircmp(ref, new), Path())
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("reference", type=Path, help="reference directory")
    parser.add_argument("--record", action="store_true",
                        help="write the reference instead of comparing with it")
    args = parser.parse_args()
    if args.record:
        produce(args.reference)
        print(f"recorded {sum(1 for p in args.reference.rglob('*') if p.is_file())} files")
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        produce(Path(tmp))
        total = sum(1 for p in Path(tmp).rglob("*") if p.is_file())
        diffs = differences(args.reference, Path(tmp))
    for line in diffs:
        print(line)
    print(f"{total} files compared, {len(diffs)} differences")
    return 1 if diffs else 0


if __name__ == "__main__":
    sys.exit(main())
