"""Test-suite settings.

Property-based tests draw the same examples on every run (``derandomize``), so a CI
run is reproducible and a failure can be replayed; no example database is written, and
no per-example deadline applies (CI machines are shared). Set
``HYPOTHESIS_PROFILE=explore`` to draw fresh random examples locally.
"""

import os

from hypothesis import settings

settings.register_profile("repeatable", derandomize=True, database=None, deadline=None)
settings.register_profile("explore", deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))
