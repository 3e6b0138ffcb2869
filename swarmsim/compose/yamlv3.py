"""YAML parsing that behaves like Go's yaml.v3, the parser ``docker stack deploy`` uses.

PyYAML follows YAML 1.1 (``yes``/``on`` are booleans, ``22:22`` is a base-60 integer,
duplicate keys silently overwrite).  docker reads compose files with go.yaml.in/yaml/v3,
so this module keeps PyYAML's scanner and parser (libyaml when available: yaml.v3 is a
port of it, so syntax errors and their marks agree) and replaces everything after the
event stream: node composition, yaml.v3's scalar resolution, merge keys, duplicate-key
errors and the ``yaml: ...`` error texts.  It also records the line of every key and list
item (:class:`LineMap`) so later stages can point at the offending line.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

import yaml
from yaml import events as ev

from swarmsim.compose.gostr import (
    BINARY,
    MAP,
    MERGE,
    NULL,
    SEQ,
    STR,
    quote,
    resolve_plain,
    yaml_resolve,
)
from swarmsim.foundation import defaults
from swarmsim.foundation.errors import InputError
from swarmsim.foundation.limits import ENV_PREFIX, limit

try:  # libyaml: the scanner/parser yaml.v3 was ported from
    from yaml._yaml import CParser as _LibParser
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    _LibParser = None  # type: ignore[assignment, misc]
_CParser: type[Any] | None = _LibParser

Key = str | int
Keys = tuple[Key, ...]
_V = TypeVar("_V")

_LONG_PREFIX = "tag:yaml.org,2002:"
# yaml.v3 lists every pair of equal keys; a key written n times gives n(n-1)/2 lines.
# swarmsim keeps the first ones only, so 50,000 copies of a key cannot fill the memory.
_MAX_DUPLICATE_ERRORS = 100


@dataclass(frozen=True)
class LineMap:
    """Where each key path of a compose file is written.

    Attributes:
        lines: 1-based line of every mapping key and list item, keyed by its path
            (a tuple of str keys and int list indexes).
        files: for a map merged from several files, the file each path came from.
    """

    lines: Mapping[Keys, int] = field(default_factory=dict)
    files: Mapping[Keys, str] = field(default_factory=dict)

    def lookup(self, keys: Keys | None) -> int | None:
        """Line of ``keys``, or of its deepest prefix that exists (None if none does)."""
        return self._deepest(keys, self.lines)

    def file_of(self, keys: Keys | None) -> str | None:
        """The file ``keys`` (or its deepest known prefix) came from, if recorded."""
        return self._deepest(keys, self.files)

    @staticmethod
    def _deepest(keys: Keys | None, table: Mapping[Keys, _V]) -> _V | None:
        path = tuple(keys or ())
        for n in range(len(path), 0, -1):
            if path[:n] in table:
                return table[path[:n]]
        return table.get(())


class GeneralMap(dict):  # type: ignore[type-arg]
    """A mapping with a non-string key: Go decodes it as ``map[interface{}]interface{}``."""


@dataclass(slots=True, eq=False)
class _Node:
    kind: str  # "scalar", "seq", "map" or "alias"
    tag: str  # short tag: "!!str", "!!int", ... ("" for an alias)
    value: Any  # str for scalars and aliases, list of nodes / (key, value) pairs
    line: int
    tagged: bool = False  # an explicit tag was written
    quoted: bool = False  # quoted or block scalar
    anchor: str | None = None
    target: _Node | None = None  # what an alias refers to


def _resolve(node: _Node) -> tuple[str, Any]:
    try:
        return yaml_resolve(node.tag if node.tagged else "", node.value)
    except ValueError as exc:
        raise InputError(str(exc), line=node.line) from None


def _short(tag: str | None) -> str:
    if not tag or tag == "!":
        return ""
    return "!!" + tag[len(_LONG_PREFIX) :] if tag.startswith(_LONG_PREFIX) else tag


def _compose(text: str) -> _Node | None:
    """Build yaml.v3's node tree for the first document of ``text`` (None if empty)."""
    anchors: dict[str, _Node] = {}
    parser: Any = None
    try:
        parser = _CParser(text) if _CParser is not None else _PyParser(text)
        parser.get_event()  # stream start
        if parser.check_event(ev.StreamEndEvent):
            return None
        parser.get_event()  # document start
        budget = [limit("YAML_NODES")]
        root = _compose_node(parser, anchors, defaults.MAX_YAML_DEPTH, budget)
        parser.get_event()  # document end
        return root
    except yaml.MarkedYAMLError as exc:
        raise _syntax_error(exc) from None
    except yaml.reader.ReaderError as exc:
        reason = exc.reason if _CParser is not None else "control characters are not allowed"
        raise InputError(f"yaml: {reason}") from None
    finally:
        if parser is not None and hasattr(parser, "dispose"):
            parser.dispose()


