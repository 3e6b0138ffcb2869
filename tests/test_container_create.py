"""What the engine refuses when swarm asks it to create a task's container."""

import itertools
import textwrap

import pytest

from swarmsim.app.run import run_scenario
from swarmsim.input.scenario import load_scenario
from swarmsim.simulation.agent import cpu_limit_error


@pytest.mark.parametrize(
    ("limit", "node", "error"),
    [
        # moby daemon/daemon_unix.go verifyPlatformContainerResources:
        # NanoCPUs > NumCPU()*1e9 -> "range of CPUs is from 0.01 to %[1]d.00, as there are
        # only %[1]d CPUs available"
        (4.0, 2, "range of CPUs is from 0.01 to 2.00, as there are only 2 CPUs available"),
        (2.01, 2, "range of CPUs is from 0.01 to 2.00, as there are only 2 CPUs available"),
        (2.0, 2, ""),  # the bound itself is allowed
        (0.5, 1, ""),
        (0.0, 1, ""),  # no limit
        (1.5, 1.5, "range of CPUs is from 0.01 to 1.00, as there are only 1 CPUs available"),
    ],
)
def test_cpu_limit_against_the_machine(limit, node, error):
    assert cpu_limit_error(int(limit * 1e9), int(node * 1e9)) == error


def test_a_task_over_the_cpu_limit_is_rejected_and_retried(tmp_path):
    # the limit does not take part in placement (only reservations do); the engine refuses
    # the container, SwarmKit's agent reports it fatal before STARTING, i.e. REJECTED with
    # the error (agent/exec/controller.go, fatal), and the restart supervisor replaces the
    # task after the restart delay (manager/orchestrator/restart/restart.go)
    (tmp_path / "c.yml").write_text(textwrap.dedent("""\
        version: "3.8"
        services:
          web:
            image: nginx
            deploy:
              resources:
                limits:
                  cpus: "4"
              restart_policy:
                delay: 5s
        """))
    (tmp_path / "s.yaml").write_text(
        "until: 40s\nnodes:\n  - {name: m, role: manager, cpus: 2}\nstacks:\n  app: c.yml\n"
    )
    sim = run_scenario(load_scenario(tmp_path / "s.yaml")).sim
    tasks = sorted(sim.state.tasks.values(), key=lambda t: t.created)
    rejected = [t for t in tasks if t.state.name == "REJECTED"]
    assert len(rejected) >= 3  # retried, again and again
    assert {t.error for t in rejected} == {
        "range of CPUs is from 0.01 to 2.00, as there are only 2 CPUs available"
    }
    assert all(t.slot == 1 for t in tasks)
    assert not any(e.actual for e in sim.events if getattr(e, "kind", None) == "task")
    # consecutive attempts are at least the restart delay apart
    gaps = [b.created - a.created for a, b in itertools.pairwise(tasks)]
    assert min(gaps) >= 5.0 - 1e-9
