"""What the nodes' containers really use, as the engine reports it to the scheduler.

The scheduler is pure: it never reads the resource model.  Before a pass the engine
hands it a snapshot, node id -> ``(used nano-CPUs, used memory bytes)``, and
:func:`observe_usage` copies the figures that changed onto the node accounting, where a
policy's :class:`~swarmsim.policies.NodeView` reads them (``used_nano_cpus``,
``used_memory``).  A node whose figures changed is reported to the sort-key indices
(``scheduler/keyed.py``), so a key that reads them is re-computed, as for any other
change of the node.
"""

from __future__ import annotations

from collections.abc import Mapping

from swarmsim.scheduler.nodeset import NodeSet

Usage = Mapping[str, tuple[int, int]]


def observe_usage(nodeset: NodeSet, usage: Usage) -> int:
    """Record each node's used CPU and memory; returns how many nodes changed.

    Nodes missing from ``usage`` keep their last figures (the engine reports every node
    it has ever measured); ids of nodes outside the set are ignored.
    """
    nodes = nodeset.nodes
    watchers = nodeset.watchers
    changed = 0
    for node_id, (cpu, mem) in usage.items():
        node = nodes.get(node_id)
        if node is None or (node.used_cpu == cpu and node.used_mem == mem):
            continue
        node.used_cpu = cpu
        node.used_mem = mem
        changed += 1
        for watcher in watchers:
            watcher.add(node)
    return changed
