"""``docker stats``: the CPU and memory of the machine's running task containers, from
the resource model.

The table is docker CLI 29.7's (``cli/command/container/formatter_stats.go``): CPU % is
the share of one core the container got (over 100% with several cores), MEM USAGE its
working set against its memory limit (the machine's memory without one), sizes in
go-units' ``BytesSize`` and ``HumanSizeWithPrecision``. swarmsim models no network or
block I/O per container (``0B / 0B``) and one process per container. docker streams
the table until interrupted; here every call shows one sample, as ``--no-stream`` does.
"""

from __future__ import annotations

from swarmsim.cluster.tasks import TaskState, container_id
from swarmsim.commands.context import Context
from swarmsim.commands.tables import tabwrite
from swarmsim.foundation.errors import CommandError
from swarmsim.input.cmdline.parse import Parsed

HEADER = ["CONTAINER ID", "NAME", "CPU %", "MEM USAGE / LIMIT", "MEM %", "NET I/O",
          "BLOCK I/O", "PIDS"]
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


def docker_stats(ctx: Context, p: Parsed) -> None:
    """``docker stats [--no-stream] [--no-trunc] [CONTAINER...]`` on ``ctx.machine``."""
    sim = ctx.sim
    node = ctx.api.node_of(ctx.machine)
    live = [] if node is None else [
        t for t in sim.state.tasks_on(node.id) if t.actual and t.state <= TaskState.RUNNING]
    live.sort(key=lambda t: (-t.updated, t.id))
    if p.args:
        chosen = []
        for ref in p.args:
            found = [t for t in live if f"{t.name}.{t.id}" == ref
                     or container_id(t).startswith(ref)]
            if not found:
                raise CommandError(f"Error response from daemon: No such container: {ref}")
            chosen += [t for t in found if t not in chosen]
        live = chosen
    memory = node.spec.memory_bytes if node is not None else 0
    model = getattr(sim, "resources", None)
    rows = [HEADER]
    for t in live:
        seen = model.container(t.id) if model is not None else None
        got, _want, ws = seen if seen is not None else (0.0, 0.0, 0.0)
        limit = t.spec.resources.limits.memory_bytes or memory
        cid = container_id(t)
        rows.append([
            cid if p.values.get("no-trunc") else cid[:12],
            f"{t.name}.{t.id}",
            f"{100.0 * got:.2f}%",
            f"{bytes_size(ws)} / {bytes_size(limit)}",
            f"{100.0 * ws / limit if limit else 0.0:.2f}%",
            f"{human_size(0)} / {human_size(0)}",
            f"{human_size(0)} / {human_size(0)}",
            "1",
        ])
    ctx.out.append(tabwrite(rows))
