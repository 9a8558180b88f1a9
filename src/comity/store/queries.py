"""Read-only queries the shells ask of the store: resolutions, symbols, council seats, holes,
votes on one resolution, quality rows and the states at a date (:class:`StoreQueries`, mixed
into :class:`comity.store.db.Store`)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from comity.errors import StoreError


def range_filters(body: str | None, start: Any, end: Any, *, alias: str = "r"
                  ) -> tuple[list[str], list[Any]]:
    """SQL conditions (and their parameters) for a body (``GA``, ``SC``; ``both``/None: any)
    and a date range, both ends included, on the resolutions aliased ``alias``."""
    where: list[str] = []
    params: list[Any] = []
    if body and body.upper() != "BOTH":
        where.append(f"{alias}.body = ?")
        params.append(body.upper())
    if start is not None:
        where.append(f"{alias}.date >= CAST(? AS DATE)")
        params.append(str(start))
    if end is not None:
        where.append(f"{alias}.date <= CAST(? AS DATE)")
        params.append(str(end))
    return where, params


class StoreQueries:
    """The query methods of :class:`comity.store.db.Store`; they need ``self.con`` (a DuckDB
    connection), ``self._has_table`` and ``self._issues_view``."""

    con: Any

    def _has_table(self, name: str) -> bool:  # pragma: no cover - defined by Store
        raise NotImplementedError

    def _issues_view(self, predicted: bool = True) -> str:  # pragma: no cover - by Store
        raise NotImplementedError

    def resolutions(
        self,
        *,
        search: str | None = None,
        session: int | None = None,
        year: int | None = None,
        issue: str | None = None,
        body: str | None = None,
        recorded_only: bool = True,
        limit: int | None = None,
        offset: int = 0,
        newest_first: bool = False,
    ) -> pd.DataFrame:
        """Resolutions matching the filters, oldest first (``newest_first``: the latest
        first), ``limit`` rows from ``offset``; :meth:`count_resolutions` counts them all."""
        where, params = self._resolution_filters(search, session, year, issue, body,
                                                 recorded_only)
        order = "date DESC, rid DESC" if newest_first else "date, rid"
        sql = (f"SELECT rid, body, session, special, date, symbol, title, issues, important, "
               f"amend, para, adoption, outcome, yes, no, abstain, non_voting, sources, link, "
               f"issues_predicted FROM {self._issues_view()} "
               f"WHERE {where} ORDER BY {order}")
        if limit is not None:
            sql += f" LIMIT {int(limit)} OFFSET {int(offset)}"
        return self.con.execute(sql, params).df()

    def count_resolutions(
        self,
        *,
        search: str | None = None,
        session: int | None = None,
        year: int | None = None,
        issue: str | None = None,
        body: str | None = None,
        recorded_only: bool = True,
    ) -> int:
        """How many resolutions :meth:`resolutions` finds with these filters (no limit)."""
        where, params = self._resolution_filters(search, session, year, issue, body,
                                                 recorded_only)
        return int(self.con.execute(f"SELECT count(*) FROM {self._issues_view()} "
                                    f"WHERE {where}", params).fetchall()[0][0])

    def _resolution_filters(self, search: str | None, session: int | None, year: int | None,
                            issue: str | None, body: str | None, recorded_only: bool
                            ) -> tuple[str, list]:
        where, params = ["1=1"], []
        if recorded_only:
            where.append("adoption = 'recorded'")
        if search:
            where.append("(title ILIKE ? OR symbol ILIKE ? OR agenda ILIKE ? OR subjects ILIKE ?)")
            params += [f"%{search}%"] * 4
        if session is not None:
            where.append("session = ?")
            params.append(int(session))
        if year is not None:
            where.append("year(date) = ?")
            params.append(int(year))
        if issue:
            from comity.world.issues import issue_code  # codes or names; unknown ones raise

            where.append("list_contains(issues, ?)")
            params.append(issue_code(issue))
        if body and body.upper() != "BOTH":
            where.append("body = ?")
            params.append(body.upper())
        return " AND ".join(where), params

    def find_resolution(self, symbol: str) -> pd.DataFrame:
        """Recorded votes matching ``symbol``: :meth:`find_symbol`."""
        return self.find_symbol(symbol)

    def find_symbol(self, text: str) -> pd.DataFrame:
        """The resolutions (rows of ``resolutions``) a user's ``text`` may mean: a rid or a
        symbol in any of the forms people type (``ES-11/4``, ``A/ES-11/4``, ``68/262``,
        ``res 2758``, ``S/RES/2758 (2024)``; :mod:`comity.store.symbols`). Exact matches of
        every form first (in the order of the forms, then by date); only when none matches,
        symbols that begin with a form and continue with a part suffix (``A/RES/77/293`` →
        ``A/RES/77/293A``, never ``A/RES/77/2930``), whole texts before parts
        (``res 2758``: ``A/RES/2758(XXVI)`` before its procedural votes ``…A`` to ``…F``).
        Empty when nothing matches."""
        from comity.store.symbols import symbol_forms

        forms = symbol_forms(text)
        if not forms:
            return self.con.execute("SELECT * FROM resolutions LIMIT 0").df()
        exact = [f for f in forms if not f.endswith("(")]
        rank = "list_position(?::VARCHAR[], coalesce(symbol, upper(rid)))"
        df = self.con.execute(
            f"SELECT * FROM resolutions WHERE upper(rid) IN (SELECT unnest(?::VARCHAR[])) "
            f"OR symbol IN (SELECT unnest(?::VARCHAR[])) ORDER BY {rank}, date, rid",
            [exact, exact, exact]).df() if exact else None
        if df is not None and not df.empty:
            # a bare number (``res 2758``) also means the Assembly's A/RES/2758(XXVI): listed
            # after the exact matches, never hidden by them
            older = [f for f in forms if f.endswith("(")]
            more = self._by_prefix(older) if older else df.iloc[:0]
            more = more[~more["rid"].isin(df["rid"])]
            return pd.concat([df, more], ignore_index=True) if len(more) else \
                df.reset_index(drop=True)
        return self._by_prefix(forms)

    def _by_prefix(self, forms: list[str]) -> pd.DataFrame:
        """Resolutions whose symbol begins with one of ``forms`` and continues with a part
        suffix only: in the order of the forms, whole texts before parts, then by date."""
        like = " OR ".join(["starts_with(symbol, ?)"] * len(forms))
        df = self.con.execute(f"SELECT * FROM resolutions WHERE {like} ORDER BY date, rid",
                              forms).df()
        if df.empty:
            return df
        from comity.ingest.sources.base import split_part

        keep, order = [], []
        for sym in df["symbol"].astype(str):  # the rest must be a part suffix, not digits
            k = next((i for i, f in enumerate(forms) if sym.startswith(f)
                      and not sym[len(f):len(f) + 1].isdigit()), None)
            keep.append(k is not None)
            order.append(len(forms) if k is None else k)
        part = [bool(split_part(x)[1]) for x in df["symbol"].astype(str)]  # whole texts first
        df = df.assign(_k=order, _p=part)[keep].sort_values(["_k", "_p", "date", "rid"],
                                                             kind="stable")
        return df.drop(columns=["_k", "_p"]).reset_index(drop=True)

    def council_members(self, year: int | None = None) -> pd.DataFrame:
        """Security Council members by year from the loaded membership lists: ``year, state,
        seat, sources`` (``seat``: the list's row; two codes share it where a seat changed
        hands that year). Empty when no list is loaded (or the store predates the table)."""
        cols = ["year", "state", "seat", "sources"]
        if not self._has_table("council_members"):
            return pd.DataFrame(columns=cols)
        sql = "SELECT year, state, seat, sources FROM council_members"
        params: list = []
        if year is not None:
            sql += " WHERE year = ?"
            params.append(int(year))
        return self.con.execute(sql + " ORDER BY year, state", params).df()

    def missing(self) -> pd.DataFrame:
        """Known holes (:mod:`comity.world.holes`) that no loaded file fills: ``body, date,
        symbol, title, note``. A hole drops out as soon as a loaded file brings its symbol
        (the official GA file has A/RES/ES-11/7 and /8 from version 3 on)."""
        from comity.world.holes import holes

        hs = holes()
        cols = ["body", "date", "symbol", "title", "note"]
        if not hs:
            return pd.DataFrame(columns=cols)
        syms = [h.symbol for h in hs]
        have = {(b, s) for b, s in self.con.execute(
            f"SELECT DISTINCT body, symbol FROM resolutions WHERE symbol IN "
            f"({','.join('?' * len(syms))})", syms).fetchall()}
        rows = [{"body": h.body, "date": h.date.isoformat(), "symbol": h.symbol,
                 "title": h.title, "note": h.note} for h in hs
                if (h.body, h.symbol) not in have]
        return pd.DataFrame(rows, columns=cols)

    def votes_on(self, rid: str) -> pd.DataFrame:
        return self.con.execute("""
            SELECT v.state, s.name, v.vote, v.inferred, v.source
            FROM votes v LEFT JOIN states s ON s.code = v.state
            WHERE v.rid = ? ORDER BY v.vote, v.state""", [rid]).df()

    def quality(self, kind: str | None = None, limit: int | None = None) -> pd.DataFrame:
        sql = "SELECT rid, source, kind, detail FROM quality"
        params = []
        if kind:
            from comity.ingest.merge import QUALITY_KINDS as kinds

            if kind not in kinds:
                raise StoreError(f"unknown quality kind {kind!r}; expected one of "
                                 f"{', '.join(kinds)}")
            sql += " WHERE kind = ?"
            params.append(kind)
        sql += " ORDER BY kind, rid"
        if limit:
            sql += f" LIMIT {int(limit)}"
        return self.con.execute(sql, params).df()

    def states_at(self, date: str | None = None) -> pd.DataFrame:
        if date is None:
            return self.con.sql(
                "SELECT code, name, member_from, member_to, predecessor FROM states "
                "ORDER BY code").df()
        try:
            date = pd.Timestamp(str(date)).date().isoformat()
        except ValueError:
            raise StoreError(f"--at {date!r}: expected a date such as 1990-10-03") from None
        # one row per state: where two membership rows cover the date (South Africa: a
        # member since 1945, excluded from the Assembly 1974-11-12 to 1994-06-23), the more
        # specific one (not plain 'member'), then the one that began last
        return self.con.execute("""
            SELECT s.code, s.name, s.member_from, s.member_to, s.predecessor, m.kind
            FROM states s JOIN memberships m ON m.code = s.code
            WHERE CAST(? AS DATE) >= m.start AND (m."end" IS NULL OR CAST(? AS DATE) < m."end")
            QUALIFY row_number() OVER (PARTITION BY s.code
                                       ORDER BY (m.kind = 'member'), m.start DESC) = 1
            ORDER BY s.code""", [date, date]).df()
