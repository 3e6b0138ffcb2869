"""``report.html``: one self-contained page (plots inlined as PNG data) with the
scenario, the summary, the plots, the events that mattered and the final
``docker stack ps``."""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence
from html import escape
from pathlib import Path
from typing import Any

from swarmsim.outputs.jsonlines import of_kind
from swarmsim.report.data import RunData
from swarmsim.report.style import fmt_bytes, fmt_clock, fmt_pct, fmt_seconds, short_service

MAX_EVENTS = 300
#: the most lines of the final ``docker stack ps`` the page shows (all are in stack-ps.txt)
MAX_PS_LINES = 2000
_CSS = """
body{font:14px/1.45 -apple-system,"Segoe UI",Helvetica,Arial,sans-serif;margin:0 auto;
max-width:1180px;padding:18px 24px;color:#1d2730}
h1{font-size:22px}h2{font-size:18px;margin-top:30px;border-bottom:1px solid #d0d7de}
table{border-collapse:collapse;margin:8px 0;font-size:13px}
th,td{border:1px solid #d0d7de;padding:3px 8px;text-align:left;vertical-align:top}
th{background:#f0f3f6}td.n{text-align:right;font-variant-numeric:tabular-nums}
pre{background:#f6f8fa;padding:10px;overflow-x:auto;font-size:12px}
img{max-width:100%;border:1px solid #e1e4e8;margin:6px 0}
.bad{color:#b71c1c}.muted{color:#6a737d}
"""


def _table(headers: Sequence[str], rows: Sequence[Sequence[Any]],
           numeric: Sequence[int] = ()) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = []
    for row in rows:
        cells = "".join(
            f"<td class=\"n\">{escape(str(v))}</td>" if i in numeric
            else f"<td>{escape(str(v))}</td>" for i, v in enumerate(row))
        body.append(f"<tr>{cells}</tr>")
    return f"<table><tr>{head}</tr>{''.join(body)}</table>"


def _scenario(data: RunData) -> str:
    sc = data.scenario
    nodes = [[n["name"], n["role"], f"{n['cpus']:g}", fmt_bytes(n["memory"]), n["availability"],
              ", ".join(f"{k}={v}" for k, v in sorted(n.get("labels", {}).items()))]
             for n in sc.get("nodes", [])]
    stacks = ", ".join(f"{k}: {' + '.join(v)}" for k, v in sorted(sc.get("stacks", {}).items()))
    steps = []
    for s in sc.get("timeline", []):
        what = next((f"{k} {v}" for k, v in s.items() if k not in ("at", "on", "exit_code")), "")
        steps.append([fmt_clock(float(s["at"])), what + (f" (on {s['on']})" if "on" in s else "")])
    out = [f"<p>seed {sc.get('seed')}, simulated until {fmt_clock(float(sc.get('until', 0)))}"
           f"; stacks: {escape(stacks) or '-'}</p>",
           _table(["node", "role", "cpus", "memory", "availability", "labels"], nodes, (2,))]
    if steps:
        out.append("<p>Timeline:</p>" + _table(["at", "step"], steps))
    return "".join(out)


def _services(data: RunData) -> str:
    rows = []
    stacks = data.stacks()
    for name, s in sorted(data.summary.get("services", {}).items()):
        pend = s.get("pending_time") or {}
        restarts = ", ".join(f"{k} {v}" for k, v in s.get("restarts", {}).items()) or "-"
        rows.append([short_service(name, stacks), s.get("mode", ""), s["desired"], s["running"],
                     fmt_pct(s.get("availability")), fmt_seconds(s.get("downtime")),
                     fmt_seconds(s.get("deployed_after")), fmt_seconds(pend.get("mean")),
                     fmt_seconds(pend.get("max")), restarts])
    return _table(["service", "mode", "desired", "running", "availability", "downtime",
                   "deployed after", "pending mean", "pending max", "restarts by cause"],
                  rows, (2, 3, 4, 5, 6, 7, 8))


