"""comity: who stands with whom among nations, measured from recorded UN votes.

The analysis entry points are imported on first use (PEP 562), so that ``import comity.store``
(and every CLI command) does not pay for the estimators it does not use.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from comity.errors import (
    ComityError,
    DataFormatError,
    StoreError,
    UnknownBlocError,
    UnknownStateError,
    ValidationError,
)
from comity.panel import Panel

if TYPE_CHECKING:
    from comity.alignment import alignment, alignment_matrix, cohesion
    from comity.claims import evaluate, parse_claim
    from comity.idealpoints import DynamicIdealPoints

__version__ = "0.1.0"

_LAZY = {
    "alignment": "comity.alignment",
    "alignment_matrix": "comity.alignment",
    "cohesion": "comity.alignment",
    "evaluate": "comity.claims",
    "parse_claim": "comity.claims",
    "DynamicIdealPoints": "comity.idealpoints",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'comity' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


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
