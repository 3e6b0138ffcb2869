"""A what-if, NOT Docker Swarm behaviour: rebalancing when a node recovers or joins.

Swarm never moves running tasks to a node that comes back or joins; only new tasks land
there.  Researchers ask what rebalancing would cost (restarts, downtime) or gain (spread,
lost replicas per crash), so a scenario may turn it on::

    rebalance: on-recovery      # off (default) | on-recovery | on-join | on-recovery-or-join

When a node becomes ``ready`` again after being ``down`` (``on-recovery``) or a new node
joins ready (``on-join``), every replicated service whose live tasks per eligible node
differ by more than one (most imbalanced first) gets a forced update, as
``docker service update --force`` would: its tasks are replaced under its update config
and swarm's scheduler places the replacements.  Each such update is logged as a command
``swarmsim rebalance (NOT swarm behaviour): docker service update --force <service>``.

A policy with a ``migrate(nodes, rng)`` hook decides instead: at the same moments it is
given the views of the ready, active nodes (used and reserved resources, tasks) and
proposes moves, ``(service, node id)`` pairs.  Each move reschedules one task of the
service running on that node the way a forced update replaces one slot: the
replacement is created in the same slot, the old task is shut down, the replacement
starts once it has stopped, and the scheduler places the replacement with the policy
(its ``rank``, ``key`` or ``place_group``).  Each is logged as
``swarmsim rebalance (NOT swarm behaviour): reschedule <task> off <node> (<policy>)``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from swarmsim.cluster.tasks import Task, TaskState
from swarmsim.foundation.errors import CommandError
from swarmsim.manager.controlapi import control_api

if TYPE_CHECKING:
    from swarmsim.simulation.engine import Simulation

LABEL = "swarmsim rebalance (NOT swarm behaviour)"


def imbalance(per_node: Mapping[str, int], nodes: Iterable[str]) -> int:
    """Most minus fewest live tasks of one service over the eligible ``nodes``."""
    counts = [per_node.get(n, 0) for n in nodes]
    return max(counts) - min(counts) if counts else 0


def imbalanced_services(
    placements: Mapping[str, Mapping[str, int]], nodes: Iterable[str]
) -> list[str]:
    """Services whose imbalance exceeds one, most imbalanced first (then by name).

    Args:
        placements: service name -> node id -> live tasks there.
        nodes: ids of the nodes that may take tasks (ready and active).
    """
    eligible = sorted(nodes)
    scored = [(imbalance(per, eligible), name) for name, per in placements.items()]
    return [name for score, name in sorted(scored, key=lambda s: (-s[0], s[1])) if score > 1]


class Rebalancer:
    """Forces updates of imbalanced services when a node recovers or joins.

    Args:
        sim: the simulation.
        mode: one of :data:`swarmsim.input.rebalance.MODES` other than ``off``.
        log: records each forced update as a command: ``log(line, output, error,
            exit_code)``.
    """

    def __init__(self, sim: Simulation, mode: str,
                 log: Callable[[str, str, str, int], None]) -> None:
        self.sim = sim
        self.mode = mode
        self.log = log
        self._status: dict[str, str] = {}

    def start(self) -> None:
        """Follow node changes from now on."""
        for node_id, node in sorted(self.sim.state.nodes.items()):
            self._status[node_id] = node.spec.status
        self.sim.state.on_node(self._node)

    def _node(self, node: Any, _before: Any) -> None:
        before = self._status.get(node.id)
        now = node.spec.status
        self._status[node.id] = now
        if now != "ready" or before == "ready":
            return
        recovered = before == "down"
        joined = before is None
        if (recovered and self.mode in ("on-recovery", "on-recovery-or-join")) or (
            joined and self.mode in ("on-join", "on-recovery-or-join")
        ):
            self.sim.soon(self.rebalance)

    def rebalance(self) -> list[str]:
        """Force-update every imbalanced replicated service, or apply the moves the
        policy's ``migrate`` proposes; returns the services (one entry per move)."""
        if callable(getattr(self.sim.scheduler.policy, "migrate", None)):
            return self.migrate()
        state = self.sim.state
        nodes = [
            nid for nid, n in sorted(state.nodes.items())
            if n.spec.status == "ready" and n.spec.availability == "active"
        ]
        placements: dict[str, dict[str, int]] = {}
        for name, svc in sorted(state.services.items()):
            if svc.spec.mode != "replicated":
                continue
            per: dict[str, int] = {}
            for task in state.tasks_of(name):
                if task.node_id is not None and task.desired <= TaskState.RUNNING:
                    per[task.node_id] = per.get(task.node_id, 0) + 1
            placements[name] = per
        done = []
        api = control_api(self.sim)
        for name in imbalanced_services(placements, nodes):
            line = f"{LABEL}: docker service update --force {name}"
            try:
                api.update_service(name, force=True)
            except CommandError as err:
                self.log(line, "", err.message, 1)
                continue
            self.log(line, name, "", 0)
            done.append(name)
        return done

    def migrate(self) -> list[str]:
        """Ask the policy for moves and reschedule one task per move."""
        sim = self.sim
        policy = sim.scheduler.policy
        sim.scheduler.observe_usage(sim.resources.used_by_node())
        moves = policy.migrate(sim.scheduler.node_views(sim.now),  # type: ignore[union-attr]
                               sim.streams["policy"])
        done: list[str] = []
        taken: set[str] = set()
        for service, node_id in moves:
            node = sim.state.nodes.get(node_id)
            where = node.spec.name if node is not None else node_id
            task = movable_task(sim.state.tasks_on(node_id), service, taken)
            svc = sim.state.services.get(service)
            if task is None or svc is None or svc.spec.mode != "replicated":
                self.log(f"{LABEL}: reschedule a task of {service} off {where} "
                         f"({policy.name})", "",  # type: ignore[union-attr]
                         f"no running task of replicated service {service} on {where}", 1)
                continue
            taken.add(task.id)
            new = sim.state.create_task(svc, slot=task.slot, desired=TaskState.READY)
            sim.state.set_desired(task, TaskState.SHUTDOWN)
            sim.restart.delay_start(new, 0.0, wait_for=task)
            self.log(f"{LABEL}: reschedule {task.name} off {where} "
                     f"({policy.name})", new.name, "", 0)  # type: ignore[union-attr]
            done.append(service)
        return done


def movable_task(tasks: Iterable[Task], service: str, taken: set[str]) -> Task | None:
    """The oldest running task of ``service`` among ``tasks`` not moved already."""
    for task in tasks:
        if (task.service == service and task.id not in taken
                and task.state == TaskState.RUNNING and task.desired == TaskState.RUNNING):
            return task
    return None
