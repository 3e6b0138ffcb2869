"""Merging several compose files (``docker stack deploy -c base.yml -c override.yml``).

docker merges the files after decoding each one into typed structs (mergo with
"override" and "append slice"); this module applies the same rules to the validated
mappings, which is what the converter reads:

* top-level ``networks``/``volumes``/``secrets``/``configs``: an entry of a later file
  replaces the earlier entry of the same name;
* services of the same name are merged key by key: a later scalar wins (a null does
  not), mappings merge recursively, ``environment``/``labels``/... merge by variable
  name whichever form (list or mapping) each file uses, ``ports`` merge by published
  port, ``volumes`` by target, ``secrets``/``configs`` by source (each sorted by that
  key, as docker does; so two ports without a published port collapse into one, a
  docker quirk), ``command``/``entrypoint`` are replaced, other lists are concatenated.

Port and volume keys come from a light reading of the short syntax (the first published
port of a range, the target of ``src:dst``), where docker keys every expanded entry.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from swarmsim.compose.yamlv3 import Keys, LineMap

_TOP_LEVEL = ("networks", "volumes", "secrets", "configs")
_KEYED_MAPPINGS = ("environment", "labels", "sysctls", "networks")
_KEYED_LISTS = ("ports", "volumes", "secrets", "configs")
_REPLACED = ("command", "entrypoint")


def merge_configs(
    configs: Sequence[dict[str, Any]], sources: Sequence[tuple[str, LineMap]]
) -> tuple[dict[str, Any], LineMap]:
    """Merge validated compose mappings, later ones overriding earlier ones.

    Args:
        configs: the interpolated, validated mapping of each file, in ``-c`` order.
        sources: each file's name and line map, in the same order.

    Returns:
        The merged mapping and a line map whose entries also name their file.
    """
    if len(configs) == 1:
        name, lines = sources[0]
        return configs[0], LineMap(lines.lines, {(): name})
    merged: dict[str, Any] = dict(configs[0])
    for override in configs[1:]:
        for section in _TOP_LEVEL:
            if override.get(section):
                merged[section] = {**(merged.get(section) or {}), **override[section]}
        services = dict(merged.get("services") or {})
        for name, svc in (override.get("services") or {}).items():
            base = services.get(name)
            services[name] = merge_service(base, svc) if base is not None else svc
        merged["services"] = dict(sorted(services.items()))
    table: dict[Keys, int] = {}
    files: dict[Keys, str] = {}
    for name, lines in sources:
        table.update(lines.lines)
        files.update(dict.fromkeys(lines.lines, name))
    files[()] = sources[0][0]
    return merged, LineMap(table, files)


def merge_service(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """Merge one service definition of a later file into the earlier one."""
    out = dict(base)
    for key, value in override.items():
        if value is None:
            out.setdefault(key, None)
        elif key not in out or out[key] is None:
            out[key] = value
        elif key in _REPLACED:
            out[key] = value if value else out[key]
        elif key in _KEYED_LISTS:
            out[key] = _merge_keyed_list(key, out[key], value)
        elif key in _KEYED_MAPPINGS:
            out[key] = {**_as_mapping(out[key]), **_as_mapping(value)}
        else:
            out[key] = _merge_values(out[key], value)
    for key in _KEYED_LISTS:  # docker re-keys these lists even when only one file has them
        if isinstance(out.get(key), list) and key not in override:
            out[key] = _merge_keyed_list(key, out[key], [])
    return out


def _merge_values(base: Any, override: Any) -> Any:
    if isinstance(base, dict) and isinstance(override, dict):
        out = dict(base)
        for key, value in override.items():
            if key in ("labels",) and key in out:
                out[key] = {**_as_mapping(out[key]), **_as_mapping(value)}
            elif value is not None:
                out[key] = _merge_values(out[key], value) if key in out else value
            else:
                out.setdefault(key, None)
        return out
    if isinstance(base, list) or isinstance(override, list):
        return _as_list(base) + _as_list(override)
    return override


def _as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list) else [value]


def _as_mapping(value: Any) -> dict[str, Any]:
    """A list-or-dict value as a mapping (``["A=1", "B"]`` -> ``{"A": "1", "B": None}``)."""
    if isinstance(value, dict):
        return dict(value)
    out: dict[str, Any] = {}
    for item in value or ():
        key, sep, val = str(item).partition("=")
        out[key] = val if sep else None
    return out


def _merge_keyed_list(kind: str, base: list[Any], override: list[Any]) -> list[Any]:
    by_key: dict[Any, Any] = {}
    for item in [*base, *override]:
        by_key[_list_key(kind, item)] = item
    return [by_key[k] for k in sorted(by_key, key=lambda k: (str(type(k)), k))]


def _list_key(kind: str, item: Any) -> Any:
    if isinstance(item, dict):
        field = {"ports": "published", "volumes": "target"}.get(kind, "source")
        value = item.get(field)
        return int(value or 0) if kind == "ports" else str(value or "")
    text = str(item)
    if kind == "ports":
        parts = text.split("/")[0].rsplit(":", 2)
        host = parts[-2] if len(parts) >= 2 else ""
        first = host.split("-")[0]
        return int(first) if first.isdigit() else 0
    if kind == "volumes":
        parts = text.split(":")
        return parts[1] if len(parts) > 1 else parts[0]
    return text
