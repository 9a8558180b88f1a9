"""Claims about alignment: the template grammar, verdicts with effect, CI and evidence.

- :mod:`~comity.claims.grammar`: the claim types (frozen dataclasses whose ``str()`` is a
  canonical template text that parses back) and :func:`parse_claim`;
- :mod:`~comity.claims.engine`: windows, positions and the paired bootstrap;
- :mod:`~comity.claims.evidence`: the votes that decide a claim, linked to the official record;
- :mod:`~comity.claims.result`: :class:`ClaimResult` (summary, JSON, plot);
- :mod:`~comity.claims.evaluation`: :func:`evaluate`, the verdict rules (module docstring).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from comity._lazy import lazy_exports

if TYPE_CHECKING:
    from comity.claims.evaluation import evaluate
    from comity.claims.evidence import record_link
    from comity.claims.grammar import (
        ClaimError,
        ClaimSyntaxError,
        CloserClaim,
        CohesionClaim,
        MovedClaim,
        Period,
        RankingClaim,
        parse_claim,
    )
    from comity.claims.result import VERDICTS, ClaimResult

_EXPORTS = {
    "evaluate": ".evaluation", "record_link": ".evidence", "ClaimError": ".grammar",
    "ClaimSyntaxError": ".grammar", "CloserClaim": ".grammar", "CohesionClaim": ".grammar",
    "MovedClaim": ".grammar", "Period": ".grammar", "RankingClaim": ".grammar",
    "parse_claim": ".grammar", "VERDICTS": ".result", "ClaimResult": ".result",
}
__getattr__ = lazy_exports(__name__, _EXPORTS, globals())
__all__ = [
    "VERDICTS",
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
