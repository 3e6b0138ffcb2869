"""swarmsim: a discrete-event simulator of Docker Swarm mode.

The public API grows with the package; today it is the foundation:

* :func:`load_scenario` reads a scenario file (the cluster and the stacks on it);
* :func:`load_stack` reads compose files exactly as ``docker stack deploy`` does;
* :func:`plan` places every stack at t=0 (``swarmsim plan``);
* :class:`Scheduler` is SwarmKit's placement logic as plain Python.

Layers (docs/architecture.md), lowest first: :mod:`.foundation`; :mod:`.input` and
:mod:`.compose`; the model (:mod:`.cluster`, :mod:`.scheduler`, :mod:`.policies`); the
simulation (:mod:`.simulation`, :mod:`.manager`, :mod:`.mesh`, :mod:`.workload`,
:mod:`.resources`); interfaces and outputs (:mod:`.commands`, :mod:`.metrics`, :mod:`.app`,
:mod:`.outputs`, :mod:`.report`, :mod:`.experiments`, :mod:`.shell`, :mod:`.api`,
:mod:`.cli`).  A package imports only the layers below its own.
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = [
    "InputError", "Scheduler", "__version__", "compare", "load_scenario", "load_stack", "plan",
    "sweep",
]


def __getattr__(name: str) -> object:
    # Lazy imports keep `import swarmsim` cheap and free of import cycles.
    if name == "InputError":
        from swarmsim.foundation.errors import InputError

        return InputError
    if name == "load_scenario":
        from swarmsim.input.scenario import load_scenario

        return load_scenario
    if name == "load_stack":
        from swarmsim.compose import load_stack

        return load_stack
    if name == "plan":
        from swarmsim.app.plan import plan

        return plan
    if name in ("compare", "sweep"):
        from swarmsim import experiments

        return getattr(experiments, name)
    if name == "Scheduler":
        from swarmsim.scheduler import Scheduler

        return Scheduler
    raise AttributeError(f"module 'swarmsim' has no attribute {name!r}")
