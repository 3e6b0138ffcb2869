"""Parsing Go's ``text/template`` subset :mod:`swarmsim.commands.gotemplate` runs: the
actions between ``{{`` and ``}}`` (with trim markers), their pipelines and the
``if``/``else``/``with``/``range``/``end`` blocks, with Go's parse errors
(``template: :1: unclosed action``, ``function "x" not defined``, ``unexpected EOF``)."""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

_TOKEN = re.compile(r'''\s*(?:(?P<str>"(?:[^"\\]|\\.)*"|`[^`]*`)|(?P<num>-?\d+(?:\.\d+)?)'''
                    r'''|(?P<field>(?:\$[A-Za-z_0-9]*)?(?:\.[A-Za-z_][A-Za-z_0-9]*)+|\.)'''
                    r'''|(?P<var>\$[A-Za-z_0-9]*)|(?P<decl>:=|=)|(?P<punct>[|(),])'''
                    r'''|(?P<ident>[A-Za-z_][A-Za-z_0-9]*))''')


class TemplateError(Exception):
    """A parse error (docker exits 64) or an execution error (exit 1): Go's words."""

    def __init__(self, message: str, *, parse: bool) -> None:
        super().__init__(message)
        self.parse = parse


@dataclass
class Node:
    """A piece of text, an action, or a block with its body and its ``else`` part."""

    kind: str  # text, action, if, range, with
    text: str = ""
    pipe: list[Any] = field(default_factory=list)
    decl: list[str] = field(default_factory=list)
    body: list[Node] = field(default_factory=list)
    other: list[Node] = field(default_factory=list)


def _perr(msg: str) -> TemplateError:
    return TemplateError(f"template: :1: {msg}", parse=True)


def _lex_actions(src: str) -> list[tuple[str, str, int]]:
    """(kind, text, offset of the action's content): text pieces and actions."""
    out: list[tuple[str, str, int]] = []
    i = 0
    while i < len(src):
        at = src.find("{{", i)
        if at < 0:
            out.append(("text", src[i:], i))
            break
        end = src.find("}}", at + 2)
        if end < 0:
            raise _perr("unclosed action")
        inner, start = src[at + 2:end], at + 2
        text = src[i:at]
        if inner.startswith("- ") or inner == "-":
            text, inner, start = text.rstrip(), inner[1:], start + 1
        after = end + 2
        if inner.endswith(" -"):
            inner = inner[:-1]
            rest = src[after:]
            after += len(rest) - len(rest.lstrip())
        out.append(("text", text, i))
        out.append(("action", inner, start))
        i = after
    return [piece for piece in out if piece[0] == "action" or piece[1]]


def _tokens(text: str, offset: int) -> list[tuple[str, str, int]]:
    toks: list[tuple[str, str, int]] = []
    pos = 0
    while pos < len(text):
        if not text[pos:].strip():
            break
        m = _TOKEN.match(text, pos)
        if m is None or m.end() == pos:
            raise _perr(f"unexpected {text[pos:].strip()[:1]!r} in command")
        kind = m.lastgroup or ""
        value = m.group(kind)
        toks.append((kind, value, offset + m.start(kind)))
        pos = m.end()
    return toks


def _pipeline(toks: list[tuple[str, str, int]], known: Collection[str], i: int = 0,
              stop: str = "") -> tuple[list[Any], int]:
    """A pipeline: a list of commands, each a list of operands."""
    cmds: list[list[Any]] = [[]]
    while i < len(toks):
        kind, value, pos = toks[i]
        if kind == "punct" and value == ")":
            if stop != ")":
                raise _perr("unexpected \")\" in operand")
            return cmds, i + 1
        if kind == "punct" and value == "|":
            if not cmds[-1]:
                raise _perr("missing command")
            cmds.append([])
            i += 1
            continue
        if kind == "punct" and value == "(":
            sub, i = _pipeline(toks, known, i + 1, ")")
            cmds[-1].append(("pipe", sub, pos))
            continue
        if kind == "punct":
            raise _perr(f"unexpected {value!r} in command")
        if kind == "ident" and value not in known and value not in ("true", "false", "nil"):
            raise _perr(f'function "{value}" not defined')
        cmds[-1].append((kind, value, pos))
        i += 1
    if stop:
        raise _perr("unclosed left paren")
    if not cmds[-1]:
        raise _perr("missing value for command")
    return cmds, i


def parse_template(src: str, known: Collection[str]) -> list[Node]:
    """The template's nodes (``known``: the function names).

    Raises:
        TemplateError: Go's parse error.
    """
    root: list[Node] = []
    # open blocks: (node, the list it sits in, whether an {{else if}} opened it: its
    # {{end}} is the enclosing block's too)
    stack: list[tuple[Node, list[Node], bool]] = []
    cur = root
    for kind, text, pos in _lex_actions(src):
        if kind == "text":
            cur.append(Node("text", text))
            continue
        if text.strip().startswith("/*"):
            continue
        toks = _tokens(text, pos)
        if not toks:
            raise _perr("missing value for command")
        head = toks[0][1] if toks[0][0] == "ident" else ""
        if head in ("if", "range", "with"):
            node = Node(head)
            rest = toks[1:]
            if head == "range" and len(rest) >= 2 and rest[0][0] == "var" and (
                    rest[1][1] == "," or rest[1][0] == "decl"):
                node.decl.append(rest[0][1])
                if rest[1][1] == "," and len(rest) >= 4:
                    node.decl.append(rest[2][1])
                    rest = rest[4:]
                else:
                    rest = rest[2:]
            node.pipe = _pipeline(rest, known)[0]
            cur.append(node)
            stack.append((node, cur, False))
            cur = node.body
        elif head == "else":
            if not stack:
                raise _perr("unexpected {{else}}")
            node = stack[-1][0]
            if len(toks) > 1 and toks[1][1] in ("if", "with"):
                inner = Node(toks[1][1], pipe=_pipeline(toks[2:], known)[0])
                node.other.append(inner)
                stack.append((inner, node.other, True))
                cur = inner.body
            else:
                cur = node.other
        elif head == "end":
            if not stack:
                raise _perr("unexpected {{end}}")
            _node, cur, chained = stack.pop()
            while chained:
                _node, cur, chained = stack.pop()
        else:
            node = Node("action")
            if toks[0][0] == "var" and len(toks) > 1 and toks[1][0] == "decl":
                node.decl.append(toks[0][1])
                toks = toks[2:]
            node.pipe = _pipeline(toks, known)[0]
            cur.append(node)
    if stack:
        raise _perr("unexpected EOF")
    return root
