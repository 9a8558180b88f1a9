"""The Security Council: votes per resolution, membership per year, vetoes.

Functions over a :class:`comity.store.db.Store` (read only); no CLI logic here.

Where the data come from
------------------------
* votes on adopted SC resolutions: the official UNDL SC file (``undl_sc``, highest precedence)
  and the UN DL wide scrape (``scrape``, 1946–2021); cells are Y, N, A and X (a member that did
  not take part); a state with no row was not on the Council;
* votes on drafts that were NOT adopted (``resolutions.outcome = 'failed'``): only from user
  supplements (``sources/supplement.py``, ``outcome`` column), keyed by the draft symbol
  (``S/2024/255``).

Vetoes
------
A veto is a negative vote (``N``) of a permanent member (:func:`comity.world.blocs.get_bloc`
``"p5"`` on the vote's date) on a SC draft that failed. By the Charter (art. 27(3)) a
substantive draft needs the affirmative votes of nine members (seven before 1966-01-01) with
no permanent member voting against; the UN's own veto list counts only the drafts that had
that majority, and so does :func:`vetoes` by default (``decisive_only``): a failed draft
with fewer affirmative votes failed whatever the permanent members did.

**What the bulk files allow.** The staged scrape lists adopted resolutions only, and the
official SC file excludes "drafts that failed to be adopted" (its description): neither holds
a single vetoed draft, so NO veto can be derived from the bulk files. A permanent member's
``N`` on an *adopted* resolution (a procedural vote such as S/RES/2623 of 2022-02-27, where
Russia voted no) is not a veto and is never reported as one. Vetoes come from supplements
that supply failed drafts; the model (``outcome``) is ready for any future source of failed
drafts.

Council membership
------------------
Permanent members come from the ``p5`` bloc (dated: TWN holds the China seat until
1971-10-25, SUN the Soviet seat until 1991-12-24). Elected members are INFERRED from who has a
vote row (any code, X included) on an SC resolution or draft of that year in the store; an
elected member that took part in no stored vote of the year is missed, and a year with no
stored SC vote yields the P5 only (``resolutions = 0`` says so).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

import pandas as pd

from comity.errors import ComityError

if TYPE_CHECKING:
    from comity.store.db import Store

#: Affirmative votes a substantive SC draft needs: 7 of 11 until the 1965 enlargement took
#: effect (1966-01-01), 9 of 15 since.
ENLARGEMENT = pd.Timestamp("1966-01-01")


def _p5_frame() -> pd.DataFrame:
    from comity.world.blocs import get_bloc

    p5 = get_bloc("p5").to_frame()[["state", "start", "end"]].copy()
    p5["start"] = p5["start"].fillna(pd.Timestamp("1900-01-01"))
    p5["end"] = p5["end"].fillna(pd.Timestamp("9999-12-31"))
    p5["start"] = p5["start"].dt.date
    p5["end"] = p5["end"].dt.date
    return p5


def _with_p5(store: Store, sql: str, params: list) -> pd.DataFrame:
    store.con.register("p5_df", _p5_frame())
    try:
        return store.con.execute(sql, params).df()
    finally:
        store.con.unregister("p5_df")


def _states_filter(state: str | None, lineage: bool) -> list[str] | None:
    if state is None:
        return None
    from comity.world import states as st

    code = st.lookup(state)
    if not lineage:
        return [code]
    return sorted({c for c, _, _ in st.lineage(code)})


def sc_votes(
    store: Store,
    *,
    symbol: str | None = None,
    year: int | None = None,
    start: str | None = None,
    end: str | None = None,
    state: str | None = None,
    outcome: str | None = None,
) -> pd.DataFrame:
    """Votes of the Council's members, one row per (resolution or draft, member).

    Columns: ``rid, symbol, date, outcome, adoption, state, name, vote, permanent, source``
    (``permanent``: a P5 member on that date). Filters: ``symbol`` (normalised; a rid too),
    ``year``, ``start``/``end`` (dates, inclusive), ``state`` (code or name; its lineage, so
    RUS includes the USSR), ``outcome`` (``adopted`` or ``failed``).
    """
    from comity.ingest.sources.base import normalize_symbol

    where, params = ["r.body = 'SC'"], []
    if symbol:
        s = normalize_symbol(symbol)
        where.append("(r.rid = ? OR r.symbol = ?)")
        params += [s, s]
    if year is not None:
        where.append("year(r.date) = ?")
        params.append(int(year))
    if start:
        where.append("r.date >= CAST(? AS DATE)")
        params.append(str(start))
    if end:
        where.append("r.date <= CAST(? AS DATE)")
        params.append(str(end))
    codes = _states_filter(state, lineage=True)
    if codes is not None:
        where.append(f"v.state IN ({','.join('?' * len(codes))})")
        params += codes
    if outcome:
        where.append("r.outcome = ?")
        params.append(outcome)
    sql = f"""
        SELECT r.rid, r.symbol, r.date, r.outcome, r.adoption, v.state, s.name, v.vote,
               EXISTS (SELECT 1 FROM p5_df p WHERE p.state = v.state AND r.date >= p.start
                       AND r.date < p."end") AS permanent,
               v.source
        FROM votes v JOIN resolutions r USING (rid) LEFT JOIN states s ON s.code = v.state
        WHERE {' AND '.join(where)}
        ORDER BY r.date, r.rid, permanent DESC, v.state"""
    return _with_p5(store, sql, params)


@dataclass(frozen=True)
class Council:
    """The Security Council in one year.

    ``members``: one row per member with ``state, name, permanent, seat`` (``permanent`` or
    ``elected``), ``votes`` (stored SC votes it cast that year, X included), ``first_vote``,
    ``last_vote``. ``resolutions``: stored SC votes (resolutions and failed drafts) that year,
    the evidence the elected members are inferred from.
    """

    year: int
    resolutions: int
    members: pd.DataFrame = field(repr=False)

    def to_dict(self) -> dict:
        return {"year": self.year, "resolutions": self.resolutions, "members": self.members}


def council(store: Store, year: int) -> Council:
    """Members of the Security Council during ``year`` (P5 + elected members inferred)."""
    y = int(year)
    if y < 1946 or y > date.today().year + 1:
        raise ComityError(f"--year {y}: the Security Council has met since 1946")
    y0, y1 = date(y, 1, 1), date(y + 1, 1, 1)
    n = store.con.execute(
        "SELECT count(*) FROM resolutions WHERE body = 'SC' AND date >= ? AND date < ?",
        [y0, y1]).fetchall()[0][0]
    sql = """
        WITH p AS (
            SELECT DISTINCT state FROM p5_df WHERE start < CAST(? AS DATE)
                AND "end" > CAST(? AS DATE)
        ), v AS (
            SELECT v.state, count(*) AS votes, min(r.date) AS first_vote,
                   max(r.date) AS last_vote
            FROM votes v JOIN resolutions r USING (rid)
            WHERE r.body = 'SC' AND r.date >= CAST(? AS DATE) AND r.date < CAST(? AS DATE)
            GROUP BY v.state
        )
        SELECT coalesce(v.state, p.state) AS state, s.name, p.state IS NOT NULL AS permanent,
               CASE WHEN p.state IS NOT NULL THEN 'permanent' ELSE 'elected' END AS seat,
               coalesce(v.votes, 0) AS votes, v.first_vote, v.last_vote
        FROM v FULL OUTER JOIN p ON p.state = v.state
        LEFT JOIN states s ON s.code = coalesce(v.state, p.state)
        ORDER BY permanent DESC, state"""
    members = _with_p5(store, sql, [y1, y0, y0, y1])
    members["votes"] = members["votes"].astype("int64")
    return Council(year=y, resolutions=int(n), members=members)


def vetoes(
    store: Store,
    *,
    state: str | None = None,
    start_year: int | None = None,
    end_year: int | None = None,
    decisive_only: bool = True,
) -> pd.DataFrame:
    """Vetoes: one row per (failed SC draft, permanent member that voted N on it).

    Columns: ``rid, symbol, date, state, name, yes, no, abstain, non_voting, required,
    decisive, title, link, sources``. ``yes``..``non_voting`` are counted from the stored
    votes; ``required`` is the number of affirmative votes the draft needed (7 before 1966,
    9 since); ``decisive`` is ``yes >= required`` (the draft would have been adopted but for
    the negative vote). ``decisive_only`` (default) keeps decisive ones, as the UN's veto list
    does. ``state`` (code or name) includes the state's lineage (``RUS`` includes ``SUN``);
    ``start_year``/``end_year`` are inclusive.
    """
    where, params = ["r.body = 'SC'", "r.outcome = 'failed'"], []
    if start_year is not None:
        where.append("year(r.date) >= ?")
        params.append(int(start_year))
    if end_year is not None:
        where.append("year(r.date) <= ?")
        params.append(int(end_year))
    sql = f"""
        WITH t AS (
            SELECT rid, count(*) FILTER (vote = 'Y') AS yes, count(*) FILTER (vote = 'N') AS no,
                   count(*) FILTER (vote = 'A') AS abstain,
                   count(*) FILTER (vote = 'X') AS non_voting
            FROM votes GROUP BY rid
        )
        SELECT r.rid, r.symbol, r.date, v.state, s.name, t.yes, t.no, t.abstain, t.non_voting,
               CASE WHEN r.date < DATE '{ENLARGEMENT.date()}' THEN 7 ELSE 9 END AS required,
               t.yes >= CASE WHEN r.date < DATE '{ENLARGEMENT.date()}' THEN 7 ELSE 9 END
                   AS decisive,
               r.title, r.link, array_to_string(r.sources, ';') AS sources
        FROM resolutions r
        JOIN votes v USING (rid)
        JOIN t USING (rid)
        JOIN p5_df p ON p.state = v.state AND r.date >= p.start AND r.date < p."end"
        LEFT JOIN states s ON s.code = v.state
        WHERE {' AND '.join(where)} AND v.vote = 'N'
        ORDER BY r.date, r.rid, v.state"""
    df = _with_p5(store, sql, params)
    codes = _states_filter(state, lineage=True)
    if codes is not None:
        df = df[df["state"].isin(codes)]
    if decisive_only:
        df = df[df["decisive"]]
    for c in ("yes", "no", "abstain", "non_voting", "required"):
        df[c] = df[c].astype("int64")
    return df.reset_index(drop=True)
