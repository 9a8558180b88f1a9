"""Results objects of the alignment analyses: :class:`AlignmentResult` (states or blocs over
periods), :class:`CohesionResult` (bloc cohesion) and :class:`MatrixResult` (every dyad of a
period). Frozen, with ``to_frame()``, ``summary()`` and ``plot()`` (through
:func:`comity.analysis.plothook.plotter`); the columns are documented in
:mod:`comity.analysis.align`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from comity.analysis.plothook import plotter
from comity.analysis.query import (
    Party,
    _measures,
)
from comity.errors import AlignmentError

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure



# ----------------------------------------------------------------------------------- results
def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """JSON-ready rows: ISO dates, None for NaN, plain Python numbers."""
    out = frame.copy()
    for c in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[c]):
            out[c] = out[c].dt.strftime("%Y-%m-%d")
        elif isinstance(out[c].dtype, pd.CategoricalDtype):
            out[c] = out[c].astype(str)
    out = out.astype(object).where(out.notna(), None)
    return [{k: (v.item() if isinstance(v, np.generic) else v) for k, v in row.items()}
            for row in out.to_dict(orient="records")]


def seriation(mat: pd.DataFrame) -> list[Any]:
    """The states of a square similarity table (e.g. :meth:`MatrixResult.matrix`) in an
    order that puts similar states next to each other: average-linkage clustering on
    ``1 - value`` (a missing value counts as the mean distance), its leaves in scipy's optimal
    leaf ordering (Bar-Joseph et al. 2001: adjacent leaves as similar as possible), computed
    on the states sorted by code; a run of neighbours that agree on every shared vote with
    each other (distance 0) is then sorted by code, so that ties never depend on chance."""
    codes = sorted(mat.index, key=str)
    if len(codes) < 3:
        return codes
    from scipy.cluster.hierarchy import leaves_list, linkage, optimal_leaf_ordering
    from scipy.spatial.distance import squareform

    d = 1.0 - mat.loc[codes, codes].to_numpy(dtype=float)
    off = ~np.eye(len(d), dtype=bool)
    good = np.isfinite(d) & off
    d = np.where(np.isfinite(d), d, float(d[good].mean()) if good.any() else 1.0)
    d = np.clip((d + d.T) / 2.0, 0.0, None)
    np.fill_diagonal(d, 0.0)
    y = squareform(d, checks=False)
    order = leaves_list(optimal_leaf_ordering(linkage(y, method="average"), y))
    out: list[Any] = []
    run = [order[0]]
    for j in order[1:]:
        if (d[run, j] == 0.0).all():  # a run of states that agree on every shared vote
            run.append(j)
        else:
            out.extend(sorted(run))  # indices follow the codes' order
            run = [j]
    out.extend(sorted(run))
    return [codes[i] for i in out]


def _fmt(v: float) -> str:
    return "  nan" if not np.isfinite(v) else f"{v:.3f}"


def _ci(lo: float, hi: float) -> str:
    return "" if not (np.isfinite(lo) and np.isfinite(hi)) else f" [{lo:.3f}, {hi:.3f}]"


@dataclass(frozen=True, eq=False)
class AlignmentResult:
    """Alignment of ``a`` with each other party, per period and measure.

    ``frame`` is the tidy table (columns :data:`TIDY_COLUMNS`, see the module docstring);
    ``parties`` the resolved parties (``a`` first); ``query`` every parameter used.
    """

    frame: pd.DataFrame
    parties: tuple[Party, ...]
    measures: tuple[str, ...]
    period: Any
    query: Mapping[str, Any]

    @property
    def pairs(self) -> list[tuple[str, str]]:
        a = self.parties[0].code
        return [(a, p.code) for p in self.parties[1:]]

    def to_frame(self) -> pd.DataFrame:
        """The tidy table (a copy)."""
        return self.frame.copy()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: ``{"query": ..., "parties": [...], "rows": [...]}`` (keys in
        :mod:`comity.cli.align`)."""
        return {"query": dict(self.query), "parties": [p.describe() for p in self.parties],
                "rows": records(self.frame)}

    def summary(self) -> str:
        q = self.query
        names = {p.code: p.name for p in self.parties}
        head = (f"Alignment of {self.parties[0].name} ({self.parties[0].code}) — "
                f"{', '.join(self.measures)}; {q['body']} votes "
                f"{q['start'] or 'first'} to {q['end'] or 'last'}, by {q['period']}")
        extra = [f"{k} {q[k]}" for k in ("issue", "important", "search") if q.get(k)]
        if extra:
            head += f" ({', '.join(extra)})"
        if q["bootstrap"]:
            head += f"; {int(q['ci'] * 100)}% bootstrap intervals, {q['bootstrap']} draws"
        if q.get("failed_drafts"):
            head += (f"; {q['failed_drafts']} of the {q.get('resolutions')} votes are Council "
                     "drafts that were not adopted")
        lines = [head]
        f = self.frame
        for _, b in self.pairs:
            for m in self.measures:
                s = f[(f["state_b"] == b) & (f["measure"] == m)]
                label = f"  with {names.get(b, b)} ({b}), {m}:"
                ok = s[np.isfinite(s["value"].to_numpy(dtype=float))]
                if ok.empty:
                    lines.append(f"{label} no period with at least {q['min_votes']} votes")
                    continue
                last = ok.iloc[-1]
                text = (f"{label} {last['period']} {_fmt(last['value'])}"
                        f"{_ci(last['lo'], last['hi'])} (n={int(last['n'])})")
                if len(ok) > 1:
                    vals = ok["value"].to_numpy(dtype=float)
                    i_max, i_min = int(np.argmax(vals)), int(np.argmin(vals))
                    text += (f"; mean {vals.mean():.3f} over {len(ok)} periods, highest "
                             f"{vals[i_max]:.3f} ({ok['period'].iloc[i_max]}), lowest "
                             f"{vals[i_min]:.3f} ({ok['period'].iloc[i_min]})")
                lines.append(text)
        lines.append(f"  coverage: {int(f['n'].max()) if len(f) else 0} votes at most per "
                     "period and pair; see n, n_absent, n_nonmember, n_tied in to_frame()")
        return "\n".join(lines)

    def plot(self, path: str | Path | None = None, ax: Axes | None = None,
             measure: str | None = None) -> Figure:
        """Alignment over time with CI bands, one line per pair (see :mod:`comity.plots`)."""
        return plotter("plot_alignment")(self, path=path, ax=ax, measure=measure)


