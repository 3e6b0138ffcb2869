"""What swarmsim does for its interfaces: run a scenario through simulated time
(:mod:`.run`), plan a deploy at t=0 (:mod:`.plan`)
and explain a placement (:mod:`.explain`).

May import: the docker command interpreter (:mod:`swarmsim.commands`), the metrics
recorder, the simulation and everything below it; never the CLI, the shell, reports or
experiments.
"""
