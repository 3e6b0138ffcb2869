"""A small DSL for describing versioned JSON-Schema-like structures.

:func:`obj`, :func:`array`, :func:`one_of` and :func:`typed` build a tree of plain dicts;
:func:`since` and :func:`by_version` mark where the structure changed between compose
minor versions.  :func:`resolve` turns such a tree into frozen :class:`Schema` records for
one minor version; :mod:`swarmsim.compose.schema_data` uses it to describe compose files
and :mod:`swarmsim.compose.schema` validates against the result.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Schema:
    """One node of the resolved schema (the subset of JSON Schema draft 4 docker uses).

    Attributes:
        types: allowed JSON types (empty: any type).
        props: named properties, each with its schema.
        patterns: ``(regex, schema)`` for keys matching a pattern.
        closed: unknown keys (matching neither props nor patterns) are errors.
        required: keys that must be present.
        items: schema of every list item.
        unique: list items must be pairwise different.
        one_of: alternatives, exactly one of which must match.
        enum: allowed values, JSON-encoded (``'"stop-first"'``).
        fmt: a named format (``duration``, ``ports``; others always pass).
        minimum: lowest allowed number.
    """

    types: tuple[str, ...] = ()
    props: tuple[tuple[str, Schema], ...] = ()
    patterns: tuple[tuple[re.Pattern[str], Schema], ...] = ()
    closed: bool = False
    required: tuple[str, ...] = ()
    items: Schema | None = None
    unique: bool = False
    one_of: tuple[Schema, ...] = ()
    enum: tuple[str, ...] = ()
    fmt: str | None = None
    minimum: int | None = None
    prop_map: dict[str, Schema] = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True)
class _Since:
    first: int
    spec: Any
    until: int | None = None


@dataclass(frozen=True)
class _ByVersion:
    options: tuple[tuple[int, Any], ...]


def since(first: str, spec: Any, until: str | None = None) -> _Since:
    """``spec`` exists from version ``first`` (and before ``until``, if given)."""
    return _Since(minor(first), spec, minor(until) if until else None)


def by_version(**options: Any) -> _ByVersion:
    """Different shapes by version: ``by_version(v3_0=a, v3_2=b)`` (latest one <= wins)."""
    return _ByVersion(tuple(sorted((int(k.split("_")[1]), v) for k, v in options.items())))


def minor(version: str) -> int:
    """The minor number of a ``3.<minor>`` version string."""
    return int(version.split(".")[1])


# --- leaves and combinators (unresolved specs are plain dicts) --------------------------


def typed(
    *types: str, fmt: str | None = None, enum: tuple[str, ...] = (), minimum: int | None = None
) -> dict[str, Any]:
    """A value of one of ``types`` (JSON type names), optionally with a format/enum/minimum."""
    return {
        "types": types,
        "fmt": fmt,
        "enum": tuple(json.dumps(e) for e in enum),
        "minimum": minimum,
    }


def obj(
    props: dict[str, Any] | None = None,
    *,
    patterns: dict[str, Any] | None = None,
    closed: Any = True,
    required: Any = (),
    types: tuple[str, ...] = ("object",),
) -> dict[str, Any]:
    """A mapping with known ``props``, ``patterns`` for other keys, closed or open."""
    return {
        "types": types,
        "props": props or {},
        "patterns": patterns or {},
        "closed": closed,
        "required": required,
    }


def array(items: Any = None, *, unique: bool = False) -> dict[str, Any]:
    """A list whose items all match ``items``."""
    return {"types": ("array",), "items": items, "unique": unique}


def one_of(*alternatives: Any, unique: bool = False) -> dict[str, Any]:
    """Exactly one alternative must match (no type of its own)."""
    return {"one_of": alternatives, "unique": unique}


_MISSING = object()


def _pick(value: Any, minor: int) -> Any:
    while isinstance(value, (_Since, _ByVersion)):
        if isinstance(value, _Since):
            inside = value.first <= minor and (value.until is None or minor < value.until)
            value = value.spec if inside else _MISSING
        else:
            chosen = [spec for first, spec in value.options if first <= minor]
            value = chosen[-1] if chosen else _MISSING
    return value


def _pattern(text: str) -> re.Pattern[str]:
    # Go's "$" only matches at the very end; Python's also before a final newline.
    return re.compile(text[:-1] + r"\Z" if text.endswith("$") else text)


def resolve(spec: dict[str, Any], minor: int) -> Schema:
    """The :class:`Schema` of ``spec`` for compose minor version ``minor`` (3.<minor>)."""
    props = {}
    for name, sub in spec.get("props", {}).items():
        sub = _pick(sub, minor)
        if sub is not _MISSING:
            props[name] = resolve(sub, minor)
    patterns = []
    for text, sub in spec.get("patterns", {}).items():
        sub = _pick(sub, minor)
        if sub is not _MISSING:
            patterns.append((_pattern(text), resolve(sub, minor)))
    items = _pick(spec.get("items"), minor)
    required = _pick(spec.get("required", ()), minor)
    return Schema(
        types=tuple(spec.get("types", ())),
        props=tuple(props.items()),
        patterns=tuple(patterns),
        closed=bool(_pick(spec.get("closed", False), minor)),
        required=() if required is _MISSING else tuple(required),
        items=resolve(items, minor) if isinstance(items, dict) else None,
        unique=spec.get("unique", False),
        one_of=tuple(resolve(_pick(alt, minor), minor) for alt in spec.get("one_of", ())),
        enum=spec.get("enum", ()),
        fmt=spec.get("fmt"),
        minimum=spec.get("minimum"),
        prop_map=props,
    )
