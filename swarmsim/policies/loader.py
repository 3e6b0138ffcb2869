"""Turning a policy name into a policy: built-ins by name, user code by ``module:Name``
(the names and the loading of user code are :mod:`swarmsim.input.policy`).

User code is imported only when a scenario or ``--policy`` names it:

* ``package.module:Name`` imports ``package.module`` (``sys.path`` as usual);
* ``some/file.py:Name`` loads that file (a relative path is taken from ``base``, the
  scenario's directory, when given).

``Name`` may be a class (instantiated with no arguments), an object with a ``rank``
method, or a plain function ``rank(nodes, task, rng)``.
"""

from __future__ import annotations

import inspect
import itertools
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from swarmsim.foundation.errors import InputError
from swarmsim.input.policy import (
    SPREAD,
    check_policy_name,
    resolve_policy_name,
    user_policy,
    what_raised,
)
from swarmsim.policies.base import NodeView, Policy, TaskView
from swarmsim.policies.builtin import BUILTIN

__all__ = ["SPREAD", "check_policy_name", "make_policy", "resolve_policy_name"]


def make_policy(name: str | None) -> Policy | None:
    """The policy ``name`` names; None for ``spread`` (the scheduler's own path).

    A user's policy comes back wrapped so that whatever its code does wrong while
    ranking (raising, exiting, returning something other than the nodes it was given)
    stops the run with one :class:`~swarmsim.foundation.errors.InputError` naming the policy.

    Raises:
        ValueError: if the name is malformed, its module cannot be imported (a syntax
            error, an exception or ``sys.exit`` at import), or what it names is not a
            policy class, a policy object or a ``rank(nodes, task, rng)`` function.
    """
    if name is None or name == SPREAD:
        return None
    if name in BUILTIN:
        return BUILTIN[name]()  # type: ignore[no-any-return]
    fn, shown = user_policy(name)
    checked = _Checked(name, fn, shown)
    owner = getattr(fn, "__self__", None)
    key = getattr(owner, "key", None)
    if callable(key):  # a declared sort key keeps the scheduler's fast path
        checked.key = _checked_key(checked, key)  # type: ignore[attr-defined]
    group = getattr(owner, "place_group", None)
    if callable(group):
        checked.place_group = _checked_hook(  # type: ignore[attr-defined]
            checked, group, "place_group", none_ok=True)
    migrate = getattr(owner, "migrate", None)
    if callable(migrate):
        checked.migrate = _checked_hook(checked, migrate, "migrate")  # type: ignore[attr-defined]
    return checked


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
        except (Exception, SystemExit) as exc:
            raise self._error(f"rank raised {what_raised(exc)}") from None
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


def _checked_key(policy: _Checked, key: Callable[..., Any]) -> Callable[..., Any]:
    """``key`` with its errors as the policy's :class:`InputError`, taking the same
    arguments (``key(node)`` or ``key(node, task)``)."""
    try:
        params = [p for p in inspect.signature(key).parameters.values()
                  if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    except (TypeError, ValueError):
        params = []

    def call(*args: Any) -> Any:
        try:
            return key(*args)
        except (Exception, SystemExit) as exc:
            raise policy._error(f"key raised {what_raised(exc)}") from None

    if len(params) == 1:
        return lambda node: call(node)
    return lambda node, task: call(node, task)


def _checked_hook(policy: _Checked, hook: Callable[..., Any], what: str, *,
                  none_ok: bool = False) -> Callable[..., list[Any]]:
    """An optional hook (``place_group``, ``migrate``) whose exceptions and malformed
    answers stop the run with the policy's :class:`InputError`.  ``place_group`` must
    answer with nodes it was given (or None); ``migrate`` with ``(service, node id)``
    pairs."""

    def call(nodes: Sequence[NodeView], *args: Any) -> list[Any]:
        given = {n.id for n in nodes}
        try:
            result = hook(nodes, *args)
            if isinstance(result, str | bytes | dict) or not isinstance(result, Iterable):
                raise policy._error(f"{what} returned {_show(result)}, not a list")
            answer = list(itertools.islice(result, 100_000))
        except InputError:
            raise
        except (Exception, SystemExit) as exc:
            raise policy._error(f"{what} raised {what_raised(exc)}") from None
        for item in answer:
            if none_ok:
                if item is None or (isinstance(item, NodeView) and item.id in given):
                    continue
                raise policy._error(f"{what} returned {_show(item)}, which is not one of "
                                    "the nodes it was given")
            if not (isinstance(item, tuple | list) and len(item) == 2
                    and all(isinstance(x, str) for x in item)):
                raise policy._error(f"{what} returned {_show(item)}, not a (service, node "
                                    "id) pair")
        return answer

    return call


def _show(value: object) -> str:
    """A short description of a value a policy returned."""
    text = repr(value) if not isinstance(value, NodeView) else f"node {value.hostname}"
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{type(value).__name__} {text}" if not isinstance(value, NodeView) else text
