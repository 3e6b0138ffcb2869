"""Test-suite settings.

Property-based tests draw the same examples on every run (``derandomize``), so a CI
run is reproducible and a failure can be replayed; no example database is written, and
no per-example deadline applies (CI machines are shared). Set
``HYPOTHESIS_PROFILE=explore`` to draw fresh random examples locally, and
``HYPOTHESIS_PROFILE=fuzz`` for the input fuzz tests' big campaign.
"""

import os

from hypothesis import settings

settings.register_profile("repeatable", derandomize=True, database=None, deadline=None)
settings.register_profile("explore", deadline=None)
# the input fuzz tests' big campaign (tests/test_input_fuzz.py): fresh examples, many more
settings.register_profile("fuzz", deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))
