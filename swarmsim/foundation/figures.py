"""What every saved figure shares: the formats, the PNG resolution and metadata that
carry no date or version, so the same run writes the same bytes."""

from __future__ import annotations

from pathlib import PurePath
from typing import Any

#: the formats plot commands write (``--format``)
FORMATS = ("png", "svg", "pdf")
#: dots per inch of every PNG
DPI = 200


def figure_metadata(path: PurePath) -> dict[str, Any]:
    """Metadata for ``savefig`` that leaves out dates and the software version."""
    suffix = path.suffix.lower()
    if suffix == ".svg":
        return {"Date": None}
    if suffix == ".pdf":
        return {"CreationDate": None, "ModDate": None}
    return {"Software": None}
