"""Sponsors of resolutions in the store: staging and the queries the analysis needs.

Every parsed file's sponsor rows are staged in ``src_sponsors(ingest_id, source, key, state,
kind, row)`` (:func:`stage_sponsors`, called by :meth:`comity.store.db.Store._stage`); the merge
(:func:`comity.ingest.sponsors.rebuild_sponsors`) rebuilds the canonical table
``sponsors(rid, state, kind, source)`` from them after every ingest, so sponsors survive
re-ingests and merges exactly as votes do. ``kind`` is ``sponsor`` (named on the draft) or
``additional`` (joined later). Only the UNxml extract (sessions 74-80) lists sponsors.

A store written before sponsors were kept has no ``sponsors`` table: the queries then return
empty frames (re-ingest to fill it).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from comity.ingest.sources.base import SourceData
from comity.store.queries import range_filters

__all__ = ["SPONSOR_KINDS", "VOTED_NO_COLUMNS", "has_sponsors", "sponsored", "stage_sponsors",
           "voted_no_on_sponsored"]

SPONSOR_KINDS = ("sponsor", "additional")
VOTED_NO_COLUMNS = ("rid", "date", "symbol", "title", "sponsor", "sponsor_kind", "voted_no",
                    "yes", "no", "abstain", "link")


def stage_sponsors(con: Any, iid: int, sd: SourceData) -> None:
    """Write one parsed file's sponsor rows into ``src_sponsors``."""
    if not len(sd.sponsors):
        return
    frame = sd.sponsors[["key", "state", "kind", "row"]].astype(
        {"key": object, "state": object, "kind": object, "row": "int64"})
    con.register("sp_df", frame)
    try:
        con.execute("INSERT INTO src_sponsors SELECT ?, ?, key, state, kind, row FROM sp_df",
                    [iid, sd.source])
    finally:
        con.unregister("sp_df")


def has_sponsors(store: Any) -> bool:
    """Whether the store has a (canonical) ``sponsors`` table."""
    q = "SELECT count(*) FROM information_schema.tables WHERE table_name = 'sponsors'"
    return bool(store.query(q).iloc[0, 0])


def _where(start: Any, end: Any, body: str) -> tuple[list[str], list[Any]]:
    return range_filters(body, start, end)


def sponsored(store: Any, states: Sequence[str], *, start: Any = None, end: Any = None,
              body: str = "GA", kinds: Sequence[str] = SPONSOR_KINDS) -> tuple[
                  pd.DataFrame, pd.DataFrame]:
    """(texts, rows) of a period: ``texts`` every resolution with at least one sponsoring
    state in the store (``rid, date, session, symbol``), ``rows`` the sponsorships of
    ``states`` among them (``rid, state, kind``). Empty without a ``sponsors`` table."""
    empty_t = pd.DataFrame({"rid": pd.Series(dtype=object),
                            "date": pd.Series(dtype="datetime64[ns]"),
                            "session": pd.Series(dtype="Int64"),
                            "symbol": pd.Series(dtype=object)})
    empty_r = pd.DataFrame({c: pd.Series(dtype=object) for c in ("rid", "state", "kind")})
    if not has_sponsors(store):
        return empty_t, empty_r
    where, params = _where(start, end, body)
    ks = list(kinds)
    where.append(f"s.kind IN ({', '.join('?' * len(ks))})")
    params += ks
    w = " AND ".join(where)
    texts = store.query(
        f"SELECT r.rid, any_value(r.date) AS date, any_value(r.session) AS session, "
        f"any_value(r.symbol) AS symbol FROM sponsors s JOIN resolutions r USING (rid) "
        f"WHERE {w} GROUP BY r.rid ORDER BY date, r.rid", params)
    st = list(states)
    rows = store.query(
        f"SELECT s.rid, s.state, s.kind FROM sponsors s JOIN resolutions r USING (rid) "
        f"WHERE {w} AND s.state IN ({', '.join('?' * len(st))}) ORDER BY s.rid, s.state",
        params + st) if st else empty_r
    texts["date"] = pd.to_datetime(texts["date"])
    return texts, rows


def voted_no_on_sponsored(store: Any, a: str, b: str, *, start: Any = None, end: Any = None,
                          body: str = "GA", kinds: Sequence[str] = SPONSOR_KINDS
                          ) -> pd.DataFrame:
    """The recorded votes where one of ``a``, ``b`` voted No on a text the other sponsored:
    ``rid, date, symbol, title, sponsor, sponsor_kind, voted_no, yes, no, abstain, link``,
    latest first."""
    cols = list(VOTED_NO_COLUMNS)
    if not has_sponsors(store):
        return pd.DataFrame({c: pd.Series(dtype=object) for c in cols})
    where, params = _where(start, end, body)
    ks = list(kinds)
    where.append(f"s.kind IN ({', '.join('?' * len(ks))})")
    params += ks
    w = " AND ".join(where)
    got = store.query(
        f"""WITH s AS (SELECT rid, state, kind FROM sponsors WHERE state IN (?, ?)),
                 v AS (SELECT rid, state FROM votes
                       WHERE vote = 'N' AND state IN (?, ?) AND rid IN (SELECT rid FROM s))
            SELECT r.rid, r.date, r.symbol, r.title, s.state AS sponsor,
                   s.kind AS sponsor_kind, v.state AS voted_no, r.yes, r.no, r.abstain, r.link
            FROM s JOIN v ON v.rid = s.rid AND v.state <> s.state
            JOIN resolutions r ON r.rid = s.rid
            WHERE {w} AND r.adoption = 'recorded'
            ORDER BY r.date DESC, r.rid, s.state""", [a, b, a, b, *params])
    got["date"] = pd.to_datetime(got["date"])
    return got[cols]
