"""Placement policies: which of the nodes that pass swarm's filters takes a task.

``spread`` is SwarmKit's own strategy (the default, and the only policy that claims
fidelity to Docker Swarm); it runs the scheduler's own code path unchanged.  Every other
policy keeps swarm's filters and replaces only the ranking of the nodes that pass them:

* ``binpack``: the fullest feasible node first (classic Docker Swarm's binpack);
* ``random``: a seeded random feasible node (the ``policy`` random stream);
* ``least-allocated``: the node with the smallest reserved CPU + memory fraction
  (in the spirit of Kubernetes' LeastAllocated);
* ``module:Name`` or ``path/to/file.py:Name``: a user's own :class:`Policy`.

See ``docs/research.md``.

Layer: model.  May import: :mod:`swarmsim.input` (policy names, user code) and
:mod:`swarmsim.foundation`.
"""

from __future__ import annotations

from swarmsim.policies.base import NodeView, Policy, TaskView
from swarmsim.policies.builtin import BUILTIN, Binpack, LeastAllocated, RandomPolicy
from swarmsim.policies.loader import SPREAD, check_policy_name, make_policy

__all__ = [
    "BUILTIN",
    "SPREAD",
    "Binpack",
    "LeastAllocated",
    "NodeView",
    "Policy",
    "RandomPolicy",
    "TaskView",
    "check_policy_name",
    "make_policy",
]
