"""``docker stats``: the CPU and memory of the machine's running task containers, from
the resource model.

The table is docker CLI 29.7's (``cli/command/container/formatter_stats.go``): CPU % is
the share of one core the container got (over 100% with several cores), MEM USAGE its
working set against its memory limit (the machine's memory without one), sizes in
go-units' ``BytesSize`` and ``HumanSizeWithPrecision``. swarmsim models no network or
block I/O per container (``0B / 0B``) and one process per container.  ``--format``
takes ``table``, ``json`` or a Go template (``formatter_stats.go``'s fields).  docker
streams the table until interrupted; a timeline's command shows one sample, as
``--no-stream`` does (``swarmsim shell`` streams: :mod:`swarmsim.shell.stats_cmd`).
"""

from __future__ import annotations

from swarmsim.cluster.tasks import TaskState, container_id
from swarmsim.commands.context import Context
from swarmsim.commands.tables import formatted
from swarmsim.foundation.errors import CommandError
from swarmsim.input.cmdline.parse import Parsed

_BINARY = ("B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB", "ZiB", "YiB")
_DECIMAL = ("B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB")


def _size(size: float, base: float, abbrs: tuple[str, ...]) -> tuple[float, str]:
    i = 0
    while size >= base and i < len(abbrs) - 1:
        size /= base
        i += 1
    return size, abbrs[i]


def bytes_size(size: float) -> str:
    """go-units ``BytesSize``: ``%.4g`` in powers of 1024 (``25MiB``, ``1.5GiB``)."""
    value, unit = _size(size, 1024.0, _BINARY)
    return f"{value:.4g}{unit}"


def human_size(size: float, precision: int = 3) -> str:
    """go-units ``HumanSizeWithPrecision``: powers of 1000 (``0B``, ``1.23kB``)."""
    value, unit = _size(size, 1000.0, _DECIMAL)
    return f"{value:.{precision}g}{unit}"


#: the header of each field (cli/command/container/formatter_stats.go, statsFormatWrite)
HEADERS = {"Container": "CONTAINER", "Name": "NAME", "ID": "CONTAINER ID", "CPUPerc": "CPU %",
           "MemUsage": "MEM USAGE / LIMIT", "MemPerc": "MEM %", "NetIO": "NET I/O",
           "BlockIO": "BLOCK I/O", "PIDs": "PIDS"}
DEFAULT_TABLE = ("table {{.ID}}\t{{.Name}}\t{{.CPUPerc}}\t{{.MemUsage}}\t{{.MemPerc}}\t"
                 "{{.NetIO}}\t{{.BlockIO}}\t{{.PIDs}}")


def stats_entries(ctx: Context, refs: list[str], trunc: bool = True) -> list[dict[str, str]]:
    """One sample of each running task container on ``ctx.machine`` (or of ``refs``),
    newest first: the fields docker's stats formatter offers.

    Raises:
        CommandError: ``No such container`` for a reference that names none.
    """
    sim = ctx.sim
    node = ctx.api.node_of(ctx.machine)
    live = [] if node is None else [
        t for t in sim.state.tasks_on(node.id) if t.actual and t.state <= TaskState.RUNNING]
    live.sort(key=lambda t: (-t.updated, t.id))
    if refs:
        chosen = []
        for ref in refs:
            found = [t for t in live if f"{t.name}.{t.id}" == ref
                     or container_id(t).startswith(ref)]
            if not found:
                raise CommandError(f"Error response from daemon: No such container: {ref}")
            chosen += [t for t in found if t not in chosen]
        live = chosen
    memory = node.spec.memory_bytes if node is not None else 0
    model = getattr(sim, "resources", None)
    out = []
    for t in live:
        seen = model.container(t.id) if model is not None else None
        got, _want, ws = seen if seen is not None else (0.0, 0.0, 0.0)
        limit = t.spec.resources.limits.memory_bytes or memory
        cid = container_id(t)
        out.append({
            "BlockIO": f"{human_size(0)} / {human_size(0)}",
            "CPUPerc": f"{100.0 * got:.2f}%",
            "Container": cid[:12] if trunc else cid,
            "ID": cid[:12] if trunc else cid,
            "MemPerc": f"{100.0 * ws / limit if limit else 0.0:.2f}%",
            "MemUsage": f"{bytes_size(ws)} / {bytes_size(limit)}",
            "Name": f"{t.name}.{t.id}",
            "NetIO": f"{human_size(0)} / {human_size(0)}",
            "PIDs": "1",
        })
    return out


def stats_text(entries: list[dict[str, str]], fmt: str) -> str:
    """The entries as docker's formatter writes them (:func:`formatted`)."""
    return formatted(entries, fmt, HEADERS, DEFAULT_TABLE)


def docker_stats(ctx: Context, p: Parsed) -> None:
    """``docker stats [--no-stream] [--no-trunc] [--format F] [CONTAINER...]`` on
    ``ctx.machine``: one sample (a timeline has no screen to redraw; the shell streams)."""
    entries = stats_entries(ctx, list(p.args), trunc=not p.values.get("no-trunc"))
    ctx.out.append(stats_text(entries, str(p.values.get("format") or "")))
