"""``docker service logs [-f] [-n N] [--no-task-ids] [--no-trunc] [--raw] SERVICE|TASK``
on the get-started app: what its Flask development server writes.

Each app container logs ``* Running on http://0.0.0.0:80/ (Press CTRL+C to quit)`` when it
starts, then one werkzeug access line per request ``curl`` sent it, from the ingress
network address of the node that received the request (``10.0.0.<n>``).  docker/cli
prefixes each line with ``<service>.<slot>.<task id>@<node>`` padded to the width of the
replica count, then ``    | `` (cli/command/service/logs.go).  Other images' logs are not
simulated; the command says so in one line.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from swarmsim.commands.getstarted import STARTED, AppLogs, is_get_started

if TYPE_CHECKING:
    from swarmsim.simulation.engine import Simulation


def _started(sim: Simulation, task_ids: set[str]) -> list[tuple[float, str, str]]:
    return [(ev.time, ev.id, STARTED) for ev in sim.events
            if getattr(ev, "kind", "") == "task" and ev.id in task_ids
            and ev.state == "running"]


def service_logs(sim: Simulation, logs: AppLogs, words: list[str], machine: str
                 ) -> tuple[str, str, int]:
    """``docker service logs`` (the whole line's words) on ``machine``: stdout, stderr,
    exit status."""
    from swarmsim.commands import control_api
    from swarmsim.foundation.errors import CommandError
    from swarmsim.input.cmdline.parse import parse

    api = control_api(sim)
    try:
        parsed = parse(words)
        for flag in parsed.command.flags:
            if flag.name in parsed.changed and not flag.supported:
                raise CommandError(f"swarmsim: flag --{flag.name} of 'docker service logs' "
                                   "is not simulated")
        api.check_manager(machine)
    except CommandError as err:
        return "".join(f"{o}\n" for o in err.output), err.message + "\n", err.exit_code
    ref = parsed.args[0]
    v = parsed.values
    try:
        service = api.find_service(ref)
        tasks = list(sim.state.tasks_of(service.name))
    except CommandError:
        tasks = [t for t in sim.state.tasks.values() if t.id.startswith(ref)]
        if len(tasks) != 1:
            return "", f"Error response from daemon: No such service: {ref}\n", 1
        service = sim.state.services.get(tasks[0].service)  # type: ignore[assignment]
    if service is None or not is_get_started(service.spec.image):
        image = service.spec.image if service is not None else ref
        return "", f"swarmsim: the logs of {image} are not simulated\n", 1
    ids = {t.id for t in tasks}
    entries = sorted(_started(sim, ids) + [e for e in logs.lines if e[1] in ids])
    tail = str(v["tail"] or "all")
    if tail != "all":
        try:
            keep = int(tail)
        except ValueError:
            keep = -1
        if keep >= 0:
            per: dict[str, list[tuple[float, str, str]]] = {}
            for e in entries:
                per.setdefault(e[1], []).append(e)
            entries = sorted(e for group in per.values() for e in group[len(group) - keep:]
                             if keep)
    width = len(str(service.spec.replicas)) if service.spec.mode == "replicated" else 0
    out = []
    for _at, task_id, line in entries:
        if v["raw"]:
            out.append(line)
            continue
        task = sim.state.tasks[task_id]
        node = sim.state.nodes.get(task.node_id or "")
        name = f"{service.name}.{task.slot}" if task.slot else f"{service.name}.{task.node_id}"
        if not v["no-task-ids"]:
            name += "." + (task.id if v["no-trunc"] else task.id[:12])
        pad = " " * max(width - len(str(task.slot)), 0)
        out.append(f"{name}@{node.spec.name if node else task.node_id}{pad}    | {line}")
    return "".join(f"{ln}\n" for ln in out), "", 0
