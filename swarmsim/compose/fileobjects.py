"""Secrets and configs of a stack: the objects ``docker stack deploy`` creates, with the
files they are read from.

docker/cli ``cli/compose/loader/loader.go`` (``loadFileObjectConfig``) makes a
non-external, driverless object's ``file`` absolute against the compose file's
directory; ``cli/compose/convert/compose.go`` (``Secrets``, ``Configs``,
``fileObjectConfig``) then reads it with ``os.ReadFile`` when the deploy reaches it,
and the daemon refuses empty or oversized data at creation (SwarmKit
``api/validation/secrets.go`` ``ValidateSecretPayload``, 500 KiB;
``manager/controlapi/config.go`` ``validateConfigSpec``, 1000 KiB).
"""

from __future__ import annotations

import errno
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from swarmsim.compose.decode import section
from swarmsim.foundation.errors import InputError

#: the largest data SwarmKit accepts, exclusive (MaxSecretSize, MaxConfigSize)
MAX_BYTES = {"secret": 500 * 1024, "config": 1000 * 1024}


def created(stack: str, config: Mapping[str, Any], kind: str, base_dir: Path) -> tuple[str, ...]:
    """Names of the ``kind`` (``secret``/``config``) objects the deploy creates, each
    declared non-external one, in file order, after reading its file.

    Raises:
        InputError: docker's words: ``open <abs path>: no such file or directory``,
            ``read <abs path>: is a directory``, or the daemon's refusal of the data
            (``failed to create secret <name>: Error response from daemon: ...``).
    """
    names = []
    for key, entry in section(config, kind + "s").items():
        if entry.get("external"):
            continue
        name = str(entry.get("name") or f"{stack}_{key}")
        names.append(name)
        if kind == "secret" and entry.get("driver"):
            continue  # a driver supplies the data (convert.driverObjectConfig)
        keys = (kind + "s", key, "file")
        size = _size(os.path.join(base_dir, str(entry.get("file") or "")), MAX_BYTES[kind], keys)
        if not 0 < size < MAX_BYTES[kind]:
            raise InputError(
                f"failed to create {kind} {name}: Error response from daemon: rpc error: "
                f"code = InvalidArgument desc = {kind} data must be larger than 0 and less "
                f"than {MAX_BYTES[kind]} bytes",
                keys=keys,
            )
    return tuple(names)


def external_refs(config: Mapping[str, Any]) -> tuple[tuple[str, str, str], ...]:
    """``(service, kind, name)`` for each reference a service makes to an external
    secret or config (and a ``credential_spec`` config), services in file order, a
    service's secrets before its configs: the objects ``docker stack deploy`` looks up
    by name before it creates the services (``ParseSecrets``/``ParseConfigs`` in
    docker/cli ``cli/command/service/parse.go``, called per service by
    ``cli/compose/convert/service.go``).  An external object is known by its
    ``name:``, its deprecated ``external.name``, or its key (the loader's
    ``loadFileObjectConfig``)."""
    out = []
    for service, svc in section(config, "services").items():
        for kind in ("secret", "config"):
            declared = section(config, kind + "s")
            sources = [ref.get("source") if isinstance(ref, Mapping) else ref
                       for ref in svc.get(kind + "s") or ()]
            cred = svc.get("credential_spec")
            if kind == "config" and isinstance(cred, Mapping) and cred.get("config"):
                sources.append(cred["config"])
            for source in sources:
                entry = declared.get(str(source))
                if entry is None or not entry.get("external"):
                    continue
                ext = entry["external"]
                ext_name = str(ext.get("name") or "") if isinstance(ext, Mapping) else ""
                out.append((service, kind, ext_name or str(entry.get("name") or source)))
    return tuple(out)


def _size(path: str, limit: int, keys: tuple[str, ...]) -> int:
    """How many bytes ``path`` holds, counting no further than ``limit``; Go's
    ``os.ReadFile`` error text when it cannot be read."""
    path = os.path.normpath(path)  # Go's filepath.Join cleans the path
    try:
        with open(path, "rb") as fh:
            return len(fh.read(limit))
    except IsADirectoryError:
        raise InputError(f"read {path}: is a directory", keys=keys) from None
    except OSError as exc:
        reason = os.strerror(exc.errno) if exc.errno else str(exc)
        if exc.errno == errno.ENOENT:
            reason = "no such file or directory"
        raise InputError(f"open {path}: {reason[:1].lower()}{reason[1:]}", keys=keys) from None
