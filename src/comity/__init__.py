"""comity: who stands with whom among nations, measured from recorded UN votes.

The package is a stack of wings, each importing only the ones below it (import-linter checks
this in CI)::

    world/     states, blocs, issue codes, recurring texts: who is who, and when
    ingest/    one parser per external format, the merge into one record per vote, fetch
    store/     the DuckDB store, queries returning a Panel, the fit cache
    analysis/  measures, alignment, ideal points, shifts, clusters, the Council, issue coding
    claims/    claim grammar, reading prose, verdicts and evidence
    plots.py   figures from results objects;  cli/  the command line;  web/  REST API + dashboard

The entry points below are imported on first use (PEP 562), so that ``import comity.store``
(and every CLI command) does not pay for the estimators it does not use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from comity._lazy import lazy_exports
from comity.errors import (
    ComityError,
    DataFormatError,
    StoreError,
    UnknownBlocError,
    UnknownStateError,
    ValidationError,
)

if TYPE_CHECKING:
    from comity.analysis import DynamicIdealPoints, alignment, alignment_matrix, cohesion
    from comity.claims import evaluate, parse_claim
    from comity.store import Panel, Store

__version__ = "0.1.0"

_LAZY = {
    "alignment": "comity.analysis",
    "alignment_matrix": "comity.analysis",
    "cohesion": "comity.analysis",
    "DynamicIdealPoints": "comity.analysis",
    "evaluate": "comity.claims",
    "parse_claim": "comity.claims",
    "Panel": "comity.store",
    "Store": "comity.store",
}
__getattr__ = lazy_exports(__name__, _LAZY, globals())

__all__ = [
    "ComityError",
    "DataFormatError",
    "DynamicIdealPoints",
    "Panel",
    "Store",
    "StoreError",
    "UnknownBlocError",
    "UnknownStateError",
    "ValidationError",
    "__version__",
    "alignment",
    "alignment_matrix",
    "cohesion",
    "evaluate",
    "parse_claim",
]
