"""The scheduler facade: SwarmKit's ``manager/scheduler`` decisions as plain function calls.

One :meth:`Scheduler.schedule` call is one scheduler pass: pre-assigned (global) tasks are
confirmed or refused first, then the unassigned tasks are placed group by group, a group
being the tasks of one ``(service, spec_version)``.  Where SwarmKit follows Go's random map
order, swarmsim uses a documented order instead:

* groups are placed in the order their first task appears in ``pending``, and the tasks of
  a group in ``pending`` order (pre-assigned tasks too);
* among nodes equal under SwarmKit's ``nodeLess``, the lower node id wins;
* the decision tree is built visiting nodes best first (this fixes which filter failures
  an explanation reports, which SwarmKit leaves to map order);
* branches of a preference tree are visited in ascending label value order.

Time is always a parameter (``now``, simulated seconds); nothing here reads a clock.
"""

from __future__ import annotations

from collections.abc import Container, Iterable, Mapping, Sequence
from itertools import repeat
from operator import attrgetter
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from swarmsim.foundation.collector import paused_collector
from swarmsim.input.specs import NodeSpec, ServiceSpec
from swarmsim.scheduler.filters import Pipeline, explain_filter
from swarmsim.scheduler.keyed import KeyedPlacer
from swarmsim.scheduler.nodeinfo import NodeInfo, NodeUsage, TaskRecord
from swarmsim.scheduler.nodeset import NodeSet
from swarmsim.scheduler.ranked import place_grouped, place_ranked, views
from swarmsim.scheduler.spread import GroupPlacer, GroupResult
from swarmsim.scheduler.usage import Usage, observe_usage
from swarmsim.scheduler.verdicts import Explanation, NodeVerdict, node_verdicts

if TYPE_CHECKING:
    from swarmsim.policies.base import NodeView, Policy

MSG_ASSIGNED = "scheduler assigned task to node"
MSG_PREASSIGNED = "scheduler confirmed task can run on preassigned node"
NO_SUITABLE_NODE = "no suitable node"


class PendingTask(NamedTuple):
    """A task waiting for a node (a named tuple: a stack deploy makes one per replica,
    and a tuple is the cheapest frozen record to make).

    Attributes:
        id: task id.
        service: ``ServiceSpec.name`` of its service.
        spec_version: tasks are grouped by ``(service, spec_version)``.
        slot: the replica slot (not used for placement).
        node_id: set for pre-assigned (global service) tasks.
    """

    id: str
    service: str
    spec_version: int = 0
    slot: int = 0
    node_id: str | None = None


_task_id = attrgetter("id")


class Decision(NamedTuple):
    """The scheduler's verdict on one pending task (a named tuple: a pass makes one per
    task, and a tuple is the cheapest record to make).

    Attributes:
        task_id: the task.
        node_id: the node it goes to, or None when it stays pending.
        message: ``scheduler assigned task to node``, ``scheduler confirmed task can run on
            preassigned node``, or ``""``.
        error: ``""`` when assigned; ``no suitable node (...)`` for an unassigned task; the
            bare explanation (e.g. ``1 node not available for new tasks``) for a
            pre-assigned one.
    """

    task_id: str
    node_id: str | None
    message: str
    error: str


