"""The routing mesh: load-balancer membership, routing of connections, network latency."""
