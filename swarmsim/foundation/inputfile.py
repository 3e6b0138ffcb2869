"""Reading a user's file: a size limit first, then decoding, each failure one InputError.

Every file swarmsim reads as input (compose files, scenarios, sweep files, env files,
traces) goes through :func:`read_limited`, which never reads more than the limit: a
``/dev/zero`` or a multi-gigabyte file is refused after ``limit + 1`` bytes. YAML files are
then decoded as yaml.v3 decodes them (:func:`yaml_text`, BOMs and UTF-16 included);
other text files must be UTF-8 (:func:`utf8_text`).
"""

from __future__ import annotations

import os
from pathlib import Path

from swarmsim.foundation.errors import InputError
from swarmsim.foundation.limits import ENV_PREFIX, limit


def read_limited(path: str | os.PathLike[str], given: str, kind: str = "YAML_FILE") -> bytes:
    """The bytes of ``path``, at most limit ``MAX_<kind>_BYTES`` of them.

    Args:
        path: the file to read.
        given: its name as the user wrote it (used in messages).
        kind: ``"YAML_FILE"`` or ``"DATA_FILE"``.

    Raises:
        InputError: ``open <given>: no such file or directory`` (Go's words for the
            OSError), ``read <given>: is a directory``, or the size limit.
    """
    most = limit(f"{kind}_BYTES")
    try:
        with Path(path).open("rb") as fh:
            data = fh.read(most + 1)
    except IsADirectoryError:
        raise InputError(f"read {given}: is a directory", file=given) from None
    except OSError as exc:
        reason = (exc.strerror or str(exc)).lower()
        raise InputError(f"open {given}: {reason}", file=given) from None
    if len(data) > most:
        raise InputError(
            f"read {given}: the file is larger than swarmsim's limit of {_size(most)}"
            f" ({ENV_PREFIX}{kind}_BYTES raises it)",
            file=given,
        )
    return data


def _size(n: int) -> str:
    for unit, size in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= size and n % size == 0:
            return f"{n // size} {unit}"
    return f"{n:,} bytes"


def utf8_text(data: bytes, given: str, prefix: str = "") -> str:
    """``data`` as UTF-8 text (a leading BOM dropped).

    Raises:
        InputError: ``prefix`` and yaml.v3's reader words for the first bad sequence
            (``invalid leading UTF-8 octet``, ...), at its line.
    """
    body = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = body.count(b"\n", 0, exc.start) + 1
        problem = _utf8_problem(body, exc.start)
        raise InputError(prefix + problem, file=given, line=line) from None


def yaml_text(data: bytes, given: str) -> str:
    """Decode a YAML file's bytes as yaml.v3's reader does (readerc.go).

    A UTF-16 BOM (either byte order) selects UTF-16, a UTF-8 BOM or none UTF-8; the
    BOM is dropped. A bad sequence is yaml.v3's reader error (``yaml: invalid leading
    UTF-8 octet``, ``yaml: incomplete UTF-16 character``, ...), at its line.

    Raises:
        InputError: yaml.v3's words, with ``given`` and the line.
    """
    if not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return utf8_text(data, given, "yaml: ")
    codec = "utf-16-le" if data[0] == 0xFF else "utf-16-be"
    body = data[2:]
    try:
        return body.decode(codec)
    except UnicodeDecodeError as exc:
        problem = _utf16_problem(body, exc.start, little=codec.endswith("le"))
        line = body[: exc.start - exc.start % 2].decode(codec).count("\n") + 1
        raise InputError(f"yaml: {problem}", file=given, line=line) from None


def _utf8_problem(data: bytes, pos: int) -> str:
    """yaml.v3's reader message for the UTF-8 sequence starting at ``pos``."""
    octet = data[pos]
    width = next((w for mask, lead, w in _LEADS if octet & mask == lead), 0)
    if width == 0:
        return "invalid leading UTF-8 octet"
    if pos + width > len(data):
        return "incomplete UTF-8 octet sequence"
    value = octet & (0x7F >> width)
    for k in range(1, width):
        if data[pos + k] & 0xC0 != 0x80:
            return "invalid trailing UTF-8 octet"
        value = (value << 6) | (data[pos + k] & 0x3F)
    if value < _SMALLEST[width]:
        return "invalid length of a UTF-8 sequence"
    return "invalid Unicode character"


_LEADS = ((0x80, 0x00, 1), (0xE0, 0xC0, 2), (0xF0, 0xE0, 3), (0xF8, 0xF0, 4))
_SMALLEST = {1: 0, 2: 0x80, 3: 0x800, 4: 0x10000}


def _utf16_problem(data: bytes, pos: int, *, little: bool) -> str:
    """yaml.v3's reader message for the UTF-16 unit at (or around) ``pos``."""
    pos -= pos % 2

    def unit(at: int) -> int:
        pair = data[at : at + 2]
        return int.from_bytes(pair, "little" if little else "big")

    if pos + 2 > len(data):
        return "incomplete UTF-16 character"
    first = unit(pos)
    if 0xDC00 <= first <= 0xDFFF:
        return "unexpected low surrogate area"
    if pos + 4 > len(data):
        return "incomplete UTF-16 surrogate pair"
    return "expected low surrogate area"
