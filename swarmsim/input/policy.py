"""Policy names in a scenario (``policy:``) or on the command line (``--policy``): the
built-ins by name, user code by ``module:Name``; and the loading of that user code.

User code is imported only when a scenario or ``--policy`` names it:

* ``package.module:Name`` imports ``package.module`` (``sys.path`` as usual);
* ``some/file.py:Name`` loads that file (a relative path is taken from ``base``, the
  scenario's directory, when given).

``Name`` may be a class (instantiated with no arguments), an object with a ``rank``
method, or a plain function ``rank(nodes, task, rng)``.  The policy the scheduler ranks
with is made by :mod:`swarmsim.policies.loader`.
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import re
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

SPREAD = "spread"
#: the built-in policies, in the order :data:`swarmsim.policies.builtin.BUILTIN` lists them
BUILTIN_NAMES = ("binpack", "random", "least-allocated")


def check_policy_name(name: object) -> str | None:
    """Why ``name`` cannot name a policy, or None if its form is valid.

    A ``module:Name`` must name a module of the user's: the standard library holds no
    policies (``os:system`` is refused here, before anything is imported).
    """
    if not isinstance(name, str) or not name:
        return "must be a string"
    if "\0" in name:
        return "must not hold a NUL character"
    if name == SPREAD or name in BUILTIN_NAMES:
        return None
    module, sep, attr = name.rpartition(":")
    if not sep or not module or not attr.isidentifier():
        choices = ", ".join(f'"{n}"' for n in (SPREAD, *BUILTIN_NAMES))
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


def user_policy(name: str) -> tuple[Callable[..., Any], Any]:
    """The ``rank(nodes, task, rng)`` a ``module:Name`` policy names, and the name tables
    and plots show for it.  ``Name`` may be a policy class (instantiated with no
    arguments), a policy object or a plain function.

    Raises:
        ValueError: if the name is malformed, its module cannot be imported (a syntax
            error, an exception or ``sys.exit`` at import), or what it names is not a
            policy class, a policy object or a ``rank(nodes, task, rng)`` function.
    """
    problem = check_policy_name(name)
    if problem is not None:
        raise ValueError(f"policy {name}: {problem}")
    module_name, _, attr = name.rpartition(":")
    module = import_user_module(module_name)
    try:
        obj = getattr(module, attr)
    except AttributeError:
        raise ValueError(f"policy {name}: {module_name} has no attribute {attr}") from None
    if isinstance(obj, type):
        if not callable(getattr(obj, "rank", None)):
            raise ValueError(f"policy {name}: class {attr} has no rank method")
        try:
            obj = obj()
        except (Exception, SystemExit) as exc:
            raise ValueError(f"policy {name}: {attr}() raised {what_raised(exc)}") from None
    if callable(getattr(obj, "rank", None)):
        _check_signature(name, obj.rank, "its rank method")
        shown = getattr(obj, "name", type(obj).__name__)  # what tables and plots show
        return obj.rank, shown
    if inspect.isfunction(obj):
        _check_signature(name, obj, attr)
        return obj, obj.__name__
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


def what_raised(exc: BaseException) -> str:
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


def import_user_module(module_name: str) -> Any:
    """The module of user code ``module_name`` names: ``package.module`` or ``file.py``.

    Raises:
        ValueError: it cannot be found or importing it fails.
    """
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
        except (Exception, SystemExit) as exc:
            sys.modules.pop(key, None)
            raise ValueError(f"policy file {module_name}: importing it raised "
                             f"{what_raised(exc)}") from None
        return module
    try:
        return importlib.import_module(module_name)
    except ImportError as exc:
        raise ValueError(f"policy module {module_name}: {exc}") from None
    except SyntaxError as exc:
        where = f"{Path(exc.filename or module_name).name}:{exc.lineno}"
        raise ValueError(f"policy module {module_name}: {where}: syntax error: "
                         f"{exc.msg}") from None
    except (Exception, SystemExit) as exc:
        raise ValueError(f"policy module {module_name}: importing it raised "
                         f"{what_raised(exc)}") from None
