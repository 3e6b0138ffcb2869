"""The routing mesh: load-balancer membership, routing of connections, network latency.

Layer: simulation.  May import: the other simulation packages, the model, the input
layer and the foundation.
"""
