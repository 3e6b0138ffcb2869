"""How the daemon finds a swarm object a command names: by its full id, else its name,
else a unique id prefix (moby's ``daemon/cluster/helpers.go``: ``getNode``,
``getService``, ``getNetwork``; the same order for secrets and configs)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

T = TypeVar("T")


def find_one(kind: str, ref: str, items: Sequence[T], id_of: Callable[[T], str],
             name_of: Callable[[T], str], error: Callable[[str, bool], Exception]) -> T:
    """The one of ``items`` that ``ref`` names.

    Raises:
        ``error(message, ambiguous)``: ``<kind> <ref> is ambiguous (<n> matches found)``
        (``ambiguous`` True) when several match at the first level that matches any,
        ``<kind> <ref> not found`` (False) when none does.
    """
    for match in ([i for i in items if id_of(i) == ref], [i for i in items if name_of(i) == ref],
                  [i for i in items if ref and id_of(i).startswith(ref)]):
        if len(match) == 1:
            return match[0]
        if len(match) > 1:
            raise error(f"{kind} {ref} is ambiguous ({len(match)} matches found)", True)
    raise error(f"{kind} {ref} not found", False)
