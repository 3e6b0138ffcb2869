"""A subset of Go's ``text/template`` as docker's ``--format`` uses it, on JSON data.

docker/cli parses a ``--format`` with ``templates.Parse`` (``templates/templates.go``:
Go's template language plus ``json``, ``split``, ``join``, ``title``, ``lower``,
``upper``, ``pad``, ``truncate``) and, for ``inspect``, runs it on the object or, when
that fails, on the object's raw JSON with ``missingkey=error``
(``cli/command/inspect/inspector.go``).  Here every object is its JSON, so a missing key
fails as that fallback does: ``map has no entry for key "IPAddress"``.

Supported: text, ``{{.A.B}}``, ``{{.}}``, ``{{$}}``, variables (``$v := ...``,
``range $i, $e := ...``), pipelines with ``|``, parentheses, string/number/bool
literals, ``if``/``else if``/``else``/``with``/``range``/``end``, trim markers
(``{{-``, ``-}}``), and the functions above with Go's ``index``, ``len``, ``print``,
``printf`` (%s %d %v %q), ``println``, ``eq``/``ne``/``lt``/``le``/``gt``/``ge``,
``and``/``or``/``not``.  Values print as Go's ``fmt`` prints them (``map[a:b]``,
``[x y]``, ``<nil>``, ``<no value>``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from swarmsim.commands.goparse import Node, TemplateError, parse_template

__all__ = ["TemplateError", "compile_template", "go_print"]

#: fields of docker's API structs that their JSON leaves out when empty (``omitempty``),
#: with the zero value Go prints for them: the CLI runs a template on the typed object
#: first, where such a field exists (a nil pointer prints ``<nil>``, a nil slice ``[]``,
#: a nil map ``map[]``); only a field the struct lacks fails (then on the raw JSON).
#: Going further into such a field fails as it does on the raw JSON.
OMITTED: dict[str, Any] = {
    **dict.fromkeys(("Global", "Replicated", "ReplicatedJob", "GlobalJob", "UpdateStatus",
                     "PreviousSpec", "ServiceStatus", "JobStatus", "ManagerStatus",
                     "JobIteration", "Healthcheck", "Health", "ContainerStatus",
                     "RollbackConfig", "UpdateConfig", "LogDriver"), None),
    **dict.fromkeys(("Err", "NodeID", "Hostname", "Dir", "User", "Message"), ""),
    **{key: [] for key in ("Command", "Args", "Env", "Mounts", "Networks", "Constraints",
                           "Preferences", "Platforms", "Ports", "VirtualIPs", "Aliases")},
    "Labels": {},
    **dict.fromkeys(("MaxReplicas", "Pids"), 0),
}


class _Exec:
    def __init__(self, src: str, data: Any) -> None:
        self.src = src
        self.vars: list[tuple[str, Any]] = [("$", data)]

    def err(self, pos: int, context: str, msg: str) -> TemplateError:
        text = self.src[:pos]
        line = 1 + text.count("\n")
        col = pos if "\n" not in text else pos - text.rfind("\n") - 1
        return TemplateError(f'template: :{line}:{col}: executing "" at <{context}>: {msg}',
                             parse=False)

    def var(self, name: str, pos: int) -> Any:
        for key, value in reversed(self.vars):
            if key == name:
                return value
        raise TemplateError(f"template: :1: undefined variable: {name}", parse=True)

    def field(self, dot: Any, chain: str, pos: int) -> Any:
        base, _, rest = chain.partition(".") if not chain.startswith(".") else ("", "", chain[1:])
        value = self.var(base, pos) if base else dot
        if chain == ".":
            return dot
        names = rest.split(".")
        # Go reports the chain's last field's position for a chain of several fields
        at = pos + len(chain) - len(names[-1]) - 1 if len(names) > 1 else pos
        for name in names:
            if value is None:
                raise self.err(at, chain, f"nil pointer evaluating interface {{}}.{name}")
            if not isinstance(value, dict):
                raise self.err(at, chain, f"can't evaluate field {name} in type "
                                           f"{_go_type(value)}")
            if name not in value:
                if name in OMITTED and name == names[-1]:  # a struct field left out
                    return OMITTED[name]
                raise self.err(at, chain, f'map has no entry for key "{name}"')
            value = value[name]
        return value

    def operand(self, dot: Any, op: tuple[str, Any, int]) -> Any:
        kind, value, pos = op
        if kind == "str":
            return json.loads(value) if value.startswith('"') else value[1:-1]
        if kind == "num":
            return float(value) if "." in value else int(value)
        if kind == "field":
            return self.field(dot, value, pos)
        if kind == "var":
            return self.var(value, pos)
        if kind == "pipe":
            return self.pipeline(dot, value)
        if value in ("true", "false"):
            return value == "true"
        if value == "nil":
            return None
        return self.call(value, [], pos)

    def call(self, name: str, args: list[Any], pos: int) -> Any:
        try:
            return FUNCS[name](*args)
        except TemplateError:
            raise
        except (TypeError, ValueError, KeyError, IndexError) as exc:
            raise self.err(pos, name, f"error calling {name}: {exc}") from None

    def pipeline(self, dot: Any, cmds: list[list[Any]]) -> Any:
        value: Any = _NOTHING
        for cmd in cmds:
            first = cmd[0]
            if first[0] == "ident" and first[1] in FUNCS:
                args = [self.operand(dot, op) for op in cmd[1:]]
                if value is not _NOTHING:
                    args.append(value)
                value = self.call(first[1], args, first[2])
            else:
                if len(cmd) > 1:
                    raise self.err(cmd[1][2], str(cmd[1][1]), "can't give argument to non-function "
                                   f"{first[1]}")
                value = self.operand(dot, first)
        return value

    def run(self, nodes: list[Node], dot: Any, out: list[str]) -> None:
        for node in nodes:
            if node.kind == "text":
                out.append(node.text)
            elif node.kind == "action":
                value = self.pipeline(dot, node.pipe)
                if node.decl:
                    self.vars.append((node.decl[0], value))
                else:
                    out.append(go_print(value))
            elif node.kind == "if":
                self.run(node.body if truth(self.pipeline(dot, node.pipe)) else node.other,
                         dot, out)
            elif node.kind == "with":
                value = self.pipeline(dot, node.pipe)
                if truth(value):
                    self.run(node.body, value, out)
                else:
                    self.run(node.other, dot, out)
            elif node.kind == "range":
                self.range(node, dot, out)

    def range(self, node: Node, dot: Any, out: list[str]) -> None:
        value = self.pipeline(dot, node.pipe)
        if isinstance(value, dict):
            items = [(k, value[k]) for k in sorted(value)]
        elif isinstance(value, list):
            items = list(enumerate(value))
        elif isinstance(value, int) and not isinstance(value, bool):
            if value > RANGE_LIMIT:  # bounded time and memory for any --format
                raise TemplateError(f"swarmsim: range over {value} is not simulated (more "
                                    f"than {RANGE_LIMIT})", parse=False)
            items = [(i, i) for i in range(value)]
        elif value is None:
            items = []
        else:
            raise TemplateError(f"range can't iterate over {go_print(value)}", parse=False)
        if not items:
            self.run(node.other, dot, out)
            return
        mark = len(self.vars)
        for key, elem in items:
            if len(node.decl) == 2:
                self.vars += [(node.decl[0], key), (node.decl[1], elem)]
            elif node.decl:
                self.vars.append((node.decl[0], elem))
            self.run(node.body, elem, out)
            del self.vars[mark:]


_NOTHING = object()
RANGE_LIMIT = 10_000  # the largest integer `range` runs over


def _go_type(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, str):
        return "string"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float64"
    if isinstance(value, list):
        return "[]interface {}"
    return "interface {}"


def truth(value: Any) -> bool:
    """Go's template truth: false, 0, nil, empty string/list/map are false."""
    if value is _NOTHING:
        return False
    return bool(value)


