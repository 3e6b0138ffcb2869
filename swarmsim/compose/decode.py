"""docker/cli's typed decode of a schema-valid compose file, and the errors it gives.

After the JSON schema, docker decodes the mapping into Go structs (mapstructure plus the
loader's transforms: byte sizes, shell words, ports, volumes) and resolves the
top-level objects (external names).  A few inputs pass the schema and fail here, with
messages that name Go struct fields (``'Deploy.Replicas' cannot parse value as
'uint64': -1 overflows uint``): untagged fields by their Go name, tagged ones by their
mapstructure tag.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from swarmsim.compose import ports as port_syntax
from swarmsim.compose import volumes as vol_syntax
from swarmsim.compose.container import shell_split
from swarmsim.foundation import defaults, units
from swarmsim.foundation.errors import InputError

Keys = tuple[str | int, ...]
DECODE_WRAP = "decoding failed due to the following error(s):\n\n"
_MISSING = object()

# Fields the typed decode can reject after the schema passed, in the order of
# docker/cli's ServiceConfig struct (the order mapstructure's joined error lists them).
_FIELDS: tuple[tuple[tuple[str, ...], str, str], ...] = (
    (("command",), "Command", "shell"),
    (("configs",), "Configs", "refs"),
    (("deploy", "replicas"), "Deploy.Replicas", "uint64"),
    (("deploy", "update_config", "parallelism"), "Deploy.update_config.Parallelism", "uint64"),
    (("deploy", "rollback_config", "parallelism"), "Deploy.rollback_config.Parallelism", "uint64"),
    (("deploy", "resources", "limits", "memory"), "Deploy.Resources.Limits.memory", "bytes"),
    (
        ("deploy", "resources", "reservations", "memory"),
        "Deploy.Resources.Reservations.memory",
        "bytes",
    ),
    (("deploy", "restart_policy", "max_attempts"), "Deploy.restart_policy.max_attempts", "uint64"),
    (
        ("deploy", "placement", "max_replicas_per_node"),
        "Deploy.Placement.max_replicas_per_node",
        "uint64",
    ),
    (("entrypoint",), "Entrypoint", "shell"),
    (("healthcheck", "retries"), "HealthCheck.Retries", "uint64"),
    (("ports",), "Ports", "ports"),
    (("secrets",), "Secrets", "refs"),
    (("volumes",), "Volumes", "volumes"),
)


def check(config: Mapping[str, Any]) -> None:
    """Raise docker's decode-stage error for a schema-valid compose mapping, if any.

    Services are checked in file order (docker: map order); within a service every
    decode error is listed, one per line, as mapstructure joins them.  Then come the
    top-level networks, volumes, secrets and configs.

    Raises:
        InputError: with docker's text and the key path of the (first) offending value.
    """
    for name, svc in section(config, "services").items():
        errors: list[tuple[str, str, Keys]] = []
        for path, field, kind in _FIELDS:
            value = _dig(svc, path)
            if value is not _MISSING:
                for go_name, message, tail in _field_errors(field, kind, value):
                    errors.append((go_name, message, ("services", name, *path, *tail)))
        if errors:
            text = "\n".join(f"'{go_name}' {message}" for go_name, message, _ in errors)
            raise InputError(DECODE_WRAP + text, keys=errors[0][2])
        for index, vol in enumerate(svc.get("volumes") or ()):
            if isinstance(vol, Mapping) and vol.get("type") == "bind" and not vol.get("source"):
                raise InputError(
                    'invalid mount config for type "bind": field Source must not be empty',
                    keys=("services", name, "volumes", index),
                )
    top_level(config, [])


def _field_errors(field: str, kind: str, value: Any) -> list[tuple[str, str, Keys]]:
    if kind == "uint64":
        message = uint_error(value, "uint64")
        return [(field, message, ())] if message else []
    if kind in ("bytes", "shell") and isinstance(value, str):
        try:
            units.parse_bytes(value) if kind == "bytes" else shell_split(value)
        except ValueError as err:
            return [(field, str(err), ())]
        return []
    if kind == "ports" and isinstance(value, list):
        return [(f, m, (i,)) for f, m, i in port_syntax.port_decode_errors(value)]
    out: list[tuple[str, str, Keys]] = []
    for index, item in enumerate(value if isinstance(value, list) else ()):
        if kind == "refs" and isinstance(item, Mapping):
            message = uint_error(item.get("mode"), "uint32")
            if message:
                out.append((f"{field}[{index}].mode", message, (index, "mode")))
        elif kind == "volumes" and isinstance(item, str):
            try:
                vol_syntax.parse_volume_spec(item)
            except ValueError as err:
                out.append((f"{field}[{index}]", str(err), (index,)))
    return out


def uint_error(value: Any, go_type: str) -> str:
    """mapstructure's message for a negative number decoded into an unsigned field."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value >= 0:
        return ""
    shown = f"{value:.6f}" if isinstance(value, float) else str(value)
    return f"cannot parse value as '{go_type}': {shown} overflows uint"


