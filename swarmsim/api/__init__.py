"""``swarmsim serve``: a simulated swarm behind the Docker Engine API, so the real
docker CLI and SDK drive it.

Layers: :mod:`.clock` (the live clock), :mod:`.view` (versions, networks, secrets,
configs and events around the simulation), :mod:`.spec_in` (API shapes in; the shapes
out are :mod:`swarmsim.commands.objects` and :mod:`swarmsim.commands.spec_out`, which
the shell's ``docker inspect`` shares), :mod:`.app` and the ``routes_*`` modules
(HTTP), :mod:`.server` (running it), :mod:`.live` (the live visualizer).

Layer: interfaces.  May import: the shell's session machinery and everything below it;
only :mod:`swarmsim.cli` imports it.
"""

from __future__ import annotations

__all__ = ["MAX_VERSION", "MIN_VERSION"]

from swarmsim.api.http import MAX_VERSION, MIN_VERSION
