"""Text files that may be gzip-compressed: a name ending in ``.gz`` is read and written
through gzip, any other as plain UTF-8.

A compressed file is the same bytes for the same text: its gzip header carries no
modification time and no file name (RFC 1952 allows both to be absent), so a run's
outputs stay reproducible. It is written at compression level 1, which keeps most of the
gain on repetitive tables at a fraction of the default level's time.
"""

from __future__ import annotations

import gzip
import io
from pathlib import Path
from typing import IO

GZ = ".gz"
LEVEL = 1


def open_text(path: str | Path, mode: str = "r") -> IO[str]:
    """Open ``path`` for reading (``"r"``) or writing (``"w"``) text, through gzip when its
    name ends in ``.gz``; newlines are kept as written (``newline=""``)."""
    if mode not in ("r", "w"):
        raise ValueError(f"mode must be 'r' or 'w', not {mode!r}")
    p = Path(path)
    if p.suffix != GZ:
        return p.open(mode, encoding="utf-8", newline="")
    raw = p.open(mode + "b")
    try:
        packed = gzip.GzipFile(filename="", mode=mode + "b", fileobj=raw, mtime=0,
                               compresslevel=LEVEL)
    except BaseException:
        raw.close()
        raise
    return _Closing(packed, raw)


class _Closing(io.TextIOWrapper):
    """A text wrapper over a gzip stream that also closes the file under it."""

    def __init__(self, packed: gzip.GzipFile, raw: IO[bytes]) -> None:
        super().__init__(packed, encoding="utf-8", newline="")
        self._raw = raw

    def close(self) -> None:
        try:
            super().close()
        finally:
            self._raw.close()


def located(directory: str | Path, name: str) -> Path:
    """``directory/name``, or ``directory/name.gz`` when only the compressed file is there."""
    plain = Path(directory) / name
    packed = plain.with_name(name + GZ)
    return packed if not plain.exists() and packed.exists() else plain
