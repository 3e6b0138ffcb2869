"""``docker logs`` / ``docker container logs CONTAINER`` in the shell: a task container
on the machine's node or a ``docker run`` container of the machine's engine
(:mod:`swarmsim.shell.logs` has the lines and the options)."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from swarmsim.cluster.tasks import TaskState, container_id
from swarmsim.commands import control_api
from swarmsim.commands.getstarted import STARTED, AppLogs, Entry, is_get_started
from swarmsim.foundation.errors import CommandError
from swarmsim.input.cmdline.parse import parse
from swarmsim.shell.logs import container_logs, task_entries, unix_of
from swarmsim.shell.reply import Reply

if TYPE_CHECKING:
    from swarmsim.shell.laptop import Laptop


def wants_logs(words: list[str]) -> bool:
    """``docker logs ...`` or ``docker container logs ...``."""
    return words[1:2] == ["logs"] or words[1:3] == ["container", "logs"]


def _source(session: Laptop, machine: str, ref: str) -> tuple[str, Callable[[], list[Entry]]]:
    """The container's image and what it wrote.

    Raises:
        CommandError: docker's ``No such container``.
    """
    sim = session.sim
    assert session.mesh is not None
    logs = session.mesh.logs
    node = control_api(sim).node_of(machine)
    tasks = [] if node is None else [t for t in sim.state.tasks_on(node.id)
                                     if t.state >= TaskState.ASSIGNED]
    name = ref.removeprefix("/")
    for match in ([t for t in tasks if container_id(t) == ref],
                  [t for t in tasks if f"{t.name}.{t.id}" == name],
                  [t for t in tasks if container_id(t).startswith(ref)]):
        if len(match) == 1:
            return match[0].spec.image, partial(task_entries, sim, logs, {match[0].id})
    for c in session.engines.of(machine).containers:
        if c.id.startswith(ref) or c.name == name:
            return c.image, partial(_own, logs, (c.created, c.id, STARTED))
    raise CommandError(f"Error response from daemon: No such container: {ref}")


def _own(logs: AppLogs, first: Entry) -> list[Entry]:
    return [first] + [e for e in logs.lines if e[1] == first[1]]


def logs_command(session: Laptop, machine: str, words: list[str]) -> Reply:
    """One ``docker logs`` line; with ``-f`` the reply follows the clock."""
    plain = ["docker", "logs", *words[3:]] if words[1] == "container" else list(words)
    try:
        parsed = parse(plain)
        image, entries = _source(session, machine, parsed.args[0])
    except CommandError as err:
        text = err.message.replace("docker logs", "docker container logs") if (
            words[1] == "container") else err.message
        return Reply("", text + "\n", err.exit_code)
    if not is_get_started(image):
        return Reply("", f"swarmsim: the logs of {image} are not simulated\n", 1)
    out, error, code = container_logs(entries, parsed.values, session.sim.now)
    if code or not parsed.values["follow"]:
        return Reply(out, error, code)
    # what follows is what is written after now (--tail and --since shaped the start)
    values = {**parsed.values, "tail": "all", "since": unix_of(session.sim.now + 1e-3)}
    printed = [0]

    def more() -> str:
        session.catch_up()
        lines = container_logs(entries, values, session.sim.now)[1].splitlines()
        new, printed[0] = lines[printed[0]:], len(lines)
        return "".join(f"{ln}\n" for ln in new)

    return Reply(out, error, code, follow=more, follow_stderr=True)
