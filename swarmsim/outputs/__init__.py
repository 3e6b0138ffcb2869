"""What a run writes: the JSON document of the swarm at one moment (:mod:`.snapshot`,
``--json`` and ``final.json``) and the files of ``--out DIR`` (:mod:`.files`).

May import: :mod:`swarmsim.app` (a run's result), the simulation and everything below.
"""
