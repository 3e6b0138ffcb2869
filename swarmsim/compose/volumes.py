"""Service volumes and top-level volumes, read the way ``docker stack deploy`` reads them.

* Short syntax ``[SOURCE:]TARGET[:MODE]`` follows docker/cli's ``volumespec.Parse``: a
  source starting with ``.``, ``/``, ``~``, ``\\\\`` or looking like a Windows drive
  (``C:``) is a bind mount, any other source is a named volume, no source is an
  anonymous volume; ``ro``/``rw``/``nocopy`` and propagation names are options, unknown
  options are ignored.
* Bind sources are resolved against the compose file's directory (``~`` from ``HOME``).
* Named volumes must be declared at the top level and get the scoped source
  ``<stack>_<key>`` (or the volume's ``name:``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from swarmsim.compose.container import go_join
from swarmsim.compose.ports import logrus_warning
from swarmsim.foundation.errors import InputError
from swarmsim.input.specs import Mount, VolumeSpec

PROPAGATIONS = ("rprivate", "private", "rshared", "shared", "rslave", "slave")


@dataclass(frozen=True, slots=True)
class VolumeConfig:
    """One entry of a service's ``volumes`` list, after parsing (docker's ServiceVolumeConfig).

    ``bind``/``volume``/``tmpfs`` are ``None`` when that option block is absent (docker
    rejects option blocks that do not fit the type); otherwise they hold the
    propagation, the nocopy flag and the tmpfs size.
    """

    type: str
    source: str = ""
    target: str = ""
    read_only: bool = False
    bind: str | None = None
    volume: bool | None = None
    tmpfs: int | None = None


@dataclass(frozen=True, slots=True)
class TopVolume:
    """A top-level ``volumes:`` entry after docker's external/name resolution."""

    name: str = ""
    driver: str = ""
    external: bool = False


def _is_drive(buffer: str, char: str) -> bool:
    return char == ":" and len(buffer) == 1 and buffer.isalpha()


def _is_file_path(source: str) -> bool:
    if source[0] in "./~":
        return True
    if len(source) == 1:
        return False
    if source.startswith("\\\\"):
        return True
    return _is_drive(source[0], source[1])


def parse_volume_spec(spec: str) -> VolumeConfig:
    """Parse a short-syntax service volume exactly as docker/cli's ``volumespec.Parse``.

    Examples: ``"data:/data:ro"`` -> named volume, read-only; ``"./conf:/etc/conf"`` ->
    bind; ``"/anon"`` -> anonymous volume; ``"/a:/b:rw,rshared"`` -> bind with propagation.

    Raises:
        ValueError: ``invalid empty volume spec`` or ``invalid spec: <spec>: too many
            colons`` / ``...: empty section between colons``.
    """
    if spec == "":
        raise ValueError("invalid empty volume spec")
    if len(spec.encode()) <= 2:
        return VolumeConfig(type="volume", target=spec)
    source = target = ""
    read_only = False
    bind: str | None = None
    nocopy: bool | None = None
    buffer = ""
    for char in [*spec, None]:
        if char is not None and _is_drive(buffer, char):
            buffer += char
            continue
        if char is not None and char != ":":
            buffer += char
            continue
        if buffer == "":
            raise ValueError(f"invalid spec: {spec}: empty section between colons")
        if source == "" and char is None:
            target = buffer
        elif source == "":
            source = buffer
        elif target == "":
            target = buffer
        elif char == ":":
            raise ValueError(f"invalid spec: {spec}: too many colons")
        else:
            for option in buffer.split(","):
                if option in ("ro", "rw"):
                    read_only = option == "ro"
                elif option == "nocopy":
                    nocopy = True
                elif option in PROPAGATIONS:
                    bind = option
        buffer = ""
    kind = "bind" if source and _is_file_path(source) else "volume"
    return VolumeConfig(kind, source, target, read_only, bind, nocopy)


def volume_from_mapping(entry: Mapping[str, object]) -> VolumeConfig:
    """A long-syntax service volume (``{type: bind, source: ..., target: ...}``)."""

    def block(key: str, field: str, default: object) -> object:
        value = entry.get(key)
        if value is None:
            return None
        return value.get(field, default) if isinstance(value, Mapping) else default

    bind = block("bind", "propagation", "")
    nocopy = block("volume", "nocopy", False)
    size = block("tmpfs", "size", 0)
    return VolumeConfig(
        type=str(entry.get("type") or ""),
        source=str(entry.get("source") or ""),
        target=str(entry.get("target") or ""),
        read_only=bool(entry.get("read_only") or False),
        bind=None if entry.get("bind") is None else str(bind or ""),
        volume=None if entry.get("volume") is None else bool(nocopy),
        tmpfs=None if entry.get("tmpfs") is None else int(size or 0),  # type: ignore[call-overload]
    )


def _windows_abs(path: str) -> bool:
    """docker/cli's Windows ``isAbs``: ``C:\\x``, ``C:/x`` or ``\\\\server\\share\\x``."""
    slashes = "\\/"
    if len(path) >= 3 and path[1] == ":" and path[0].isascii() and path[0].isalpha():
        return path[2] in slashes
    if (
        len(path) >= 5
        and path[0] in slashes
        and path[1] in slashes
        and path[2] not in slashes + "."
    ):
        n = 3
        while n < len(path) - 1:
            if path[n] in slashes:
                n += 1
                if path[n] in slashes or path[n] == ".":
                    return False
                while n < len(path) and path[n] not in slashes:
                    n += 1
                return n < len(path) and path[n] in slashes
            n += 1
    return False


