"""SwarmKit's scheduler as plain, fast, deterministic Python.

Filters and their explanations, constraints, spread and placement preferences,
pre-assigned (global) tasks and the recent-failures rule, with documented tie-breaks
where SwarmKit depends on Go's map order.  See :mod:`swarmsim.scheduler.scheduler`.

Layer: model, pure functions.  May import: :mod:`swarmsim.policies`,
:mod:`swarmsim.input` and :mod:`swarmsim.foundation`; never the clock or the store.
"""

from swarmsim.scheduler.constraint import Constraint, node_matches, parse_constraints
from swarmsim.scheduler.nodeinfo import NodeUsage
from swarmsim.scheduler.scheduler import Decision, PendingTask, Scheduler
from swarmsim.scheduler.verdicts import ALL_TASKS, Explanation, NodeVerdict

__all__ = [
    "ALL_TASKS",
    "Constraint",
    "Decision",
    "Explanation",
    "NodeUsage",
    "NodeVerdict",
    "PendingTask",
    "Scheduler",
    "node_matches",
    "parse_constraints",
]
