"""Co-sponsorship alignment: how often two states put their names on the same texts.

A second signal beside the votes. The UNxml extract lists the sponsors (``sponsor``: named on
the draft) and additional sponsors (``additional``: joined later) of every General Assembly
resolution of sessions 74-80 (2019-10 to 2026-06); the store keeps them in ``sponsors(rid,
state, kind, source)`` (:mod:`comity.store.sponsors`). Before session 74 no source here lists
sponsors: a period without sponsor data has no value.

Measure
-------
For states ``a`` and ``b`` and a period, ``A`` and ``B`` are the sets of resolutions of the
period each sponsored (both kinds unless ``kinds`` says otherwise). The **Jaccard index**
``|A ∩ B| / |A ∪ B|`` is 1 when they sponsored exactly the same texts and 0 when they never
sponsored one together; ``n = |A ∪ B|``, ``both = |A ∩ B|``, ``only_a``, ``only_b``. The value
is null when ``n < min_texts``. ``texts`` counts the resolutions of the period with at least
one sponsoring state (the texts resampled).

Interval: a percentile bootstrap over resolutions: the period's ``texts`` are drawn with
replacement ``bootstrap`` times. The index depends only on how many drawn texts fall in each of
the four cells (both, only a, only b, neither), so a draw is taken as a multinomial draw of
those four counts with the observed frequencies (the same distribution as resampling texts,
as :mod:`comity.analysis.comparison` does for the vote tables). Draws with an empty union are
left out (bounds as in :mod:`comity.analysis.measures`).

Co-sponsorship is measured between states (a bloc does not sponsor); codes are taken as
stored (no lineage is needed after 2019).

Voted No on a partner's text
----------------------------
:func:`pair_cosponsorship` also lists the recorded votes where one state voted No on a
resolution the other sponsored (``rid, date, symbol, title, sponsor, sponsor_kind, voted_no,
yes, no, abstain, link``; latest first).

Result keys
-----------
:class:`CosponsorResult` (``comity align --signal cosponsor``): ``to_dict()`` =
``{"query", "parties", "rows"}``, rows ``period, start, end, state_a, state_b, measure
("jaccard"), value, lo, hi, n, both, only_a, only_b, texts``.

:class:`CosponsorPair` (the ``cosponsorship`` key of ``comity compare --json``)::

    {"measure": "jaccard", "kinds": ["sponsor", "additional"], "value", "lo", "hi", "n",
     "both", "only_a", "only_b", "sponsored_a", "sponsored_b", "texts", "first", "last",
     "by_year": [{"year", "value", "lo", "hi", "n", "both", "texts"}, ...],
     "voted_no_total", "voted_no": [{"rid", "date", "symbol", "title", "sponsor",
                                     "sponsor_kind", "voted_no", "yes", "no", "abstain",
                                     "link"}, ...],
     "note": null | str}

``first``/``last`` are the dates of the first and last text of the period with sponsor data;
``note`` says why there is no value (no sponsor data in the period, a bloc). No NaN anywhere.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from comity.analysis.links import record_links
from comity.analysis.measures import _check_options, _percentile_interval
from comity.analysis.plothook import plotter
from comity.analysis.query import (
    Party,
    _assign_periods,
    _describe_period,
    _extra_blocs,
    _open,
    _query,
    resolve_party,
)
from comity.analysis.results import records
from comity.errors import AlignmentError
from comity.store.sponsors import (
    SPONSOR_KINDS,
    VOTED_NO_COLUMNS,
    sponsored,
    voted_no_on_sponsored,
)
from comity.world.blocs import Bloc

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from comity.store.db import Store

__all__ = ["CosponsorPair", "CosponsorResult", "cosponsorship", "pair_cosponsorship"]

MEASURE = "jaccard"
COLUMNS = ["period", "start", "end", "state_a", "state_b", "measure", "value", "lo", "hi",
           "n", "both", "only_a", "only_b", "texts"]
NO_DATA = ("no sponsor data in this period: the store lists sponsors only for the sessions "
           "the UNxml extract covers (74-80, 2019-10 to 2026-06)")


def _num(v: Any) -> float | None:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return f if np.isfinite(f) else None


def _kinds(kinds: str | Sequence[str] | None) -> tuple[str, ...]:
    if kinds is None or kinds == "all":
        return SPONSOR_KINDS
    ks = (kinds,) if isinstance(kinds, str) else tuple(kinds)
    bad = [k for k in ks if k not in SPONSOR_KINDS]
    if bad or not ks:
        raise AlignmentError(f"sponsor kinds must be among {', '.join(SPONSOR_KINDS)} "
                             f"(or 'all'), got {list(ks)!r}")
    return ks


def _states_only(parties: Sequence[Party]) -> None:
    for p in parties:
        if p.is_bloc:
            raise AlignmentError(f"co-sponsorship is measured between states; {p.token!r} is "
                                 "a bloc (name its members one by one)")


def _jaccard(cells: np.ndarray, min_texts: int, bootstrap: int, rng: np.random.Generator |
             None, ci: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Value, lo, hi for (K, 4) counts ``both, only_a, only_b, neither``."""
    k = cells.shape[0]
    union = cells[:, :3].sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        val = np.where(union >= max(min_texts, 1), cells[:, 0] / union, np.nan)
    lo = np.full(k, np.nan)
    hi = np.full(k, np.nan)
    total = cells.sum(axis=1)
    ok = np.isfinite(val) & (total > 0)
    if bootstrap and rng is not None and ok.any():
        c = cells[ok].astype(np.float64)
        p = c / c.sum(axis=1, keepdims=True)
        draws = rng.multinomial(total[ok], p, size=(bootstrap, int(ok.sum())))  # (B, K, 4)
        du = draws[..., :3].sum(axis=-1)
        with np.errstate(invalid="ignore", divide="ignore"):
            bv = np.where(du > 0, draws[..., 0] / du, np.nan)
        lo[ok], hi[ok] = _percentile_interval(bv, ci)
    return val, lo, hi