def go_print(value: Any) -> str:
    """How Go's ``fmt.Print`` shows a JSON value."""
    if value is None:
        return "<nil>"
    if value is _NOTHING:
        return "<no value>"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:g}" if value != int(value) or abs(value) >= 1e21 else str(int(value))
    if isinstance(value, list):
        return "[" + " ".join(go_print(v) for v in value) + "]"
    if isinstance(value, dict):
        return "map[" + " ".join(f"{k}:{go_print(value[k])}" for k in sorted(value)) + "]"
    return str(value)


def to_json(value: Any) -> str:
    """docker's ``json`` function: compact JSON without HTML escaping."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _join(elems: Any, sep: str) -> str:
    if elems is None:
        return ""
    if isinstance(elems, dict):
        return sep.join(sorted(go_print(v) for v in elems.values()))
    if not isinstance(elems, list):
        raise ValueError(f"expected slice, got {_go_type(elems)}")
    return sep.join(go_print(v) for v in elems)


def _index(value: Any, *keys: Any) -> Any:
    for key in keys:
        if isinstance(value, dict):
            value = value.get(key)
        elif isinstance(value, list):
            value = value[key]
        else:
            raise ValueError(f"can't index item of type {_go_type(value)}")
    return value


def _printf(fmt: str, *args: Any) -> str:
    values = iter(args)

    def one(m: re.Match[str]) -> str:
        verb = m.group(1)
        if verb == "%":
            return "%"
        value = next(values, _NOTHING)
        if verb == "q":
            return json.dumps(value if isinstance(value, str) else go_print(value))
        return go_print(value)

    return re.sub(r"%[-+# 0-9.]*([svdqtfg%])", one, fmt)


def _len(value: Any) -> int:
    if isinstance(value, (str, list, dict)):
        return len(value)
    raise ValueError(f"len of type {_go_type(value)}")


FUNCS: dict[str, Callable[..., Any]] = {
    "json": to_json,
    "split": lambda s, sep: str(s).split(sep),
    "join": _join,
    "title": lambda s: re.sub(r"(^|[^\w'])(\w)", lambda m: m.group(1) + m.group(2).upper(), s),
    "lower": lambda s: str(s).lower(),
    "upper": lambda s: str(s).upper(),
    "pad": lambda s, a, b: s and " " * int(a) + s + " " * int(b),
    "truncate": lambda s, n: s if len(s) < int(n) else s[:int(n)],
    "index": _index,
    "len": _len,
    "print": lambda *a: "".join(go_print(v) for v in a),
    "printf": _printf,
    "println": lambda *a: " ".join(go_print(v) for v in a) + "\n",
    "eq": lambda a, *b: any(a == x for x in b),
    "ne": lambda a, b: a != b,
    "lt": lambda a, b: a < b,
    "le": lambda a, b: a <= b,
    "gt": lambda a, b: a > b,
    "ge": lambda a, b: a >= b,
    "not": lambda a: not truth(a),
    "and": lambda *a: next((v for v in a if not truth(v)), a[-1]),
    "or": lambda *a: next((v for v in a if truth(v)), a[-1]),
}


def compile_template(src: str) -> Callable[[Any], str]:
    """A template's renderer.

    Raises:
        TemplateError: the template does not parse (``parse`` is True).
    """
    nodes = parse_template(src, FUNCS)

    def render(data: Any) -> str:
        out: list[str] = []
        _Exec(src, data).run(nodes, data, out)
        return "".join(out)

    return render
