"""What containers really use: CPU shared the way the kernel's CFS shares it, memory
working sets and OOM kills, usage profiles, random machine failures and power.

:mod:`~swarmsim.resources.share` holds the pure decisions (max-min fair CPU shares, the
OOM killer's victim), :mod:`~swarmsim.resources.profiles` how background usage moves,
:mod:`~swarmsim.resources.model` the simulation component around them.

Layer: simulation.  May import: the model, the input layer and the foundation.
"""
