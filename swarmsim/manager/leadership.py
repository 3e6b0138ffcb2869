"""Whether the raft has a leader: the flag the manager components pause and resume on.

:class:`~swarmsim.manager.quorum.Quorum` sets it (quorum lost or regained, an election
won); the scheduler, orchestrators, restart supervisor, updater, liveness, enforcer,
reaper and the control API read it or listen to it, as SwarmKit's manager components
run only on the leader.
"""

from __future__ import annotations

from collections.abc import Callable


class Leadership:
    """True while a majority of the managers is up (raft has a leader)."""

    __slots__ = ("_listeners", "has_leader")

    def __init__(self) -> None:
        self.has_leader = True
        self._listeners: list[Callable[[bool], None]] = []

    def set_leader(self, ok: bool) -> None:
        """Quorum lost or regained; the listeners pause or resume."""
        if ok == self.has_leader:
            return
        self.has_leader = ok
        for fn in self._listeners:
            fn(ok)

    def on_leader(self, fn: Callable[[bool], None]) -> None:
        """Call ``fn(has_leader)`` when quorum is lost or regained."""
        self._listeners.append(fn)
