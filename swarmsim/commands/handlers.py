"""Which function runs each docker command.

A command's module loads when one of its commands first runs: a run whose timeline only
deploys stacks loads ``stack.py`` and what it needs, not every command's module.
"""

from __future__ import annotations

import importlib
from typing import cast

from swarmsim.commands.context import Handler

#: (group, command) -> (module of swarmsim.commands, function)
HANDLERS: dict[tuple[str, str], tuple[str, str]] = {
    ("", "login"): ("login", "docker_login"),
    ("", "logout"): ("login", "docker_logout"),
    ("", "info"): ("system", "docker_info"),
    ("", "logs"): ("system", "docker_logs"),
    ("", "version"): ("system", "docker_version"),
    ("node", "inspect"): ("inspect", "node_inspect"),
    ("service", "create"): ("service_create", "service_create"),
    ("service", "inspect"): ("inspect", "service_inspect"),
    ("", "stats"): ("stats", "docker_stats"),
    ("swarm", "init"): ("swarm", "swarm_init"),
    ("swarm", "join"): ("swarm", "swarm_join"),
    ("swarm", "join-token"): ("swarm", "swarm_join_token"),
    ("swarm", "leave"): ("swarm", "swarm_leave"),
    ("node", "ls"): ("node", "node_ls"),
    ("node", "ps"): ("node", "node_ps"),
    ("node", "update"): ("node", "node_update"),
    ("node", "promote"): ("node", "node_promote"),
    ("node", "demote"): ("node", "node_demote"),
    ("node", "rm"): ("node", "node_rm"),
    ("stack", "deploy"): ("stack", "stack_deploy"),
    ("stack", "ls"): ("stack", "stack_ls"),
    ("stack", "ps"): ("stack", "stack_ps"),
    ("stack", "services"): ("stack", "stack_services"),
    ("stack", "rm"): ("stack", "stack_rm"),
    ("service", "ls"): ("service", "service_ls"),
    ("service", "ps"): ("service", "service_ps"),
    ("service", "scale"): ("service", "service_scale"),
    ("service", "update"): ("service", "service_update"),
    ("service", "rollback"): ("service", "service_rollback"),
    ("service", "rm"): ("service", "service_rm"),
}


def handler(group: str, command: str) -> Handler:
    """The function that runs ``docker [group] command`` (its module loaded now)."""
    module, function = HANDLERS[(group, command)]
    loaded = importlib.import_module(f"swarmsim.commands.{module}")  # first run loads it
    return cast(Handler, getattr(loaded, function))
