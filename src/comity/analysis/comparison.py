"""Two states or blocs compared the way analysts read them: the yearly trend, the matrix of their
positions, agreement by topic, the votes where they diverged most and the votes where they
stood together against most of the Assembly.

:func:`compare` returns a :class:`CompareResult`. Parties are states or blocs, resolved as in
:func:`comity.analysis.align.alignment` (:func:`~comity.analysis.query.resolve_party`); a bloc's
position on a vote is its members' majority (a tie: no position), a state compared with a bloc
it belongs to is left out of that bloc's majority, and a state's lineage fills its row (RUS is
the USSR before 1991-12-24) unless ``strict``.

What is computed (all vectorised over the votes; no Python loop over votes)
---------------------------------------------------------------------------
Positions are coded Y, A, N; a vote counts for the pair when both sides have one of them.

* **trend**: :func:`~comity.analysis.align.alignment` per calendar year with its percentile
  bootstrap interval (``bootstrap`` draws over the votes of each year); ``to_frame()``.
* **overall**: the measure over the whole period, with its bootstrap interval, and the
  coverage (``n``, ``n_absent``, ``n_nonmember``, ``n_tied``, ``resolutions``).
* **position matrix**: ``counts[i][j]`` = votes where A took position ``i`` and B position
  ``j`` (rows A, columns B, both in the order Y, A, N), ``shares = counts / n``; for the whole
  period and for each year.
* **topics**: the measure on the votes of each topic, in one table: Voeten's six issues
  (``kind = "issue"``; his codes where he coded the vote, the stored classifier's predictions
  where he did not: ``predicted`` counts the topic's votes coded by prediction and ``basis``
  says "coded", "predicted" or "coded+predicted") and keyword topics (``kind = "keyword"``:
  :data:`comity.world.topics.TOPICS` plus the words given in ``topics``, each searched
  case-insensitively in the title, agenda item and UN subjects, as
  :meth:`comity.store.db.Store.panel` does with ``topic=``). A vote may be on several topics.
* **divergent votes**: the votes where both had a position and they differed. Order: first
  the votes where one voted Yes and the other No (``distance`` 2), then Yes or No against an
  abstention (``distance`` 1); within each, the most contested vote first
  (:func:`~comity.analysis.measures.contestedness` of the vote's Yes and No counts: 1 for an
  even split, 0 for a unanimous vote), then the latest first.
* **shared minority**: the votes where both took the same position and that position got
  fewer than half of the Yes, Abstain and No votes cast (``share`` < 0.5); the smallest share
  first, then the latest first.
* **co-sponsorship** (a second signal, from a store only): how often the two states sponsored
  the same resolutions of the period (Jaccard index over the resolutions either sponsored,
  bootstrap interval over resolutions; sessions 74-80, the UNxml extract), per year, and the
  recorded votes where one voted No on a text the other sponsored
  (:func:`comity.analysis.cosponsorship.pair_cosponsorship`).

Tallies (contestedness, share) are the official ones recorded for the vote (``yes``,
``abstain``, ``no`` of the store) and, where the store has none (about 1,300 early Assembly
votes) or they are all zero, the Y/A/N votes stored for it, counted (``tally`` says which:
``"official"`` or ``"counted"``). With a ready-made ``panel`` the counts are over its states.

Intervals
---------
The trend's intervals are :func:`~comity.analysis.align.alignment`'s. The overall and topic
intervals resample the votes of the period (of the topic) with replacement, as alignment does;
since every measure is a function of the 3 x 3 table, a draw is taken directly as a
multinomial draw of the table's nine cells plus "no pair position" with the observed
frequencies: the same distribution as resampling the votes, at the cost of a few numbers per
draw. Bounds follow :mod:`comity.analysis.measures` (percentile, undefined draws left out).

``to_dict()`` keys (stable; ``comity compare --json`` and ``GET /api/compare``)
------------------------------------------------------------------------------
::

    {"query": {"a", "b", "body", "start", "end", "strict", "measure", "topics", "bootstrap",
               "seed", "ci", "min_votes", "top", "resolutions", "blocs_file"},
     "parties": [{"token", "kind": "state"|"bloc", "code", "name"}, {...}],
     "measure": str,
     "overall": {"value", "lo", "hi", "n", "n_absent", "n_nonmember", "n_tied", "resolutions",
                 "identical", "opposed"},
     "trend": [{"period", "start", "end", "state_a", "state_b", "measure", "value", "lo", "hi",
                "n", "n_absent", "n_nonmember", "n_tied"}, ...],
     "matrix": {"labels": ["Y", "A", "N"], "n", "counts": [[3 x 3]], "shares": [[3 x 3]]},
     "matrix_by_year": [{"year", "n", "counts": [[...]], "shares": [[...]]}, ...],
     "topics": [{"kind": "issue"|"keyword", "key", "name", "keywords": [...] | null,
                 "resolutions", "n", "value", "lo", "hi", "predicted", "basis"}, ...],
     "divergent_total": int,
     "divergent": [{"rank", "rid", "date", "symbol", "title", "vote_a", "vote_b", "distance",
                    "kind": "Y/N"|"Y/A"|"N/A", "yes", "abstain", "no", "tally",
                    "contestedness", "link"}, ...],
     "shared_minority_total": int,
     "shared_minority": [{"rank", "rid", "date", "symbol", "title", "vote", "yes", "abstain",
                          "no", "share", "tally", "link"}, ...],
     "cosponsorship": null | {"measure": "jaccard", "kinds", "value", "lo", "hi", "n", "both",
                      "only_a", "only_b", "sponsored_a", "sponsored_b", "texts", "first",
                      "last", "by_year": [{"year", "value", "lo", "hi", "n", "both",
                      "texts"}, ...], "voted_no_total", "voted_no": [{"rid", "date",
                      "symbol", "title", "sponsor", "sponsor_kind", "voted_no", "yes", "no",
                      "abstain", "link"}, ...], "note"}}

``overall.identical`` is the share of identical positions (``trace(counts) / n``) and
``overall.opposed`` the number of votes where one voted Yes and the other No. ``shares`` are
``null`` for a year without a shared vote, ``value``/``lo``/``hi`` ``null`` when fewer than
``min_votes`` votes count. ``divergent`` and ``shared_minority`` hold the first ``top`` rows;
the ``*_total`` keys count them all (the full tables: :attr:`CompareResult.divergent`,
:attr:`CompareResult.shared_minority`). ``link`` is the official record
(:func:`comity.analysis.links.record_link`). Dates are ISO strings; no NaN anywhere.
``cosponsorship`` is null when the comparison ran on a ready-made panel (no store); its keys
are explained in :mod:`comity.analysis.cosponsorship` (``voted_no`` holds the first ``top``
rows, ``voted_no_total`` counts them all; ``note`` says why there is no value).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pyarrow
import pyarrow.compute as pc

from comity.analysis.align import alignment
from comity.analysis.cosponsorship import CosponsorPair, pair_cosponsorship
from comity.analysis.links import record_links
from comity.analysis.measures import (
    MeasureError,
    _check_distance,
    _check_options,
    _compute,
    _pair_codes,
    _percentile_interval,
    _positions,
    contestedness,
)
from comity.analysis.plothook import plotter
from comity.analysis.query import (
    Party,
    _dates,
    _extra_blocs,
    _filter_panel,
    _load,
    _measures,
    _member_block,
    _open,
    _Query,
    _query,
    _require_votes,
    _rows_panel,
    _self_codes,
    bloc_position,
    resolve_party,
)
from comity.analysis.results import AlignmentResult, records
from comity.errors import AlignmentError
from comity.store.panel import NONMEMBER, Panel
from comity.world.blocs import Bloc
from comity.world.issues import ISSUES
from comity.world.topics import TOPICS, Topic
from comity.world.topics import topic as world_topic

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from comity.store.db import Store

__all__ = ["LABELS", "CompareResult", "compare"]

LABELS: tuple[str, str, str] = ("Y", "A", "N")
"""Row and column labels of the position matrix (rows: the first party)."""

_KIND = np.array([None, "Y/A", "Y/N", "Y/A", None, "N/A", "Y/N", "N/A", None], dtype=object)
"""Kind of a divergent vote by table cell ``3 * a + b`` (Y = 0, A = 1, N = 2)."""
_VOTE = np.array(LABELS, dtype=object)


# ----------------------------------------------------------------------------------- result
def _num(v: Any) -> float | None:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return f if np.isfinite(f) else None


def _grid(m: np.ndarray, integer: bool) -> list[list[Any]]:
    return [[int(x) if integer else _num(x) for x in row] for row in m]


@dataclass(frozen=True, eq=False)
class CompareResult:
    """Two parties compared (see the module docstring for every table and its order).

    ``trend``: the yearly :class:`~comity.analysis.results.AlignmentResult`; ``overall``: the
    whole period (value, interval, coverage); ``matrix``: (3, 3) counts, rows ``a``; ``matrix_by_
    year``: ``year, n`` and the nine counts ``YY, YA, ..., NN`` (first letter ``a``'s
    position); ``topics``, ``divergent``, ``shared_minority``: the full tables; ``top``: how
    many rows of the last two :meth:`to_dict` and :meth:`summary` show.
    """

    parties: tuple[Party, Party]
    measure: str
    trend: AlignmentResult
    overall: Mapping[str, Any]
    matrix: np.ndarray
    matrix_by_year: pd.DataFrame
    topics: pd.DataFrame
    divergent: pd.DataFrame
    shared_minority: pd.DataFrame
    query: Mapping[str, Any]
    top: int = 25
    cosponsorship: CosponsorPair | None = None

    def to_frame(self) -> pd.DataFrame:
        """The yearly trend (the tidy table of :func:`~comity.analysis.align.alignment`)."""
        return self.trend.to_frame()

    def shares(self) -> np.ndarray:
        """The position matrix as shares of the votes both cast (NaN when there are none)."""
        n = self.matrix.sum()
        return self.matrix / n if n else np.full((3, 3), np.nan)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready, with the stable keys of the module docstring (no NaN, ISO dates)."""
        by_year = []
        cells = [f"{x}{y}" for x in LABELS for y in LABELS]
        counts = self.matrix_by_year[cells].to_numpy(dtype=np.int64).reshape(-1, 3, 3)
        for year, n, c in zip(self.matrix_by_year["year"].tolist(),
                              self.matrix_by_year["n"].tolist(), counts, strict=True):
            by_year.append({"year": int(year), "n": int(n), "counts": _grid(c, True),
                            "shares": _grid(c / n if n else np.full((3, 3), np.nan), False)})
        topics = records(self.topics)
        for t in topics:
            t["keywords"] = None if t["keywords"] is None else list(t["keywords"])
        return {
            "query": dict(self.query),
            "parties": [p.describe() for p in self.parties],
            "measure": self.measure,
            "overall": {k: (_num(v) if isinstance(v, float) else v)
                        for k, v in self.overall.items()},
            "trend": records(self.trend.to_frame()),
            "matrix": {"labels": list(LABELS), "n": int(self.matrix.sum()),
                       "counts": _grid(self.matrix, True), "shares": _grid(self.shares(), False)},
            "matrix_by_year": by_year,
            "topics": topics,
            "divergent_total": len(self.divergent),
            "divergent": records(self.divergent.head(self.top)),
            "shared_minority_total": len(self.shared_minority),
            "shared_minority": records(self.shared_minority.head(self.top)),
            "cosponsorship": None if self.cosponsorship is None
            else self.cosponsorship.to_dict(self.top),
        }

    def summary(self) -> str:
        a, b = self.parties
        q, o = self.query, self.overall
        ci = "" if o["lo"] is None or not np.isfinite(o["lo"]) else \
            f" [{o['lo']:.3f}, {o['hi']:.3f}]"
        val = "n/a" if o["value"] is None or not np.isfinite(o["value"]) else f"{o['value']:.3f}"
        lines = [f"{a.name} ({a.code}) and {b.name} ({b.code}): {self.measure}, {q['body']} "
                 f"votes {q['start'] or 'first'} to {q['end'] or 'last'}",
                 f"  whole period: {val}{ci} on {o['n']} votes ({o['resolutions']} recorded; "
                 f"identical positions {o['identical']:.1%}, Yes against No {o['opposed']})"
                 if o["n"] else f"  whole period: no vote where both had a position "
                 f"({o['resolutions']} recorded)"]
        lines.append("  positions (rows " + a.code + ", columns " + b.code + "): " + "; ".join(
            f"{LABELS[i]}: " + " ".join(f"{int(x)}" for x in self.matrix[i]) for i in range(3)))
        t = self.topics[self.topics["value"].notna()]
        for kind, label in (("issue", "by Voeten issue"), ("keyword", "by keyword topic")):
            tk = t[t["kind"] == kind]
            if len(tk):
                lines.append(f"  {label}: " + ", ".join(
                    f"{r.name} {r.value:.2f} (n={r.n})" for r in tk.itertuples(index=False)))
        for title, frame, cols in (
                ("most divergent", self.divergent, ("vote_a", "vote_b")),
                ("shared minority", self.shared_minority, ("vote",))):
            lines.append(f"  {title} ({len(frame)} votes; tally Y-N-A):")
            for r in frame.head(min(self.top, 5)).itertuples(index=False):
                votes = "/".join(str(getattr(r, c)) for c in cols)
                sym = r.symbol if isinstance(r.symbol, str) else r.rid
                lines.append(f"    {pd.Timestamp(r.date).date()} {sym} {votes} "
                             f"({r.yes}-{r.no}-{r.abstain}) {str(r.title)[:70]}")
        cs = self.cosponsorship
        if cs is not None:
            c = cs.overall
            if c["value"] is None or not np.isfinite(c["value"]):
                lines.append(f"  co-sponsorship: no value ({cs.note or 'no shared texts'})")
            else:
                lines.append(f"  co-sponsorship (Jaccard, {c['first']} to {c['last']}): "
                             f"{c['value']:.3f} ({c['both']} of {c['n']} texts either "
                             f"sponsored); a No on the other's text: {len(cs.voted_no)}")
        return "\n".join(lines)

    def plot(self, path: str | Path | None = None, ax: Axes | None = None) -> Figure:
        """One page: the trend with its band, the position matrix, the topics (see
        :func:`comity.plots.plot_compare`; with ``ax``, only the trend, drawn into it)."""
        return plotter("plot_compare")(self, path=path, ax=ax)


