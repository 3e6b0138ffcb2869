"""The ``x-swarmsim`` mapping of a service: swarmsim's model of what the container does.

Docker ignores ``x-`` keys inside a service, so a compose file with ``x-swarmsim``
still deploys unchanged on a real swarm.  swarmsim reads them into
:class:`~swarmsim.input.specs.SimParams`, and reports mistakes the way docker's schema
validation reports its own (``services.web.x-swarmsim.pull Does not match format
'duration'``).

:data:`KEYS` is the single table of accepted keys; the README's table is generated
from it with :func:`markdown_table`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace

from swarmsim.compose.request import parse_request
from swarmsim.compose.usage import parse_cpus_value, parse_usage
from swarmsim.foundation import defaults, units
from swarmsim.foundation.errors import InputError
from swarmsim.input.specs import SimParams


@dataclass(frozen=True, slots=True)
class KeyDoc:
    """One accepted ``x-swarmsim`` key.

    Attributes:
        field: the :class:`~swarmsim.input.specs.SimParams` attribute it sets.
        kind: ``duration`` (Go duration string -> seconds), ``integer``, ``bytes``
            (go-units size string such as ``60M`` -> bytes), ``cpus`` (a number of cores
            as compose's ``cpus`` takes it -> nano-CPUs) or ``boolean``, ``mapping`` (a nested
            mapping with its own validation).
        default: the default as a user would write it (``"2s"``), or ``"none"``.
        doc: one line for the README.
        minimum: smallest accepted value (seconds for durations), inclusive.
        maximum: largest accepted value, inclusive (``None``: no bound).
        positive: the value must be strictly greater than ``minimum``.
    """

    field: str
    kind: str
    default: str
    doc: str
    minimum: float = 0
    maximum: float | None = None
    positive: bool = False


def _dur(seconds: float) -> str:
    return units.format_duration(seconds)


KEYS: dict[str, KeyDoc] = {
    "pull": KeyDoc(
        "pull_s",
        "duration",
        _dur(defaults.SIM_PULL_S),
        "time a task spends `preparing` (pulling the image)",
    ),
    "startup": KeyDoc(
        "startup_s",
        "duration",
        _dur(defaults.SIM_STARTUP_S),
        "time from `starting` to `running` (with a healthcheck: to the first healthy probe)",
    ),
    "stop": KeyDoc(
        "stop_s",
        "duration",
        _dur(defaults.SIM_STOP_S),
        "time the process takes to exit once asked to stop (capped by `stop_grace_period`)",
    ),
    "mtbf": KeyDoc(
        "mtbf_s",
        "duration",
        "none",
        "mean time between crashes (exponential); absent means it never crashes",
        positive=True,
    ),
    "exit_code": KeyDoc(
        "exit_code",
        "integer",
        str(defaults.SIM_EXIT_CODE),
        "exit code (0-255) of a crash drawn from `mtbf`",
        maximum=255,
    ),
    "memory_used": KeyDoc(
        "memory_used",
        "bytes",
        "none",
        "memory the container uses, e.g. `60M` (shorthand for `usage: {memory: 60M}`); above"
        " its memory limit it is OOM-killed (137)",
    ),
    "cpu_used": KeyDoc(
        "cpu_used",
        "cpus",
        "none",
        "CPU the container wants while it runs, e.g. `0.25` (cores): shorthand for"
        " `usage: {cpu: 0.25}`",
    ),
    "run_time": KeyDoc(
        "run_time_s",
        "duration",
        _dur(defaults.SIM_RUN_TIME_S),
        "jobs: time one task runs before it completes",
    ),
    "unhealthy_after": KeyDoc(
        "unhealthy_after_s",
        "duration",
        "none",
        "with a healthcheck: running time after which probes fail; absent means always healthy",
    ),
    "image_size": KeyDoc(
        "image_size",
        "bytes",
        "none",
        "size of the image, e.g. `300M`: the first task of the image on a node waits size /"
        " the node's `bandwidth` in `preparing`, later ones none; absent (or with `pull`):"
        " every task waits `pull`",
    ),
    "stateful": KeyDoc(
        "stateful",
        "boolean",
        "false",
        "the service keeps state (one item per second of running) in its first volume or"
        " bind mount, per node",
    ),
    "request": KeyDoc(
        "request",
        "mapping",
        "none",
        "how a task serves requests: `{cost: 20ms, dist: exponential, workers: 1, queue: 100}`"
        " (see docs/traffic.md); absent means those defaults",
    ),
    "image_platforms": KeyDoc(
        "image_platforms",
        "platforms",
        "none",
        "platforms of the image's manifest (`os/arch[/variant]`), which `docker stack deploy`"
        " turns into the service's placement platforms when it resolves the image; absent"
        " means a multi-arch Linux image ("
        + ", ".join(f"`{p}`" for p in defaults.IMAGE_PLATFORMS) + ")",
    ),
    "usage": KeyDoc(
        "usage",
        "mapping",
        "none",
        "background CPU (cores) and memory working set the container uses, constant"
        " (`{cpu: 0.3, memory: 120M}`) or as profiles (steps, diurnal, random_walk, trace;"
        " see docs/metrics.md); absent means `cpu_used`/`memory_used`, else the defaults",
    ),
}

_PLATFORM = re.compile(r"[a-z0-9]+/[a-z0-9_]+(?:/[a-z0-9]+)?\Z")
_TYPE_NAMES = {"boolean": "boolean", "duration": "string", "bytes": "string", "integer": "integer",
               "mapping": "mapping", "cpus": "string or number"}


def parse_sim_params(value: object, service: str) -> SimParams:
    """Validate one service's ``x-swarmsim`` value and build its :class:`SimParams`.

    Args:
        value: the value under ``services.<service>.x-swarmsim``.
        service: the compose service key (for error paths).

    Raises:
        InputError: in docker's schema style, e.g. ``services.web.x-swarmsim
            Additional property foo is not allowed``, ``services.web.x-swarmsim.pull
            must be a string``, ``services.web.x-swarmsim.exit_code Must be less than
            or equal to 255``.
    """
    base = ("services", service, "x-swarmsim")
    if not isinstance(value, Mapping):
        raise InputError(f"{_dotted(base)} must be a mapping", keys=base)
    unknown = sorted(str(k) for k in value if k not in KEYS)
    if unknown:
        raise InputError(
            f"{_dotted(base)} Additional property {unknown[0]} is not allowed", keys=base
        )
    fields: dict[str, object] = {}
    for key, doc in KEYS.items():
        if key in value:
            fields[doc.field] = _parse_value(value[key], doc, (*base, key))
    if "pull" in value:  # an explicit pull time overrides the one computed from the size
        fields["image_size"] = None
    return replace(SimParams(), **fields)  # type: ignore[arg-type]


def _parse_value(raw: object, doc: KeyDoc, keys: tuple[str, ...]) -> object:
    where = _dotted(keys)
    if doc.kind == "mapping" and doc.field == "usage":  # validated by its own module
        return parse_usage(raw, keys)
    if doc.kind == "mapping":  # x-swarmsim.request, validated by its own module
        return parse_request(raw, keys)
    if doc.kind == "cpus":
        return parse_cpus_value(raw, where, keys)
    if doc.kind == "platforms":
        if not isinstance(raw, list) or not raw:
            raise InputError(f"{where} must be a non-empty array", keys=keys)
        for i, item in enumerate(raw):
            if not isinstance(item, str) or not _PLATFORM.match(item):
                raise InputError(
                    f"{where}.{i} Does not match format 'os/arch[/variant]'", keys=(*keys, str(i))
                )
        return tuple(raw)
    if doc.kind == "boolean":
        if raw in ("true", "false"):
            return raw == "true"
        if not isinstance(raw, bool):
            raise InputError(f"{where} must be a boolean", keys=keys)
        return raw
    if doc.kind == "integer":
        if isinstance(raw, bool) or not (
            isinstance(raw, int) or (isinstance(raw, float) and raw.is_integer())
        ):
            raise InputError(f"{where} must be a {_TYPE_NAMES[doc.kind]}", keys=keys)
        number: float | int = int(raw)
    elif not isinstance(raw, str):
        raise InputError(f"{where} must be a {_TYPE_NAMES[doc.kind]}", keys=keys)
    elif doc.kind == "duration":
        if not units.is_duration(raw):
            raise InputError(f"{where} Does not match format 'duration'", keys=keys)
        number = units.parse_duration(raw)
    else:
        try:
            number = units.parse_bytes(raw)
        except ValueError as err:
            raise InputError(f"{where} {err}", keys=keys) from None
    if doc.positive and number <= doc.minimum:
        raise InputError(f"{where} Must be greater than {_num(doc.minimum)}", keys=keys)
    if number < doc.minimum:
        raise InputError(f"{where} Must be greater than or equal to {_num(doc.minimum)}", keys=keys)
    if doc.maximum is not None and number > doc.maximum:
        raise InputError(f"{where} Must be less than or equal to {_num(doc.maximum)}", keys=keys)
    return number


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def _dotted(keys: tuple[str, ...]) -> str:
    return ".".join(keys)


def markdown_table() -> str:
    """The README table of ``x-swarmsim`` keys: key, default, meaning."""
    rows = ["| key | default | meaning |", "|---|---|---|"]
    rows += [f"| `{key}` | {doc.default} | {doc.doc} |" for key, doc in KEYS.items()]
    return "\n".join(rows) + "\n"
