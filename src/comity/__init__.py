"""comity: who stands with whom among nations, measured from recorded UN votes."""

from __future__ import annotations

from comity.alignment import alignment, alignment_matrix, cohesion
from comity.claims import evaluate, parse_claim
from comity.errors import (
    ComityError,
    DataFormatError,
    StoreError,
    UnknownBlocError,
    UnknownStateError,
    ValidationError,
)
from comity.idealpoints import DynamicIdealPoints
from comity.panel import Panel

__version__ = "0.1.0"

__all__ = [
    "ComityError",
    "DataFormatError",
    "DynamicIdealPoints",
    "Panel",
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
