"""``swarmsim run``: simulate a scenario and print what docker would print."""

from __future__ import annotations

import argparse
import json

from swarmsim.cli.progress import Progress
from swarmsim.cli.run_log import log_lines
from swarmsim.foundation.collector import paused_collector
from swarmsim.foundation.text import natural_key, sim_clock
from swarmsim.foundation.units import parse_duration


def run(args: argparse.Namespace) -> int:
    # this sub-command's modules load only when it runs: `swarmsim --help` and the
    # other sub-commands start without them; loading makes no garbage cycles worth a
    # collector pass (the run itself pauses the collector too)
    with paused_collector():
        from swarmsim.app.run import run_scenario
        from swarmsim.commands import run_command
        from swarmsim.input.scenario import load_scenario
        from swarmsim.outputs.files import (
            drop_other_format,
            final_document,
            final_stack_ps,
            write_run,
        )
        from swarmsim.outputs.staging import check_out_dir, write_staged

        until = None if args.until is None else parse_duration(args.until)  # checked: > 0
        out = None if args.out is None else check_out_dir(args.out, force=args.force)
        scenario = load_scenario(args.scenario, seed=args.seed)
    with Progress() as progress:
        result = run_scenario(scenario, until=until,
                              progress=progress if progress.enabled else None)
    if out is not None:
        from swarmsim.report import write_results

        # events, final state, metrics, plots, report.html, visualizer.html
        fmt = getattr(args, "format", "png")
        packed = getattr(args, "out_format", "plain") == "gzip"
        drop_other_format(write_staged(out, lambda d: [
            *write_run(result, d, compress=packed),
            *write_results(result, d, fmt=fmt, compress=packed)]))
    if args.json:
        from swarmsim.metrics import run_summary  # the summary alone (cached after --out)

        with paused_collector():  # figures from the run's columns: no cycles either
            doc = {**final_document(result), "summary": run_summary(result)}
        print(json.dumps(doc, indent=2))
        return 0

    for line in log_lines(result.log, result.sim.events):
        print(line)
    sim = result.sim
    print(f"\n[{sim_clock(sim.now)}] end of simulation")
    for line in ["docker node ls", "docker service ls"]:
        res = run_command(sim, line)
        print(f"\n$ {line}")
        print((res.output or res.error).rstrip("\n"))
    for name in _stacks(sim):  # built once: --out's stack-ps.txt holds the same text
        print(f"\n$ docker stack ps {name}")
        print(final_stack_ps(result, name).rstrip("\n"))
    from swarmsim.workload.report import traffic_text

    traffic = traffic_text(sim)
    if traffic:
        print(f"\n[{sim_clock(sim.now)}] traffic\n{traffic}")
    return 0


def _stacks(sim) -> list[str]:  # type: ignore[no-untyped-def]
    names = {svc.spec.stack for svc in sim.state.services.values() if svc.spec.stack}
    return sorted(names, key=natural_key)
