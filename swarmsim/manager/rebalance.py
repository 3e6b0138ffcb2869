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
from typing import Any

import numpy as np

from swarmsim.cluster.state import ClusterState
from swarmsim.cluster.tasks import Task, TaskState
from swarmsim.foundation.errors import CommandError
from swarmsim.manager.controlapi import ControlAPI
from swarmsim.manager.restart import RestartSupervisor
from swarmsim.manager.scheduling import UsageByNode
from swarmsim.scheduler import Scheduler
from swarmsim.simulation.clock import Clock

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
        state: the cluster state.
        clock: the simulation's clock.
        api: the control API the forced updates go through.
        scheduler: the scheduler, whose policy may propose moves (``migrate``).
        usage: what the resource model measures on each node (read before a migration).
        restart: the restart supervisor (a moved task starts once the old one stopped).
        policy_rng: the ``policy`` stream, which a policy's ``migrate`` draws from.
        mode: one of :data:`swarmsim.input.rebalance.MODES` other than ``off``.
        log: records each forced update as a command: ``log(line, output, error,
            exit_code)``.
    """

    def __init__(self, state: ClusterState, clock: Clock, api: ControlAPI,
                 scheduler: Scheduler, usage: UsageByNode, restart: RestartSupervisor,
                 policy_rng: np.random.Generator, mode: str,
                 log: Callable[[str, str, str, int], None]) -> None:
        self.state = state
        self.clock = clock
        self.api = api
        self.scheduler = scheduler
        self.usage = usage
        self.restart = restart
        self.policy_rng = policy_rng
        self.mode = mode
        self.log = log
        self._status: dict[str, str] = {}

    def start(self) -> None:
        """Follow node changes from now on."""
        for node_id, node in sorted(self.state.nodes.items()):
            self._status[node_id] = node.spec.status
        self.state.on_node(self._node)

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
            self.clock.soon(self.rebalance)

    def rebalance(self) -> list[str]:
        """Force-update every imbalanced replicated service, or apply the moves the
        policy's ``migrate`` proposes; returns the services (one entry per move)."""
        if callable(getattr(self.scheduler.policy, "migrate", None)):
            return self.migrate()
        state = self.state
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
        api = self.api
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
        state = self.state
        policy = self.scheduler.policy
        self.scheduler.observe_usage(self.usage.used_by_node())
        moves = policy.migrate(self.scheduler.node_views(self.clock.now),  # type: ignore[union-attr]
                               self.policy_rng)
        done: list[str] = []
        taken: set[str] = set()
        for service, node_id in moves:
            node = state.nodes.get(node_id)
            where = node.spec.name if node is not None else node_id
            task = movable_task(state.tasks_on(node_id), service, taken)
            svc = state.services.get(service)
            if task is None or svc is None or svc.spec.mode != "replicated":
                self.log(f"{LABEL}: reschedule a task of {service} off {where} "
                         f"({policy.name})", "",  # type: ignore[union-attr]
                         f"no running task of replicated service {service} on {where}", 1)
                continue
            taken.add(task.id)
            new = state.create_task(svc, slot=task.slot, desired=TaskState.READY)
            state.set_desired(task, TaskState.SHUTDOWN)
            self.restart.delay_start(new, 0.0, wait_for=task)
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