def _compose_node(
    parser: Any, anchors: dict[str, _Node], depth: int, budget: list[int]
) -> _Node:
    """The node of the next event; ``depth`` more levels of nesting and ``budget[0]``
    more nodes are allowed."""
    event = parser.get_event()
    line = event.start_mark.line + 1
    budget[0] -= 1
    if budget[0] < 0:
        raise InputError(
            f"yaml: line {line}: the file has more than {limit('YAML_NODES'):,} keys and"
            f" values, swarmsim's limit ({ENV_PREFIX}YAML_NODES raises it)",
            line=line,
        )
    if isinstance(event, ev.AliasEvent):
        if event.anchor not in anchors:
            raise InputError(f"yaml: unknown anchor '{event.anchor}' referenced", line=line)
        return _Node("alias", "", event.anchor, line, target=anchors[event.anchor])
    tag = _short(event.tag)
    if isinstance(event, ev.ScalarEvent):
        quoted = event.style not in (None, "")
        if tag:
            node = _Node("scalar", tag, event.value, line, tagged=True, quoted=quoted)
        elif quoted:
            node = _Node("scalar", STR, event.value, line, quoted=True)
        else:
            node = _Node("scalar", resolve_plain(event.value)[0], event.value, line)
    else:
        kind = "seq" if isinstance(event, ev.SequenceStartEvent) else "map"
        if depth <= 0:
            raise _too_deep(line)
        node = _Node(kind, tag or (SEQ if kind == "seq" else MAP), [], line, tagged=bool(tag))
    if event.anchor is not None:
        node.anchor = event.anchor
        anchors[event.anchor] = node
    if node.kind == "seq":
        while not parser.check_event(ev.SequenceEndEvent):
            node.value.append(_compose_node(parser, anchors, depth - 1, budget))
        parser.get_event()
    elif node.kind == "map":
        while not parser.check_event(ev.MappingEndEvent):
            key = _compose_node(parser, anchors, depth - 1, budget)
            node.value.append((key, _compose_node(parser, anchors, depth - 1, budget)))
        parser.get_event()
    return node


def _too_deep(line: int | None) -> InputError:
    """yaml.v3's scanner error for deep nesting (scannerc.go ``max_flow_level``), at
    swarmsim's lower, fixed limit: every later stage walks the tree recursively."""
    where = f"line {line}: " if line else ""
    return InputError(f"yaml: {where}exceeded max depth of {defaults.MAX_YAML_DEPTH}", line=line)


class _PyParser(yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser):
    """PyYAML's pure-Python event source (used only without libyaml)."""

    def __init__(self, text: str) -> None:
        yaml.reader.Reader.__init__(self, text)
        yaml.scanner.Scanner.__init__(self)
        yaml.parser.Parser.__init__(self)


_PY_PROBLEMS = (  # PyYAML's wording -> libyaml/yaml.v3's
    (
        r"found character .* that cannot start any token",
        "found character that cannot start any token",
    ),
    (r"mapping values are not allowed here", "mapping values are not allowed in this context"),
    (
        r"sequence entries are not allowed here",
        "block sequence entries are not allowed in this context",
    ),
    (r"mapping keys are not allowed here", "mapping keys are not allowed in this context"),
    (r"found unexpected document separator", "found unexpected document indicator"),
    (r"found unknown escape character.*", "found unknown escape character"),
    (r"expected escape sequence.*", "did not find expected hexdecimal number"),
    (
        r"expected alphabetic or numeric character.*",
        "did not find expected alphabetic or numeric character",
    ),
    (r"expected ',' or '\]'.*", "did not find expected ',' or ']'"),
    (r"expected ',' or '}'.*", "did not find expected ',' or '}'"),
    (r"expected the node content.*", "did not find expected node content"),
    (r"expected '<document start>'.*", "did not find expected <document start>"),
)