def _cells(texts: pd.DataFrame, rows: pd.DataFrame, a: str, others: Sequence[str]
           ) -> np.ndarray:
    """(K, R) cell of each text for each pair (a, other): 0 both, 1 only a, 2 only other,
    3 neither."""
    rid_pos = pd.Index(texts["rid"].astype(str))
    codes = [a, *others]
    mat = np.zeros((len(codes), len(texts)), dtype=bool)
    if len(rows):
        col = rid_pos.get_indexer(rows["rid"].astype(str))
        row = pd.Index(codes).get_indexer(rows["state"].astype(str))
        ok = (col >= 0) & (row >= 0)
        mat[row[ok], col[ok]] = True
    sa, sb = mat[0][None, :], mat[1:]
    return np.where(sa & sb, 0, np.where(sa, 1, np.where(sb, 2, 3))).astype(np.int64)


def _period_cells(cell: np.ndarray, cols: np.ndarray, group: np.ndarray, n_periods: int
                  ) -> np.ndarray:
    """(K, P, 4) counts of each cell per pair and period."""
    k = cell.shape[0]
    out = np.zeros((k, n_periods, 4), dtype=np.int64)
    if len(cols):
        flat = group[None, :] * 4 + cell[:, cols]  # (K, M)
        for i in range(k):  # K pairs (a handful), each one bincount over the texts
            out[i] = np.bincount(flat[i], minlength=n_periods * 4).reshape(n_periods, 4)
    return out


# ----------------------------------------------------------------------------------- align
@dataclass(frozen=True, eq=False)
class CosponsorResult:
    """Co-sponsorship of ``a`` with each other state, per period (columns :data:`COLUMNS`)."""

    frame: pd.DataFrame
    parties: tuple[Party, ...]
    query: Mapping[str, Any]
    measures: tuple[str, ...] = (MEASURE,)

    def to_frame(self) -> pd.DataFrame:
        return self.frame.copy()

    def to_dict(self) -> dict[str, Any]:
        """``{"query", "parties", "rows"}`` (keys in the module docstring)."""
        return {"query": dict(self.query), "parties": [p.describe() for p in self.parties],
                "rows": records(self.frame)}

    def summary(self) -> str:
        a = self.parties[0]
        q = self.query
        lines = [f"Co-sponsorship of {a.name} ({a.code}): Jaccard index over the resolutions "
                 f"sponsored, {q['start'] or 'first'} to {q['end'] or 'last'}, by "
                 f"{q['period']}"]
        for p in self.parties[1:]:
            s = self.frame[self.frame["state_b"] == p.code]
            ok = s[s["value"].notna()]
            if ok.empty:
                lines.append(f"  with {p.name} ({p.code}): no period with sponsor data")
                continue
            last = ok.iloc[-1]
            lines.append(f"  with {p.name} ({p.code}): {last['period']} {last['value']:.3f} "
                         f"({int(last['both'])} of {int(last['n'])} texts together)")
        return "\n".join(lines)

    def plot(self, path: str | Path | None = None, ax: Axes | None = None) -> Figure:
        """The index over time with its bands (:func:`comity.plots.plot_alignment`)."""
        return plotter("plot_alignment")(self, path=path, ax=ax, measure=None)


