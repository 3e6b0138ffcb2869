"""Schema validation of a compose file, reporting the one error docker reports.

docker validates with gojsonschema, which collects every error, and then prints just one:
the error at the deepest path (most ``.``-separated parts), the first one on a tie
unless a later ``invalid_type`` error competes with a non-type error.  For ``oneOf``
failures gojsonschema adds a generic error followed by the errors of the alternative that
scored best, and docker prints the follower's text at the oneOf's path.  This module
walks :mod:`swarmsim.compose.schema_data` in the same order with the same scoring, so the
chosen error (and its wording, down to ``must be a integer``) matches docker's.
Where Go iterates a map (random order), document order is used.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from swarmsim.compose.gostr import format_float
from swarmsim.compose.ports import is_port_spec
from swarmsim.compose.schema_data import schema_for, supported
from swarmsim.compose.schema_dsl import Schema
from swarmsim.compose.yamlv3 import GeneralMap
from swarmsim.foundation.errors import InputError
from swarmsim.foundation.units import is_duration

Keys = tuple[Any, ...]


@dataclass(frozen=True)
class SchemaError:
    """One gojsonschema error: its kind, where it is, and docker's description of it."""

    kind: str
    keys: Keys
    description: str
    offender: Keys = ()  # extra path to the offending key/item (for the line number)

    @property
    def field(self) -> str:
        """gojsonschema's field string: ``services.web.ports.0`` or ``(root)``."""
        return ".".join(str(k) for k in self.keys) if self.keys else "(root)"


@dataclass
class _Result:
    errors: list[SchemaError] = field(default_factory=list)
    score: int = 0

    def add(self, kind: str, keys: Keys, description: str, offender: Keys = ()) -> None:
        self.errors.append(SchemaError(kind, keys, description, offender))
        self.score -= 2

    def merge(self, other: _Result) -> None:
        self.errors.extend(other.errors)
        self.score += other.score


def validate(config: dict[str, Any], version: str) -> None:
    """Validate an interpolated compose mapping against the schema of ``version``.

    Raises:
        InputError: ``unsupported Compose file version: 2``, a JSON encoding error for
            values JSON cannot hold (``json: unsupported value: NaN``), or the single
            schema error docker prints, e.g. ``services.web.deploy.replicas must be a
            integer`` (``keys`` locates it).
    """
    if not supported(version):
        raise InputError(f"unsupported Compose file version: {version}", path="")
    _check_json(config)
    result = _Result()
    _recurse(schema_for(version), config, (), result)
    if result.errors:
        raise _pick_error(result.errors)


