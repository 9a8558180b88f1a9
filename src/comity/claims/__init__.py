"""Claims about alignment: the template grammar, verdicts with effect, CI and evidence.

- :mod:`~comity.claims.grammar`: the claim types (frozen dataclasses whose ``str()`` is a
  canonical template text that parses back) and :func:`parse_claim`;
- :mod:`~comity.claims.evaluate`: :func:`evaluate` → :class:`ClaimResult` (verdict, effect,
  paired-bootstrap CI, robustness);
- :mod:`~comity.claims.evidence`: the votes that decide a claim, linked to the official record.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from comity._lazy import lazy_exports

if TYPE_CHECKING:
    from comity.claims.grammar import (
        ClaimError,
        ClaimResult,
        ClaimSyntaxError,
        CloserClaim,
        CohesionClaim,
        MovedClaim,
        Period,
        RankingClaim,
        evaluate,
        parse_claim,
        record_link,
    )

_EXPORTS = {name: ".grammar" for name in (
    "ClaimError", "ClaimResult", "ClaimSyntaxError", "CloserClaim", "CohesionClaim",
    "MovedClaim", "Period", "RankingClaim", "evaluate", "parse_claim", "record_link")}
__getattr__ = lazy_exports(__name__, _EXPORTS, globals())
__all__ = [
    "ClaimError",
    "ClaimResult",
    "ClaimSyntaxError",
    "CloserClaim",
    "CohesionClaim",
    "MovedClaim",
    "Period",
    "RankingClaim",
    "evaluate",
    "parse_claim",
    "record_link",
]