def cosponsorship(
    a: str,
    b: str,
    *more: str,
    period: Any = "year",
    start: Any = None,
    end: Any = None,
    body: str = "GA",
    kinds: str | Sequence[str] | None = None,
    bootstrap: int = 2000,
    seed: int | None = None,
    ci: float = 0.95,
    min_texts: int = 1,
    store: Store | str | Path | None = None,
    blocs_file: str | Path | Mapping[str, Bloc] | None = None,
) -> CosponsorResult:
    """Co-sponsorship (Jaccard index, bootstrap interval) of state ``a`` with ``b`` (and each
    of ``more``) per ``period`` (``year``, ``session``, ``all``, ``rolling:N`` or windows, as
    :func:`comity.analysis.align.alignment`). Module docstring for the details."""
    _check_options(bootstrap, ci, min_texts)
    ks = _kinds(kinds)
    q = _query(body=body, start=start, end=end, session=None, issue=None, important=None,
               search=None, strict=False)
    extra = _extra_blocs(blocs_file)
    parties = tuple(resolve_party(t, extra) for t in (a, b, *more))
    _states_only(parties)
    codes = [p.code for p in parties]
    s, owned = _open(store)
    try:
        lo = None if q.lo is None else q.lo.date().isoformat()
        hi = None if q.hi is None else q.hi.date().isoformat()
        texts, rows = sponsored(s, codes, start=lo, end=hi, body=q.body, kinds=ks)
    finally:
        if owned:
            s.close()
    cols, group, table = _assign_periods(texts, period, q)
    cell = _cells(texts, rows, codes[0], codes[1:])
    counts = _period_cells(cell, cols, group, len(table))  # (K, P, 4)
    k, n_p = counts.shape[0], counts.shape[1]
    rng = np.random.default_rng(seed) if bootstrap else None
    val, lo_, hi_ = _jaccard(counts.reshape(-1, 4), int(min_texts), int(bootstrap), rng, ci)
    flat = counts.reshape(-1, 4)
    # rows pair-major as computed; shown by period, then pair in the order given
    order = np.lexsort((np.repeat(np.arange(k), n_p), np.tile(np.arange(n_p), k)))
    frame = pd.DataFrame({
        "period": np.tile(table["period"].to_numpy(dtype=object), k),
        "start": np.tile(table["start"].to_numpy(), k),
        "end": np.tile(table["end"].to_numpy(), k),
        "state_a": codes[0],
        "state_b": np.repeat(np.asarray(codes[1:], dtype=object), n_p),
        "measure": MEASURE,
        "value": val, "lo": lo_, "hi": hi_,
        "n": flat[:, :3].sum(axis=1), "both": flat[:, 0], "only_a": flat[:, 1],
        "only_b": flat[:, 2], "texts": flat.sum(axis=1),
    }, columns=COLUMNS).iloc[order].reset_index(drop=True)
    query = {
        "parties": [p.token for p in parties], "signal": "cosponsor", "period":
        _describe_period(period), **{k_: v for k_, v in q.describe().items()
                                     if k_ in ("body", "start", "end")},
        "kinds": list(ks), "measures": [MEASURE], "bootstrap": int(bootstrap), "seed": seed,
        "ci": ci, "min_votes": int(min_texts), "texts": len(texts),
        "blocs_file": None if blocs_file is None or isinstance(blocs_file, Mapping)
        else str(blocs_file),
    }
    return CosponsorResult(frame=frame, parties=parties, query=query)


