"""Manager-side components: each owns one part of the task model and talks to the others
only through the cluster state (SwarmKit's manager split) and the few components it
names in its constructor; :mod:`.leadership` is the raft-leader flag they pause on.

Layer: simulation.  May import: the other simulation packages, the model, the input
layer and the foundation.
"""
