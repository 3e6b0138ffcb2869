"""Foundation: what every layer of swarmsim uses.

Owns the value formats (:mod:`.units`), the errors raised on purpose (:mod:`.errors`),
every default with its source (:mod:`.defaults`) and the input limits an environment
variable raises (:mod:`.limits`), the bounded reading of input files (:mod:`.inputfile`),
the per-simulation random streams and docker-style identifiers (:mod:`.rng`) and the text
forms docker prints (:mod:`.text`), how the daemon finds an object a command names
(:mod:`.refs`), and the pause of the cyclic garbage collector around
bulk work (:mod:`.collector`).

May import: nothing of swarmsim.
"""
