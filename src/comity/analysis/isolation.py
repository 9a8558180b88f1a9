"""Isolation of one state: how many of the other members voted against it.

Used by the claim "A is isolated in P" (and its negation "the majority adopted at least
neutrality towards A").

Definition
----------
Take the recorded votes of the selection (``start``/``end``/``body``/``session``/``issue``/
``important``/``search``, the same slices as :func:`comity.analysis.align.alignment`). On a vote
``r`` where state ``A`` voted Yes or No (its position ``p_r``), let ``M_r`` be the *other*
members on the date of the vote: every state whose cell is not "not a member" (code 9 of
:mod:`comity.store.panel`; for the Security Council, the Council's members), ``A`` itself (and
its lineage predecessors, see below) left out. Over ``M_r``::

    opposed_r   = #{m in M_r : v_m = opposite(p_r)} / |M_r|     opposite(Y) = N, opposite(N) = Y
    abstained_r = #{m in M_r : v_m = A} / |M_r|
    absent_r    = #{m in M_r : v_m = X} / |M_r|                 member, did not vote
    sided_r     = #{m in M_r : v_m = p_r} / |M_r|

    opposed_r + abstained_r + absent_r + sided_r = 1

The statistic is the mean over the ``n`` votes used::

    isolation = (1 / n) * sum_r opposed_r          "share of the other members voting against
                                                    A's Yes/No"
    effect    = isolation - threshold               threshold = 0.5 (a majority of the members)

``A`` is isolated when the effect is positive (a majority of the other members voted against
it, on average); "the majority adopted at least neutrality towards A" is its negation (effect
<= 0: on average at most half of the others voted against A; abstaining and staying away
count as neutral). The result also reports the mean of the three other shares.

Votes not used: where ``A`` abstained (``n_abstained_a``), was a member but did not vote
(``n_absent_a``), was not a member (``n_nonmember``), or (only in hand-made panels) no other
member was present (``n_alone``); ``n + n_abstained_a + n_absent_a + n_nonmember + n_alone``
is the number of recorded votes of the selection.

Lineage
-------
As in :mod:`comity.analysis.align`: a named state is a state, never a bloc (a bloc raises
:class:`~comity.errors.AlignmentError`); its row takes its lineage predecessors' votes unless
``strict=True`` (``RUS`` carries the USSR's votes before 1991-12-24,
:func:`comity.world.states.lineage`). The other members are every stored state *as the entity
it was* (the USSR before 1991, Russia after), with ``A``'s own lineage codes left out so that
``A`` is never counted against itself. With a ready-made ``panel`` the rows are whatever the
panel holds; a member row filled by a predecessor that has its own row in the panel
(``flagged`` cells) is not counted twice.

Uncertainty
-----------
Percentile bootstrap interval of the mean: ``bootstrap`` draws resample the ``n`` votes with
replacement (multinomial weights, :func:`comity.analysis.measures._resample_weights`; one
``numpy.random.default_rng(seed)`` stream, used first for the whole selection and then year by
year in calendar order); a draw's mean is ``w @ opposed / n``; bounds by
:func:`comity.analysis.measures._percentile_interval`. ``effect_lo``/``effect_hi`` are the
bounds minus the threshold. Fewer than ``min_votes`` votes (or none) give NaN for the value,
the interval, the effect and the mean shares (``n`` still reported); ``bootstrap=0`` gives no
interval (NaN).

Yearly trend
------------
:attr:`IsolationResult.by_year` (also :meth:`IsolationResult.to_frame`): for every calendar
year with a recorded vote in the selection, ``n`` votes used, mean ``opposed`` with its
bootstrap interval ``lo``/``hi``, and the means of ``abstained``, ``absent``, ``sided``
(NaN below ``min_votes``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from comity.analysis.measures import _percentile_interval, _resample_weights
from comity.analysis.query import (
    VOTE_LABELS,
    _load,
    _open,
    _query,
    _require_votes,
    _self_codes,
    resolve_party,
)
from comity.analysis.results import _ci, _fmt, records
from comity.errors import AlignmentError
from comity.store.panel import ABSTAIN, NO, NONMEMBER, YES, Panel

if TYPE_CHECKING:
    from comity.store.db import Store

__all__ = ["SHARES", "IsolationResult", "isolation"]

SHARES: tuple[str, ...] = ("opposed", "abstained", "absent", "sided")
"""The four shares of the other members on a vote, in this order (they sum to 1)."""

VOTE_COLUMNS: tuple[str, ...] = (
    "rid", "symbol", "date", "title", "position_a", *SHARES, "n_members", "link",
)
"""Columns of :attr:`IsolationResult.votes`."""

YEAR_COLUMNS: tuple[str, ...] = (
    "year", "n", "opposed", "lo", "hi", "abstained", "absent", "sided",
)
"""Columns of :attr:`IsolationResult.by_year`."""

_CHUNK_CELLS = 1 << 22  # weights of one bootstrap block (draws x votes)


# ----------------------------------------------------------------------------------- result
@dataclass(frozen=True, eq=False)
class IsolationResult:
    """Isolation of one state over a selection of recorded votes (module docstring).

    ``value`` is the mean share of the other members voting against the state's Yes/No,
    ``lo``/``hi`` its percentile bootstrap interval, ``effect = value - threshold``;
    ``shares`` the mean of each of :data:`SHARES`; ``counts`` the votes used (``n``) and left
    out (``n_abstained_a``, ``n_absent_a``, ``n_nonmember``, ``n_alone``); ``votes`` one row
    per vote used, most isolating first (``opposed`` descending, then newest first);
    ``by_year`` the yearly trend.
    """

    state: str
    name: str
    query: Mapping[str, Any]
    n: int
    value: float
    lo: float
    hi: float
    threshold: float
    effect: float
    effect_lo: float
    effect_hi: float
    shares: Mapping[str, float]
    counts: Mapping[str, int]
    votes: pd.DataFrame
    by_year: pd.DataFrame

    @property
    def isolated(self) -> bool | None:
        """True if the mean share opposed is above the threshold, None if undefined."""
        return None if not math.isfinite(self.value) else bool(self.effect > 0)

    def to_frame(self) -> pd.DataFrame:
        """The yearly trend (a copy): columns :data:`YEAR_COLUMNS`."""
        return self.by_year.copy()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready (NaN as None, dates as ISO text): ``state, name, measure, query, n,
        value, lo, hi, ci, threshold, effect, effect_lo, effect_hi, shares, counts, by_year[],
        votes[]``."""
        return {
            "state": self.state,
            "name": self.name,
            "measure": "isolation",
            "query": dict(self.query),
            "n": int(self.n),
            "value": _num(self.value),
            "lo": _num(self.lo),
            "hi": _num(self.hi),
            "ci": self.query.get("ci"),
            "threshold": _num(self.threshold),
            "effect": _num(self.effect),
            "effect_lo": _num(self.effect_lo),
            "effect_hi": _num(self.effect_hi),
            "shares": {k: _num(v) for k, v in self.shares.items()},
            "counts": {k: int(v) for k, v in self.counts.items()},
            "by_year": records(self.by_year),
            "votes": records(self.votes),
        }

    def summary(self) -> str:
        q = self.query
        a = self.state
        head = (f"Isolation of {self.name} ({a}): share of the other members voting against "
                f"{a}'s Yes/No; {q['body']} votes {q['start'] or 'first'} to "
                f"{q['end'] or 'last'}")
        extra = [f"{k} {q[k]}" for k in ("issue", "important", "search") if q.get(k)]
        if extra:
            head += f" ({', '.join(extra)})"
        lines = [head]
        c = self.counts
        if not math.isfinite(self.value):
            lines.append(f"  fewer than {q['min_votes']} votes where {a} voted Yes or No "
                         f"(n={self.n}): no value")
        else:
            boot = (f"; {round(q['ci'] * 100)}% bootstrap interval, {q['bootstrap']} draws"
                    if q["bootstrap"] else "")
            verdict = ("above" if self.effect > 0 else "not above")
            lines.append(
                f"  mean {_fmt(self.value)}{_ci(self.lo, self.hi)} over {self.n} votes"
                f"{boot}; {verdict} the threshold {self.threshold:.3f} "
                f"(effect {self.effect:+.3f}"
                + ("" if not (math.isfinite(self.effect_lo) and math.isfinite(self.effect_hi))
                   else f" [{self.effect_lo:+.3f}, {self.effect_hi:+.3f}]") + ")")
            s = self.shares
            lines.append(f"  the other members on average: opposed {s['opposed']:.3f}, "
                         f"abstained {s['abstained']:.3f}, absent {s['absent']:.3f}, "
                         f"sided with {a} {s['sided']:.3f}")
        lines.append(f"  not used: {c['n_abstained_a']} votes where {a} abstained, "
                     f"{c['n_absent_a']} where it did not vote, {c['n_nonmember']} where it "
                     "was not a member")
        y = self.by_year[np.isfinite(self.by_year["opposed"].to_numpy(dtype=float))]
        if len(y) > 1:
            vals = y["opposed"].to_numpy(dtype=float)
            i_max, i_min = int(np.argmax(vals)), int(np.argmin(vals))
            lines.append(f"  by year: {len(y)} years, highest {vals[i_max]:.3f} "
                         f"({y['year'].iloc[i_max]}), lowest {vals[i_min]:.3f} "
                         f"({y['year'].iloc[i_min]}), last {vals[-1]:.3f} "
                         f"({y['year'].iloc[-1]})")
        if len(self.votes):
            top = self.votes.iloc[0]
            d = top["date"]
            when = "" if pd.isna(d) else f", {pd.Timestamp(d).date().isoformat()}"
            lines.append(f"  most isolating vote: {top['symbol']}{when} ({a} "
                         f"{top['position_a']}, {top['opposed']:.3f} of "
                         f"{int(top['n_members'])} members against)")
        return "\n".join(lines)


