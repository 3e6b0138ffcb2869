"""Reading the shell's lines: a terminal prompt (readline history and tab completion)
or a pipe (no prompt, same output)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TextIO

from swarmsim.shell.reply import Reply
from swarmsim.shell.session import Session

_WORDS = {
    "": ["cd", "docker", "docker-machine", "eval", "sleep", "curl", "why", "help", "exit"],
    "docker": ["build", "container", "image", "images", "info", "inspect", "login", "logout",
               "logs", "network", "node", "ps", "push", "run", "service", "stack", "stats",
               "swarm", "tag", "version"],
    "docker-machine": ["active", "create", "env", "ip", "ls", "restart", "rm", "scp", "ssh",
                       "start", "stop"],
    "docker container": ["inspect", "kill", "logs", "ls", "rm", "stats", "stop"],
    "docker image": ["inspect", "ls", "rm"],
    "docker network": ["inspect"],
    "docker node": ["demote", "inspect", "ls", "promote", "ps", "rm", "update"],
    "docker service": ["create", "inspect", "logs", "ls", "ps", "rm", "rollback", "scale",
                       "update"],
    "docker stack": ["deploy", "ls", "ps", "rm", "services"],
    "docker swarm": ["init", "join", "join-token", "leave"],
}


def completions(session: Session, line: str) -> list[str]:
    """Words that may follow ``line``'s complete words and start with its last,
    partial word: commands, machine names, service, stack and task names."""
    words = line.split()
    partial = "" if not words or line.endswith(" ") else words.pop()
    prefix = " ".join(words)
    options = list(_WORDS.get(prefix, []))
    if prefix.startswith("docker-machine ") or prefix == "eval":
        options += session.names()
    if prefix.startswith(("docker service", "docker stack", "why")):
        services = sorted(session.sim.state.services)
        stacks = sorted({s.spec.stack for s in session.sim.state.services.values()
                         if s.spec.stack})
        options += services + stacks
        if prefix == "why":
            options += sorted({t.name for t in session.sim.state.tasks.values()})
    if prefix == "curl":
        options += [f"http://{vm.addr}:" for vm in session.vms.values() if not vm.removed]
    return sorted({o for o in options if o.startswith(partial)})


def run_lines(session: Session, lines: Iterable[str], out: TextIO, err: TextIO) -> int:
    """Run lines (a pipe) and write their output; the last line's exit status."""
    code = 0
    for line in lines:
        reply = session.execute(line)
        if reply.done:
            break
        emit(reply, out, err)
        code = reply.exit_code
    return code


def emit(reply: Reply, out: TextIO, err: TextIO) -> None:
    """Write a reply as a terminal shows it: a command that succeeds printed its
    warnings first (``docker stack deploy``'s ``Since --detach=false ...`` comes before
    ``Creating service``, cli/command/stack/deploy.go); a failing one its error last."""
    first, second = ((err, reply.error), (out, reply.output)) if reply.exit_code == 0 else (
        (out, reply.output), (err, reply.error))
    for stream, text in (first, second):
        if text:
            stream.write(text)
            stream.flush()
