"""Input: scenario files read and checked, into frozen specification records.

Owns the frozen specs a compose file and a scenario declare (:mod:`.specs`), the scenario
reader (:mod:`.scenario`) and its parts (:mod:`.scenario_nodes`, :mod:`.timeline`,
:mod:`.workload`, :mod:`.traces`, :mod:`.network`, :mod:`.policy`, :mod:`.rebalance`),
the small validators they share (:mod:`.checks`) and the syntax of a docker command
line (:mod:`.cmdline`).  Parse and validate only: nothing here runs anything.

May import: :mod:`swarmsim.foundation` and :mod:`swarmsim.compose` (compose files are
input too).
"""
