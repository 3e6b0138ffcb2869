"""import-linter contract types of this project (``contract_types`` in pyproject.toml).

The session graph leaves out imports made for annotations only (``if TYPE_CHECKING:``),
so that the layer and no-circle contracts speak of the imports that run.  A
``typed_forbidden`` contract is a forbidden contract checked on a graph that counts
those imports too: what it forbids may not be named even for the type checker.
"""

from __future__ import annotations

import grimp
from importlinter.contracts.forbidden import ForbiddenContract
from importlinter.domain.contract import ContractCheck


class TypedForbiddenContract(ForbiddenContract):
    """``forbidden``, with the imports under ``if TYPE_CHECKING:`` counted."""

    type_name = "typed_forbidden"

    def check(self, graph: grimp.ImportGraph, verbose: bool) -> ContractCheck:
        options = self.session_options
        externals = str(options.get("include_external_packages", "")).lower() == "true"
        typed = grimp.build_graph(
            *options["root_packages"],
            include_external_packages=externals,
            exclude_type_checking_imports=False,
            cache_dir=None,
        )
        return super().check(typed, verbose)
