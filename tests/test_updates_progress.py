"""Rolling updates as the CLI shows them without ``--detach`` (semantics §6).

Timings by hand: a new task is assigned 0.05 s after it is created (the scheduler's
batch), spends ``pull`` 2 s preparing and ``startup`` 1 s starting, so it runs 3.05 s
after its slot is handed out; the CLI polls every 0.2 s from the command's time and,
once every slot runs an up-to-date task, waits the update ``monitor`` (5 s) more.
"""

from __future__ import annotations

from pathlib import Path

from swarmsim.app.run import CommandEvent, run_scenario
from swarmsim.cluster.state import TaskEvent
from swarmsim.commands.progress import Screen, bar, overall, trunc_error
from swarmsim.input.scenario import load_scenario

RUNNING_BAR = "[" + "=" * 50 + ">]"


def compose(tag: int, *, extra: str = "", order: str = "stop-first",
            action: str = "pause") -> str:
    return f"""\
version: "3.8"
services:
  web:
    image: example/web:{tag}
    deploy:
      replicas: 4
      update_config:
        parallelism: 2
        delay: 10s
        order: {order}
        failure_action: {action}
{extra}"""


CRASHING = """\
      resources:
        limits:
          memory: 64M
    x-swarmsim:
      memory_used: 100M
"""


def run(tmp_path: Path, steps: list[str], files: dict[str, str], until: str = "2m"):
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    timeline = "".join(f"  - {s}\n" for s in steps)
    (tmp_path / "s.yaml").write_text(f"""\
name: t
seed: 0
until: {until}
nodes:
  - name: m1
    role: manager
  - name: w1
  - name: w2
stacks:
  app: app.yml
timeline:
{timeline}""")
    return run_scenario(load_scenario(tmp_path / "s.yaml"))


def progress_events(result) -> list[CommandEvent]:
    return [e for e in result.log if e.kind == "progress"]


def running_times(result, after: float) -> list[float]:
    return [round(e.time, 3) for e in result.sim.events
            if isinstance(e, TaskEvent) and e.time >= after and e.state == "running"
            and e.desired_state == "running"]


def screen(overall_line: str, n: int, last: str) -> str:
    rows = [f"overall progress: {overall_line}"]
    rows += [f"{i}/{n}: running   {RUNNING_BAR}" for i in range(1, n + 1)]
    return "\n".join([*rows, last]) + "\n"


def test_rolling_update_two_at_a_time_with_a_delay(tmp_path: Path) -> None:
    res = run(tmp_path, ['{at: 30s, run: "docker service update --image example/web:2 app_web"}'],
              {"app.yml": compose(1)})
    assert running_times(res, 30) == [33.05, 33.05, 46.1, 46.1]  # 30 + 3.05; +10 s delay
    first = [e for e in res.log if e.kind == "command"][-1]
    assert (first.time, first.output, first.exit_code) == (30.0, "app_web\n", 0)
    [done] = progress_events(res)
    # converged at the poll of 46.2 s, verified 5 s later
    assert done.time == 51.2
    assert done.output == screen("4 out of 4 tasks", 4, "verify: Service app_web converged")
    assert (done.error, done.exit_code) == ("", 0)


def test_manual_rollback_one_slot_at_a_time(tmp_path: Path) -> None:
    res = run(tmp_path, ['{at: 30s, run: "docker service update --image example/web:2 app_web"}',
                         '{at: 90s, run: "docker service rollback app_web"}'],
              {"app.yml": compose(1)})
    # rollback config defaults: parallelism 1, no delay -> one slot every 3.05 s
    assert running_times(res, 90) == [93.05, 96.1, 99.15, 102.2]
    back = progress_events(res)[1]
    assert back.time == 107.2
    assert back.output == "rollback: manually requested rollback\n" + screen(
        "rolling back update: 4 out of 4 tasks", 4, "verify: Service app_web converged")
    assert res.sim.state.services["app_web"].spec.image == "example/web:1"


def test_update_rollback_flag_is_the_same_rollback(tmp_path: Path) -> None:
    res = run(tmp_path, ['{at: 30s, run: "docker service update --image example/web:2 app_web"}',
                         '{at: 90s, run: "docker service update --rollback app_web"}'],
              {"app.yml": compose(1)})
    back = progress_events(res)[1]
    assert back.time == 107.2 and back.output.startswith("rollback: manually requested rollback\n")


def test_start_first_stops_the_old_task_once_the_new_one_runs(tmp_path: Path) -> None:
    res = run(tmp_path, ['{at: 30s, run: "docker service update --image example/web:2 app_web"}'],
              {"app.yml": compose(1, order="start-first")})
    shut = sorted(round(e.time, 3) for e in res.sim.events if isinstance(e, TaskEvent)
                  and e.time >= 30 and e.state == "shutdown")
    assert running_times(res, 30) == [33.05, 33.05, 46.1, 46.1]
    assert shut == [33.05, 33.05, 46.1, 46.1]  # stop-first would stop them at 30 and 43.05
    assert progress_events(res)[0].time == 51.2


