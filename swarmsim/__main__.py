"""``python -m swarmsim``: the same as the ``swarmsim`` command."""

from swarmsim.cli import entry

entry()
