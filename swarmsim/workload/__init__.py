"""Request traffic: workloads, arrival processes, request costs, task queues, records
and figures (see docs/traffic.md).

Layer: simulation.  May import: the other simulation packages, the model, the input
layer and the foundation.
"""
