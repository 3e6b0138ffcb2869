"""Request traffic: workloads, arrival processes, request costs, task queues, records
and figures (see docs/traffic.md)."""
