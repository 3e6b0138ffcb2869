"""The cluster state: the single source of truth every component reads and writes.

Layer: model.  Owns the store (:mod:`.state`), the task records (:mod:`.tasks`) and the
machines' files (:mod:`.hostfs`).  May import: :mod:`swarmsim.input` (the specs) and
:mod:`swarmsim.foundation`.
"""
