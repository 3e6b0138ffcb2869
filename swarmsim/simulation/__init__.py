"""Simulation: the engine and the node-side components around the cluster state.

Owns the :class:`~.engine.Simulation` (the simpy environment, the cluster state and the
components wired around it: its composition root, the only module that sees them all),
the simulated clock (:mod:`.clock`), the worker side of each node (:mod:`.agent`), images and
registries (:mod:`.images`) and data kept on nodes (:mod:`.storage`).  The manager's
components live in :mod:`swarmsim.manager`, the routing mesh in :mod:`swarmsim.mesh`,
request traffic in :mod:`swarmsim.workload`: the same layer.

May import: the model (:mod:`swarmsim.cluster`, :mod:`swarmsim.scheduler`,
:mod:`swarmsim.policies`), the input layer and the foundation; never an interface.
"""
