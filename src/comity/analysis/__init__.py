"""Measures and estimators over a :class:`~comity.store.panel.Panel`; results objects.

- :mod:`~comity.analysis.measures`: agreement, S, kappa, pi, coincidence for all dyads at once;
- :mod:`~comity.analysis.align`: alignment of states and blocs per period with bootstrap CIs,
  the all-dyads matrix and bloc cohesion (parties, periods and votes of a query:
  :mod:`~comity.analysis.query`; results objects: :mod:`~comity.analysis.results`);
- :mod:`~comity.analysis.idealpoints`: dynamic ordinal ideal points (the EM in
  :mod:`~comity.analysis.ideal_em`; cached fits through :mod:`~comity.analysis.fitstore`);
- :mod:`~comity.analysis.shifts`: change points; :mod:`~comity.analysis.movers`: movers and
  vote switches; :mod:`~comity.analysis.clustering`: blocs found in the data;
- :mod:`~comity.analysis.comparison`: two states or blocs side by side (trend, position matrix,
  topics, divergent votes, shared minority positions);
- :mod:`~comity.analysis.security_council`: the Security Council (members, vetoes);
- :mod:`~comity.analysis.issuecoding`: issue codes for the resolutions Voeten did not code.

Results objects are frozen, with ``to_frame()``, ``summary()`` and ``plot()``; ``plot()`` reaches
:mod:`comity.plots` only through :func:`comity.analysis.plothook.plotter`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from comity._lazy import lazy_exports

if TYPE_CHECKING:
    from comity.analysis.align import alignment, alignment_matrix, cohesion
    from comity.analysis.clustering import ClusterResult, clusters
    from comity.analysis.comparison import CompareResult, compare
    from comity.analysis.idealpoints import DynamicIdealPoints
    from comity.analysis.measures import MEASURES, dyad_measures, paired_difference
    from comity.analysis.results import AlignmentResult, CohesionResult, MatrixResult
    from comity.analysis.security_council import council, vetoes
    from comity.analysis.shifts import change_points, movers, vote_switches

_EXPORTS = {
    "AlignmentResult": ".results", "CohesionResult": ".results", "MatrixResult": ".results",
    "alignment": ".align", "alignment_matrix": ".align", "cohesion": ".align",
    "ClusterResult": ".clustering", "clusters": ".clustering",
    "CompareResult": ".comparison", "compare": ".comparison",
    "council": ".security_council", "vetoes": ".security_council",
    "DynamicIdealPoints": ".idealpoints",
    "MEASURES": ".measures", "dyad_measures": ".measures", "paired_difference": ".measures",
    "change_points": ".shifts", "movers": ".shifts", "vote_switches": ".shifts",
}
__getattr__ = lazy_exports(__name__, _EXPORTS, globals())
__all__ = [
    "MEASURES",
    "AlignmentResult",
    "ClusterResult",
    "CohesionResult",
    "CompareResult",
    "DynamicIdealPoints",
    "MatrixResult",
    "alignment",
    "alignment_matrix",
    "change_points",
    "clusters",
    "cohesion",
    "compare",
    "council",
    "dyad_measures",
    "movers",
    "paired_difference",
    "vetoes",
    "vote_switches",
]
