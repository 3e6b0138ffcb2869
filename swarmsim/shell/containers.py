"""``docker container ls`` on a machine: its running task containers."""

from __future__ import annotations

from collections.abc import Iterable

from swarmsim.cluster.tasks import Task, TaskState
from swarmsim.commands.tables import shown_image, tabwrite
from swarmsim.foundation.text import human_duration

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


def container_table(tasks: Iterable[Task], now: float, *, quiet: bool = False) -> str:
    """The table of ``docker container ls``: one row per live task container, newest
    first, named ``<service>.<slot>.<task id>``."""
    from swarmsim.shell.app import container_id

    live = [t for t in tasks if t.actual and t.state <= TaskState.RUNNING]
    live.sort(key=lambda t: (-t.updated, t.id))
    if quiet:
        return "".join(f"{container_id(t)[:12]}\n" for t in live)
    rows = [["CONTAINER ID", "IMAGE", "COMMAND", "CREATED", "STATUS", "PORTS", "NAMES"]]
    for t in live:
        command, ports = _known(t.spec.image)
        up = human_duration(now - t.updated)
        rows.append([
            container_id(t)[:12],
            t.spec.image.split("@", 1)[0],
            command,
            f"{up} ago",
            f"Up {up}",
            ports,
            f"{t.name}.{t.id}",
        ])
    return tabwrite(rows)