class Scheduler:
    """Placement decisions for a swarm, with the scheduler's own accounting of nodes."""

    def __init__(self, policy: Policy | None = None,
                 rng: np.random.Generator | None = None) -> None:
        """Args:
            policy: ranks the nodes that pass the filters instead of spread (None: swarm's
                own spread, the only faithful choice); see :mod:`swarmsim.policies`.
            rng: the stream a policy draws from (default: a generator seeded with 0).
        """
        self._set = NodeSet()
        #: nodes that joined since the set was last used: they enter it together, in id
        #: order, when it is next used (see :meth:`add_nodes`)
        self._joining: dict[str, NodeSpec] = {}
        self._task_node: dict[str, str] = {}
        self.policy = policy
        self._keyed: KeyedPlacer | None = None  # a policy's sort-key heaps, when it has a key
        self._rng = rng if rng is not None else np.random.default_rng(0)
        #: task ids whose decisions are explained as they are made (``swarmsim explain``);
        #: None (the default) costs nothing
        self.watch: Container[str] | None = None
        #: the last pass's :class:`Explanation` of each watched task
        self.explained: dict[str, Explanation] = {}

    @property
    def _nodes(self) -> NodeSet:
        """The node set, with the nodes that joined since its last use added first."""
        if self._joining:
            joining, self._joining = self._joining, {}
            for node_id in sorted(joining):
                self._set.add(joining[node_id])
        return self._set

    # --- nodes ------------------------------------------------------------------------
    def add_node(self, node: NodeSpec) -> None:
        """A node joined (or changed: same as :meth:`update_node` for a known id).

        A record with ``joined=False`` is a machine outside the swarm: not in the set.
        A new node enters the set when the scheduler is next used, together with the
        others that joined meanwhile (see :meth:`add_nodes`).
        """
        self.update_node(node)

    def add_nodes(self, nodes: Iterable[NodeSpec]) -> None:
        """A batch of nodes joined (a cluster loaded at once): :meth:`add_node` for each.

        New nodes wait until the scheduler is next used, then enter the set in node-id
        order; the result is the same as adding them one by one in any order.  In id
        order every node takes the next place of the spread order's tie-break at once
        (nothing to re-rank before the next pass), and the nodes' records lie in memory
        in the order a placement pass visits them: on 50,000 nodes a pass takes about a
        quarter less time than after joins in random id order, each added at once
        (``benchmarks/bench_placement.py``).
        """
        for node in nodes:
            self.update_node(node)

    def update_node(self, node: NodeSpec) -> None:
        """A node's status, availability, role, labels or resources changed."""
        if not node.joined:
            self.remove_node(node.id)
            return
        if node.id in self._joining or node.id not in self._set.nodes:
            self._joining[node.id] = node  # new: enters the set with the next use
            return
        nodes = self._nodes
        nodes.update(nodes.nodes[node.id], node)

    def remove_node(self, node_id: str) -> None:
        """``docker node rm``: the node leaves the set and its accounting is dropped."""
        if self._joining.pop(node_id, None) is not None:
            return  # it never entered the set
        info = self._set.remove(node_id)
        if info is not None:
            for task_id in info.tasks:
                self._task_node.pop(task_id, None)

    # --- tasks ------------------------------------------------------------------------
    def add_task(self, task: PendingTask, node_id: str, service: ServiceSpec) -> None:
        """A task already on ``node_id``: counted and reserved like an assigned task.

        A task with ``node_id`` set counts as pre-assigned (its failures are never
        remembered).  A task on a node outside the set is ignored, as SwarmKit ignores it.
        """
        if task.id in self._task_node:
            if self._task_node[task.id] == node_id:
                return
            self.release_task(task.id)
        info = self._nodes.nodes.get(node_id)
        if info is None:
            return
        rec = TaskRecord.of(service, task.spec_version, task.node_id is not None)
        self._nodes.track(info, task.id, rec)
        self._task_node[task.id] = node_id

    def set_desired_shutdown(self, task_id: str) -> None:
        """Desired state past completed: active counts drop; resources and ports stay held."""
        info = self._node_of(task_id)
        if info is not None:
            self._nodes.deactivate(info, task_id)

    def release_task(self, task_id: str) -> None:
        """Observed state past running, or task deleted: resources and host ports are freed."""
        info = self._node_of(task_id)
        self._task_node.pop(task_id, None)
        if info is not None:
            self._nodes.untrack(info, task_id)

    def task_failed(self, task_id: str, now: float) -> None:
        """The task FAILED or was REJECTED: remember it on its node (unless it was
        pre-assigned), then release it."""
        info = self._node_of(task_id)
        if info is not None:
            rec = info.record(task_id)
            if rec is not None and not rec.preassigned:
                self._nodes.record_failure(info, (rec.service, rec.spec_version), now)
        self.release_task(task_id)

    def _node_of(self, task_id: str) -> NodeInfo | None:
        node_id = self._task_node.get(task_id)
        return None if node_id is None else self._nodes.nodes.get(node_id)

    # --- scheduling -------------------------------------------------------------------
    def schedule(
        self, pending: Sequence[PendingTask], services: Mapping[str, ServiceSpec], now: float
    ) -> list[Decision]:
        """One scheduling pass over every pending task.

        Args:
            pending: tasks waiting for a node; pre-assigned ones have ``node_id`` set.  A
                task the scheduler still tracks went back to pending: it is released first.
            services: current specs by ``ServiceSpec.name``; a task whose service is
                missing gets a decision with no node and no error (it is dropped).
            now: simulated time, for the recent-failures rule.

        Returns:
            One decision per pending task, in the order of ``pending``.  Assigned tasks
            are added to the accounting.  A pre-assigned task whose node is not in the set
            gets no node and no error (SwarmKit makes no decision for it).

        Raises:
            ValueError: if a task id appears twice in ``pending``.
        """
        with paused_collector():  # a pass allocates a record per task and no cycles
            return self._schedule(pending, services, now)

    def _schedule(
        self, pending: Sequence[PendingTask], services: Mapping[str, ServiceSpec], now: float
    ) -> list[Decision]:
        ids = list(map(_task_id, pending))
        if len(set(ids)) != len(ids):
            raise ValueError("a task is pending twice")
        tracked = self._task_node
        if tracked and not tracked.keys().isdisjoint(ids):
            for task_id in ids:
                if task_id in tracked:
                    self.release_task(task_id)  # it went back to pending
        decisions: list[Decision | None] = [None] * len(pending)
        groups: dict[tuple[str, int], list[int]] = {}
        preassigned: list[int] = []
        last: tuple[str, int] | None = None
        members: list[int] = []
        for i, (task_id, name, version, _slot, node_id) in enumerate(pending):
            if node_id is None and (name, version) == last:
                members.append(i)  # the usual case: the same group as the task before
            elif name not in services:
                decisions[i] = Decision(task_id, None, "", "")
            elif node_id is not None:
                preassigned.append(i)
            else:
                last = (name, version)
                found = groups.get(last)
                if found is None:
                    members = groups[last] = [i]
                else:
                    members = found
                    members.append(i)
        self._nodes.ensure_indexed()
        pipelines: dict[str, Pipeline] = {}
        for i in preassigned:
            decisions[i] = self._confirm(pending[i], services, pipelines)
        for (name, version), members in groups.items():
            service = services[name]
            task_ids = [ids[i] for i in members]
            rec = TaskRecord.of(service, version, False)
            if self.watch is not None:
                self._keep_explanations(task_ids, pending[members[0]], service, now)
            if self.policy is not None and callable(getattr(self.policy, "place_group", None)):
                result = GroupResult(*place_grouped(
                    self._nodes, Pipeline(service), rec, task_ids, self.policy, self._rng, now
                ))
            elif self.policy is not None and callable(getattr(self.policy, "key", None)):
                if self._keyed is None:
                    self._keyed = KeyedPlacer(self._nodes, self.policy)
                result = GroupResult(*self._keyed.place(Pipeline(service), rec, task_ids))
            elif self.policy is not None:
                result = GroupResult(*place_ranked(
                    self._nodes, Pipeline(service), rec, task_ids, self.policy, self._rng, now
                ))
            else:
                placer = GroupPlacer(
                    self._nodes, Pipeline(service, self._nodes.platforms), rec, task_ids,
                    service.placement.preferences, now,
                )
                result = placer.run()
            node_ids = [node.id for node in result.nodes]
            tracked.update(zip(task_ids, node_ids, strict=False))
            # tuple.__new__ makes the same named tuples without a Python-level call each
            made = map(
                tuple.__new__, repeat(Decision),
                zip(task_ids, node_ids, repeat(MSG_ASSIGNED), repeat("")),
            )
            first = members[0]
            if members[-1] - first == len(members) - 1:  # the usual: a run of ``pending``
                decisions[first : first + len(node_ids)] = made
            else:
                for i, decision in zip(members, made, strict=False):
                    decisions[i] = decision
            if len(result.nodes) < len(members):
                error = (
                    f"{NO_SUITABLE_NODE} ({result.explanation})"
                    if result.explanation
                    else NO_SUITABLE_NODE
                )
                for i in members[len(result.nodes) :]:
                    decisions[i] = Decision(ids[i], None, "", error)
        return decisions  # type: ignore[return-value]

    def _confirm(
        self,
        task: PendingTask,
        services: Mapping[str, ServiceSpec],
        pipelines: dict[str, Pipeline],
    ) -> Decision:
        """A pre-assigned task: run the filters on its node alone (``taskFitNode``)."""
        info = self._nodes.nodes.get(task.node_id or "")
        if info is None:
            return Decision(task.id, None, "", "")  # the node is gone: no decision
        service = services[task.service]
        pipeline = pipelines.get(service.name)
        if pipeline is None:
            pipeline = pipelines[service.name] = Pipeline(service)
        failed = pipeline.first_failure(info)
        if failed >= 0:
            return Decision(task.id, None, "", explain_filter(failed, 1))
        self._nodes.track(info, task.id, TaskRecord.of(service, task.spec_version, True))
        self._task_node[task.id] = info.id
        return Decision(task.id, info.id, MSG_PREASSIGNED, "")

    def observe_usage(self, usage: Usage) -> None:
        """What each node's containers use now, node id -> ``(nano-CPUs, bytes)``: the
        engine's snapshot of its resource model, read by policies
        (``NodeView.used_nano_cpus``, ``used_memory``); see :mod:`.usage`."""
        observe_usage(self._nodes, usage)

    def node_views(self, now: float) -> list[NodeView]:
        """Views of the ready, active nodes in node-id order (a policy's ``migrate``)."""
        self._nodes.ensure_indexed()
        return views(self._nodes, now)

    # --- inspection -------------------------------------------------------------------
    def node_usage(self, node_id: str) -> NodeUsage:
        """The scheduler's accounting for one node.

        Raises:
            KeyError: if the node is not in the set.
        """
        return self._nodes.nodes[node_id].usage()

    def node_reserved(self, node_id: str) -> tuple[int, int, int]:
        """``(reserved nano-CPUs, reserved bytes, active tasks)`` of one node: the totals
        of :meth:`node_usage` without its per-service breakdown.

        Raises:
            KeyError: if the node is not in the set.
        """
        node = self._nodes.nodes[node_id]
        spec = node.spec
        return spec.nano_cpus - node.avail_cpu, spec.memory_bytes - node.avail_mem, node.total

    def _keep_explanations(self, task_ids: Sequence[str], first: PendingTask,
                           service: ServiceSpec, now: float) -> None:
        watch = self.watch
        wanted = [t for t in task_ids if watch is not None and t in watch]
        if wanted:
            found = Explanation(now, len(task_ids),
                                tuple(self.explain_task(first, service, now)))
            for task_id in wanted:
                self.explained[task_id] = found

    def explain_task(
        self, task: PendingTask, service: ServiceSpec, now: float, *, own: str | None = None
    ) -> list[NodeVerdict]:
        """Every node's verdict for ``task`` right now, in node-id order.

        Args:
            own: a task the scheduler tracks whose reservation must not count against
                its own node (a running task explained after the fact); its accounting
                is restored before returning.
        """
        self._nodes.ensure_indexed()
        held = self._node_of(own) if own is not None else None
        if held is not None and own in held.inactive:
            held = None  # not counted as active: nothing to give back and restore
        rec_held = self._nodes.untrack(held, own) if held is not None and own else None
        try:
            return node_verdicts(self._nodes, self.policy, self._rng, task, service, now)
        finally:
            if held is not None and rec_held is not None and own:
                self._nodes.track(held, own, rec_held)
