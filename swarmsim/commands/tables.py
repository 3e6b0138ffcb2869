"""The tables docker prints for nodes, tasks, services and stacks.

Columns, truncation, sort orders and cell texts follow the docker CLI's formatters
(``cli/command/{node,task,service,stack}``); :func:`tabwrite` aligns them as Go's
``text/tabwriter`` does with docker's settings (minimum width 10, padding 3), which
pads every cell but a line's last, so lines may end in spaces, exactly as docker's.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence

from swarmsim.cluster.state import ClusterState, NodeRecord, ServiceRecord
from swarmsim.cluster.tasks import Task, TaskState
from swarmsim.commands.gotemplate import TemplateError, compile_template
from swarmsim.compose import imageref
from swarmsim.foundation import defaults
from swarmsim.foundation.errors import CommandError
from swarmsim.foundation.text import current_state, natural_key, truncate_error
from swarmsim.input.specs import PortConfig
from swarmsim.manager.restart import service_tasks

_MODES = {
    "replicated": "replicated",
    "global": "global",
    "replicated-job": "replicated job",
    "global-job": "global job",
}


def _width(text: str) -> int:
    """Display width: East Asian wide and full-width characters take two columns."""
    if text.isascii():
        return len(text)
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def tabwrite(rows: Sequence[Sequence[str]], *, minwidth: int = 10, padding: int = 3) -> str:
    """Rows aligned in columns, one line each (with its newline), as docker prints them.

    A column is as wide as its widest cell plus ``padding``, and at least ``minwidth``;
    the last cell of a line is not padded.
    """
    widths: list[int] = []
    for row in rows:
        for j, cell in enumerate(row[:-1]):
            need = max(minwidth, _width(cell) + padding)
            if j == len(widths):
                widths.append(need)
            else:
                widths[j] = max(widths[j], need)
    lines = []
    for row in rows:
        cells = [cell + " " * (widths[j] - _width(cell)) for j, cell in enumerate(row[:-1])]
        lines.append("".join(cells) + (row[-1] if row else "") + "\n")
    return "".join(lines)


def pretty(value: str) -> str:
    """docker's ``PrettyPrint``: first letter upper case, the rest lower case."""
    return value[:1].upper() + value[1:].lower() if len(value) > 1 else value.lower()


def short_id(value: str) -> str:
    """An id cut to 12 characters, as docker's ``TruncateID``."""
    return value[:12]


def shown_image(image: str) -> str:
    """The IMAGE column: a tagged reference without its digest (``nginx:1.25``)."""
    try:
        ref = imageref.parse(image)
    except imageref.ReferenceError:
        return image
    if not ref.tag:
        return image
    return imageref.ImageRef(ref.domain, ref.path, ref.tag).familiar()


# --- docker node ls ------------------------------------------------------------------
def node_table(nodes: Iterable[NodeRecord], self_id: str | None, *, quiet: bool = False) -> str:
    """``docker node ls``: full ids, `` *`` on the node the command runs on."""
    ordered = sorted(nodes, key=lambda n: (natural_key(n.name), n.id))
    if quiet:
        return "".join(f"{n.id}\n" for n in ordered)
    rows = [["ID  ", "HOSTNAME", "STATUS", "AVAILABILITY", "MANAGER STATUS", "ENGINE VERSION"]]
    for n in ordered:
        rows.append([
            f"{n.id} {'*' if n.id == self_id else ' '}",
            n.name,
            pretty(n.spec.status),
            pretty(n.spec.availability),
            n.manager_status,
            defaults.ENGINE_VERSION,
        ])
    return tabwrite(rows)


# --- docker service ps / node ps / stack ps ------------------------------------------
def task_table(
    state: ClusterState,
    tasks: Iterable[Task],
    now: float,
    *,
    trunc: bool = True,
    quiet: bool = False,
    resolve: bool = True,
) -> str:
    """The task table of ``docker service ps``, ``docker node ps`` and ``docker stack ps``.

    Tasks of a slot are grouped, newest first, the older ones indented with `` \\_ ``.
    """
    named = [(_task_name(state, t, resolve), t) for t in tasks]
    named.sort(key=lambda nt: -nt[1].created)  # stable: then by name below
    named.sort(key=lambda nt: natural_key(nt[0]))
    if quiet:
        return "".join(f"{t.id}\n" for _, t in named)
    rows = [["ID", "NAME", "IMAGE", "NODE", "DESIRED STATE", "CURRENT STATE", "ERROR", "PORTS"]]
    previous = None
    for name, t in named:
        node = state.nodes.get(t.node_id or "")
        if not t.node_id:
            node_text = ""
        else:
            node_text = node.name if node is not None and resolve else t.node_id
        error = truncate_error(t.error) if trunc else (f'"{t.error}"' if t.error else "")
        rows.append([
            short_id(t.id) if trunc else t.id,
            f" \\_ {name}" if name == previous else name,
            shown_image(t.spec.image) if trunc else t.spec.image,
            node_text,
            pretty(t.desired.label),
            current_state(t.state.label, t.updated, now),
            error,
            _task_ports(t),
        ])
        previous = name
    return tabwrite(rows)


def _task_name(state: ClusterState, task: Task, resolve: bool) -> str:
    """``<service>.<slot>``, or ``<service>.<node id>`` for a task without a slot."""
    svc = state.services.get(task.service)
    service = task.service if resolve or svc is None else svc.id
    return f"{service}.{task.slot}" if task.slot != 0 else f"{service}.{task.node_id or ''}"