@dataclass(frozen=True, eq=False)
class CohesionResult:
    """Hix–Noury–Roland agreement index of each bloc per period.

    ``frame`` columns: ``period, start, end, bloc, measure ("cohesion"), value, lo, hi, n,
    n_excluded, n_nonmember, members``: ``n`` resolutions where at least ``min_members``
    members voted Y/A/N, ``n_excluded`` resolutions where the bloc had members in the UN but
    fewer voted, ``n_nonmember`` resolutions with no member in the UN, ``members`` the mean
    number of members voting on the ``n`` resolutions.
    """

    frame: pd.DataFrame
    blocs: tuple[Party, ...]
    period: Any
    query: Mapping[str, Any]

    def to_frame(self) -> pd.DataFrame:
        return self.frame.copy()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: ``{"query": ..., "blocs": [...], "rows": [...]}``."""
        return {"query": dict(self.query), "blocs": [b.describe() for b in self.blocs],
                "rows": records(self.frame)}

    def summary(self) -> str:
        q = self.query
        lines = [f"Cohesion (Hix–Noury–Roland agreement index); {q['body']} votes "
                 f"{q['start'] or 'first'} to {q['end'] or 'last'}, by {q['period']}"]
        f = self.frame
        for b in self.blocs:
            s = f[(f["bloc"] == b.code) & np.isfinite(f["value"].to_numpy(dtype=float))]
            if s.empty:
                lines.append(f"  {b.name} ({b.code}): no period with enough votes")
                continue
            last = s.iloc[-1]
            vals = s["value"].to_numpy(dtype=float)
            lines.append(
                f"  {b.name} ({b.code}): {last['period']} {_fmt(last['value'])}"
                f"{_ci(last['lo'], last['hi'])} (n={int(last['n'])}, "
                f"{last['members']:.1f} members voting); mean {vals.mean():.3f} over "
                f"{len(s)} periods")
        return "\n".join(lines)

    def plot(self, path: str | Path | None = None, ax: Axes | None = None) -> Figure:
        return plotter("plot_cohesion")(self, path=path, ax=ax)


@dataclass(frozen=True, eq=False)
class MatrixResult:
    """Every dyad of states for one period (or several), all requested measures.

    ``wide`` has one row per (period, dyad) of states that were both UN members at some vote of
    the period: ``period, start, end, state_a, state_b`` (``state_a < state_b``), one column per
    measure, ``lo_<measure>``/``hi_<measure>`` with bootstrap, ``n`` (votes the distance-based
    measures rest on), ``n_coincidence`` (Y/N votes, with coincidence), ``n_absent,
    n_nonmember``.
    """

    wide: pd.DataFrame
    measures: tuple[str, ...]
    period: Any
    query: Mapping[str, Any]
    n_resolutions: Mapping[Any, int] = field(default_factory=dict)

    def to_wide(self) -> pd.DataFrame:
        return self.wide.copy()

    def to_frame(self) -> pd.DataFrame:
        """Tidy: the columns of :data:`TIDY_COLUMNS`, ordered by period, dyad, measure."""
        w = self.wide
        parts = []
        for k, m in enumerate(self.measures):
            part = pd.DataFrame({
                "period": w["period"], "start": w["start"], "end": w["end"],
                "state_a": w["state_a"], "state_b": w["state_b"],
                "measure": m,
                "value": w[m],
                "lo": w.get(f"lo_{m}", np.nan), "hi": w.get(f"hi_{m}", np.nan),
                "n": w["n_coincidence"] if m == "coincidence" else w["n"],
                "n_absent": w["n_absent"], "n_nonmember": w["n_nonmember"], "n_tied": 0,
                "_row": np.arange(len(w)), "_m": k,
            })
            parts.append(part)
        out = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
        out = out.sort_values(["_row", "_m"], kind="stable").drop(columns=["_row", "_m"])
        out["measure"] = pd.Categorical(out["measure"], categories=list(self.measures))
        return out.reset_index(drop=True)

    def top(self, n: int = 20, measure: str | None = None) -> pd.DataFrame:
        """The ``n`` most and ``n`` least aligned dyads of each period by ``measure`` (default:
        the first measure); dyads whose value is NaN are left out; among equal values the dyad
        with more votes ranks first, then the dyads in the order of their codes (``state_a``,
        then ``state_b``), so that ties never depend on chance.

        Columns ``period, side ("most"/"least"), rank, state_a, state_b, value, lo, hi, n``.
        """
        m = self.measures[0] if measure is None else _measures(measure)[0]
        if m not in self.measures:
            raise AlignmentError(f"measure {m!r} was not computed; have {list(self.measures)}")
        w = self.wide
        ok = w[np.isfinite(w[m].to_numpy(dtype=float))]
        cols = ["period", "state_a", "state_b", m]
        for c in (f"lo_{m}", f"hi_{m}"):
            if c in w.columns:
                cols.append(c)
        n_col = "n_coincidence" if m == "coincidence" else "n"
        cols.append(n_col)
        out = []
        for side, asc in (("most", False), ("least", True)):
            # equal values: the dyad resting on more votes first
            s = ok.assign(_a=ok["state_a"].astype(str), _b=ok["state_b"].astype(str))
            s = s.sort_values(["period", m, n_col, "_a", "_b"],
                              ascending=[True, asc, False, True, True], kind="stable")
            s = s.groupby("period", sort=True, observed=True).head(int(n))[cols].copy()
            s.insert(1, "side", side)
            s.insert(2, "rank", s.groupby("period", observed=True).cumcount() + 1)
            out.append(s)
        res = pd.concat(out, ignore_index=True)
        res = res.rename(columns={m: "value", f"lo_{m}": "lo", f"hi_{m}": "hi",
                                  "n_coincidence": "n"})
        for c in ("lo", "hi"):
            if c not in res.columns:
                res[c] = np.nan
        res.insert(3, "measure", m)
        return res[["period", "side", "rank", "measure", "state_a", "state_b", "value", "lo",
                    "hi", "n"]]

    def matrix(self, measure: str | None = None, period: Any = None,
               order: str = "code") -> pd.DataFrame:
        """Square, symmetric state x state table of one measure for one period (default: the
        last); states in the order of their codes (``order="code"``) or of :func:`seriation`
        (``order="cluster"``: similar states together, as in the heat map)."""
        if order not in ("code", "cluster"):
            raise AlignmentError(f"order {order!r}: expected 'code' or 'cluster'")
        m = self.measures[0] if measure is None else _measures(measure)[0]
        periods = list(pd.unique(self.wide["period"]))
        if period is None:
            if not periods:
                return pd.DataFrame()
            period = periods[-1]
        w = self.wide[self.wide["period"] == period]
        codes = sorted(set(w["state_a"]) | set(w["state_b"]))
        pos = {c: i for i, c in enumerate(codes)}
        mat = np.full((len(codes), len(codes)), np.nan)
        ia = w["state_a"].map(pos).to_numpy(dtype=np.intp)
        ib = w["state_b"].map(pos).to_numpy(dtype=np.intp)
        mat[ia, ib] = w[m].to_numpy(dtype=float)
        mat[ib, ia] = w[m].to_numpy(dtype=float)
        out = pd.DataFrame(mat, index=pd.Index(codes, name="state"), columns=codes)
        if order == "cluster":
            np.fill_diagonal(mat, 1.0)  # a state agrees with itself (for the ordering only)
            seq = seriation(pd.DataFrame(mat, index=codes, columns=codes))
            out = out.loc[seq, seq]
            out.index.name = "state"
        return out

    def summary(self) -> str:
        q = self.query
        m = self.measures[0]
        lines = []
        for per, n_res in self.n_resolutions.items():
            w = self.wide[self.wide["period"] == per]
            ok = int(np.isfinite(w[m].to_numpy(dtype=float)).sum())
            lines.append(f"{q['body']} {per}: {n_res} recorded votes, "
                         f"{len(set(w['state_a']) | set(w['state_b']))} states, {len(w)} dyads "
                         f"({ok} with at least {q['min_votes']} shared votes), {m}")
        t = self.top(3)
        for side in ("most", "least"):
            s = t[t["side"] == side]
            if len(s):
                pairs = "; ".join(f"{r.state_a}–{r.state_b} {r.value:.3f}"
                                  for r in s.itertuples())
                lines.append(f"  {side} aligned: {pairs}")
        return "\n".join(lines)

    def plot(self, path: str | Path | None = None, ax: Axes | None = None,
             measure: str | None = None, period: Any = None) -> Figure:
        """Heat map of one period's matrix (see :mod:`comity.plots`)."""
        return plotter("plot_matrix")(self, path=path, ax=ax, measure=measure, period=period)
