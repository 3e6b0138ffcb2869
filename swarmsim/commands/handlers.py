"""Which function runs each docker command."""

from __future__ import annotations

from swarmsim.commands import (
    inspect,
    login,
    node,
    service,
    service_create,
    stack,
    stats,
    swarm,
    system,
)
from swarmsim.commands.context import Handler

HANDLERS: dict[tuple[str, str], Handler] = {
    ("", "login"): login.docker_login,
    ("", "logout"): login.docker_logout,
    ("", "info"): system.docker_info,
    ("", "logs"): system.docker_logs,
    ("", "version"): system.docker_version,
    ("node", "inspect"): inspect.node_inspect,
    ("service", "create"): service_create.service_create,
    ("service", "inspect"): inspect.service_inspect,
    ("", "stats"): stats.docker_stats,
    ("swarm", "init"): swarm.swarm_init,
    ("swarm", "join"): swarm.swarm_join,
    ("swarm", "join-token"): swarm.swarm_join_token,
    ("swarm", "leave"): swarm.swarm_leave,
    ("node", "ls"): node.node_ls,
    ("node", "ps"): node.node_ps,
    ("node", "update"): node.node_update,
    ("node", "promote"): node.node_promote,
    ("node", "demote"): node.node_demote,
    ("node", "rm"): node.node_rm,
    ("stack", "deploy"): stack.stack_deploy,
    ("stack", "ls"): stack.stack_ls,
    ("stack", "ps"): stack.stack_ps,
    ("stack", "services"): stack.stack_services,
    ("stack", "rm"): stack.stack_rm,
    ("service", "ls"): service.service_ls,
    ("service", "ps"): service.service_ps,
    ("service", "scale"): service.service_scale,
    ("service", "update"): service.service_update,
    ("service", "rollback"): service.service_rollback,
    ("service", "rm"): service.service_rm,
}
