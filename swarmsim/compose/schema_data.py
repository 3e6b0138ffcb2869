"""The shape of a compose file for each v3 minor version (3.0 ... 3.13).

This is swarmsim's own description of what ``docker stack deploy`` accepts, written as a
small Python DSL (:mod:`swarmsim.compose.schema_dsl`): ``obj``, ``array``, ``one_of`` and typed
leaves build a tree; ``since`` and ``by_version`` mark where the format changed between minors
(e.g. ``rollback_config`` appears in 3.7, long-syntax ports in 3.2).  :func:`schema_for`
resolves the tree for one minor version into plain :class:`Schema` records that the
validator in :mod:`swarmsim.compose.schema` walks.  The structure follows docker/cli's
``config_schema_v3.<minor>.json`` history; quirks that shape docker's messages are kept
(``networks`` at top level accepts any name, a secret's ``external`` accepts any key,
the uniqueness rule of long-syntax volumes sits on each item rather than on the list).
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from swarmsim.compose.schema_dsl import (
    Schema,
    array,
    by_version,
    minor,
    obj,
    one_of,
    resolve,
    since,
    typed,
)

ANY: dict[str, Any] = {}
STRING = typed("string")
INTEGER = typed("integer")
NUMBER = typed("number")
BOOLEAN = typed("boolean")
DURATION = typed("string", fmt="duration")
NAME = r"^[a-zA-Z0-9._-]+$"
EXTENSIONS = {"^x-": since("3.7", ANY)}

STRINGS = array(STRING, unique=True)  # list_of_strings
STRING_OR_LIST = one_of(STRING, STRINGS)
LIST_OR_DICT = one_of(
    obj(patterns={".+": typed("string", "number", "null")}),
    array(STRING, unique=True),
)
OPTIONS = obj(patterns={"^.+$": typed("string", "number")}, closed=False)
COMMAND = one_of(STRING, array(STRING))
EXTERNAL = obj({"name": STRING}, types=("boolean", "object"))

ROLLOUT = obj(
    {  # update_config and rollback_config
        "parallelism": INTEGER,
        "delay": DURATION,
        "failure_action": STRING,
        "monitor": DURATION,
        "max_failure_ratio": NUMBER,
        "order": since("3.4", typed("string", enum=("start-first", "stop-first"))),
    }
)

DEPLOY = obj(
    {
        "mode": STRING,
        "endpoint_mode": since("3.2", STRING),
        "replicas": INTEGER,
        "labels": LIST_OR_DICT,
        "rollback_config": since("3.7", ROLLOUT),
        "update_config": ROLLOUT,
        "resources": obj(
            {
                "limits": obj({"cpus": STRING, "memory": STRING, "pids": since("3.9", INTEGER)}),
                "reservations": obj(
                    {
                        "cpus": STRING,
                        "memory": STRING,
                        "generic_resources": since(
                            "3.5",
                            array(
                                obj(
                                    {
                                        "discrete_resource_spec": obj(
                                            {"kind": STRING, "value": NUMBER}
                                        ),
                                    }
                                )
                            ),
                        ),
                    }
                ),
            }
        ),
        "restart_policy": obj(
            {
                "condition": STRING,
                "delay": DURATION,
                "max_attempts": INTEGER,
                "window": DURATION,
            }
        ),
        "placement": obj(
            {
                "constraints": array(STRING),
                "preferences": since("3.3", array(obj({"spread": STRING}))),
                "max_replicas_per_node": since("3.8", INTEGER),
            }
        ),
    },
    types=("object", "null"),
)

HEALTHCHECK = obj(
    {
        "disable": BOOLEAN,
        "interval": by_version(v3_0=STRING, v3_4=DURATION),
        "retries": NUMBER,
        "test": COMMAND,
        "timeout": by_version(v3_0=STRING, v3_4=DURATION),
        "start_period": since("3.4", DURATION),
        "start_interval": since("3.12", DURATION),
    }
)

FILE_OBJECT_REF = one_of(
    STRING,
    obj(
        {  # service-level secrets / configs entries
            "source": STRING,
            "target": STRING,
            "uid": STRING,
            "gid": STRING,
            "mode": NUMBER,
        },
        closed=False,
    ),
)

LONG_VOLUME = obj(
    {
        "type": STRING,
        "source": STRING,
        "target": STRING,
        "read_only": BOOLEAN,
        "consistency": STRING,
        "bind": obj({"propagation": STRING}, closed=False),
        "volume": obj({"nocopy": BOOLEAN}, closed=False),
        "tmpfs": since("3.6", obj({"size": typed("integer", minimum=0)}, closed=False)),
    },
    required=("type",),
)

LONG_PORT = obj({"mode": STRING, "target": INTEGER, "published": INTEGER, "protocol": STRING})

BUILD = one_of(
    STRING,
    obj(
        {
            "context": STRING,
            "dockerfile": STRING,
            "args": LIST_OR_DICT,
            "labels": since("3.3", LIST_OR_DICT),
            "cache_from": since("3.2", STRINGS),
            "network": since("3.4", STRING),
            "target": since("3.4", STRING),
            "shm_size": since("3.5", typed("integer", "string")),
            "extra_hosts": since("3.9", LIST_OR_DICT),
        },
        closed=by_version(v3_0=True, v3_11=False),
    ),
)

SERVICE_NETWORKS = one_of(
    STRINGS,
    obj(
        patterns={
            NAME: one_of(
                obj(
                    {
                        "aliases": STRINGS,
                        "driver_opts": since("3.13", OPTIONS),
                        "ipv4_address": STRING,
                        "ipv6_address": STRING,
                    }
                ),
                typed("null"),
            )
        }
    ),
)

UNIQUE_STRINGS = array(STRING, unique=True)

SERVICE = obj(
    {
        "deploy": DEPLOY,
        "build": BUILD,
        "cap_add": UNIQUE_STRINGS,
        "cap_drop": UNIQUE_STRINGS,
        "cgroupns_mode": since("3.9", STRING),
        "cgroup_parent": STRING,
        "command": COMMAND,
        "configs": since("3.3", array(FILE_OBJECT_REF)),
        "container_name": STRING,
        "credential_spec": since(
            "3.3",
            obj(
                {
                    "config": since("3.8", STRING),
                    "file": STRING,
                    "registry": STRING,
                }
            ),
        ),
        "depends_on": STRINGS,
        "devices": UNIQUE_STRINGS,
        "dns": STRING_OR_LIST,
        "dns_search": STRING_OR_LIST,
        "domainname": STRING,
        "entrypoint": COMMAND,
        "env_file": STRING_OR_LIST,
        "environment": LIST_OR_DICT,
        "expose": array(typed("string", "number", fmt="expose"), unique=True),
        "external_links": UNIQUE_STRINGS,
        "extra_hosts": LIST_OR_DICT,
        "healthcheck": HEALTHCHECK,
        "hostname": STRING,
        "image": STRING,
        "init": since("3.7", BOOLEAN),
        "ipc": STRING,
        "isolation": since("3.5", STRING),
        "labels": LIST_OR_DICT,
        "links": UNIQUE_STRINGS,
        "logging": obj(
            {
                "driver": STRING,
                "options": obj(patterns={"^.+$": typed("string", "number", "null")}, closed=False),
            }
        ),
        "mac_address": STRING,
        "network_mode": STRING,
        "networks": SERVICE_NETWORKS,
        "pid": typed("string", "null"),
        "ports": array(
            by_version(
                v3_0=typed("string", "number", fmt="ports"),
                v3_2=one_of(typed("number", fmt="ports"), typed("string", fmt="ports"), LONG_PORT),
            ),
            unique=True,
        ),
        "privileged": BOOLEAN,
        "read_only": BOOLEAN,
        "restart": STRING,
        "security_opt": UNIQUE_STRINGS,
        "shm_size": typed("number", "string"),
        "secrets": since("3.1", array(FILE_OBJECT_REF)),
        "sysctls": LIST_OR_DICT,
        "stdin_open": BOOLEAN,
        "stop_grace_period": DURATION,
        "stop_signal": STRING,
        "tmpfs": STRING_OR_LIST,
        "tty": BOOLEAN,
        "ulimits": obj(
            patterns={
                "^[a-z]+$": one_of(
                    INTEGER,
                    obj(
                        {"hard": INTEGER, "soft": INTEGER},
                        required=("soft", "hard"),
                    ),
                )
            },
            closed=False,
        ),
        "oom_score_adj": since("3.13", INTEGER),
        "user": STRING,
        "userns_mode": STRING,
        "volumes": by_version(
            v3_0=array(STRING, unique=True),
            v3_2=array(one_of(STRING, LONG_VOLUME, unique=True)),
        ),
        "working_dir": STRING,
    },
    patterns=EXTENSIONS,
)

NETWORK = obj(
    {
        "name": since("3.5", STRING),
        "driver": STRING,
        "driver_opts": OPTIONS,
        "ipam": obj(
            {
                "driver": STRING,
                "config": array(obj({"subnet": STRING})),
            }
        ),
        "external": EXTERNAL,
        "internal": BOOLEAN,
        "attachable": since("3.2", BOOLEAN),
        "labels": LIST_OR_DICT,
    },
    patterns=EXTENSIONS,
    types=("object", "null"),
)

SEGMENTS = array(obj({"segments": LIST_OR_DICT}, closed=False))
VOLUME = obj(
    {
        "name": since("3.4", STRING),
        "driver": STRING,
        "driver_opts": OPTIONS,
        "external": EXTERNAL,
        "labels": LIST_OR_DICT,
        "x-cluster-spec": since(
            "3.10",
            obj(
                {
                    "group": STRING,
                    "access_mode": obj(
                        {
                            "scope": STRING,
                            "sharing": STRING,
                            "block_volume": obj(closed=False),
                            "mount_volume": obj(
                                {"fs_type": STRING, "mount_flags": array(STRING)}, closed=False
                            ),
                        },
                        closed=False,
                    ),
                    "accessibility_requirements": obj(
                        {"requisite": SEGMENTS, "preferred": SEGMENTS}, closed=False
                    ),
                    "capacity_range": obj(
                        {"required_bytes": STRING, "limit_bytes": STRING}, closed=False
                    ),
                    "availability": STRING,
                },
                closed=False,
            ),
        ),
    },
    patterns=EXTENSIONS,
    types=("object", "null"),
)

OPEN_EXTERNAL = obj({"name": STRING}, types=("boolean", "object"), closed=False)
SECRET = obj(
    {
        "name": since("3.5", STRING),
        "file": STRING,
        "external": OPEN_EXTERNAL,
        "labels": LIST_OR_DICT,
        "driver": since("3.8", STRING),
        "driver_opts": since("3.8", OPTIONS),
        "template_driver": since("3.8", STRING),
    },
    patterns=EXTENSIONS,
)

CONFIG = obj(
    {
        "name": since("3.5", STRING),
        "file": STRING,
        "external": OPEN_EXTERNAL,
        "labels": LIST_OR_DICT,
        "template_driver": since("3.8", STRING),
    },
    patterns=EXTENSIONS,
)

COMPOSE_FILE = obj(
    {
        "version": STRING,
        "services": obj(patterns={NAME: SERVICE}),
        "networks": obj(patterns={NAME: NETWORK}, closed=False),
        "volumes": obj(patterns={NAME: VOLUME}),
        "secrets": since("3.1", obj(patterns={NAME: SECRET})),
        "configs": since("3.3", obj(patterns={NAME: CONFIG})),
    },
    patterns={"^x-": since("3.4", ANY)},
    required=since("3.0", ("version",), until="3.10"),
)


def supported(version: str) -> bool:
    """True for the versions docker ships a schema for: ``3.0`` ... ``3.13``."""
    return re.fullmatch(r"3\.(\d|1[0-3])", version) is not None


@cache
def schema_for(version: str) -> Schema:
    """The resolved schema for a supported version string such as ``"3.8"``."""
    return resolve(COMPOSE_FILE, minor(version))
