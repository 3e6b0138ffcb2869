"""Run a scenario through simulated time: ``swarmsim run``.

At t=0 the scenario's machines form the swarm (the first manager runs ``docker swarm
init``, the others join) and its ``stacks:`` are deployed as ``docker stack deploy``
would deploy them; then the timeline's steps happen at their times, and the
simulation runs until ``until``.
"""

from __future__ import annotations

import shlex
from collections.abc import Callable, Container
from dataclasses import dataclass, field
from typing import Any

from swarmsim.cluster.tasks import Task, TaskState
from swarmsim.commands import control_api, default_machine, run_command
from swarmsim.compose import load_stack, validate_for_daemon
from swarmsim.foundation.errors import InputError
from swarmsim.input.scenario import Scenario, check_run
from swarmsim.input.timeline import Step
from swarmsim.metrics.recorder import Recorder
from swarmsim.simulation.engine import Simulation, tuned_gc


@dataclass(frozen=True, slots=True)
class CommandEvent:
    """A command a timeline step ran, with docker's answer.

    A command that waits for its service (``docker service update`` without
    ``--detach``) leaves a second event, of kind ``progress``, when the wait ends: what
    it printed while waiting, its errors and its final exit status.
    """

    time: float
    command: str
    output: str
    error: str
    exit_code: int
    on: str
    kind: str = "command"


@dataclass(frozen=True, slots=True)
class FaultEvent:
    """A fault a timeline step injected (``fail``, ``recover``, ``kill``)."""

    time: float
    action: str
    target: str
    detail: str = ""
    kind: str = "fault"


@dataclass(slots=True)
class RunResult:
    """What a run leaves behind: the simulation (its state at ``until``) and the log of
    timeline steps in the order they happened."""

    sim: Simulation
    log: list[Any] = field(default_factory=list)
    recorder: Any = None  # swarmsim.metrics.Recorder: what metrics need beyond the events

    @property
    def scenario(self) -> Scenario:
        """The scenario that ran."""
        return self.sim.scenario


def run_scenario(
    scenario: Scenario,
    *,
    seed: int | None = None,
    until: float | None = None,
    env_vars: dict[str, str] | None = None,
    progress: Callable[[float, float], None] | None = None,
    watch: Container[str] | None = None,
) -> RunResult:
    """Simulate ``scenario`` and return the result.

    Args:
        scenario: a loaded scenario.
        seed: overrides the scenario's seed.
        until: overrides the scenario's ``until`` (seconds).
        env_vars: the environment compose files are interpolated from.
        progress: called as ``progress(now, until)`` (simulated seconds) about every
            1/200 of the run; the run itself is the same with or without it.
        watch: task ids (or ``swarmsim.scheduler.ALL_TASKS``) whose scheduling decisions
            are kept with every node's verdict (``swarmsim explain``); the run is the same.

    Raises:
        InputError: a file of the scenario's ``stacks:`` that docker would not load
            (as ``swarmsim plan`` reports it). A command of the ``timeline:`` that
            docker refuses is not an error: its output is part of the run.
    """
    end = scenario.until if until is None else until
    check_run(scenario, end)  # before anything is allocated
    check_stacks(scenario, env_vars)
    sim = Simulation(scenario, seed=seed, env_vars=env_vars)
    sim.scheduler.watch = watch
    result = RunResult(sim, recorder=Recorder.attach(sim))
    sim.bootstrap()
    for ref in scenario.stacks:
        files = " ".join(f"-c {shlex.quote(f)}" for f in ref.given)
        _run(result, f"docker stack deploy {files} {ref.name}", None)
    for step in scenario.timeline:
        sim.later(step.at, _do_step, result, step)
    if scenario.traces:
        # loaded only for a scenario with traces (`run --json` starts without it)
        from swarmsim.workload.traces import schedule_traces

        schedule_traces(sim.clock, sim.controlapi, scenario.traces)
    if scenario.rebalance != "off":
        def logged(line: str, out: str, err: str, code: int) -> None:
            _log(result, CommandEvent(sim.now, line, out, err, code, ""))

        sim.rebalancer(scenario.rebalance, logged).start()
    _advance(sim, end, progress)
    return result