# ----------------------------------------------------------------------------------- pieces
def _party_row(base: Panel, party: Party, other: Party, strict: bool
               ) -> tuple[np.ndarray, np.ndarray]:
    """(vote codes, tied) of ``party`` on every vote of ``base``, as alignment builds them: a
    bloc's majority without the other side (a state) in it."""
    if not party.is_bloc:
        return base.votes[base.state_index(party.code)], np.zeros(base.n_resolutions, bool)
    assert party.bloc is not None
    excl: set[str] = set()
    if not other.is_bloc:
        excl = _self_codes(other.code, strict) & set(party.bloc.ever_members())
    v, mem, _ = _member_block(base, party.bloc, excl)
    return bloc_position(v, mem)


def _topic_list(extra: Sequence[str] | None) -> list[Topic]:
    out = dict(TOPICS)
    for word in extra or ():
        if not str(word).strip():
            continue
        t = world_topic(str(word))
        out.setdefault(t.key, t)
    return list(out.values())


def _texts(res: pd.DataFrame, s: Store | None, q: _Query) -> pd.Series:
    """Title, agenda item and subjects of each vote, joined (one string per vote)."""
    cols = {c: res[c] for c in ("title", "agenda", "subjects") if c in res.columns}
    if s is not None and ("agenda" not in cols or "subjects" not in cols):
        where, params = ["adoption = 'recorded'"], []
        if q.body != "BOTH":
            where.append("body = ?")
            params.append(q.body)
        if q.lo is not None:
            where.append("date >= CAST(? AS DATE)")
            params.append(q.lo.date().isoformat())
        if q.hi is not None:
            where.append("date <= CAST(? AS DATE)")
            params.append(q.hi.date().isoformat())
        got = s.query(f"SELECT rid, agenda, subjects FROM resolutions WHERE "
                      f"{' AND '.join(where)}", params)
        at = pd.Index(got["rid"].astype(str)).get_indexer(res["rid"].astype(str))
        for c in ("agenda", "subjects"):
            vals = got[c].to_numpy(dtype=object)
            cols[c] = pd.Series(np.where(at >= 0, vals[np.maximum(at, 0)], None))
    parts = [v.reset_index(drop=True).astype(object).fillna("").astype(str)
             for v in cols.values()]
    if not parts:
        return pd.Series([""] * len(res), dtype=object)
    return parts[0].str.cat(parts[1:], sep="\n") if len(parts) > 1 else parts[0]


