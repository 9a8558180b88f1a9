"""The canonical ``sponsors`` table, rebuilt from the staged sponsor rows (``src_sponsors``)
after every ingest, like ``votes``: each staged row is mapped to its resolution's ``rid``
through the merge's units (``res_rows``); where several sources list sponsors for one
resolution, those of the most authoritative one (:data:`comity.ingest.merge.PRECEDENCE`) are
kept; a state listed both as a sponsor and as an additional sponsor is a ``sponsor``.

``sponsors(rid, state, kind, source)``: ``kind`` ``sponsor`` (named on the draft) or
``additional`` (joined later); ``source`` the source that listed it.
"""

from __future__ import annotations

from typing import Any


def rebuild_sponsors(con: Any) -> int:
    """Rebuild ``sponsors`` (needs the merge's temporary ``res_rows``); returns its rows."""
    has = con.execute("SELECT count(*) FROM information_schema.tables "
                      "WHERE table_name = 'src_sponsors'").fetchall()[0][0]
    if not has:
        con.execute("CREATE OR REPLACE TABLE sponsors (rid VARCHAR, state VARCHAR, "
                    "kind VARCHAR, source VARCHAR)")
        return 0
    con.execute("""
        CREATE OR REPLACE TABLE sponsors AS
        WITH s AS (
            SELECT u.rid, s.state, s.kind, s.source, u.prec
            FROM src_sponsors s
            JOIN (SELECT DISTINCT ingest_id, key, rid, prec FROM res_rows) u
              USING (ingest_id, key)
        ), best AS (SELECT rid, min(prec) AS prec FROM s GROUP BY rid)
        SELECT rid, state,
               CASE WHEN bool_or(kind = 'sponsor') THEN 'sponsor' ELSE 'additional' END
                   AS kind,
               min(source) AS source
        FROM s JOIN best USING (rid, prec)
        GROUP BY rid, state
        ORDER BY rid, state""")
    return int(con.execute("SELECT count(*) FROM sponsors").fetchall()[0][0])
