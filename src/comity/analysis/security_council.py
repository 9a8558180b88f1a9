"""The Security Council: votes per resolution and draft, membership per year, vetoes.

Functions over a :class:`comity.store.db.Store` (read only); no CLI logic here.

Where the data come from
------------------------
* votes on adopted resolutions: the official UNDL SC file (``undl_sc``), the UN DL wide scrape
  (``scrape``, 1946–2021) and the SC drafts sheet (``sc_drafts``, 1994 → 2025-06); cells are
  Y, N, A and X (a member that did not take part); a state with no row was not on the Council
  or is missing from the source (``quality``: ``members_missing``);
* votes on drafts that were NOT adopted (``resolutions.outcome`` ``vetoed`` or ``failed``):
  every Council vote of the SC drafts sheet (1994 → 2025), the veto list
  (``unsc_vetoes``, 1946 → 2022-07: the vetoing members only, ``adoption = 'partial'``) and
  user supplements, merged into one record per vote (:mod:`comity.ingest.merge`); the record's
  ``sources`` names every file that holds it.

Vetoes
------
A veto is the negative vote (``N``) of a permanent member (:func:`comity.world.blocs.get_bloc`
``"p5"`` on the vote's date) on a draft that was not adopted because of it: the source says
``vetoed``, or the draft had the affirmative votes it needed (nine; seven before 1966-01-01,
Charter art. 27(3)) and failed. ``decisive`` says whether the draft had those votes (True),
could not have had them even with every member missing from the record voting yes (False),
or cannot be told (None: a veto-list record without the full vote, or too many members
missing). A permanent member's ``N`` on an *adopted* resolution (a procedural vote such as
S/RES/2623 of 2022-02-27) is never a veto; its ``N`` on a draft that failed for lack of votes
is listed only with ``include_negative`` (``veto = False``).

Council membership
------------------
From the membership list (UN DPPA, table ``council_members``, 1946 → 2024) where one is
loaded for the year; the members it leaves unnamed (two names lost their accented letters)
are completed from the states that voted that year. Other years (2025 on): the permanent
members (``p5`` bloc, dated: TWN holds the China seat until 1971-10-25, SUN the Soviet seat
until 1991-12-24) and the states with a stored vote that year.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from comity.analysis.plothook import plotter
from comity.errors import ComityError

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from comity.store.db import Store

#: Affirmative votes a substantive SC draft needs: 7 of 11 until the 1965 enlargement took
#: effect (1966-01-01), 9 of 15 since.
ENLARGEMENT = pd.Timestamp("1966-01-01")
NOT_ADOPTED = ("vetoed", "failed")
VETO_COLUMNS = ["rid", "date", "state", "name", "draft", "symbol", "meeting", "agenda",
                "title", "outcome", "yes", "no", "abstain", "non_voting", "members",
                "required", "decisive", "veto", "sources", "link"]
"""Columns of :func:`vetoes` (the keys of ``comity vetoes --json``)."""
COUNT_COLUMNS = ["period", "start", "state", "name", "vetoes", "in_veto_list",
                 "with_votes"]
"""Columns of :meth:`VetoList.counts` (``comity vetoes --by decade --json``: ``counts[]``)."""


def seats(year: int) -> int:
    """Seats on the Council in ``year``: 11 until 1965, 15 since."""
    return 11 if int(year) < 1966 else 15


def required_votes(day: Any) -> int:
    """Affirmative votes a substantive draft needed on ``day``: 7 before 1966, 9 since."""
    return 7 if pd.Timestamp(day) < ENLARGEMENT else 9


def failed_drafts(resolutions: pd.DataFrame) -> int:
    """How many of ``resolutions`` (a panel's, with ``outcome``) are drafts that were not
    adopted (vetoed or failed): the Council votes that the adopted texts alone would miss."""
    if "outcome" not in resolutions.columns or resolutions.empty:
        return 0
    return int(resolutions["outcome"].isin(NOT_ADOPTED).sum())


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
    RUS includes the USSR), ``outcome`` (``adopted``, ``vetoed``, ``failed``, or
    ``not_adopted`` for both of the last two).
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
    if outcome == "not_adopted":
        where.append("r.outcome IN ('vetoed', 'failed')")
    elif outcome:
        if outcome not in ("adopted", *NOT_ADOPTED):
            raise ComityError(f"outcome {outcome!r}: expected adopted, vetoed, failed or "
                              "not_adopted")
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


# ------------------------------------------------------------------------------- membership
@dataclass(frozen=True)
class Council:
    """The Security Council in one year.

    ``members``: one row per member with ``state, name, permanent, seat`` (``permanent`` or
    ``elected``), ``votes`` (stored SC votes it cast that year, X included), ``first_vote``,
    ``last_vote`` and ``source`` (``dppa_sc``: the membership list; ``votes``: inferred from
    the stored votes; ``p5``: a permanent member). ``resolutions``: stored SC votes that year
    (resolutions and drafts); ``failed_drafts``: how many of them were drafts not adopted;
    ``source``: where the membership comes from (``dppa_sc`` or ``votes``); ``notes``: what
    was completed or could not be told.
    """

    year: int
    resolutions: int
    members: pd.DataFrame = field(repr=False)
    failed_drafts: int = 0
    source: str = "votes"
    notes: tuple[str, ...] = ()

    def to_dict(self) -> dict:
        return {"year": self.year, "resolutions": self.resolutions,
                "failed_drafts": self.failed_drafts, "source": self.source,
                "members": self.members, "notes": list(self.notes)}


def council(store: Store, year: int) -> Council:
    """Members of the Security Council during ``year`` (see the module docstring)."""
    y = int(year)
    if y < 1946 or y > date.today().year + 1:
        raise ComityError(f"--year {y}: the Security Council has met since 1946")
    y0, y1 = date(y, 1, 1), date(y + 1, 1, 1)
    n, n_failed = store.con.execute(
        "SELECT count(*), count(*) FILTER (outcome IN ('vetoed', 'failed')) FROM resolutions "
        "WHERE body = 'SC' AND date >= ? AND date < ? AND adoption IN ('recorded', 'partial')",
        [y0, y1]).fetchall()[0]
    voted = store.con.execute("""
        SELECT v.state, count(*) AS votes, min(r.date) AS first_vote, max(r.date) AS last_vote
        FROM votes v JOIN resolutions r USING (rid)
        WHERE r.body = 'SC' AND r.date >= CAST(? AS DATE) AND r.date < CAST(? AS DATE)
        GROUP BY v.state""", [y0, y1]).df().set_index("state")
    p5 = _p5_frame()
    perm = set(p5.loc[(p5["start"] < y1) & (p5["end"] > y0), "state"])
    listed = store.council_members(y)
    notes: list[str] = []
    if len(listed):
        source = "dppa_sc"
        members = {s: "dppa_sc" for s in listed["state"]}
        named, want = int(listed["seat"].nunique()), seats(y)
        extra = [s for s in voted.index if s not in members and s not in perm]
        if named < want:
            # the unnamed seats go to the states that voted most often that year
            ranked = sorted(extra, key=lambda s: (-int(voted.loc[s, "votes"]), s))
            fill, rest = ranked[:want - named], ranked[want - named:]
            for s in fill:
                members[s] = "votes"
            notes.append(f"the membership list names {named} of the {want} members of {y}; "
                         + (f"completed from the votes: {', '.join(sorted(fill))}" if fill
                            else "no stored vote names the others"))
            extra = rest
        if extra:
            verb = "is" if len(extra) == 1 else "are"
            notes.append(f"{', '.join(sorted(extra))} voted in {y} but {verb} not on the "
                         "membership list (see `comity check --kind outside_council`)")
        for s in perm:
            members.setdefault(s, "p5")
    else:
        source = "votes"
        members = {s: "votes" for s in voted.index}
        for s in perm:
            members.setdefault(s, "p5")
        notes.append(f"no membership list for {y}: the elected members are those with a stored "
                     f"vote ({int(n)} votes)" if n else
                     f"no membership list and no stored vote for {y}: the permanent members only")
    from comity.world import states as st

    rows = []
    for s, src in members.items():
        v = voted.loc[s] if s in voted.index else None
        rows.append({"state": s, "name": st.name(s) if s in st.states_table()["code"].values
                     else None, "permanent": s in perm,
                     "seat": "permanent" if s in perm else "elected",
                     "votes": int(v["votes"]) if v is not None else 0,
                     "first_vote": v["first_vote"] if v is not None else None,
                     "last_vote": v["last_vote"] if v is not None else None, "source": src})
    frame = pd.DataFrame(rows, columns=["state", "name", "permanent", "seat", "votes",
                                        "first_vote", "last_vote", "source"])
    frame = frame.sort_values(["permanent", "state"], ascending=[False, True],
                              kind="stable").reset_index(drop=True)
    frame["votes"] = frame["votes"].astype("int64")
    return Council(year=y, resolutions=int(n), members=frame, failed_drafts=int(n_failed),
                   source=source, notes=tuple(notes))


# ---------------------------------------------------------------------------------- vetoes
def vetoes(
    store: Store,
    *,
    state: str | None = None,
    start_year: int | None = None,
    end_year: int | None = None,
    decisive_only: bool = False,
    include_negative: bool = False,
) -> pd.DataFrame:
    """Vetoes: one row per (draft not adopted, permanent member that voted N on it).

    Columns :data:`VETO_COLUMNS`: the record (``rid``, ``draft``, ``symbol``, ``meeting``,
    ``agenda``, ``title``, ``outcome``), the member (``state``, ``name``), the tally counted
    from the stored votes (``yes, no, abstain, non_voting``, ``members`` listed; None when only
    the veto list holds the draft), ``required`` affirmative votes (7 before 1966, 9 since),
    ``decisive`` (True / False / None, see the module docstring), ``veto`` (False only for the
    rows ``include_negative`` adds: a permanent member's no on a draft that failed for lack of
    votes), ``sources`` (every file holding the vote, ``;``-joined) and ``link``.
    ``decisive_only`` keeps the rows whose draft had the votes it needed. ``state`` (code or
    name) includes the state's lineage (``RUS`` includes ``SUN``); ``start_year``/``end_year``
    are inclusive.
    """
    where, params = ["r.body = 'SC'", "r.outcome IN ('vetoed', 'failed')",
                     "r.adoption IN ('recorded', 'partial')", "v.vote = 'N'"], []
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
                   count(*) FILTER (vote = 'X') AS non_voting, count(*) AS members
            FROM votes GROUP BY rid
        )
        SELECT r.rid, r.date, v.state, s.name,
               coalesce(r.draft, CASE WHEN r.symbol NOT LIKE '%/RES/%' THEN r.symbol END)
                   AS draft, r.symbol, r.meeting, r.agenda, r.title,
               r.outcome, r.adoption, t.yes, t.no, t.abstain, t.non_voting, t.members,
               array_to_string(r.sources, ';') AS sources, r.link
        FROM resolutions r
        JOIN votes v USING (rid)
        JOIN t USING (rid)
        JOIN p5_df p ON p.state = v.state AND r.date >= p.start AND r.date < p."end"
        LEFT JOIN states s ON s.code = v.state
        WHERE {' AND '.join(where)}
        ORDER BY r.date, r.rid, v.state"""
    df = _with_p5(store, sql, params)
    codes = _states_filter(state, lineage=True)
    if codes is not None:
        df = df[df["state"].isin(codes)]
    df = df.reset_index(drop=True)
    partial = (df["adoption"] == "partial").to_numpy()
    dates = pd.to_datetime(df["date"])
    required = np.where(dates < ENLARGEMENT, 7, 9)
    seat_n = np.where(dates < ENLARGEMENT, 11, 15)
    yes = df["yes"].to_numpy(dtype=float)
    missing = np.clip(seat_n - df["members"].to_numpy(dtype=float), 0, None)
    decisive = pd.array(np.where(yes >= required, True, False), dtype="boolean")
    decisive[(yes < required) & (yes + missing >= required)] = pd.NA
    decisive[partial] = pd.NA
    df["required"] = required.astype("int64")
    df["decisive"] = decisive
    df["veto"] = (df["outcome"] == "vetoed").to_numpy() | decisive.fillna(False).to_numpy()
    for c in ("yes", "no", "abstain", "non_voting", "members"):
        df[c] = pd.array(np.where(partial, pd.NA, df[c].to_numpy(dtype=object)),
                         dtype="Int64")
    if not include_negative:
        df = df[df["veto"]]
    if decisive_only:
        df = df[df["decisive"].fillna(False).to_numpy(dtype=bool)]
    return df[VETO_COLUMNS].reset_index(drop=True)


@dataclass(frozen=True, eq=False)
class VetoList:
    """The vetoes of a query: ``frame`` (columns :data:`VETO_COLUMNS`) and the ``query``."""

    frame: pd.DataFrame
    query: dict = field(default_factory=dict)

    def to_frame(self) -> pd.DataFrame:
        return self.frame.copy()

    def counts(self, by: str = "decade") -> pd.DataFrame:
        """Vetoes per permanent member and ``by`` (``decade`` or ``year``), columns
        :data:`COUNT_COLUMNS`: ``in_veto_list`` of them are in the 1946–2022 veto list,
        ``with_votes`` have the full vote (all members' votes) in the store."""
        if by not in ("decade", "year"):
            raise ComityError(f"--by {by!r}: expected decade or year")
        f = self.frame[self.frame["veto"]]
        year = pd.to_datetime(f["date"]).dt.year
        start = (year // 10 * 10) if by == "decade" else year
        g = f.assign(start=start.to_numpy(),
                     listed=f["sources"].fillna("").str.contains("unsc_vetoes").to_numpy(),
                     full=f["members"].notna().to_numpy())
        out = (g.groupby(["start", "state"], as_index=False)
               .agg(name=("name", "first"), vetoes=("rid", "size"),
                    in_veto_list=("listed", "sum"), with_votes=("full", "sum")))
        out["period"] = (out["start"].astype(str) + "s") if by == "decade" \
            else out["start"].astype(str)
        for c in ("start", "vetoes", "in_veto_list", "with_votes"):
            out[c] = out[c].astype("int64")
        return out[COUNT_COLUMNS].sort_values(["start", "state"]).reset_index(drop=True)

    def totals(self) -> pd.DataFrame:
        """Vetoes per permanent member over the whole query: ``state, name, vetoes,
        in_veto_list, with_votes``."""
        c = self.counts("year")
        return (c.groupby("state", as_index=False)
                .agg(name=("name", "first"), vetoes=("vetoes", "sum"),
                     in_veto_list=("in_veto_list", "sum"), with_votes=("with_votes", "sum"))
                .sort_values(["vetoes", "state"], ascending=[False, True])
                .reset_index(drop=True))

    def to_dict(self, by: str | None = None) -> dict:
        """JSON-ready: ``query``, ``n``, ``vetoes[]`` (rows) or, with ``by``, ``counts[]``
        and ``totals[]``."""
        from comity.analysis.results import records

        out: dict[str, Any] = {"query": dict(self.query),
                               "n": int(self.frame["veto"].sum())}
        if by is None:
            out["vetoes"] = records(self.frame)
        else:
            out["by"] = by
            out["counts"] = records(self.counts(by))
            out["totals"] = records(self.totals())
        return out

    def summary(self) -> str:
        f = self.frame[self.frame["veto"]]
        if f.empty:
            return "no veto in the store for this query"
        t = self.totals()
        first, last = pd.to_datetime(f["date"]).min().date(), pd.to_datetime(f["date"]).max()
        return (f"{len(f)} vetoes on {f['rid'].nunique()} drafts, {first} to {last.date()}: "
                + ", ".join(f"{r.state} {r.vetoes}" for r in t.itertuples()))

    def plot(self, path: str | Path | None = None, ax: Axes | None = None,
             by: str = "decade") -> Figure:
        """Vetoes per permanent member and decade (or year), stacked bars."""
        return plotter("plot_vetoes")(self, path=path, ax=ax, by=by)


def veto_list(store: Store, *, state: str | None = None, start_year: int | None = None,
              end_year: int | None = None, decisive_only: bool = False,
              include_negative: bool = False) -> VetoList:
    """:func:`vetoes` as a :class:`VetoList` (counts by decade, summary, plot)."""
    if start_year is not None and end_year is not None and start_year > end_year:
        raise ComityError(f"--from {start_year} is after --to {end_year}")
    df = vetoes(store, state=state, start_year=start_year, end_year=end_year,
                decisive_only=decisive_only, include_negative=include_negative)
    q = {"state": state, "from": start_year, "to": end_year, "decisive_only": decisive_only,
         "include_negative": include_negative}
    return VetoList(frame=df, query=q)
