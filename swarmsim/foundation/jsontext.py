"""JSON documents written with two-space indentation, byte for byte what
``json.dumps(value, indent=2)`` writes, at a fraction of its cost on large documents.

The standard library writes an indented document with its pure-Python encoder, one
generator per container; a run's ``final.json`` holds a few million values. Here one
recursive function appends each piece to a list: strings go through the C escaper
(``ensure_ascii``), numbers through ``int.__repr__`` and ``float.__repr__`` (``NaN`` and
``Infinity`` as :mod:`json` spells them), and keys are converted as :mod:`json` converts
them. A value :mod:`json` cannot write raises the same ``TypeError``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from json.encoder import encode_basestring_ascii as _str
from typing import IO, Any, cast

_INF = float("inf")
_BLOCK = 1 << 16  # pieces held before a block is written out


def float_text(x: float) -> str:
    """A float as :mod:`json` writes it (``NaN`` and ``Infinity`` included)."""
    if x != x:
        return "NaN"
    if x == _INF:
        return "Infinity"
    if x == -_INF:
        return "-Infinity"
    return float.__repr__(x)


def _key(k: Any) -> str:
    if isinstance(k, str):
        return _str(k)
    text = _scalar(k)  # a number, true, false or null: written as json writes it, quoted
    if text is None:
        raise TypeError(f"keys must be str, int, float, bool or None, not {type(k).__name__}")
    return _str(text)


def _scalar(o: Any) -> str | None:
    """The text of a scalar, or None for a container (or what json cannot write)."""
    t = type(o)
    if t is str:
        return _str(o)
    if t is int:
        return int.__repr__(o)
    if t is float:
        return float.__repr__(o) if o - o == 0 else float_text(o)
    if o is None:
        return "null"
    if o is True:
        return "true"
    if o is False:
        return "false"
    if isinstance(o, str):
        return _str(o)
    if isinstance(o, int):
        return int.__repr__(o)
    if isinstance(o, float):
        return float_text(o)
    return None


def _write(o: Any, out: list[str], level: int, sink: Callable[[str], Any] | None = None
           ) -> None:
    text = _scalar(o)
    if text is not None:
        out.append(text)
        return
    if isinstance(o, dict):
        if not o:
            out.append("{}")
            return
        sep = "{\n" + "  " * (level + 1)
        nxt = ",\n" + "  " * (level + 1)
        for k, v in o.items():
            key = _str(k) if type(k) is str else _key(k)
            t = type(v)  # the common scalars inline: no call per value
            if t is str:
                out.append(f"{sep}{key}: {_str(v)}")
            elif t is int:
                out.append(f"{sep}{key}: {int.__repr__(v)}")
            elif v is None:
                out.append(f"{sep}{key}: null")
            elif t is bool:
                out.append(f"{sep}{key}: {'true' if v else 'false'}")
            elif t is float and v - v == 0:
                out.append(f"{sep}{key}: {float.__repr__(v)}")
            else:
                out.append(f"{sep}{key}: ")
                _write(v, out, level + 1, sink)
            sep = nxt
        out.append("\n" + "  " * level + "}")
    elif isinstance(o, (list, tuple)):
        if not o:
            out.append("[]")
            return
        sep = "[\n" + "  " * (level + 1)
        nxt = ",\n" + "  " * (level + 1)
        for v in o:
            t = type(v)
            if t is str:
                out.append(sep + _str(v))
            elif t is int:
                out.append(sep + int.__repr__(v))
            elif t is dict and v and (flat := _flat(v, level + 1)) is not None:
                out.append(sep + flat)  # a record of scalars: one template
                if sink is not None and len(out) >= _BLOCK:
                    sink("".join(out))
                    out.clear()
            else:
                out.append(sep)
                _write(v, out, level + 1, sink)
                if sink is not None and len(out) >= _BLOCK:  # a block at a time
                    sink("".join(out))
                    out.clear()
            sep = nxt
        out.append("\n" + "  " * level + "]")
    else:
        json.dumps(o)  # raises json's own TypeError for what it cannot write
        raise TypeError(f"Object of type {type(o).__name__} is not JSON serializable")


#: how a scalar of each type is written in a record's template, as an expression of v[i]
_EXPR: dict[type, str] = {
    str: "S(v[{i}])",
    int: "I(v[{i}])",
    bool: "('true' if v[{i}] else 'false')",
    type(None): "'null'",
    float: "(R(v[{i}]) if v[{i}] - v[{i}] == 0 else F(v[{i}]))",  # NaN, +-inf: json's words
}


def scalar_writer(template: str, types: tuple[type, ...]
                  ) -> Callable[[tuple[Any, ...]], str] | None:
    """A function writing ``template % texts``, the texts of a tuple of scalars whose
    types are ``types``, each as :mod:`json` writes it; None if a type is not a JSON
    scalar.  Made once per shape of record (keys and value types), it writes every
    record of that shape with one ``%`` (``template``: one ``%s`` per value, any other
    ``%`` doubled)."""
    if any(t not in _EXPR for t in types):
        return None
    exprs = ", ".join(_EXPR[t].format(i=i) for i, t in enumerate(types))
    scope: dict[str, Any] = {"S": _str, "I": int.__repr__, "R": float.__repr__,
                             "F": float_text, "T": template}
    exec(f"def record(v):\n    return T % ({exprs},)\n", scope)  # the code above: no input
    return cast("Callable[[tuple[Any, ...]], str]", scope["record"])


#: per (keys, value types, level): the function writing such a record, or None
_RECORDS: dict[tuple[tuple[Any, ...], tuple[type, ...], int],
               Callable[[tuple[Any, ...]], str] | None] = {}


def _flat(d: dict[Any, Any], level: int) -> str | None:
    """The text of a dict whose keys are strings and values scalars (a list of such
    records, e.g. a run's tasks, shares one template per shape), else None."""
    keys = tuple(d)
    values = tuple(d.values())
    shape = (keys, tuple(map(type, values)), level)
    try:
        write = _RECORDS[shape]
    except KeyError:
        write = _RECORDS[shape] = _record_writer(*shape)
    return None if write is None else write(values)


def _record_writer(keys: tuple[Any, ...], types: tuple[type, ...], level: int
                   ) -> Callable[[tuple[Any, ...]], str] | None:
    if any(type(k) is not str for k in keys):
        return None
    inner = "\n" + "  " * (level + 1)
    template = "{" + ",".join(inner + _str(k).replace("%", "%%") + ": %s"
                              for k in keys) + "\n" + "  " * level + "}"
    return scalar_writer(template, types)


def dumps_indented(value: Any) -> str:
    """``json.dumps(value, indent=2)``, the same text."""
    out: list[str] = []
    _write(value, out, 0)
    return "".join(out)


def dump_indented(value: Any, fh: IO[str]) -> None:
    """Write ``json.dumps(value, indent=2)`` to ``fh`` a block at a time (a large list's
    text is never held whole)."""
    out: list[str] = []
    _write(value, out, 0, fh.write)
    fh.write("".join(out))
