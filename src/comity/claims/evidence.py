"""The evidence behind a verdict: the resolutions that drive a claim's effect, most decisive
first, each with every party's vote, how they sided, its contribution (leave-one-out), the
official tallies and the link to the official record (:func:`record_link`).

Columns and ranking rules are documented in :mod:`comity.claims.evaluation`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

# the link helpers live in the analysis (results there list votes too); re-exported here
from comity.analysis.links import UNDL_SEARCH as UNDL_SEARCH
from comity.analysis.links import record_link as record_link
from comity.analysis.measures import (
    _positions,
    contestedness,
)
from comity.claims.engine import (
    _TOP_REMOVED,
    _labels,
    _Side,
    _split_text,
    _Win,
)
from comity.store.panel import Panel

if TYPE_CHECKING:

    pass


def _rank_order(contrib: np.ndarray, effect: float, dates: np.ndarray,
                contested: np.ndarray | None = None) -> np.ndarray:
    """Row order: most decisive in the direction of ``effect`` first; equal contributions
    (to 12 decimals: leave-one-out values of equal votes differ only by rounding) by how
    contested the vote was in the Assembly (:func:`comity.analysis.measures.contestedness`,
    most contested first), then the later vote first; undefined contributions last."""
    idx = np.arange(len(contrib))
    s = np.sign(effect) if np.isfinite(effect) else 0.0
    key = contrib * s if s != 0 else np.abs(contrib)
    key = np.round(np.where(np.isfinite(key), key, -np.inf), 12)  # undefined ones last
    d = dates.astype("datetime64[D]").astype(np.int64)
    c = np.zeros(len(contrib)) if contested is None else np.nan_to_num(contested, nan=0.0)
    return np.lexsort((idx, -d, -c, -key))


def _contested(ev: pd.DataFrame) -> np.ndarray | None:
    if not {"yes", "no"} <= set(ev.columns):
        return None
    y = pd.to_numeric(ev["yes"], errors="coerce").to_numpy(dtype=float)
    n = pd.to_numeric(ev["no"], errors="coerce").to_numpy(dtype=float)
    return contestedness(np.nan_to_num(y), np.nan_to_num(n))


def tied_top(ev: pd.DataFrame) -> int:
    """How many of the first evidence rows share the top contribution (1: no tie)."""
    if len(ev) < 2 or "contribution" not in ev.columns:
        return min(len(ev), 1)
    c = ev["contribution"].to_numpy(dtype=float).round(12)
    return int((c == c[0]).sum()) if np.isfinite(c[0]) else 1


def _meta(p: Panel, cols: np.ndarray) -> pd.DataFrame:
    res = p.resolutions.iloc[cols].reset_index(drop=True)
    out = pd.DataFrame({
        "rid": res["rid"].astype(str) if "rid" in res.columns else pd.Series([None] * len(cols)),
        "symbol": res["symbol"] if "symbol" in res.columns else None,
        "date": pd.to_datetime(res["date"]) if "date" in res.columns else pd.NaT,
        "title": res["title"] if "title" in res.columns else None,
    })
    return out


def _tail(p: Panel, cols: np.ndarray) -> dict[str, Any]:
    res = p.resolutions.iloc[cols].reset_index(drop=True)
    issues = res["issues"] if "issues" in res.columns else pd.Series([[]] * len(cols))
    iss = issues.map(lambda v: " ".join(map(str, v)) if isinstance(v, (list, tuple, np.ndarray))
                     else ("" if v is None or (isinstance(v, float) and np.isnan(v)) else str(v)))
    out: dict[str, Any] = {"issues": iss.to_numpy(dtype=object)}
    for c in ("yes", "no", "abstain"):
        out[c] = pd.to_numeric(res[c], errors="coerce").astype("Int64") if c in res.columns \
            else pd.array([pd.NA] * len(cols), dtype="Int64")
    out["link"] = res["link"].to_numpy(dtype=object) if "link" in res.columns \
        else np.full(len(cols), None, dtype=object)
    return out


def _with_links(ev: pd.DataFrame, limit: int | None) -> pd.DataFrame:
    """The first ``limit`` evidence rows, ``link`` completed by :func:`record_link`."""
    out = (ev if limit is None else ev.head(limit)).copy()
    if len(out) and "link" in out.columns:
        out["link"] = [record_link(sy, lk) for sy, lk in
                       zip(out["symbol"].tolist(), out["link"].tolist(), strict=True)]
    return out


def _sided(a_b: np.ndarray, a_c: np.ndarray) -> np.ndarray:
    return np.select([a_b & a_c, a_b & ~a_c, ~a_b & a_c], ["all agree", "with B", "with C"],
                     default="apart").astype(object)


def _four_counts(a_b: np.ndarray, a_c: np.ndarray) -> dict[str, int]:
    return {"n": len(a_b), "with_b_against_c": int((a_b & ~a_c).sum()),
            "with_c_against_b": int((~a_b & a_c).sum()), "all_agree": int((a_b & a_c).sum()),
            "apart": int((~a_b & ~a_c).sum())}


def _pair_evidence(wins: Sequence[_Win], contrib: list[tuple[np.ndarray, np.ndarray]],
                   effect: float, limit: int | None, letters: Sequence[str]) -> pd.DataFrame:
    """Evidence rows for the paired kinds (closer, moved), ranked over all windows."""
    parts = []
    for win, (con, used) in zip(wins, contrib, strict=True):
        cols = np.flatnonzero(used)
        df = _meta(win.panel, cols)
        df.insert(0, "window", win.window.role)
        first = win.pairs[0]
        df["vote_a"] = _labels(first[0], cols)
        df["vote_b"] = _labels(first[1], cols)
        if len(win.pairs) > 1:
            df["vote_c"] = _labels(win.pairs[1][1], cols)
        for letter, side in zip(letters, _distinct_sides(win), strict=False):
            sp = _split_text(side, cols)
            if sp is not None:
                df[f"split_{letter}"] = sp
        same_ab = _same(win.pairs[0], cols)
        if len(win.pairs) > 1:
            df["sided"] = _sided(same_ab, _same(win.pairs[1], cols))
        else:
            df["sided"] = np.where(same_ab, "same", "different").astype(object)
        df["contribution"] = con[cols]
        for name, v in _tail(win.panel, cols).items():
            df[name] = v
        parts.append(df)
    ev = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    if ev.empty:
        return _empty_evidence()
    order = _rank_order(ev["contribution"].to_numpy(dtype=float), effect,
                        ev["date"].to_numpy(dtype="datetime64[ns]"), _contested(ev))
    if limit is not None:
        order = order[:limit]
    ev = ev.iloc[order].reset_index(drop=True)
    ev.insert(0, "rank", np.arange(1, len(ev) + 1))
    return ev


def _distinct_sides(win: _Win) -> list[_Side]:
    """A, B[, C] of a paired window (A as compared with B)."""
    sides = [win.pairs[0][0], win.pairs[0][1]]
    if len(win.pairs) > 1:
        sides.append(win.pairs[1][1])
    return sides


def _same(pair: tuple[_Side, _Side], cols: np.ndarray) -> np.ndarray:
    return _positions(pair[0].codes[cols]) == _positions(pair[1].codes[cols])


def _empty_evidence() -> pd.DataFrame:
    return pd.DataFrame(columns=["rank", "window", "rid", "symbol", "date", "title",
                                 "contribution", "issues", "yes", "no", "abstain", "link"])


def _gone(p: Panel, removed: pd.DataFrame, role: str) -> np.ndarray:
    """Mask of the panel's resolutions listed in ``removed`` for window ``role``."""
    rid = p.resolutions["rid"].astype(str).to_numpy()
    drop = removed.loc[removed["window"] == role, "rid"].astype(str).to_numpy()
    return np.isin(rid, drop)


def _top_removed(ev: pd.DataFrame, effect: float) -> pd.DataFrame:
    """The (at most five) top evidence rows that push the effect in its direction (any
    direction when the effect is zero); none when no resolution moves it."""
    if ev.empty:
        return ev
    con = ev["contribution"].to_numpy(dtype=float)
    s = np.sign(effect) if np.isfinite(effect) else 0.0
    push = con * s > 0 if s != 0 else np.abs(con) > 0
    return ev[np.nan_to_num(push, nan=0.0).astype(bool)].head(_TOP_REMOVED)