def _cluster(summary: Mapping[str, Any]) -> str:
    conv = summary.get("convergence", {})
    place = summary.get("placement", {})
    util = summary.get("utilisation", {}).get("cluster", {})
    rest = summary.get("restarts", {})
    rows = [
        ["time to converge (mean / max)",
         f"{fmt_seconds(conv.get('mean'))} / {fmt_seconds(conv.get('max'))}"
         f" over {conv.get('disturbances', 0)} disturbances, {conv.get('not_converged', 0)}"
         " not converged"],
        ["restarts", f"{rest.get('total', 0)}" + (
            " (" + ", ".join(f"{k} {v}" for k, v in rest.get("by_cause", {}).items()) + ")"
            if rest.get("by_cause") else "")],
        ["pending time (mean / max)",
         f"{fmt_seconds(summary.get('pending_time', {}).get('mean'))} / "
         f"{fmt_seconds(summary.get('pending_time', {}).get('max'))}"],
        ["placement imbalance at end (CV of tasks / reserved CPU)",
         f"{_num(place.get('cv_tasks'))} / {_num(place.get('cv_reserved_cpus'))} over "
         f"{place.get('nodes', 0)} ready active nodes"],
        ["nodes in use (end / max)",
         f"{place.get('nodes_in_use', 0)} / {place.get('nodes_in_use_max', 0)}"],
    ]
    for key, label in (("cpu_used", "CPU used"), ("cpu_reserved", "CPU reserved"),
                       ("memory_used", "memory used"), ("memory_reserved", "memory reserved")):
        lv = util.get(key, {})
        rows.append([f"{label} (mean / peak)",
                     f"{fmt_pct(lv.get('mean'))} / {fmt_pct(lv.get('peak'))}"])
    req = summary.get("requests")
    if req:
        rows.append(["requests", f"{req['count']} ({req['failed']} failed), "
                     f"p50 {fmt_seconds(req.get('latency_p50'))}, "
                     f"p95 {fmt_seconds(req.get('latency_p95'))}, "
                     f"p99 {fmt_seconds(req.get('latency_p99'))}"])
    return _table(["figure", "value"], rows)


def _num(x: float | None) -> str:
    return "-" if x is None else f"{x:.3f}"


def mattered(data: RunData) -> list[list[str]]:
    """Events worth a line: timeline commands and faults, node status and
    availability changes, and tasks that failed or were rejected, in time order."""
    out: list[list[str]] = []
    last: dict[str, tuple[str, str, bool]] = {}
    for e in of_kind(data.events, "command", "fault", "node", "task",
                     task_states=("failed", "rejected")):
        kind, t = e.get("kind"), fmt_clock(float(e["time"]))
        if kind == "command":
            code = int(e.get("exit_code", 0))
            note = "" if code == 0 else f" (exit {code}: {e.get('error', '').strip()[:120]})"
            out.append([t, "command", f"{e.get('on', '')}$ {e['command']}{note}"])
        elif kind == "fault":
            out.append([t, "fault", f"{e['action']} {e['target']} {e.get('detail', '')}".strip()])
        elif kind == "node":
            now = (e["status"], e["availability"], bool(e["alive"]))
            before = last.get(e["node"])
            last[e["node"]] = now
            if before is not None and before != now:
                out.append([t, "node", f"{e['node']}: {now[0]}, {now[1]}"
                            + ("" if now[2] else ", machine off")])
        elif kind == "task" and e["state"] in ("failed", "rejected"):
            out.append([t, "task", f"{e['task']} on {e.get('node')}: {e['state']} "
                        f"{e.get('error', '')}".strip()])
    return out


def render_report(data: RunData, plots: Mapping[str, Path]) -> str:
    """The whole ``report.html`` document; ``plots`` maps captions to PNG files."""
    name = escape(str(data.scenario.get("name", "")))
    parts = [f"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
             f"<link rel=\"icon\" href=\"data:,\"><title>swarmsim report: {name}</title>"
             f"<style>{_CSS}</style></head><body>",
             f"<h1>swarmsim report: {name}</h1>",
             "<p class=\"muted\">Replay the run in <a href=\"visualizer.html\">visualizer.html"
             "</a>. Every figure is defined in swarmsim's docs/metrics.md.</p>",
             "<h2>Scenario</h2>", _scenario(data),
             "<h2>Summary</h2>", _services(data), _cluster(data.summary), "<h2>Plots</h2>"]
    for caption, path in plots.items():
        b64 = base64.b64encode(Path(path).read_bytes()).decode("ascii")
        parts.append(f"<h3>{escape(caption)}</h3><img alt=\"{escape(caption)}\" "
                     f"src=\"data:image/png;base64,{b64}\">")
    stacks = data.stacks()
    dist = [[fmt_clock(d["time"]), d["kind"], short_service(d["target"], stacks), d["detail"],
             fmt_seconds(d["converged_after"]) if d["converged_after"] is not None
             else "not converged"]
            for d in data.summary.get("disturbances", [])]
    parts += ["<h2>Disturbances</h2>",
              _table(["time", "kind", "target", "detail", "converged after"], dist)]
    events = mattered(data)
    more = len(events) - MAX_EVENTS
    parts += ["<h2>Events that mattered</h2>", _table(["time", "kind", "what"],
                                                      events[:MAX_EVENTS])]
    if more > 0:
        parts.append(f"<p class=\"muted\">{more} more in events.jsonl</p>")
    lines = data.stack_ps.split("\n")
    shown = "\n".join(lines[:MAX_PS_LINES])
    cut = len(lines) - MAX_PS_LINES
    parts += ["<h2>Final docker stack ps</h2>",
              f"<pre>{escape(shown) or '(no stacks)'}</pre>",
              f"<p class=\"muted\">{cut} more lines in stack-ps.txt</p>" if cut > 0 else "",
              "</body></html>\n"]
    return "".join(parts)
