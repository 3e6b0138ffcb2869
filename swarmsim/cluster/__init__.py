"""The cluster state: the single source of truth every component reads and writes."""
