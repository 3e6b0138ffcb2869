"""``docker stack deploy -c FILE... STACK`` up to the point where the daemon is called.

The steps run in docker's order and stop at the first failure, with docker's message:

0. stack name check; 1. read every file; 2. parse each as yaml.v3 does;
3. per file: version (all files must agree), forbidden keys, interpolation, schema,
   typed decode; 4. merge the files; 5. warnings (``Ignoring unsupported options``);
6. image references; 7. conversion into a :class:`~swarmsim.input.specs.Stack`.

Every :class:`~swarmsim.foundation.errors.InputError` that leaves this module names the file (as
the user gave it) and the line of the offending key.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from swarmsim.compose import convert, imageref, schema
from swarmsim.compose.gostr import format_value, quote
from swarmsim.compose.interpolate import interpolate
from swarmsim.compose.merge import merge_configs
from swarmsim.compose.schema_data import supported
from swarmsim.compose.yamlv3 import GeneralMap, LineMap, parse
from swarmsim.foundation import defaults
from swarmsim.foundation.errors import InputError
from swarmsim.foundation.inputfile import read_limited, yaml_text
from swarmsim.input.specs import Stack

UNSUPPORTED = (
    "build",
    "cgroupns_mode",
    "cgroup_parent",
    "devices",
    "domainname",
    "external_links",
    "ipc",
    "links",
    "mac_address",
    "network_mode",
    "pid",
    "privileged",
    "restart",
    "security_opt",
    "shm_size",
    "userns_mode",
)
DEPRECATED = {
    "container_name": "Setting the container name is not supported.",
    "expose": "Exposing ports is unnecessary - services on the same network can access each "
    "other's containers on any port.",
}
_LIMITS = "Set resource limits using deploy.resources"
FORBIDDEN = {
    "extends": "Support for `extends` is not implemented yet.",
    "volume_driver": "Instead of setting the volume driver on the service, define a volume "
    "using the top-level `volumes` option and specify the driver there.",
    "volumes_from": "To share a volume between services, define it using the top-level "
    "`volumes` option and reference it from each service that shares it using the "
    "service-level `volumes` option.",
    "cpu_quota": _LIMITS,
    "cpu_shares": _LIMITS,
    "cpuset": _LIMITS,
    "mem_limit": _LIMITS,
    "memswap_limit": _LIMITS,
}


@dataclasses.dataclass(frozen=True)
class ComposeFile:
    """One parsed compose file, before interpolation.

    Attributes:
        filename: the path as the user gave it (used in messages).
        config: the top-level mapping as yaml.v3 decodes it.
        lines: the line of every key path.
        version: the schema version it selects (``"3.13"`` when absent, ``""`` or ``"3"``).
    """

    filename: str
    config: dict[str, Any]
    lines: LineMap
    version: str


def load_stack(
    paths: str | os.PathLike[str] | Sequence[str | os.PathLike[str]],
    stack: str,
    *,
    env: Mapping[str, str] | None = None,
    display: Sequence[str] | None = None,
    texts: Sequence[str] | None = None,
) -> Stack:
    """Load one or more compose files (``-c a.yml -c b.yml``) as ``docker stack deploy``.

    Args:
        paths: a compose file or several (later files override earlier ones).
        stack: the stack name.
        env: the variables for interpolation (default: the process environment).
        display: the file names to show in messages, if they differ from ``paths``.
        texts: the files' contents, when they are not read from this disk (a VM's).

    Returns:
        The stack, with docker's stderr warnings in ``warnings``.

    Raises:
        InputError: docker's message, with the file and line; an error docker finds
            after printing its warnings (image check, conversion) carries them in
            ``warnings``.
    """
    items = [paths] if isinstance(paths, (str, os.PathLike)) else list(paths)
    names = list(display) if display is not None else [str(p) for p in items]
    check_stack_name(stack)
    if not items:
        raise InputError("specify a Compose file (with --compose-file)")
    if texts is None:
        texts = [_read(Path(p), name) for p, name in zip(items, names, strict=True)]
        base_dir = Path(items[0]).resolve().parent if items else Path.cwd()
    else:
        base_dir = Path(items[0]).parent
    return _load(list(zip(names, texts, strict=True)), stack, env, base_dir)


def load_stack_text(
    text: str,
    *,
    filename: str,
    stack: str,
    env: Mapping[str, str] | None = None,
    base_dir: str | os.PathLike[str] | None = None,
) -> Stack:
    """Load compose text as if it were the file ``filename`` (for tests and tools).

    Args:
        text: the file's content.
        filename: the name to use in messages (relative paths resolve against its dir).
        stack: the stack name.
        env: the variables for interpolation (default: the process environment).
        base_dir: the directory relative paths resolve against (default: ``filename``'s).
    """
    check_stack_name(stack)
    where = Path(base_dir) if base_dir is not None else Path(filename).resolve().parent
    return _load([(filename, text)], stack, env, where)


def check_stack_name(stack: str) -> None:
    """docker's only stack-name check: not empty once quotes and whitespace are trimmed."""
    if not stack.strip(" \t\n\r\v\f\x85\xa0\"'"):
        raise InputError(f"invalid stack name: {quote(stack)}")


def parse_compose_text(text: str, filename: str) -> ComposeFile:
    """Parse one file's text (steps 2-3a): yaml.v3 decoding and version selection."""
    try:
        config, lines = parse(text)
    except InputError as err:
        raise err.located(file=filename, line=1, path=err.path) from None
    return ComposeFile(filename, config, lines, _version(config))


def _version(config: Mapping[str, Any]) -> str:
    if "version" not in config:
        return defaults.COMPOSE_DEFAULT_VERSION
    text = format_value(config["version"])
    return defaults.COMPOSE_DEFAULT_VERSION if text in ("", "3") else text


def _read(path: Path, name: str) -> str:
    """docker's ``os.ReadFile`` then yaml.v3's reader, within swarmsim's size limit."""
    return yaml_text(read_limited(path, name), name)


def _load(
    sources: list[tuple[str, str]], stack: str, env: Mapping[str, str] | None, base_dir: Path
) -> Stack:
    variables = dict(os.environ) if env is None else dict(env)
    files = [parse_compose_text(text, name) for name, text in sources]
    version = files[0].version
    configs = []
    for f in files:
        with _locating(f.filename, f.lines):
            if f.version != version:
                raise InputError(
                    f"version mismatched between two composefiles : {version} and {f.version}",
                    keys=("version",),
                    path="",
                )
            check_forbidden(f.config)
            config = interpolate(f.config, variables)
            if not supported(version):
                raise InputError(
                    f"unsupported Compose file version: {version}", keys=("version",), path=""
                )
            schema.validate(config, version)
            config["version"] = version
            convert.decode_check(config, f.lines)
            configs.append(config)
    merged, lines = merge_configs(configs, [(f.filename, f.lines) for f in files])
    warnings = warnings_text([f.config for f in files])
    try:
        with _locating(files[0].filename, lines):
            check_images(merged)
            result = convert.convert_stack(
                merged, stack, base_dir=base_dir, env=variables, lines=lines
            )
    except InputError as err:
        if not warnings or _loading_error(err):
            raise
        raise _with_warnings(err, warnings) from None
    return dataclasses.replace(result, warnings=warnings, source=files[0].filename)


def _loading_error(err: InputError) -> bool:
    """An error docker's loader raises while it loads the sections (env files, top-level
    networks and volumes), before it prints the warnings; the image check and the
    conversion of the services come after them."""
    keys = err.keys or ()
    return bool(keys) and (keys[0] != "services" or keys[2:3] == ("env_file",))


def _with_warnings(err: InputError, warnings: str) -> InputError:
    """The same error, carrying the warnings docker printed on stderr before it."""
    copy = InputError(
        err.message, file=err.file, line=err.line, path=err.path, keys=err.keys,
        warnings=warnings,
    )
    copy.__cause__ = err.__cause__
    return copy


@contextmanager
def _locating(filename: str, lines: LineMap) -> Iterator[None]:
    """Fill in the file and line of an InputError raised inside the block.

    The line is the offending key's (or its deepest known parent's); errors about the
    whole file (version, JSON encoding) point at the ``version`` key or line 1.
    """
    try:
        yield
    except InputError as err:
        keys = err.keys if err.keys is not None else ()
        line = lines.lookup(keys) if keys else None
        if line is None:
            line = lines.lookup(("version",)) if keys in ((), ("version",)) else None
        where = lines.file_of(keys) or filename
        raise err.located(file=where, line=line or 1, path=err.path) from None


def _services(config: Mapping[str, Any]) -> dict[str, Any]:
    services = config.get("services")
    if isinstance(services, dict) and not isinstance(services, GeneralMap):
        return services
    return {}


def check_forbidden(config: Mapping[str, Any]) -> None:
    """Reject the service keys docker refuses outright (checked before the schema).

    Raises:
        InputError: ``compose file contains unsupported options:`` followed by one
            ``key: advice`` paragraph per forbidden key, sorted.
    """
    found: dict[str, tuple[str, ...]] = {}
    for name, svc in _services(config).items():
        if isinstance(svc, dict) and not isinstance(svc, GeneralMap):
            for key in FORBIDDEN:
                if key in svc:
                    found.setdefault(key, ("services", name, key))
    if found:
        entries = sorted(f"{key}: {FORBIDDEN[key]}" for key in found)
        first = sorted(found)[0]
        raise InputError(
            "compose file contains unsupported options:\n\n" + "\n\n".join(entries),
            keys=found[first],
            path="",
        )


def warnings_text(configs: Sequence[Mapping[str, Any]]) -> str:
    """docker's stderr text about ignored keys (``""`` when none are used).

    Args:
        configs: the parsed (not interpolated) top-level mapping of every file.
    """
    unsupported: set[str] = set()
    deprecated: set[str] = set()
    for config in configs:
        for svc in _services(config).values():
            if isinstance(svc, dict):
                unsupported.update(k for k in UNSUPPORTED if k in svc)
                deprecated.update(k for k in DEPRECATED if k in svc)
    text = ""
    if unsupported:
        text += f"Ignoring unsupported options: {', '.join(sorted(unsupported))}\n\n"
    if deprecated:
        entries = "\n\n".join(sorted(f"{k}: {DEPRECATED[k]}" for k in deprecated))
        text += f"Ignoring deprecated options:\n\n{entries}\n\n"
    return text


def check_images(config: Mapping[str, Any]) -> None:
    """Every service needs a valid image reference (services checked by name).

    Raises:
        InputError: ``invalid image reference for service web: no image specified`` or
            ``invalid image reference for service web: invalid reference format``.
    """
    for name in sorted(_services(config)):
        svc = _services(config)[name] or {}
        try:
            imageref.check_image(name, svc.get("image"))
        except imageref.ReferenceError as exc:
            where = ("services", name, "image") if "image" in svc else ("services", name)
            raise InputError(str(exc), keys=where, path="") from None