def _task_ports(task: Task) -> str:
    """Host-mode ports a running task publishes (``*:8080->80/tcp``)."""
    if task.state != TaskState.RUNNING:
        return ""
    return ",".join(
        f"*:{p.published}->{p.target}/{p.protocol}"
        for p in task.spec.ports
        if p.mode == "host" and p.published
    )


# --- docker service ls / stack services ----------------------------------------------
def service_table(
    state: ClusterState, services: Iterable[ServiceRecord], *, quiet: bool = False
) -> str:
    """``docker service ls`` / ``docker stack services``."""
    ordered = sorted(services, key=lambda s: natural_key(s.name))
    if quiet:
        return "".join(f"{short_id(s.id)}\n" for s in ordered)
    rows = [["ID", "NAME", "MODE", "REPLICAS", "IMAGE", "PORTS"]]
    for s in ordered:
        rows.append([
            short_id(s.id),
            s.name,
            _MODES.get(s.spec.mode, ""),
            replicas(state, s),
            shown_image(s.spec.image),
            ingress_ports(s.spec.ports),
        ])
    return tabwrite(rows)


def replica_counts(state: ClusterState, svc: ServiceRecord) -> tuple[int, int, int]:
    """``(running, desired, completed)`` as the manager counts them
    (``ListServiceStatuses``; the API's ``ServiceStatus``)."""
    spec = svc.spec
    running = desired = completed = 0
    for t in service_tasks(state, svc):
        if spec.is_job:
            if t.job_iteration != svc.job_iteration:
                continue
            completed += t.state == TaskState.COMPLETE
        running += t.state == TaskState.RUNNING
        if spec.is_global:
            desired += t.desired == TaskState.RUNNING
            desired += t.state != TaskState.COMPLETE and t.desired == TaskState.COMPLETE
    if not spec.is_global:
        desired = spec.replicas
    return running, desired, completed


def replicas(state: ClusterState, svc: ServiceRecord) -> str:
    """The REPLICAS column: running/desired, with the max-per-node and job variants."""
    spec = svc.spec
    running, desired, completed = replica_counts(state, svc)
    if spec.mode == "replicated-job":
        return f"{running}/{desired} ({completed}/{spec.replicas} completed)"
    if spec.mode == "global-job":
        return f"{running}/{desired} ({completed}/{desired + completed} completed)"
    if spec.mode == "replicated" and spec.placement.max_replicas > 0:
        return f"{running}/{desired} (max {spec.placement.max_replicas} per node)"
    return f"{running}/{desired}"


def ingress_ports(ports: Sequence[PortConfig]) -> str:
    """The PORTS column: ingress ports, consecutive ones merged into ranges
    (``*:80-81->80-81/tcp``), joined with ``, ``."""
    ordered = sorted(ports, key=lambda p: (p.protocol, p.published))
    out: list[str] = []
    current: list[int] | None = None  # published start/end, target start/end
    proto = ""
    for p in ordered:
        if p.mode != "ingress":
            continue
        if current is not None and p.protocol == proto and (
            0 <= p.published - current[1] <= 1
            and 0 <= p.target - current[3] <= 1
            and not (current[3] != current[2] and p.target <= current[3])
        ):
            current[1], current[3] = p.published, p.target
            continue
        if current is not None and current[0] > 0:
            out.append(_port_range(current, proto))
        current, proto = [p.published, p.published, p.target, p.target], p.protocol
    if current is not None and current[0] > 0:
        out.append(_port_range(current, proto))
    return ", ".join(out)


def _port_range(r: list[int], protocol: str) -> str:
    pub = f"{r[0]}-{r[1]}" if r[1] > r[0] else str(r[0])
    tgt = f"{r[2]}-{r[3]}" if r[3] > r[2] else str(r[2])
    return f"*:{pub}->{tgt}/{protocol}"


# --- docker stack ls -----------------------------------------------------------------
def stack_table(services: Iterable[ServiceRecord]) -> str:
    """``docker stack ls``: stacks by name with their number of services."""
    counts: dict[str, int] = {}
    for s in services:
        if s.spec.stack:
            counts[s.spec.stack] = counts.get(s.spec.stack, 0) + 1
    rows = [["NAME", "SERVICES"]]
    rows += [[name, str(counts[name])] for name in sorted(counts, key=natural_key)]
    return tabwrite(rows)


def formatted(entries: list[dict[str, str]], fmt: str, headers: dict[str, str],
              default_table: str) -> str:
    """Rows as docker's formatter writes them (cli/command/formatter/formatter.go):
    ``table`` (``default_table``), ``json`` (one object per line), ``table TEMPLATE``
    (the header row, then the cells, tab-separated and aligned) or a template per line;
    ``\\t`` and ``\\n`` typed in the format are a tab and a newline.

    Raises:
        CommandError: a template that does not parse (``template parsing error: ...``).
    """
    fmt = fmt or "table"
    if fmt == "table":
        fmt = default_table
    elif fmt == "json":
        fmt = "{{json .}}"
    table = fmt.startswith("table")
    body = (fmt[len("table"):] if table else fmt).strip(" ")
    try:
        render = compile_template(body.replace("\\t", "\t").replace("\\n", "\n"))
        lines = [render(e) for e in entries]
        header = render(headers) if table else ""
    except TemplateError as err:
        raise CommandError(f"template parsing error: {err}") from None
    if not table:
        return "".join(f"{ln}\n" for ln in lines)
    return tabwrite([row.split("\t") for row in [header, *lines]])