def _syntax_error(exc: yaml.MarkedYAMLError) -> InputError:
    """yaml.v3's ``parser.fail``: ``yaml: line N: <problem>`` with its odd line choice."""
    problem = exc.problem or "unknown problem parsing YAML content"
    if _CParser is None:
        if exc.context == "while parsing a block mapping":
            problem = "did not find expected key"
        elif exc.context == "while parsing a block collection":
            problem = "did not find expected '-' indicator"
        else:
            for pattern, text in _PY_PROBLEMS:
                if re.fullmatch(pattern, problem):
                    problem = text
                    break
    scanner = isinstance(exc, yaml.scanner.ScannerError)
    line = 0
    for mark in (exc.context_mark, exc.problem_mark):
        if mark is not None and mark.line != 0:
            line = mark.line + (1 if scanner else 0)
            break
    where = f"line {line}: " if line else ""
    actual = exc.problem_mark.line + 1 if exc.problem_mark is not None else None
    return InputError(f"yaml: {where}{problem}", line=actual)


class _Decoder:
    """yaml.v3's decoder into ``interface{}``, recording the line of every key path."""

    def __init__(self) -> None:
        self.errors: list[str] = []
        self.lines: dict[Keys, int] = {}
        self.active_aliases: set[int] = set()
        self.merged: set[Any] | None = None
        self.decodes = 0
        self.alias_decodes = 0
        self.depth = 0  # lists and mappings being decoded (aliases make it deeper)
        self.max_depth = defaults.MAX_YAML_DEPTH

    def decode(self, node: _Node, path: Keys) -> tuple[bool, Any]:
        self.decodes += 1
        if self.active_aliases:
            self.alias_decodes += 1
            if (
                self.alias_decodes > 100
                and self.decodes > 1000
                and self.alias_decodes / self.decodes > _alias_ratio(self.decodes)
            ):
                raise InputError("yaml: document contains excessive aliasing")
        if node.kind == "alias":
            if id(node) in self.active_aliases:
                raise InputError(
                    f"yaml: anchor '{node.value}' value contains itself", line=node.line
                )
            self.active_aliases.add(id(node))
            try:
                return self.decode(node.target, path)  # type: ignore[arg-type]
            finally:
                self.active_aliases.discard(id(node))
        if node.kind == "scalar":
            return True, self.scalar(node)
        self.depth += 1
        try:
            if self.depth > self.max_depth:
                raise _too_deep(node.line)
            return self.collection(node, path)
        finally:
            self.depth -= 1

    def collection(self, node: _Node, path: Keys) -> tuple[bool, Any]:
        if node.kind == "seq":
            items: list[Any] = []
            for item in node.value:
                ok, value = self.decode(item, (*path, len(items)))
                if ok:
                    self.lines.setdefault((*path, len(items)), item.line)
                    items.append(value)
            return True, items
        return self.mapping(node, path, None)

    def scalar(self, node: _Node) -> Any:
        if node.quoted and node.tag == STR:
            return node.value
        tag, value = _resolve(node)
        if tag == BINARY:
            try:
                return base64.b64decode(value, validate=True).decode("utf-8", "replace")
            except (binascii.Error, ValueError):
                raise InputError(
                    "yaml: !!binary value contains invalid base64 data", line=node.line
                ) from None
        return value

    def mapping(self, node: _Node, path: Keys, out: dict[Any, Any] | None) -> tuple[bool, Any]:
        pairs = node.value
        errors_before = len(self.errors)
        self.duplicates(pairs)
        if len(self.errors) > errors_before:
            return False, None
        is_new = out is None
        if out is None:
            out = {} if _is_string_map(node) else GeneralMap()
        string_keys = not isinstance(out, GeneralMap)
        merged, self.merged = self.merged, None
        merge_node = None
        for key_node, value_node in pairs:
            if _is_merge(key_node):
                merge_node = value_node
                continue
            ok, key = self.key(key_node, string_keys)
            if not ok:
                continue
            if merged is not None:
                if key in merged:
                    continue
                merged.add(key)
            if isinstance(key, (dict, list)):
                raise InputError(f"yaml: invalid map key: {key!r}", line=key_node.line)
            sub = (*path, key) if isinstance(key, str) else (*path, str(key))
            ok, value = self.decode(value_node, sub)
            if ok or (_deref(value_node).tag == NULL and (is_new or key not in out)):
                out[key] = value
                self.lines.setdefault(sub, key_node.line)
        self.merged = merged
        if merge_node is not None:
            self.merge(node, merge_node, out, path)
        return True, out

    def duplicates(self, pairs: list[tuple[_Node, _Node]]) -> None:
        """yaml.v3's duplicate-key errors (decode.go ``d.mapping``: every later key with
        the text of an earlier one, ordered by the earlier key, then the later), found
        in linear time; a key repeated n times gives n(n-1)/2 errors, so at most
        :data:`_MAX_DUPLICATE_ERRORS` are kept per mapping."""
        groups: dict[tuple[str, str], list[_Node]] = {}
        for key, _ in pairs:
            if isinstance(key.value, str):
                groups.setdefault((key.kind, key.value), []).append(key)
        if len(groups) == len(pairs):
            return
        taken: dict[tuple[str, str], int] = {}
        count = 0
        for first, _ in pairs:
            if not isinstance(first.value, str):
                continue
            group = groups[(first.kind, first.value)]
            n = taken[(first.kind, first.value)] = taken.get((first.kind, first.value), 0) + 1
            for later in group[n:]:
                where = f"line {later.line}: mapping key {quote(later.value)}"
                self.errors.append(f"{where} already defined at line {first.line}")
                count += 1
                if count == _MAX_DUPLICATE_ERRORS:
                    return

    def key(self, node: _Node, string_keys: bool) -> tuple[bool, Any]:
        target = _deref(node)
        if not string_keys or target.kind != "scalar":
            return self.decode(node, ())
        if target.quoted and target.tag == STR:
            return True, target.value
        tag, value = _resolve(target)
        return (False, None) if value is None and tag == NULL else (True, target.value)

    def merge(self, parent: _Node, merge: _Node, out: dict[Any, Any], path: Keys) -> None:
        outer = self.merged
        if outer is None:
            self.merged = {self.decode(k, ())[1] for k, _ in parent.value if _hashable(k)}
        sources = merge.value if merge.kind == "seq" else [merge]
        for src in sources:
            if _deref(src).kind != "map":
                raise InputError(
                    "yaml: map merge requires map or sequence of maps as the value",
                    line=src.line,
                )
        for src in sources:
            if src.kind != "alias":
                self.mapping(src, path, out)
                continue
            if id(src) in self.active_aliases:  # yaml.v3 merges an alias via d.alias
                raise InputError(
                    f"yaml: anchor '{src.value}' value contains itself", line=src.line
                )
            self.active_aliases.add(id(src))
            try:
                self.mapping(_deref(src), path, out)
            finally:
                self.active_aliases.discard(id(src))
        self.merged = outer


