"""``comity export``: tidy tables for R, pandas and polars (Parquet or CSV)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb

from comity.errors import StoreError


def export(con: Any, outdir: str | Path, fmt: str = "parquet") -> list[str]:
    """Write tidy tables (votes, resolutions, issues, states, quality) for R/pandas/polars."""
    if fmt not in ("parquet", "csv"):  # before anything is created
        raise StoreError(f"unknown export format {fmt!r} (expected parquet or csv)")
    out = Path(outdir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(f"cannot create the export folder {out}: {exc.strerror}") from None
    queries = {
        "votes": "SELECT v.rid, r.symbol, r.date, r.body, v.state, v.vote, v.inferred, "
                 "v.source FROM votes v JOIN resolutions r USING (rid) ORDER BY r.date, "
                 "v.rid, v.state",
        "resolutions": "SELECT rid, body, session, special, date, symbol, title, agenda, "
                       "subjects, important, amend, para, adoption, yes, no, abstain, "
                       "non_voting, array_to_string(sources, ';') AS sources, link "
                       "FROM resolutions ORDER BY date, rid",
        "issues": "SELECT rid, issue FROM (SELECT rid, unnest(issues) AS issue FROM "
                  "resolutions) ORDER BY rid, issue",
        "states": "SELECT * FROM states ORDER BY code",
        "memberships": "SELECT * FROM memberships ORDER BY ALL",
        # a total order, so that two identical stores export identical bytes
        "quality": "SELECT * FROM quality ORDER BY kind, rid, source, detail",
    }
    written = []
    for name, q in queries.items():
        path = out / f"{name}.{fmt}"
        opt = "(FORMAT parquet)" if fmt == "parquet" else "(HEADER, DELIMITER ',')"
        target = path.as_posix().replace("'", "''")
        try:
            con.execute(f"COPY ({q}) TO '{target}' {opt}")
        except duckdb.IOException as exc:
            raise StoreError(f"cannot write {path}: {exc}") from None
        written.append(str(path))
    return written