def resolve_bind(
    vol: VolumeConfig, base_dir: Path, env: Mapping[str, str], warnings: list[str]
) -> VolumeConfig:
    """Expand ``~`` from ``HOME`` and make a relative bind source absolute, as docker/cli does.

    Other mount types are returned unchanged.

    Raises:
        ValueError: ``invalid mount config for type "bind": field Source must not be empty``.
    """
    if vol.type != "bind":
        return vol
    if vol.source == "":
        raise ValueError('invalid mount config for type "bind": field Source must not be empty')
    path = vol.source
    if path.startswith("~"):
        if "HOME" in env:
            path = path.replace("~", env["HOME"], 1)
        else:
            warnings.append(logrus_warning("cannot expand '~', because the environment lacks HOME"))
    if not path.startswith("/") and not _windows_abs(path):
        path = go_join(str(base_dir), path)
    return replace(vol, source=path)


# The option blocks docker/cli rejects for each mount type, in the order it checks them.
_INCOMPATIBLE = {
    "volume": ("tmpfs", "bind"),
    "bind": ("volume", "tmpfs"),
    "tmpfs": ("bind", "volume"),
    "npipe": ("volume", "tmpfs"),
    "image": ("volume", "bind", "tmpfs"),
    "cluster": ("tmpfs", "bind", "volume"),
}


def _check_options(vol: VolumeConfig, kind: str) -> None:
    for block in _INCOMPATIBLE[kind]:
        if getattr(vol, block) is not None:
            raise ValueError(f"{block} options are incompatible with type {kind}")


def to_mount(vol: VolumeConfig, stack: str, volumes: Mapping[str, TopVolume]) -> Mount:
    """Convert one service volume to the swarm mount docker/cli creates.

    Raises:
        ValueError: docker/cli's message, e.g. ``undefined volume "data"`` or ``invalid
            tmpfs source, source must be empty`` (the caller adds ``service <name>: ``).
    """
    kind = vol.type or "volume"
    if kind == "volume":
        _check_options(vol, "volume")
        if vol.source == "":
            return Mount("volume", vol.target, "", vol.read_only)
        if vol.source not in volumes:
            raise ValueError(f'undefined volume "{vol.source}"')
        top = volumes[vol.source]
        return Mount("volume", vol.target, top.name or f"{stack}_{vol.source}", vol.read_only)
    if kind in ("bind", "npipe", "image"):
        if vol.source == "":
            raise ValueError(f"invalid {kind} source, source cannot be empty")
        _check_options(vol, kind)
        return Mount(kind, vol.target, vol.source, vol.read_only)
    if kind == "tmpfs":
        if vol.source != "":
            raise ValueError("invalid tmpfs source, source must be empty")
        _check_options(vol, "tmpfs")
        return Mount("tmpfs", vol.target, "", vol.read_only)
    if kind == "cluster":
        if vol.source == "":
            raise ValueError("invalid cluster source, source cannot be empty")
        _check_options(vol, "cluster")
        source = vol.source
        if not source.startswith("group:"):
            if source not in volumes:
                raise ValueError(f'undefined volume "{source}"')
            source = volumes[source].name or f"{stack}_{source}"
        return Mount("cluster", vol.target, source, vol.read_only)
    raise ValueError("volume type must be volume, bind, tmpfs, npipe, or cluster")


def top_level_volumes(
    section: Mapping[str, object], version: str, warnings: list[str]
) -> dict[str, TopVolume]:
    """Read the top-level ``volumes:`` mapping with docker's external/name checks.

    An external volume without ``name:`` is known by its key (not stack-scoped);
    ``external: {name: x}`` is the deprecated spelling of ``name: x`` (logrus warning
    from version 3.4 on).

    Raises:
        InputError: ``conflicting parameters "external" and "driver" specified for
            volume "v"`` (also ``driver_opts``, ``labels``) or ``volume v:
            volume.external.name and volume.name conflict; only use volume.name``.
    """
    out: dict[str, TopVolume] = {}
    for key, raw in section.items():
        entry = raw if isinstance(raw, Mapping) else {}
        name = str(entry.get("name") or "")
        driver = str(entry.get("driver") or "")
        ext = entry.get("external")
        external = bool(ext) if not isinstance(ext, Mapping) else True
        if external:
            for field in ("driver", "driver_opts", "labels"):
                if entry.get(field):
                    message = f'conflicting parameters "external" and "{field}" specified'
                    raise InputError(f'{message} for volume "{key}"', keys=("volumes", key, field))
            ext_name = str(ext.get("name") or "") if isinstance(ext, Mapping) else ""
            if ext_name:
                if name:
                    raise InputError(
                        f"volume {key}: volume.external.name and volume.name conflict; "
                        "only use volume.name",
                        keys=("volumes", key, "name"),
                    )
                if version_at_least(version, "3.4"):
                    message = "volume.external.name is deprecated in favor of volume.name"
                    warnings.append(logrus_warning(f"volume {key}: {message}"))
                name = ext_name
            name = name or key
        out[key] = TopVolume(name=name, driver=driver, external=external)
    return out


def volume_spec(key: str, top: TopVolume, stack: str) -> VolumeSpec:
    """The stack-level record of a named volume a service uses."""
    return VolumeSpec(
        name=top.name or f"{stack}_{key}", driver=top.driver or "local", external=top.external
    )


def version_at_least(version: str, floor: str) -> bool:
    """docker's ``versions.GreaterThanOrEqualTo`` for ``"3.x"`` strings."""

    def parts(text: str) -> list[int]:
        out = []
        for piece in text.split("."):
            digits = "".join(ch for ch in piece if ch.isdigit())
            out.append(int(digits) if digits else 0)
        return out

    a, b = parts(version), parts(floor)
    width = max(len(a), len(b))
    return a + [0] * (width - len(a)) >= b + [0] * (width - len(b))