def _alias_ratio(decodes: int) -> float:
    """yaml.v3's allowance for alias expansion (a defence against "billion laughs")."""
    low, high = 400_000, 4_000_000
    if decodes <= low:
        return 0.99
    if decodes >= high:
        return 0.10
    return 0.99 - 0.89 * (decodes - low) / (high - low)


def _deref(node: _Node) -> _Node:
    while node.kind == "alias" and node.target is not None:
        node = node.target
    return node


def _hashable(node: _Node) -> bool:
    return _deref(node).kind == "scalar"


def _is_merge(node: _Node) -> bool:
    return node.kind == "scalar" and node.value == "<<" and node.tag == MERGE


def _is_string_map(node: _Node) -> bool:
    return all(_deref(k).tag in (STR, MERGE) for k, _ in node.value)


def parse(text: str) -> tuple[dict[str, Any], LineMap]:
    """Parse a compose file's text the way docker's ``loader.ParseYAML`` does.

    Returns:
        The top-level mapping (nested mappings with a non-string key are
        :class:`GeneralMap`) and the line of every key path.

    Raises:
        InputError: yaml.v3's message (``yaml: line 3: found character that cannot
            start any token``, ``yaml: unmarshal errors:\\n  line 5: mapping key "image"
            already defined at line 4``) or ``top-level object must be a mapping``.
    """
    root = _compose(text)
    decoder = _Decoder()
    value = decoder.decode(root, ())[1] if root is not None else None
    if decoder.errors:
        first = re.match(r"line (\d+)", decoder.errors[0])
        raise InputError(
            "yaml: unmarshal errors:\n  " + "\n  ".join(decoder.errors),
            line=int(first.group(1)) if first else None,
        )
    if not isinstance(value, dict) or isinstance(value, GeneralMap):
        raise InputError("top-level object must be a mapping", line=1)
    return value, LineMap(dict(decoder.lines))


def load_yaml_text(text: str) -> tuple[dict[str, Any], LineMap]:
    """Parse any swarmsim YAML input (scenarios too) with the same yaml.v3 rules."""
    return parse(text)