def to_uint(value: Any) -> int:
    """A YAML number decoded into Go's ``uint64`` (a float is truncated; one too big
    for int64 ends up as 2^63, the value docker reports for ``99999999999999999999``)."""
    if isinstance(value, float) or (isinstance(value, int) and value >= 1 << 64):
        return 1 << 63 if float(value) >= 2.0**63 else int(value)
    return int(value)


def top_level(
    config: Mapping[str, Any], warnings: list[str]
) -> tuple[dict[str, dict[str, Any]], dict[str, vol_syntax.TopVolume]]:
    """The top-level networks and volumes as docker's loader resolves them.

    An external network or volume is known by its ``name:``, its deprecated
    ``external.name`` (with a logrus warning from 3.5 / 3.4 on), or its key; secrets
    and configs get the same external-name checks.

    Returns:
        ``(networks, volumes)``: network key -> mapping with ``name`` resolved and
        ``external`` a bool; volume key -> :class:`~swarmsim.compose.volumes.TopVolume`.

    Raises:
        InputError: ``network n: network.external.name and network.name conflict; only
            use network.name`` and the like.
    """
    version = str(config.get("version") or defaults.COMPOSE_DEFAULT_VERSION)
    networks: dict[str, dict[str, Any]] = {}
    for key, raw in section(config, "networks").items():
        entry = dict(raw)
        entry["external"], ext_name = _external(raw, "network", key, version, warnings)
        if entry["external"]:
            entry["name"] = ext_name or entry.get("name") or key
        networks[key] = entry
    volumes = vol_syntax.top_level_volumes(section(config, "volumes"), version, warnings)
    for kind in ("secret", "config"):
        for key, raw in section(config, kind + "s").items():
            external, _ = _external(raw, kind, key, version, warnings)
            if not external and raw.get("driver") and raw.get("file"):
                raise InputError(
                    f"{kind} {key}: {kind}.driver and {kind}.file conflict; only use {kind}.driver",
                    keys=(kind + "s", key, "driver"),
                )
    return networks, volumes


def _external(
    entry: Mapping[str, Any], kind: str, key: str, version: str, warnings: list[str]
) -> tuple[bool, str]:
    """``(is external, deprecated external.name)`` of a network, secret or config."""
    ext = entry.get("external")
    ext_name = str(ext.get("name") or "") if isinstance(ext, Mapping) else ""
    if ext_name:
        if entry.get("name"):
            raise InputError(
                f"{kind} {key}: {kind}.external.name and {kind}.name conflict; "
                f"only use {kind}.name",
                keys=(kind + "s", key, "name"),
            )
        if vol_syntax.version_at_least(version, "3.5"):
            warnings.append(
                port_syntax.logrus_warning(
                    f"{kind} {key}: {kind}.external.name is deprecated in favor of {kind}.name"
                )
            )
    return isinstance(ext, Mapping) or bool(ext), ext_name


def section(config: Mapping[str, Any], key: str) -> dict[str, Any]:
    """A top-level mapping (``services``, ``networks``, ...) with null entries as ``{}``."""
    value = config.get(key)
    if not isinstance(value, Mapping):
        return {}
    return {str(k): (v if isinstance(v, Mapping) else {}) for k, v in value.items()}


def _dig(value: Any, path: Sequence[str]) -> Any:
    for key in path:
        if not isinstance(value, Mapping) or value.get(key) is None:
            return _MISSING
        value = value[key]
    return value
