"""Variable interpolation exactly as docker/cli's compose ``template`` package does it.

Forms: ``$VAR``, ``${VAR}``, ``${VAR:-default}`` (unset or empty), ``${VAR-default}``
(unset), ``${VAR:?msg}`` / ``${VAR?msg}`` (required), ``$$`` (a literal ``$``).  There is no
nesting: a default ends at the first ``}``.  Every string *value* is interpolated (keys
are not); a value that changed is then cast for the fields docker types as int, float or
bool.  docker's quirks are kept on purpose: an unbraced ``$VAR-x`` is a default too, a
later successful substitution in the same string clears an earlier error, and
``${A:?msg-with-dash}`` is read as a ``-`` default because that rule is tried first.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from swarmsim.compose.gostr import parse_float, parse_int, quote
from swarmsim.compose.yamlv3 import GeneralMap
from swarmsim.foundation.errors import InputError

_SUBST = r"[_a-z][_a-z0-9]*(?::?[-?][^}]*)?"
_PATTERN = re.compile(
    rf"\$(?i:(?P<escaped>\$)|(?P<named>{_SUBST})|\{{(?P<braced>{_SUBST})\}}|(?P<invalid>))"
)

Lookup = Callable[[str], tuple[str, bool]]


class TemplateError(Exception):
    """A template docker cannot substitute; ``template`` is what its message quotes."""

    def __init__(self, template: str) -> None:
        super().__init__(template)
        self.template = template


def _partition(text: str, sep: str) -> tuple[str, str]:
    name, found, rest = text.partition(sep)
    return (name, rest) if found else (text, "")


def _soft_default(sub: str, lookup: Lookup) -> tuple[str, bool]:
    if ":-" not in sub:
        return "", False
    name, default = _partition(sub, ":-")
    value, ok = lookup(name)
    return (default if not ok or value == "" else value), True


def _hard_default(sub: str, lookup: Lookup) -> tuple[str, bool]:
    if "-" not in sub:
        return "", False
    name, default = _partition(sub, "-")
    value, ok = lookup(name)
    return (value if ok else default), True


def _required(sep: str, non_empty: bool) -> Callable[[str, Lookup], tuple[str, bool]]:
    def check(sub: str, lookup: Lookup) -> tuple[str, bool]:
        if sep not in sub:
            return "", False
        name, message = _partition(sub, sep)
        value, ok = lookup(name)
        if not ok or (non_empty and value == ""):
            raise TemplateError(f"required variable {name} is missing a value: {message}")
        return value, True

    return check


_RULES = (_soft_default, _hard_default, _required(":?", True), _required("?", False))


def substitute(template: str, lookup: Lookup) -> str:
    """Substitute the variables in one string (docker's ``template.Substitute``).

    Args:
        template: the string value from the compose file.
        lookup: returns ``(value, is_set)`` for a variable name.

    Raises:
        TemplateError: an invalid ``$`` form or a missing required variable (only if
            no later substitution in the string succeeded, as in docker).
    """
    error: TemplateError | None = None

    def replace(match: re.Match[str]) -> str:
        nonlocal error
        if match.group("escaped"):
            return "$"
        sub = match.group("named") or match.group("braced") or ""
        if not sub:
            error = TemplateError(template)
            return ""
        error = None
        for rule in _RULES:
            try:
                value, applied = rule(sub, lookup)
            except TemplateError as exc:
                error = exc
                return ""
            if applied:
                return value
        return lookup(sub)[0]

    result = _PATTERN.sub(replace, template)
    if error is not None:
        raise error
    return result


def _to_int(text: str) -> int:
    value, err = parse_int(text, 10)
    if err or not re.fullmatch(r"[+-]?[0-9]+", text):
        reason = err or "invalid syntax"
        raise ValueError(f"strconv.Atoi: parsing {quote(text)}: {reason}")
    return value  # type: ignore[return-value]


def _to_float(text: str) -> float:
    value, err = parse_float(text)
    if err:
        raise ValueError(f"strconv.ParseFloat: parsing {quote(text)}: {err}")
    return value  # type: ignore[return-value]


def _to_bool(text: str) -> bool:
    low = text.lower()
    if low in ("y", "yes", "true", "on"):
        return True
    if low in ("n", "no", "false", "off"):
        return False
    raise ValueError(f"invalid boolean: {text}")


_SVC = ("services", "*")
_CASTS: tuple[tuple[tuple[str, ...], Callable[[str], Any]], ...] = (
    ((*_SVC, "configs", "[]", "mode"), _to_int),
    ((*_SVC, "secrets", "[]", "mode"), _to_int),
    ((*_SVC, "healthcheck", "retries"), _to_int),
    ((*_SVC, "healthcheck", "disable"), _to_bool),
    ((*_SVC, "deploy", "replicas"), _to_int),
    ((*_SVC, "deploy", "update_config", "parallelism"), _to_int),
    ((*_SVC, "deploy", "update_config", "max_failure_ratio"), _to_float),
    ((*_SVC, "deploy", "rollback_config", "parallelism"), _to_int),
    ((*_SVC, "deploy", "rollback_config", "max_failure_ratio"), _to_float),
    ((*_SVC, "deploy", "restart_policy", "max_attempts"), _to_int),
    ((*_SVC, "deploy", "placement", "max_replicas_per_node"), _to_int),
    ((*_SVC, "ports", "[]", "target"), _to_int),
    ((*_SVC, "ports", "[]", "published"), _to_int),
    ((*_SVC, "ulimits", "*"), _to_int),
    ((*_SVC, "ulimits", "*", "hard"), _to_int),
    ((*_SVC, "ulimits", "*", "soft"), _to_int),
    ((*_SVC, "privileged"), _to_bool),
    ((*_SVC, "oom_score_adj"), _to_int),
    ((*_SVC, "read_only"), _to_bool),
    ((*_SVC, "stdin_open"), _to_bool),
    ((*_SVC, "tty"), _to_bool),
    ((*_SVC, "volumes", "[]", "read_only"), _to_bool),
    ((*_SVC, "volumes", "[]", "volume", "nocopy"), _to_bool),
    (("networks", "*", "external"), _to_bool),
    (("networks", "*", "internal"), _to_bool),
    (("networks", "*", "attachable"), _to_bool),
    (("volumes", "*", "external"), _to_bool),
    (("secrets", "*", "external"), _to_bool),
    (("configs", "*", "external"), _to_bool),
)


def caster_for(path: str) -> Callable[[str], Any] | None:
    """The cast docker applies to an interpolated value at dotted ``path`` (or None).

    ``path`` is docker's form: list items appear as ``[]`` and keys are joined with
    ``.`` unescaped, so a key containing a dot never matches (as in docker).
    """
    parts = path.split(".")
    for pattern, cast in _CASTS:
        if len(pattern) != len(parts):
            continue
        if all(p in ("*", x) for p, x in zip(pattern, parts, strict=True)):
            return cast
    return None


def interpolate(config: Mapping[str, Any], env: Mapping[str, str]) -> dict[str, Any]:
    """Interpolate every string value of a parsed compose file.

    Args:
        config: the parsed top-level mapping.
        env: the variables visible to docker (its process environment).

    Returns:
        A new mapping; values that changed at a typed path are cast (int/float/bool).

    Raises:
        InputError: docker's message, e.g. ``invalid interpolation format for
            services.web.image: "${IMAGE"; you may need to escape any $ with another $``
            or ``error while interpolating services.web.deploy.replicas: failed to cast
            to expected type: strconv.Atoi: parsing "four": invalid syntax``.
    """

    def lookup(name: str) -> tuple[str, bool]:
        return (env[name], True) if name in env else ("", False)

    return {k: _walk(v, str(k), (k,), lookup) for k, v in config.items()}


def _walk(value: Any, path: str, keys: tuple[Any, ...], lookup: Lookup) -> Any:
    if isinstance(value, str):
        try:
            new = substitute(value, lookup)
        except TemplateError as exc:
            raise InputError(
                f"invalid interpolation format for {path}: {quote(exc.template)}; "
                "you may need to escape any $ with another $",
                keys=keys,
                path=path,
            ) from None
        if new == value:
            return value
        cast = caster_for(path)
        if cast is None:
            return new
        try:
            return cast(new)
        except ValueError as exc:
            raise InputError(
                f"error while interpolating {path}: failed to cast to expected type: {exc}",
                keys=keys,
                path=path,
            ) from None
    if isinstance(value, dict) and not isinstance(value, GeneralMap):
        return {k: _walk(v, f"{path}.{k}", (*keys, k), lookup) for k, v in value.items()}
    if isinstance(value, list):
        return [_walk(v, f"{path}.[]", (*keys, i), lookup) for i, v in enumerate(value)]
    return value