# ----------------------------------------------------------------------------------- pair
@dataclass(frozen=True, eq=False)
class CosponsorPair:
    """Co-sponsorship of two states over one period (the ``cosponsorship`` of a
    :class:`~comity.analysis.comparison.CompareResult`)."""

    overall: Mapping[str, Any]
    by_year: pd.DataFrame
    voted_no: pd.DataFrame
    kinds: tuple[str, ...] = SPONSOR_KINDS
    note: str | None = None

    def to_dict(self, top: int | None = None) -> dict[str, Any]:
        """JSON-ready (keys in the module docstring); ``voted_no`` holds the first ``top``
        rows (all with None)."""
        o = {k: (_num(v) if isinstance(v, float) else v) for k, v in self.overall.items()}
        vn = self.voted_no if top is None else self.voted_no.head(top)
        return {"measure": MEASURE, "kinds": list(self.kinds), **o,
                "by_year": records(self.by_year), "voted_no_total": len(self.voted_no),
                "voted_no": records(vn), "note": self.note}


def pair_cosponsorship(
    a: Party,
    b: Party,
    *,
    store: Any,
    start: Any = None,
    end: Any = None,
    body: str = "GA",
    kinds: str | Sequence[str] | None = None,
    bootstrap: int = 2000,
    seed: int | None = None,
    ci: float = 0.95,
) -> CosponsorPair:
    """Co-sponsorship of two resolved parties over ``start``..``end`` (ISO dates or None),
    with the votes where one voted No on the other's text. ``store``: an open store."""
    ks = _kinds(kinds)
    empty = {"value": None, "lo": None, "hi": None, "n": 0, "both": 0, "only_a": 0,
             "only_b": 0, "sponsored_a": 0, "sponsored_b": 0, "texts": 0, "first": None,
             "last": None}
    by_year_empty = pd.DataFrame({c: pd.Series(dtype=object) for c in
                                  ("year", "value", "lo", "hi", "n", "both", "texts")})
    no_rows = pd.DataFrame({c: pd.Series(dtype=object) for c in VOTED_NO_COLUMNS})
    if a.is_bloc or b.is_bloc:
        return CosponsorPair(empty, by_year_empty, no_rows, ks,
                             "co-sponsorship is measured between states, not blocs")
    texts, rows = sponsored(store, [a.code, b.code], start=start, end=end, body=body,
                            kinds=ks)
    if texts.empty:
        return CosponsorPair(empty, by_year_empty, no_rows, ks, NO_DATA)
    cell = _cells(texts, rows, a.code, [b.code])[0]
    years = texts["date"].dt.year.to_numpy()
    uniq, yi = np.unique(years, return_inverse=True)
    per_year = np.bincount(yi * 4 + cell, minlength=len(uniq) * 4).reshape(len(uniq), 4)
    whole = np.bincount(cell, minlength=4)[None, :]
    rng = np.random.default_rng(seed) if bootstrap else None
    v, lo, hi = _jaccard(np.vstack([whole, per_year]), 1, int(bootstrap), rng, ci)
    overall = {
        "value": float(v[0]), "lo": float(lo[0]), "hi": float(hi[0]),
        "n": int(whole[0, :3].sum()), "both": int(whole[0, 0]), "only_a": int(whole[0, 1]),
        "only_b": int(whole[0, 2]), "sponsored_a": int(whole[0, 0] + whole[0, 1]),
        "sponsored_b": int(whole[0, 0] + whole[0, 2]), "texts": len(texts),
        "first": texts["date"].min().date().isoformat(),
        "last": texts["date"].max().date().isoformat(),
    }
    by_year = pd.DataFrame({"year": uniq.astype(int), "value": v[1:], "lo": lo[1:],
                            "hi": hi[1:], "n": per_year[:, :3].sum(axis=1),
                            "both": per_year[:, 0], "texts": per_year.sum(axis=1)})
    vn = voted_no_on_sponsored(store, a.code, b.code, start=start, end=end, body=body,
                               kinds=ks)
    vn["link"] = record_links(vn["symbol"], vn["link"])
    return CosponsorPair(overall, by_year, vn.reset_index(drop=True), ks, None)