def _topic_masks(res: pd.DataFrame, text: pd.Series, topics: list[Topic]
                 ) -> tuple[np.ndarray, list[dict[str, Any]], np.ndarray]:
    """(K, R) membership of each vote in each topic, the topics' descriptions and which votes
    of each issue are coded by prediction (K, R)."""
    r = len(res)
    codes = list(ISSUES)
    issue_m = np.zeros((len(codes), r), dtype=bool)
    if "issues" in res.columns and r:
        ex = res["issues"].reset_index(drop=True).explode()
        ex = ex[ex.notna()]
        col = pd.Index(codes).get_indexer(ex.astype(str))
        ok = col >= 0
        issue_m[col[ok], ex.index.to_numpy()[ok]] = True
    pred = res["issues_predicted"].fillna(False).to_numpy(dtype=bool) \
        if "issues_predicted" in res.columns else np.zeros(r, dtype=bool)
    kw_m = np.zeros((len(topics), r), dtype=bool)
    arr = pyarrow.array(text.tolist(), type=pyarrow.string())
    for k, t in enumerate(topics):  # one vectorised search per topic, as ILIKE '%word%'
        pat = "|".join(re.escape(w) for w in t.keywords)
        kw_m[k] = pc.match_substring_regex(arr, pat, ignore_case=True)\
            .to_numpy(zero_copy_only=False)
    desc = [{"kind": "issue", "key": c, "name": ISSUES[c], "keywords": None} for c in codes]
    desc += [{"kind": "keyword", "key": t.key, "name": t.name, "keywords": list(t.keywords)}
             for t in topics]
    predicted = np.vstack([issue_m & pred[None, :], np.zeros_like(kw_m)])
    return np.vstack([issue_m, kw_m]), desc, predicted


