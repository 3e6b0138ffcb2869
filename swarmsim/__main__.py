"""``python -m swarmsim``: the same as the ``swarmsim`` command."""

import sys

from swarmsim.cli import main

sys.exit(main())
