"""Per-simulation random streams and docker-style identifiers.

Every source of randomness in a simulation is a named numpy ``Generator`` spawned from
one ``SeedSequence(seed)``.  Names are append-only: adding a stream never changes the
draws of the existing ones, so adding a feature does not shift earlier results.
"""

from __future__ import annotations

import numpy as np

#: Named streams, in spawn order. Append new names at the end only.
STREAMS: tuple[str, ...] = (
    "ids", "scheduler", "heartbeat", "faults", "workload", "ingress", "policy", "usage",
    "failures",
)

_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz"
_ALPHABET_ARRAY = np.array(list(_ALPHABET), dtype="<U1")


def make_streams(seed: int) -> dict[str, np.random.Generator]:
    """One independent generator per name in :data:`STREAMS`, all derived from ``seed``."""
    children = np.random.SeedSequence(seed).spawn(len(STREAMS))
    return {name: np.random.default_rng(child)
            for name, child in zip(STREAMS, children, strict=True)}


def base36(value: int, width: int) -> str:
    """``value`` in lowercase base 36, left-padded with zeros to ``width`` characters."""
    digits = []
    while value:
        value, rem = divmod(value, 36)
        digits.append(_ALPHABET[rem])
    return "".join(reversed(digits)).rjust(width, "0")


class IdFactory:
    """Makes the identifiers swarm shows, from a seeded stream.

    Node, service and task ids are 25-character base36 strings, as SwarmKit's
    ``identity.NewID`` makes them (there, a random 128-bit number in base 36; here 25
    uniform base36 digits, which look the same).
    """

    _BLOCK = 256

    def __init__(self, rng: np.random.Generator) -> None:
        self._rng = rng
        self._buffer: list[str] = []

    def _bits(self, n_words: int) -> int:
        value = 0
        for word in self._rng.integers(0, 1 << 63, size=n_words, dtype=np.int64, endpoint=False):
            value = (value << 63) | int(word)
        return value

    def new_id(self) -> str:
        """A fresh 25-character base36 id.

        Ids are drawn in blocks of 25 uniform base36 digits (vectorised), so making an
        id costs a list pop rather than a generator call.
        """
        if not self._buffer:
            self._buffer = self._block()
        return self._buffer.pop()

    def new_ids(self, count: int) -> list[str]:
        """``count`` fresh ids: the same ids, in the same order, as ``count`` calls of
        :meth:`new_id` (the blocks are drawn one by one, as those calls draw them)."""
        out: list[str] = []
        while len(out) < count:
            if not self._buffer:
                self._buffer = self._block()
            take = min(count - len(out), len(self._buffer))
            out += self._buffer[: -take - 1 : -1]  # the next ``take`` pops, in pop order
            del self._buffer[-take:]
        return out

    def _block(self) -> list[str]:
        """The next block of ids, last first (``new_id`` pops from the end)."""
        digits = self._rng.integers(0, 36, size=(self._BLOCK, 25), dtype=np.int64)
        chars = _ALPHABET_ARRAY[digits]
        ids: list[str] = chars.view("<U25").ravel().tolist()[::-1]
        return ids

    def join_token_pair(self) -> tuple[str, str]:
        """Worker and manager join tokens sharing one CA digest part.

        Format ``SWMTKN-1-<50 base36>-<25 base36>`` (SwarmKit ``ca/config.go``).
        """
        digest = base36(self._bits(5) & ((1 << 256) - 1), 50)
        worker = base36(self._bits(3) & ((1 << 128) - 1), 25)
        manager = base36(self._bits(3) & ((1 << 128) - 1), 25)
        return f"SWMTKN-1-{digest}-{worker}", f"SWMTKN-1-{digest}-{manager}"