def _tables_with_ci(counts10: np.ndarray, ms: tuple[str, ...], dist: np.ndarray,
                    min_votes: int, bootstrap: int, rng: np.random.Generator | None,
                    ci: float) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Value, lo, hi and n of the measure for (K, 10) cell counts (nine table cells, then
    "no pair position"); the interval by multinomial draws of the K tables at once."""
    k = counts10.shape[0]
    vals, ns = _compute(counts10[:, :9].reshape(k, 3, 3), ms, dist, min_votes)
    lo = np.full(k, np.nan)
    hi = np.full(k, np.nan)
    total = counts10.sum(axis=1)
    if bootstrap and rng is not None and k:
        with np.errstate(invalid="ignore", divide="ignore"):
            p = np.where(total[:, None] > 0, counts10 / np.maximum(total, 1)[:, None], 0.0)
        p[total == 0, 9] = 1.0
        draws = rng.multinomial(total, p, size=(bootstrap, k))  # (B, K, 10)
        bv, _ = _compute(draws[..., :9].reshape(-1, 3, 3), ms, dist, min_votes)
        lo, hi = _percentile_interval(bv[:, 0].reshape(bootstrap, k), ci)
        undefined = ~np.isfinite(vals[:, 0])
        lo[undefined] = np.nan
        hi[undefined] = np.nan
    return vals[:, 0], lo, hi, ns[:, 0]


def _tallies(res: pd.DataFrame, counted: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(R, 3) Y/A/N tallies (official where recorded and not all zero, else ``counted``) and
    whether each is official."""
    cols = ("yes", "abstain", "no")
    if all(c in res.columns for c in cols):
        off = np.column_stack([pd.to_numeric(res[c], errors="coerce")
                               .to_numpy(dtype=np.float64, na_value=np.nan) for c in cols])
    else:
        off = np.full((len(res), 3), np.nan)
    ok = np.isfinite(off).all(axis=1) & (np.nan_to_num(off).sum(axis=1) > 0)
    return np.where(ok[:, None], off, counted), ok