def _num(v: Any) -> float | None:
    v = float(v)
    return v if math.isfinite(v) else None


# ----------------------------------------------------------------------------------- engine
def _check(bootstrap: Any, ci: Any, threshold: Any, min_votes: Any) -> None:
    if isinstance(bootstrap, bool) or int(bootstrap) != bootstrap or bootstrap < 0:
        raise AlignmentError(f"bootstrap must be a non-negative integer, got {bootstrap!r}")
    if not 0.0 < float(ci) < 1.0:
        raise AlignmentError(f"ci must be strictly between 0 and 1, got {ci!r}")
    if not (math.isfinite(float(threshold)) and 0.0 <= float(threshold) <= 1.0):
        raise AlignmentError(f"threshold must be a share between 0 and 1, got {threshold!r}")
    if isinstance(min_votes, bool) or int(min_votes) != min_votes or min_votes < 0:
        raise AlignmentError(f"min_votes must be a non-negative integer, got {min_votes!r}")


def _boot_interval(x: np.ndarray, rng: np.random.Generator, draws: int, ci: float
                   ) -> tuple[float, float]:
    """Percentile interval of the mean of ``x`` over ``draws`` resamples of its entries.

    Vectorised: multinomial weight blocks ``(draws, n)`` times the centred values; centring
    on ``x[0]`` keeps a constant ``x`` exactly constant in every draw."""
    n = len(x)
    c0 = float(x[0])
    d = x.astype(np.float64) - c0
    step = max(1, _CHUNK_CELLS // max(n, 1))
    out = np.empty(draws, dtype=np.float64)
    for s in range(0, draws, step):
        e = min(s + step, draws)
        w = _resample_weights(rng, e - s, n).astype(np.float64)
        out[s:e] = c0 + (w @ d) / n
    lo, hi = _percentile_interval(out[:, None], ci)
    return float(lo[0]), float(hi[0])


def _mean(x: np.ndarray) -> float:
    """Mean computed as ``x[0] + mean(x - x[0])`` (exact for a constant ``x``)."""
    c0 = float(x[0])
    return c0 + float(np.mean(x.astype(np.float64) - c0))


def _member_votes(full: Panel, exclude: set[str]) -> np.ndarray:
    """Votes ``(m, R)`` of every row of ``full`` not in ``exclude``; a row's cells filled by a
    predecessor that has its own row (``flagged``) become non-member, so they count once."""
    keep = [k for k, c in enumerate(full.states) if c not in exclude]
    v = full.votes[keep].copy()
    if full.flagged is not None and full.flagged.any():
        present = {full.states[k] for k in keep}
        for j, k in enumerate(keep):
            code = full.states[k]
            if (_self_codes(code, strict=False) - {code}) & present:
                v[j][full.flagged[k]] = NONMEMBER
    return v


def _tallies(a: np.ndarray, others: np.ndarray) -> dict[str, np.ndarray]:
    """Per vote: member count and the four counts of the other members (vectorised)."""
    mem = others != NONMEMBER
    n_mem = mem.sum(axis=0)
    opp_code = np.where(a == YES, NO, YES).astype(np.int8)
    opposed = (others == opp_code[None, :]).sum(axis=0)
    sided = (others == a[None, :]).sum(axis=0)
    abstained = (others == ABSTAIN).sum(axis=0)
    absent = n_mem - opposed - sided - abstained
    return {"n_members": n_mem, "opposed": opposed, "abstained": abstained,
            "absent": absent, "sided": sided}


def isolation(
    state: str,
    *,
    start: Any = None,
    end: Any = None,
    body: str = "GA",
    session: int | Sequence[int] | None = None,
    issue: str | None = None,
    search: str | None = None,
    important: bool | None = None,
    strict: bool = False,
    bootstrap: int = 2000,
    seed: int | None = None,
    ci: float = 0.95,
    threshold: float = 0.5,
    min_votes: int = 10,
    store: Store | str | Path | None = None,
    panel: Panel | None = None,
    predicted_issues: bool = True,
) -> IsolationResult:
    """How isolated was ``state``: the mean share of the other UN members voting against its
    Yes/No, over the recorded votes of the selection (definition in the module docstring).

    ``state``: a state (code or any spelling; a bloc raises
    :class:`~comity.errors.AlignmentError`, an unknown name
    :class:`~comity.errors.UnknownStateError`). Slices as in
    :func:`comity.analysis.align.alignment`; ``store`` is a :class:`~comity.store.db.Store`,
    a path or None (the default store, opened read-only); ``panel`` replaces the store.
    ``bootstrap``: draws over the votes (0: no interval); ``threshold``: the share the claim
    compares with (0.5, a majority). Returns an :class:`IsolationResult`.
    """
    _check(bootstrap, ci, threshold, min_votes)
    bootstrap, min_votes, threshold, ci = int(bootstrap), int(min_votes), float(threshold), \
        float(ci)
    q = _query(body=body, start=start, end=end, session=session, issue=issue,
               important=important, search=search, strict=strict)
    party = resolve_party(state)
    if party.is_bloc:
        raise AlignmentError(
            f"{state!r} is a bloc ({party.name}); isolation is measured for states "
            f"(use state:{state} for a state of that spelling)")
    code = party.code

    # every row as the entity it was (members), and A's row with its lineage
    if panel is not None:
        full = _load(None, panel, None, q, predicted_issues)
        own = _load(None, panel, [code], q, predicted_issues)
    else:
        s, owned = _open(store)
        try:
            full = _load(s, None, None, q, predicted_issues)
            own = _load(s, None, [code], q, predicted_issues)
        finally:
            if owned:
                s.close()
    _require_votes(full, q)
    if own.n_resolutions != full.n_resolutions or not np.array_equal(
            own.resolutions["rid"].astype(str).to_numpy(),
            full.resolutions["rid"].astype(str).to_numpy()):  # pragma: no cover - same query
        raise AlignmentError("the state's votes and the members' votes do not line up")
    a = own.votes[0]
    others = _member_votes(full, _self_codes(code, q.strict))
    t = _tallies(a, others)
    n_mem = t["n_members"]
    yes_no = (a == YES) | (a == NO)
    use = yes_no & (n_mem > 0)
    counts = {
        "n": int(use.sum()),
        "n_abstained_a": int((a == ABSTAIN).sum()),
        "n_absent_a": int(((a != NONMEMBER) & (a != YES) & (a != NO) & (a != ABSTAIN)).sum()),
        "n_nonmember": int((a == NONMEMBER).sum()),
        "n_alone": int((yes_no & (n_mem == 0)).sum()),
    }
    cols = np.flatnonzero(use)
    denom = n_mem[cols].astype(np.float64)
    share = {k: t[k][cols] / denom for k in SHARES}

    res = full.resolutions
    dates = pd.to_datetime(res["date"]).to_numpy()[cols] if "date" in res.columns \
        else np.full(len(cols), np.datetime64("NaT"), dtype="datetime64[ns]")

    def col(name: str) -> np.ndarray:
        if name in res.columns:
            return res[name].to_numpy(dtype=object)[cols]
        return np.full(len(cols), None, dtype=object)

    votes = pd.DataFrame({
        "rid": col("rid"), "symbol": col("symbol"),
        "date": pd.to_datetime(pd.Series(dates, dtype="datetime64[ns]")),
        "title": col("title"),
        "position_a": np.where(a[cols] == YES, VOTE_LABELS[YES], VOTE_LABELS[NO]).astype(object),
        **{k: share[k] for k in SHARES},
        "n_members": n_mem[cols].astype(np.int64),
        "link": col("link"),
    })
    d_key = votes["date"].to_numpy().astype("datetime64[ns]").astype(np.int64)  # NaT lowest
    order = np.lexsort((votes["rid"].astype(str).to_numpy(), -d_key,
                        -votes["opposed"].to_numpy()))
    votes = votes.iloc[order].reset_index(drop=True)

    need = max(min_votes, 1)
    rng = np.random.default_rng(seed) if bootstrap else None
    n = len(cols)
    nan = float("nan")
    value = lo = hi = nan
    means = dict.fromkeys(SHARES, nan)
    if n >= need:
        means = {k: _mean(share[k]) for k in SHARES}
        value = means["opposed"]
        if rng is not None:
            lo, hi = _boot_interval(share["opposed"], rng, bootstrap, ci)

    # yearly trend: every calendar year with a recorded vote in the selection
    all_dates = pd.to_datetime(res["date"]) if "date" in res.columns \
        else pd.Series(pd.NaT, index=res.index)
    years_all = all_dates.dt.year.to_numpy(dtype=float)
    years = np.unique(years_all[np.isfinite(years_all)]).astype(int)
    y_used = years_all[cols]
    rows = []
    for y in years.tolist():
        m = y_used == y
        k = int(m.sum())
        row: dict[str, Any] = {"year": y, "n": k, "opposed": nan, "lo": nan, "hi": nan,
                               "abstained": nan, "absent": nan, "sided": nan}
        if k >= need:
            for name in SHARES:
                row[name] = _mean(share[name][m])
            if rng is not None:
                row["lo"], row["hi"] = _boot_interval(share["opposed"][m], rng, bootstrap, ci)
        rows.append(row)
    by_year = pd.DataFrame(rows, columns=list(YEAR_COLUMNS)).astype(
        {"year": np.int64, "n": np.int64, "opposed": float, "lo": float, "hi": float,
         "abstained": float, "absent": float, "sided": float})

    query = {
        "state": str(state), **q.describe(), "measure": "isolation",
        "bootstrap": bootstrap, "seed": seed, "ci": ci, "threshold": threshold,
        "min_votes": min_votes, "predicted_issues": bool(predicted_issues),
        "resolutions": int(full.n_resolutions),
    }
    return IsolationResult(
        state=code, name=party.name, query=query, n=n, value=value, lo=lo, hi=hi,
        threshold=threshold, effect=value - threshold, effect_lo=lo - threshold,
        effect_hi=hi - threshold, shares=means, counts=counts, votes=votes, by_year=by_year,
    )