def _advance(sim: Simulation, end: float, progress: Callable[[float, float], None] | None) -> None:
    """Run the clock to ``end``; with ``progress``, in 200 legs (simpy resumes exactly
    where it paused, so the events are the same)."""
    if end <= sim.env.now:  # nothing to run: the swarm as it is at t=0
        return
    with tuned_gc():
        if progress is None:
            sim.env.run(until=end)
            return
        legs = 200
        for k in range(1, legs + 1):
            at = end * k / legs
            if at > sim.env.now:
                sim.env.run(until=at)
            progress(sim.env.now, end)


def check_stacks(scenario: Scenario, env_vars: dict[str, str] | None = None) -> None:
    """Load every file of ``scenario``'s ``stacks:`` as ``docker stack deploy`` would,
    before the run starts, so that a file docker rejects is an input error (one line:
    file, line, key path) rather than a refused command in the run's output.

    Raises:
        InputError: the first file docker would reject.
    """
    loaded: list[Any] = []
    for ref in scenario.stacks:
        stack = load_stack(list(ref.compose_files), ref.name, env=env_vars,
                           display=list(ref.given))
        try:
            validate_for_daemon(stack, existing=loaded)
        except InputError as err:
            raise err.located(file=ref.given[0]) from None
        loaded.extend(stack.services)


def _do_step(result: RunResult, step: Step) -> None:
    sim = result.sim
    if step.action == "run":
        _run(result, step.target, step.on)
        return
    if step.action in ("fail", "recover"):
        alive = step.action == "recover"
        node_id = control_api(sim).node_id(step.target)  # its current node, if in a swarm
        node = sim.state.nodes.get(node_id or "")
        if node is not None and node.alive != alive:
            sim.state.set_alive(node.id, alive)
        _log(result, FaultEvent(sim.now, step.action, step.target))
        return
    task = find_task(sim, step.target)
    if task is None:
        detail = f"no such task: {step.target}"
    elif sim.agent.kill(task, step.exit_code):
        detail = f"{task.name} ({task.id[:12]}) exited with code {step.exit_code}"
    else:
        detail = f"{task.name} ({task.id[:12]}) has no running container"
    _log(result, FaultEvent(sim.now, "kill", step.target, detail))


def find_task(sim: Simulation, ref: str) -> Task | None:
    """A task by id (or unique id prefix) or by ``<service>.<slot>`` (its current task:
    the newest one whose desired state is at most ``running``)."""
    if ref in sim.state.tasks:
        return sim.state.tasks[ref]
    service, _, slot = ref.rpartition(".")
    if service in sim.state.services and slot.isdigit():
        candidates = [
            t for t in sim.state.tasks_of(service)
            if t.slot == int(slot) and not t.preassigned
        ]
        live = [t for t in candidates if t.desired <= TaskState.RUNNING]
        pool = live or candidates
        return max(pool, key=lambda t: t.created) if pool else None
    if service in sim.state.services:  # <service>.<node id> for global tasks
        for t in sim.state.tasks_of(service):
            if t.preassigned and t.node_id == slot and t.desired <= TaskState.RUNNING:
                return t
    matches = [t for tid, t in sim.state.tasks.items() if tid.startswith(ref)]
    return matches[0] if len(matches) == 1 else None


def _run(result: RunResult, line: str, on: str | None) -> None:
    sim = result.sim
    machine = on or default_machine(sim, control_api(sim))
    if line.split(None, 1)[:1] == ["curl"]:  # a request to the get-started app
        # loaded only for a timeline that curls the get-started app
        from swarmsim.commands.curl import timeline_curl

        out, err, code = timeline_curl(sim, line, machine)
        _log(result, CommandEvent(sim.now, line, out, err, code, machine))
        return
    res = run_command(sim, line, on=machine)
    _log(result, CommandEvent(sim.now, line, res.output, res.error, res.exit_code, machine))
    if res.waits:
        # loaded only for a command that waits (a service's progress bars)
        from swarmsim.commands.progress import follow

        def waited(out: str, err: str, code: int) -> None:
            code = code or res.exit_code
            _log(result, CommandEvent(sim.now, line, out, err, code, machine, kind="progress"))

        follow(sim, res.waits, waited)


def _log(result: RunResult, event: Any) -> None:
    result.log.append(event)
    result.sim.events.append(event)