def _counted(s: Store | None, full: Panel | None, res: pd.DataFrame, need: np.ndarray
             ) -> np.ndarray:
    """(R, 3) Y/A/N votes counted: over ``full`` (a ready-made panel's states) or, for the
    votes in ``need``, over every vote stored for them."""
    out = np.zeros((len(res), 3))
    if full is not None:
        pos = _positions(full.votes)
        for k in range(3):
            out[:, k] = (pos == k).sum(axis=0)
        return out
    if s is None or not need.any():
        return out
    rids = res["rid"].astype(str).to_numpy()[need].tolist()
    got = s.query("SELECT rid, count_if(vote = 'Y') AS y, count_if(vote = 'A') AS a, "
                  "count_if(vote = 'N') AS n FROM votes "
                  "WHERE rid IN (SELECT unnest(?::VARCHAR[])) GROUP BY rid", [rids])
    at = pd.Index(got["rid"].astype(str)).get_indexer(res["rid"].astype(str))
    hit = at >= 0
    out[hit] = got[["y", "a", "n"]].to_numpy(dtype=np.float64)[at[hit]]
    return out


def _vote_rows(res: pd.DataFrame, cols: np.ndarray, tallies: np.ndarray,
               official: np.ndarray, before: dict[str, Any], after: dict[str, Any]
               ) -> pd.DataFrame:
    """One row per vote ``cols`` (in that order): rank, rid, date, symbol, title, the
    ``before`` columns, the tallies and their source, the ``after`` columns, the link."""
    sub = res.iloc[cols].reset_index(drop=True)
    none = pd.Series([None] * len(cols), dtype=object)
    out = pd.DataFrame({
        "rank": np.arange(1, len(cols) + 1),
        "rid": sub["rid"].astype(str) if "rid" in sub.columns else none,
        "date": pd.to_datetime(sub["date"]),
        "symbol": sub["symbol"] if "symbol" in sub.columns else none,
        "title": sub["title"] if "title" in sub.columns else none,
    })
    for k, v in before.items():
        out[k] = v
    for j, c in enumerate(("yes", "abstain", "no")):
        out[c] = tallies[cols, j].astype(np.int64)
    for k, v in after.items():
        out[k] = v
    out["tally"] = np.where(official[cols], "official", "counted")
    out["link"] = record_links(out["symbol"], sub["link"] if "link" in sub.columns else None)
    return out


