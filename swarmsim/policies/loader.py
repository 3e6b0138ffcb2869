"""Turning a policy name into a policy: built-ins by name, user code by ``module:Name``.

User code is imported only when a scenario or ``--policy`` names it:

* ``package.module:Name`` imports ``package.module`` (``sys.path`` as usual);
* ``some/file.py:Name`` loads that file (a relative path is taken from ``base``, the
  scenario's directory, when given).

``Name`` may be a class (instantiated with no arguments), an object with a ``rank``
method, or a plain function ``rank(nodes, task, rng)``.
"""

from __future__ import annotations

import importlib
import importlib.util
import re
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from swarmsim.policies.base import Policy
from swarmsim.policies.builtin import BUILTIN

SPREAD = "spread"


def check_policy_name(name: object) -> str | None:
    """Why ``name`` cannot name a policy, or None if its form is valid."""
    if not isinstance(name, str) or not name:
        return "must be a string"
    if name == SPREAD or name in BUILTIN:
        return None
    module, sep, attr = name.rpartition(":")
    if not sep or not module or not attr.isidentifier():
        choices = ", ".join(f'"{n}"' for n in (SPREAD, *BUILTIN))
        return f"must be one of {choices} or module:Name"
    return None


def resolve_policy_name(name: str, base: Path | None) -> str:
    """``name`` with a relative ``file.py:Name`` path made absolute from ``base``."""
    module, sep, attr = name.rpartition(":")
    if sep and module.endswith(".py") and base is not None and not Path(module).is_absolute():
        return f"{(base / module).resolve()}:{attr}"
    return name


def make_policy(name: str | None) -> Policy | None:
    """The policy ``name`` names; None for ``spread`` (the scheduler's own path).

    Raises:
        ValueError: if the name is malformed, or its module or attribute cannot be loaded.
    """
    if name is None or name == SPREAD:
        return None
    if name in BUILTIN:
        return BUILTIN[name]()  # type: ignore[no-any-return]
    problem = check_policy_name(name)
    if problem is not None:
        raise ValueError(f"policy {name!r} {problem}")
    module_name, _, attr = name.rpartition(":")
    module = _import(module_name)
    try:
        obj = getattr(module, attr)
    except AttributeError:
        raise ValueError(f"policy {name!r}: {module_name} has no attribute {attr}") from None
    if isinstance(obj, type):
        obj = obj()
    if hasattr(obj, "rank"):
        if not hasattr(obj, "name"):
            obj.name = type(obj).__name__  # what tables and plots show
        return obj  # type: ignore[no-any-return]
    if callable(obj):
        return _FunctionPolicy(getattr(obj, "__name__", attr), obj)
    raise ValueError(f"policy {name!r} is neither a class, a policy object nor a function")


def _import(module_name: str) -> Any:
    if module_name.endswith(".py"):
        path = Path(module_name)
        key = "swarmsim_user_policy_" + re.sub(r"\W", "_", str(path.resolve()))
        if key in sys.modules:
            return sys.modules[key]
        spec = importlib.util.spec_from_file_location(key, path)
        if spec is None or spec.loader is None or not path.is_file():
            raise ValueError(f"policy file {module_name}: no such file")
        module = importlib.util.module_from_spec(spec)
        sys.modules[key] = module
        spec.loader.exec_module(module)
        return module
    try:
        return importlib.import_module(module_name)
    except ImportError as exc:
        raise ValueError(f"policy module {module_name}: {exc}") from None


class _FunctionPolicy:
    """A plain ``rank(nodes, task, rng)`` function as a :class:`Policy`."""

    def __init__(self, name: str, fn: Callable[..., Sequence[Any]]) -> None:
        self.name = name
        self._fn = fn

    def rank(self, nodes: Sequence[Any], task: Any, rng: Any) -> Sequence[Any]:
        return self._fn(nodes, task, rng)
