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
import inspect
import itertools
import re
import sys
import traceback
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from swarmsim.errors import InputError
from swarmsim.policies.base import NodeView, Policy, TaskView
from swarmsim.policies.builtin import BUILTIN

SPREAD = "spread"


def check_policy_name(name: object) -> str | None:
    """Why ``name`` cannot name a policy, or None if its form is valid.

    A ``module:Name`` must name a module of the user's: the standard library holds no
    policies (``os:system`` is refused here, before anything is imported).
    """
    if not isinstance(name, str) or not name:
        return "must be a string"
    if name == SPREAD or name in BUILTIN:
        return None
    module, sep, attr = name.rpartition(":")
    if not sep or not module or not attr.isidentifier():
        choices = ", ".join(f'"{n}"' for n in (SPREAD, *BUILTIN))
        return f"must be one of {choices} or module:Name"
    top = module.split(".")[0]
    if not module.endswith(".py") and top in _NOT_POLICIES:
        return f"must name a module of yours, not {top} from Python's standard library"
    return None


#: modules no policy comes from
_NOT_POLICIES = frozenset(sys.stdlib_module_names)


def resolve_policy_name(name: str, base: Path | None) -> str:
    """``name`` with a relative ``file.py:Name`` path made absolute from ``base``."""
    module, sep, attr = name.rpartition(":")
    if sep and module.endswith(".py") and base is not None and not Path(module).is_absolute():
        return f"{(base / module).resolve()}:{attr}"
    return name


def make_policy(name: str | None) -> Policy | None:
    """The policy ``name`` names; None for ``spread`` (the scheduler's own path).

    A user's policy comes back wrapped so that whatever its code does wrong while
    ranking (raising, exiting, returning something other than the nodes it was given)
    stops the run with one :class:`~swarmsim.errors.InputError` naming the policy.

    Raises:
        ValueError: if the name is malformed, its module cannot be imported (a syntax
            error, an exception or ``sys.exit`` at import), or what it names is not a
            policy class, a policy object or a ``rank(nodes, task, rng)`` function.
    """
    if name is None or name == SPREAD:
        return None
    if name in BUILTIN:
        return BUILTIN[name]()  # type: ignore[no-any-return]
    problem = check_policy_name(name)
    if problem is not None:
        raise ValueError(f"policy {name}: {problem}")
    module_name, _, attr = name.rpartition(":")
    module = _import(module_name)
    try:
        obj = getattr(module, attr)
    except AttributeError:
        raise ValueError(f"policy {name}: {module_name} has no attribute {attr}") from None
    if isinstance(obj, type):
        if not callable(getattr(obj, "rank", None)):
            raise ValueError(f"policy {name}: class {attr} has no rank method")
        try:
            obj = obj()
        except (Exception, SystemExit) as exc:  # noqa: BLE001 - user code
            raise ValueError(f"policy {name}: {attr}() raised {_what(exc)}") from None
    if callable(getattr(obj, "rank", None)):
        _check_signature(name, obj.rank, "its rank method")
        shown = getattr(obj, "name", type(obj).__name__)  # what tables and plots show
        return _Checked(name, obj.rank, shown)
    if inspect.isfunction(obj):
        _check_signature(name, obj, attr)
        return _Checked(name, obj, obj.__name__)
    raise ValueError(f"policy {name}: {attr} is neither a policy class, a policy object "
                     "nor a rank(nodes, task, rng) function")


def _check_signature(name: str, fn: Callable[..., Any], what: str) -> None:
    try:
        signature = inspect.signature(fn)
    except (TypeError, ValueError):  # no signature to read (a builtin): let it run
        return
    try:
        signature.bind(None, None, None)
    except TypeError:
        raise ValueError(f"policy {name}: {what} must take (nodes, task, rng), "
                         f"not {signature}") from None


def _what(exc: BaseException) -> str:
    """``KeyError: 'x' (file.py:12)``: an exception of user code and where it was."""
    if isinstance(exc, SystemExit):
        text = f"SystemExit({exc.code!r}) (sys.exit)"
    else:
        detail = " ".join(str(exc).split())
        text = f"{type(exc).__name__}: {detail}" if detail else type(exc).__name__
    frames = traceback.extract_tb(exc.__traceback__)
    if frames:
        last = frames[-1]
        text += f" ({Path(last.filename).name}:{last.lineno})"
    return text


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
        try:
            spec.loader.exec_module(module)
        except SyntaxError as exc:
            sys.modules.pop(key, None)
            where = f"{Path(exc.filename or module_name).name}:{exc.lineno}"
            raise ValueError(f"policy file {module_name}: {where}: syntax error: "
                             f"{exc.msg}") from None
        except (Exception, SystemExit) as exc:  # noqa: BLE001 - user code
            sys.modules.pop(key, None)
            raise ValueError(f"policy file {module_name}: importing it raised "
                             f"{_what(exc)}") from None
        return module
    try:
        return importlib.import_module(module_name)
    except ImportError as exc:
        raise ValueError(f"policy module {module_name}: {exc}") from None
    except SyntaxError as exc:
        where = f"{Path(exc.filename or module_name).name}:{exc.lineno}"
        raise ValueError(f"policy module {module_name}: {where}: syntax error: "
                         f"{exc.msg}") from None
    except (Exception, SystemExit) as exc:  # noqa: BLE001 - user code
        raise ValueError(f"policy module {module_name}: importing it raised "
                         f"{_what(exc)}") from None


class _Checked:
    """A user's ``rank`` as a :class:`Policy` that checks what it does: an exception
    (``sys.exit`` included) or a result that is not some of the nodes it was given,
    each at most once, stops the run with an :class:`InputError` naming the policy."""

    def __init__(self, label: str, fn: Callable[..., Any], name: str) -> None:
        self.label = label
        self.name = name if isinstance(name, str) else label
        self._fn = fn

    def rank(self, nodes: Sequence[NodeView], task: TaskView, rng: Any) -> list[NodeView]:
        given = {n.id: n for n in nodes}
        try:
            result = self._fn(nodes, task, rng)
            if isinstance(result, str | bytes | dict) or not isinstance(result, Iterable):
                raise self._error(f"rank returned {_show(result)}, not a list of the "
                                  "nodes it was given")
            ranked = list(itertools.islice(result, len(nodes) + 1))
        except InputError:
            raise
        except (Exception, SystemExit) as exc:  # noqa: BLE001 - user code
            raise self._error(f"rank raised {_what(exc)}") from None
        seen: set[str] = set()
        for item in ranked:
            node_id = item.id if isinstance(item, NodeView) else None
            if node_id is None or given.get(node_id) is None:
                raise self._error(f"rank returned {_show(item)}, which is not one of the "
                                  "nodes it was given")
            if node_id in seen:
                raise self._error(f"rank returned node {item.hostname} twice")
            seen.add(node_id)
        return ranked

    def _error(self, problem: str) -> InputError:
        return InputError(f"policy {self.label}: {problem}")


def _show(value: object) -> str:
    """A short description of a value a policy returned."""
    text = repr(value) if not isinstance(value, NodeView) else f"node {value.hostname}"
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{type(value).__name__} {text}" if not isinstance(value, NodeView) else text