# ----------------------------------------------------------------------------------- compare
def compare(
    a: str,
    b: str,
    *,
    start: Any = None,
    end: Any = None,
    body: str = "GA",
    measure: str = "agreement",
    topics: Sequence[str] | None = None,
    bootstrap: int = 2000,
    seed: int | None = None,
    ci: float = 0.95,
    min_votes: int = 10,
    top: int = 25,
    strict: bool = False,
    store: Store | str | Path | None = None,
    panel: Panel | None = None,
    blocs_file: str | Path | Mapping[str, Bloc] | None = None,
) -> CompareResult:
    """Compare ``a`` and ``b`` (states or blocs) over ``start``..``end`` (years or dates,
    inclusive): trend, position matrix, topics, divergent votes, shared minority positions.

    ``measure``: one of :data:`~comity.analysis.measures.MEASURES`; ``topics``: words added to
    the default keyword topics (:data:`comity.world.topics.TOPICS`); ``bootstrap`` draws for
    every interval (0: none); ``top``: rows of the vote tables in :meth:`CompareResult.to_dict`;
    ``store`` a :class:`~comity.store.db.Store`, a path or None (the default store), or
    ``panel`` a ready-made :class:`~comity.store.panel.Panel` (its states are the Assembly for
    the counted tallies). Everything is explained in the module docstring.
    """
    ms = _measures(measure)
    if len(ms) != 1:
        raise MeasureError(f"compare takes one measure, got {list(ms)}")
    dist = _check_distance("absolute")
    _check_options(bootstrap, ci, min_votes)
    if int(top) != top or top < 0:
        raise AlignmentError(f"top must be a non-negative integer, got {top!r}")
    q = _query(body=body, start=start, end=end, session=None, issue=None, important=None,
               search=None, strict=strict)
    extra = _extra_blocs(blocs_file)
    pa_, pb_ = resolve_party(a, extra), resolve_party(b, extra)
    if (pa_.kind, pa_.code) == (pb_.kind, pb_.code):
        raise AlignmentError(f"compare two different parties, not {pa_.code} with itself")
    rows: list[str] = []
    for party in (pa_, pb_):
        codes = party.bloc.ever_members() if party.bloc is not None else [party.code]
        rows.extend(c for c in codes if c not in rows)
    word_topics = _topic_list(topics)

    s: Store | None = None
    owned = False
    if panel is None:
        s, owned = _open(store)
    try:
        full = None
        if panel is not None:
            full = _filter_panel(panel, q)
            base = _rows_panel(full, rows)
        else:
            base = _load(s, None, rows, q)
        _require_votes(base, q)
        res = base.resolutions
        text = _texts(res, s, q)
        need = ~_tallies(res, np.full((len(res), 3), np.nan))[1]
        counted = _counted(s, full, res, need)
        cospons = None
        if s is not None:
            d = q.describe()
            cospons = pair_cosponsorship(pa_, pb_, store=s, start=d["start"], end=d["end"],
                                         body=q.body, bootstrap=int(bootstrap), seed=seed,
                                         ci=ci)
    finally:
        if owned and s is not None:
            s.close()

    trend = alignment(a, b, period="year", start=start, end=end, body=body, measure=ms[0],
                      bootstrap=bootstrap, seed=seed, ci=ci, min_votes=min_votes,
                      strict=strict, panel=base, blocs_file=extra)

    # positions of both sides on every vote
    va, ta = _party_row(base, pa_, pb_, q.strict)
    vb, tb = _party_row(base, pb_, pa_, q.strict)
    pa, pb = _positions(va), _positions(vb)
    cell = _pair_codes(pa, pb).astype(np.int64)  # 3a + b, -1 without a pair position
    defined = cell >= 0
    members = (va != NONMEMBER) & (vb != NONMEMBER)
    tied = (ta | tb) & members
    r = base.n_resolutions
    cell10 = np.where(defined, cell, 9)
    rng = np.random.default_rng(seed) if bootstrap else None

    # whole period
    c10 = np.bincount(cell10, minlength=10)[None, :]
    val, lo, hi, n_used = _tables_with_ci(c10, ms, dist, int(min_votes), int(bootstrap), rng,
                                          ci)
    matrix = c10[0, :9].reshape(3, 3).astype(np.int64)
    overall = {
        "value": float(val[0]), "lo": float(lo[0]), "hi": float(hi[0]), "n": int(n_used[0]),
        "n_absent": int((members & ~defined & ~tied).sum()), "n_nonmember": int((~members).sum()),
        "n_tied": int((tied & ~defined).sum()), "resolutions": int(r),
        "identical": float(np.trace(matrix) / matrix.sum()) if matrix.sum() else None,
        "opposed": int(matrix[0, 2] + matrix[2, 0]),
    }

    # per year
    years = _dates(res).astype("datetime64[Y]").astype(np.int64) + 1970
    uniq, yi = np.unique(years, return_inverse=True)
    per_year = np.bincount(yi[defined] * 9 + cell[defined], minlength=len(uniq) * 9)\
        .reshape(len(uniq), 9)
    names = [f"{x}{y}" for x in LABELS for y in LABELS]
    matrix_by_year = pd.DataFrame(per_year, columns=names)
    matrix_by_year.insert(0, "n", per_year.sum(axis=1))
    matrix_by_year.insert(0, "year", uniq.astype(int))

    # topics: (K, R) membership @ (R, 10) one-hot cells -> (K, 10) tables at once
    masks, desc, predicted = _topic_masks(res, text, word_topics)
    onehot = np.zeros((r, 10), dtype=np.float32)
    onehot[np.arange(r), cell10] = 1.0
    t10 = np.rint(masks.astype(np.float32) @ onehot).astype(np.int64)
    tv, tlo, thi, tn = _tables_with_ci(t10, ms, dist, int(min_votes), int(bootstrap), rng, ci)
    n_pred = predicted.sum(axis=1)
    n_res = masks.sum(axis=1)
    basis = np.where(n_pred == 0, "coded", np.where(n_pred == n_res, "predicted",
                                                    "coded+predicted")).astype(object)
    kinds = np.array([d["kind"] for d in desc])
    basis[(kinds != "issue") | (n_res == 0)] = None
    topics_df = pd.DataFrame(desc)
    topics_df["resolutions"] = n_res
    topics_df["n"] = tn
    topics_df["value"] = tv
    topics_df["lo"] = tlo
    topics_df["hi"] = thi
    topics_df["predicted"] = n_pred
    topics_df["basis"] = basis

    # divergent votes (Y/N first, then the most contested) and shared minority positions
    tallies, official = _tallies(res, counted)
    dates = _dates(res).astype(np.int64)
    cont = contestedness(tallies[:, 0], tallies[:, 2])
    diff = np.flatnonzero(defined & (pa != pb))
    dist_d = np.abs(pa[diff].astype(np.int64) - pb[diff])
    order = diff[np.lexsort((-dates[diff], -cont[diff], -dist_d))]
    divergent = _vote_rows(res, order, tallies, official, {
        "vote_a": _VOTE[pa[order]], "vote_b": _VOTE[pb[order]],
        "distance": np.abs(pa[order].astype(np.int64) - pb[order]),
        "kind": _KIND[cell[order]]}, {"contestedness": cont[order]})
    divergent = divergent[[*divergent.columns[:-3], "tally", "contestedness", "link"]]

    total = tallies.sum(axis=1)
    same = np.flatnonzero(defined & (pa == pb))
    share = np.full(r, np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        share[same] = tallies[same, pa[same]] / total[same]
    minority = same[(total[same] > 0) & (share[same] < 0.5)]
    order = minority[np.lexsort((-dates[minority], share[minority]))]
    shared = _vote_rows(res, order, tallies, official, {"vote": _VOTE[pa[order]]},
                        {"share": share[order]})

    query = {
        "a": pa_.token, "b": pb_.token, "body": q.describe()["body"],
        "start": q.describe()["start"], "end": q.describe()["end"], "strict": q.strict,
        "measure": ms[0], "topics": [t.key for t in word_topics], "bootstrap": int(bootstrap),
        "seed": seed, "ci": ci, "min_votes": int(min_votes), "top": int(top),
        "resolutions": int(r),
        "blocs_file": None if blocs_file is None or isinstance(blocs_file, Mapping)
        else str(blocs_file),
    }
    return CompareResult(parties=(pa_, pb_), measure=ms[0], trend=trend, overall=overall,
                         matrix=matrix, matrix_by_year=matrix_by_year, topics=topics_df,
                         divergent=divergent, shared_minority=shared, query=query,
                         top=int(top), cosponsorship=cospons)