def _check_json(value: Any, keys: Keys = ()) -> None:
    """Fail where Go's ``json.Marshal`` fails (it runs before gojsonschema validates)."""
    if isinstance(value, GeneralMap):
        message = "json: unsupported type: map[interface {}]interface {}"
        raise InputError(message, keys=keys, path="")
    if isinstance(value, float) and not math.isfinite(value):
        raise InputError(f"json: unsupported value: {format_float(value)}", keys=keys)
    if isinstance(value, dict):
        for key in sorted(value):
            _check_json(value[key], (*keys, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _check_json(item, (*keys, i))


def _specificity(err: SchemaError) -> int:
    return len(err.field.split("."))


def _pick_error(errors: list[SchemaError]) -> InputError:
    best = 0
    for i, err in enumerate(errors):
        if _specificity(err) > _specificity(errors[best]):
            best = i
        elif (
            _specificity(err) == _specificity(errors[best])
            and err.kind == "invalid_type"
            and errors[best].kind != "invalid_type"
        ):
            best = i
    chosen = errors[best]
    description = chosen.description
    if chosen.kind == "one_of" and best + 1 < len(errors):
        description = errors[best + 1].description
    keys = chosen.keys + chosen.offender
    return InputError(f"{chosen.field} {description}", keys=keys, path=chosen.field)


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def _type_name(name: str) -> str:
    return {"object": "mapping", "array": "list"}.get(name, name)


def _expected(types: tuple[str, ...]) -> str:
    names = [_type_name(t) for t in types]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]


def _recurse(schema: Schema, value: Any, keys: Keys, res: _Result) -> None:
    kind = _json_type(value)
    if schema.types:
        ok = kind in schema.types or (
            kind == "number" and "integer" in schema.types and _is_integral(value)
        )
        if not ok:
            res.add("invalid_type", keys, "must be a " + _expected(schema.types))
            return
    _combinators(schema, value, keys, res)
    if kind == "number":
        _number(schema, value, keys, res)
    elif kind == "array":
        _array(schema, value, keys, res)
    elif kind == "object":
        _object(schema, value, keys, res)
    _enum(schema, value, keys, res)
    if kind == "string":
        _string(schema, value, keys, res)
    if kind == "object":
        for name, sub in value.items():
            if name in schema.prop_map:
                _recurse(schema.prop_map[name], sub, (*keys, name), res)
    res.score += 1


def _is_integral(value: Any) -> bool:
    return isinstance(value, int) or (isinstance(value, float) and value.is_integer())


def _combinators(schema: Schema, value: Any, keys: Keys, res: _Result) -> None:
    if schema.one_of:
        valid = 0
        best: _Result | None = None
        for alternative in schema.one_of:
            sub = _Result()
            _recurse(alternative, value, keys, sub)
            if not sub.errors:
                valid += 1
            elif valid == 0 and (best is None or sub.score > best.score):
                best = sub
        if valid != 1:
            res.add("one_of", keys, "Must validate one and only one schema (oneOf)")
            if valid == 0 and best is not None:
                res.merge(best)
    res.score += 1


def _enum(schema: Schema, value: Any, keys: Keys, res: _Result) -> None:
    if schema.enum and _canonical_json(value) not in schema.enum:
        field_name = ".".join(str(k) for k in keys) if keys else "(root)"
        allowed = ", ".join(schema.enum)
        res.add("enum", keys, f"{field_name} must be one of the following: {allowed}")
    res.score += 1


def _canonical_json(value: Any) -> str:
    return json.dumps(_canonical(value), separators=(",", ":"), ensure_ascii=False)


def _canonical(value: Any) -> Any:
    """The value after Go's JSON round trip without json.Number (numbers become floats)."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, list):
        return [_canonical(v) for v in value]
    return {str(k): _canonical(v) for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))}


def _array(schema: Schema, value: list[Any], keys: Keys, res: _Result) -> None:
    if schema.items is not None:
        for i, item in enumerate(value):
            sub = _Result()
            _recurse(schema.items, item, (*keys, i), sub)
            res.merge(sub)
    if schema.unique:
        seen: dict[str, int] = {}
        for j, item in enumerate(value):
            text = _canonical_json(item)
            if text in seen:
                res.add("unique", keys, f"array items[{seen[text]},{j}] must be unique", (j,))
            seen[text] = j
    res.score += 1


def _object(schema: Schema, value: dict[str, Any], keys: Keys, res: _Result) -> None:
    for name in schema.required:
        if name in value:
            res.score += 1
        else:
            res.add("required", keys, f"{name} is required")
    for name, sub in value.items():
        matched = False
        for pattern, pattern_schema in schema.patterns:
            if pattern.search(name):
                matched = True
                inner = _Result()
                _recurse(pattern_schema, sub, (*keys, name), inner)
                res.merge(inner)
        if matched:
            res.score += 1
        elif name not in schema.prop_map and schema.closed:
            res.add("additional", keys, f"Additional property {name} is not allowed", (name,))
    res.score += 1


def _string(schema: Schema, value: str, keys: Keys, res: _Result) -> None:
    if schema.fmt and not _format_ok(schema.fmt, value):
        res.add("format", keys, f"Does not match format '{schema.fmt}'")
    res.score += 1


def _number(schema: Schema, value: float, keys: Keys, res: _Result) -> None:
    if schema.minimum is not None and value < schema.minimum:
        res.add("number_gte", keys, f"Must be greater than or equal to {schema.minimum}")
    if schema.fmt and not _format_ok(schema.fmt, _numerator(value)):
        res.add("format", keys, f"Does not match format '{schema.fmt}'")
    res.score += 1


def _numerator(value: float) -> str:
    """What docker's ports check sees for a number: the numerator of its exact ratio."""
    if isinstance(value, int):
        return str(value)
    return str(Fraction(format_float(value, "json")).numerator)


def _format_ok(fmt: str, value: str) -> bool:
    if fmt == "duration":
        return is_duration(value)
    if fmt == "ports":
        return bool(is_port_spec(value))
    return True  # gojsonschema passes formats it has no checker for (e.g. "expose")
