"""``docker container ls`` on a machine: its running task containers."""

from __future__ import annotations

from collections.abc import Iterable

from swarmsim.cluster.tasks import Task, TaskState, container_id
from swarmsim.commands.inspect import wall
from swarmsim.commands.tables import formatted, shown_image
from swarmsim.foundation.text import human_duration
from swarmsim.shell.engine_local import Container

#: images of the tutorial: (command docker prints, exposed ports)
_KNOWN = {
    "get-started": ('"python app.py"', "80/tcp"),
    "friendlyhello": ('"python app.py"', "80/tcp"),
    "repo": ('"python app.py"', "80/tcp"),
    "redis": ('"docker-entrypoint.s…"', "6379/tcp"),
    "visualizer": ('"npm start"', "8080/tcp"),
}


def _known(image: str) -> tuple[str, str]:
    repo = shown_image(image).split(":", 1)[0].rsplit("/", 1)[-1]
    return _KNOWN.get(repo, ('""', ""))


#: the header of each field (cli/command/formatter/container.go)
HEADERS = {"ID": "CONTAINER ID", "Image": "IMAGE", "Command": "COMMAND",
           "RunningFor": "CREATED", "Status": "STATUS", "Ports": "PORTS", "Names": "NAMES",
           "State": "STATE", "CreatedAt": "CREATED AT"}
DEFAULT_TABLE = ("table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t"
                 "{{.Ports}}\t{{.Names}}")


def container_table(tasks: Iterable[Task], now: float, *, quiet: bool = False,
                    standalone: Iterable[Container] = (), everything: bool = False,
                    fmt: str = "") -> str:
    """The table of ``docker container ls [-a]``: one row per live container, newest
    first: task containers named ``<service>.<slot>.<task id>``, and the machine's
    standalone ones (``docker run``) with their published ports; with ``-a`` the stopped
    standalone ones too (``Exited (137) ... ago``)."""
    live: list[tuple[float, str, list[str]]] = []
    for t in tasks:
        if not (t.actual and t.state <= TaskState.RUNNING):
            continue
        command, ports = _known(t.spec.image)
        live.append((t.updated, container_id(t)[:12], [
            t.spec.image.split("@", 1)[0], command, *_since(now, t.updated), ports,
            f"{t.name}.{t.id}"]))
    for c in standalone:
        if not c.running and not everything:
            continue
        command, _exposed = _known(c.image)
        published = ", ".join(f"0.0.0.0:{h}->{p}/tcp, [::]:{h}->{p}/tcp" for h, p in c.ports)
        created, status = _since(now, c.created)
        if not c.running:
            status = f"Exited ({c.exit_code}) {human_duration(max(now - c.stopped, 0))} ago"
        live.append((c.created, c.id[:12], [
            c.image.removesuffix(":latest"), command, created, status,
            published if c.running else "", c.name]))
    live.sort(key=lambda row: (-row[0], row[1]))
    if quiet:
        return "".join(f"{cid}\n" for _t, cid, _row in live)
    # keys in name order, as formatter.MarshalJSON writes them for --format json
    entries = [{"Command": row[1], "CreatedAt": wall(at).strftime("%Y-%m-%d %H:%M:%S +0000 UTC"),
                "ID": cid, "Image": row[0], "Names": row[5], "Ports": row[4],
                "RunningFor": row[2], "State": "running" if row[3].startswith("Up") else "exited",
                "Status": row[3]}
               for at, cid, row in live]
    return formatted(entries, fmt, HEADERS, DEFAULT_TABLE)


def _since(now: float, then: float) -> list[str]:
    up = human_duration(now - then)
    return [f"{up} ago", f"Up {up}"]