def test_update_that_crashes_at_start_pauses(tmp_path: Path) -> None:
    res = run(tmp_path, ['{at: 30s, run: "docker stack deploy --detach=false -c bad.yml app"}'],
              {"app.yml": compose(1), "bad.yml": compose(3, extra=CRASHING)})
    svc = res.sim.state.services["app_web"]
    assert svc.update_state == "paused"
    [done] = progress_events(res)
    failed = next(e for e in res.sim.events if isinstance(e, TaskEvent) and e.state == "failed")
    assert failed.time == 33.05  # OOM-killed as soon as it runs
    assert done.time == 33.2 and done.exit_code == 1
    assert done.error == (f"{svc.id}: service update paused: update paused due to failure or "
                          f"early termination of task {failed.id}\n")
    assert done.output == ("overall progress: 0 out of 4 tasks\n"
                           f"1/4: starting  [{'=' * 44}>{' ' * 6}]\n"
                           f"2/4: starting  [{'=' * 44}>{' ' * 6}]\n3/4:\n4/4:\n")


def test_update_that_crashes_at_start_rolls_back(tmp_path: Path) -> None:
    res = run(tmp_path, ['{at: 30s, run: "docker stack deploy --detach=false -c bad.yml app"}'],
              {"app.yml": compose(1), "bad.yml": compose(3, extra=CRASHING, action="rollback")})
    svc = res.sim.state.services["app_web"]
    assert (svc.update_state, svc.spec.image) == ("rollback_completed", "example/web:1")
    [done] = progress_events(res)
    assert done.exit_code == 0 and done.time == 44.2
    assert done.output == screen("rolling back update: 4 out of 4 tasks", 4,
                                 f"verify: Service {svc.id} converged") + \
        "rollback: rollback completed\n"


def test_detach_and_quiet(tmp_path: Path) -> None:
    res = run(tmp_path, ['{at: 30s, run: "docker service update -d --image example/web:2 app_web"}',
                         '{at: 90s, run: "docker service update -q --image example/web:3 app_web"}',
                         '{at: 90s, run: "docker stack deploy -c app.yml app"}'],
              {"app.yml": compose(1)})
    [quiet] = progress_events(res)  # -d and the stack deploy default detach: no wait
    assert quiet.command.startswith("docker service update -q") and quiet.output == ""


def test_scale_waits_for_the_new_replicas(tmp_path: Path) -> None:
    res = run(tmp_path, ['{at: 30s, run: "docker service scale app_web=6"}'],
              {"app.yml": compose(1)})
    [done] = progress_events(res)
    assert done.time == 38.2  # new tasks run at 33.05, seen at 33.2, + 5 s
    assert done.output == screen("6 out of 6 tasks", 6, "verify: Service app_web converged")


def test_screen_and_bars() -> None:
    assert bar(6, 9) == "[" + "=" * 33 + ">" + " " * 17 + "] "  # preparing: 66 % / 2
    assert bar(0, 0) == ""
    assert overall(1, 3, True) == "rolling back update: 1 out of 3 tasks"
    assert trunc_error("x" * 80) == "x" * 74 + "…"
    s = Screen()
    s.progress("overall progress", "0 out of 1 tasks")
    s.progress("1/1", " ")
    s.progress("overall progress", "1 out of 1 tasks")
    s.message("rollback", "rollback completed")
    s.progress("1/1", "again")
    assert s.text() == ("overall progress: 1 out of 1 tasks\n1/1:\nrollback: rollback completed\n"
                        "1/1: again\n")


def test_force_rebalances_after_a_node_recovers(tmp_path: Path) -> None:
    res = run(tmp_path, ['{at: 20s, fail: w2}', '{at: 60s, recover: w2}',
                         '{at: 90s, run: "docker service update --force app_web"}'],
              {"app.yml": compose(1)}, until="3m")
    sim = res.sim

    def per_node() -> dict[str, int]:
        out: dict[str, int] = {}
        for t in sim.state.tasks_of("app_web"):
            if t.desired == t.state.RUNNING and t.state == t.state.RUNNING:
                name = sim.state.nodes[t.node_id].spec.name
                out[name] = out.get(name, 0) + 1
        return dict(sorted(out.items()))

    w2 = sim.state.node_by_name("w2").id
    moved_back = [e for e in sim.events if isinstance(e, TaskEvent) and e.state == "running"
                  and e.node in (w2, "w2") and e.time > 60]
    assert moved_back and min(e.time for e in moved_back) > 90  # nothing moves back by itself
    counts = per_node()
    assert sorted(counts.values()) == [1, 1, 2] and counts["w2"] >= 1  # --force spread them
    [done] = progress_events(res)
    # four slots, two at a time, 10 s apart: 93.05 and 106.1, seen at 106.2, + 5 s
    assert done.time == 111.2 and done.output.endswith("verify: Service app_web converged\n")
