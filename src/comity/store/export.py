"""``comity export``: tidy tables for R, pandas and polars (Parquet or CSV), with their data
dictionary ``CODEBOOK.md``.

Every exported table is declared once in :data:`TABLES` (its columns, each with its SQL, type,
meaning and source); the ``COPY`` statements and the codebook are both generated from that
spec, so the codebook cannot drift from the files. Dates are typed ``DATE`` in Parquet and
written ``YYYY-MM-DD`` in CSV; the ``votes`` and ``sponsors`` tables carry the resolution's
``date``, ``session``, ``year`` and the state's name, so that no join is needed. Rows are in a
total order: two identical stores export identical bytes.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from comity.errors import StoreError

__all__ = ["TABLES", "Column", "TableSpec", "codebook", "export"]


@dataclass(frozen=True)
class Column:
    """One exported column: ``sql`` (an expression over the table's ``FROM``), the DuckDB
    ``type`` it is cast to, what it means and where it comes from."""

    name: str
    sql: str
    type: str
    meaning: str
    source: str


@dataclass(frozen=True)
class TableSpec:
    """One exported table (one file ``{name}.parquet`` or ``{name}.csv``)."""

    name: str
    description: str
    from_sql: str
    order_by: str
    columns: tuple[Column, ...]
    needs: str | None = None
    """A store table that may be missing in stores written by older versions (the file is
    then written with its columns and no rows)."""

    def select(self, present: bool = True) -> str:
        cols = ", ".join(f'CAST({c.sql} AS {c.type}) AS "{c.name}"' for c in self.columns)
        where = "" if present else " WHERE false"
        frm = self.from_sql if present else "(SELECT 1) AS _none"
        order = f" ORDER BY {self.order_by}" if present else ""
        if not present:
            cols = ", ".join(f'CAST(NULL AS {c.type}) AS "{c.name}"' for c in self.columns)
        return f"SELECT {cols} FROM {frm}{where}{order}"


_MERGED = "merged from every source (official UNDL > UNxml > scrape > unvotes > Voeten 2016)"
_REF = "comity's reference tables (comity.world.states)"

_RID = Column("rid", "r.rid", "VARCHAR", "resolution (recorded vote) id: the normalised symbol, "
              "or RC<rcid> for a Voeten roll call without one", "store")
_SYMBOL = Column("symbol", "r.symbol", "VARCHAR", "UN document symbol, normalised "
                 "(A/RES/68/262, A/RES/377(V), S/RES/2758)", _MERGED)
_DATE = Column("date", "r.date", "DATE", "date of the vote (YYYY-MM-DD)", _MERGED)
_SESSION = Column("session", "r.session", "INTEGER", "regular General Assembly session in "
                  "progress (Security Council: the year)", _MERGED)
_YEAR = Column("year", "year(r.date)", "INTEGER", "calendar year of the vote",
               "derived from date")
_BODY = Column("body", "r.body", "VARCHAR", "GA (General Assembly) or SC (Security Council)",
               _MERGED)

TABLES: tuple[TableSpec, ...] = (
    TableSpec(
        "votes", "One row per state and recorded vote (a state that was not a UN member on "
        "the date has no row).",
        "votes v JOIN resolutions r USING (rid) LEFT JOIN states s ON s.code = v.state",
        "r.date, v.rid, v.state",
        (
            Column("rid", "v.rid", "VARCHAR", _RID.meaning, "store"),
            _SYMBOL, _DATE, _SESSION, _YEAR, _BODY,
            Column("state", "v.state", "VARCHAR", "canonical state code (ISO 3166 alpha-3 "
                   "where one exists: USA, RUS; historical states: SUN for the USSR, ...)",
                   _REF),
            Column("state_name", "s.name", "VARCHAR", "the state's name", _REF),
            Column("vote", "v.vote", "VARCHAR", "Y yes, A abstain, N no, X member absent or "
                   "not voting", _MERGED),
            Column("inferred", "v.inferred", "BOOLEAN", "true where X was deduced from "
                   "membership because the source lists only Y/N/A", "store (membership)"),
            Column("source", "v.source", "VARCHAR", "the source whose value was kept "
                   "(voeten2016, unvotes, scrape, unxml, undl_ga, ...; 'inferred')", "store"),
        )),
    TableSpec(
        "resolutions", "One row per resolution or recorded vote (adopted without a vote: "
        "adoption = without_vote, no vote rows).",
        "resolutions r", "r.date, r.rid",
        (
            _RID, _BODY, _SESSION,
            Column("special", "r.special", "VARCHAR", "emergency or special session "
                   "(ES-11, S-32), else empty", _MERGED),
            _DATE, _YEAR, _SYMBOL,
            Column("title", "r.title", "VARCHAR", "title of the resolution", _MERGED),
            Column("agenda", "r.agenda", "VARCHAR", "agenda item", _MERGED),
            Column("subjects", "r.subjects", "VARCHAR", "UN subject terms, '; '-separated",
                   "UNxml, UNDL"),
            Column("important", "r.important", "BOOLEAN", "listed by the US State Department "
                   "as an important vote", "Voeten 2016, unvotes"),
            Column("amend", "r.amend", "BOOLEAN", "the vote was on an amendment",
                   "Voeten 2016, unvotes"),
            Column("para", "r.para", "BOOLEAN", "the vote was on a paragraph",
                   "Voeten 2016, unvotes"),
            Column("adoption", "r.adoption", "VARCHAR", "recorded, without_vote or partial "
                   "(only some votes known)", _MERGED),
            Column("outcome", "r.outcome", "VARCHAR", "adopted; SC drafts: vetoed or failed",
                   _MERGED),
            Column("yes", "r.yes", "INTEGER", "official Yes tally as recorded by the source",
                   _MERGED),
            Column("no", "r.no", "INTEGER", "official No tally", _MERGED),
            Column("abstain", "r.abstain", "INTEGER", "official abstentions", _MERGED),
            Column("non_voting", "r.non_voting", "INTEGER", "members recorded as not voting",
                   _MERGED),
            Column("sources", "array_to_string(r.sources, ';')", "VARCHAR", "';'-separated "
                   "sources that hold this vote", "store"),
            Column("link", "r.link", "VARCHAR", "URL of the official record", _MERGED),
        )),
    TableSpec(
        "issues", "Voeten's issue codes of each vote (one row per code).",
        "(SELECT rid, unnest(issues) AS issue FROM resolutions) i", "i.rid, i.issue",
        (
            Column("rid", "i.rid", "VARCHAR", _RID.meaning, "store"),
            Column("issue", "i.issue", "VARCHAR", "me Middle East, nu nuclear weapons, di "
                   "disarmament, hr human rights, co colonialism, ec economic development",
                   "Voeten 2016, unvotes"),
        )),
    TableSpec(
        "sponsors", "One row per state and sponsored resolution (sessions 74-80: the UNxml "
        "extract lists the sponsors of every resolution, with or without a vote).",
        "sponsors sp JOIN resolutions r USING (rid) LEFT JOIN states s ON s.code = sp.state",
        "r.date, sp.rid, sp.state",
        (
            Column("rid", "sp.rid", "VARCHAR", _RID.meaning, "store"),
            _SYMBOL, _DATE, _SESSION, _YEAR,
            Column("state", "sp.state", "VARCHAR", "canonical code of the sponsoring state",
                   _REF),
            Column("state_name", "s.name", "VARCHAR", "the state's name", _REF),
            Column("kind", "sp.kind", "VARCHAR", "sponsor (named on the draft) or additional "
                   "(joined as a sponsor later)", "UNxml (sponsors, additional_sponsors)"),
            Column("source", "sp.source", "VARCHAR", "the source that listed it", "store"),
        ), needs="sponsors"),
    TableSpec(
        "states", "Every state comity knows, with its UN membership.", "states s", "s.code",
        (
            Column("code", "s.code", "VARCHAR", "canonical state code", _REF),
            Column("name", "s.name", "VARCHAR", "name", _REF),
            Column("member_from", "s.member_from", "DATE", "first day of UN membership", _REF),
            Column("member_to", "s.member_to", "DATE", "first day no longer a member (empty: "
                   "still a member)", _REF),
            Column("predecessor", "s.predecessor", "VARCHAR", "code of the predecessor state "
                   "(RUS: SUN)", _REF),
        )),
    TableSpec(
        "memberships", "UN membership periods (a state may have several).", "memberships m",
        "m.code, m.start, m.\"end\", m.kind, m.note",
        (
            Column("code", "m.code", "VARCHAR", "canonical state code", _REF),
            Column("start", "m.start", "DATE", "first day of the period", _REF),
            Column("end", "m.\"end\"", "DATE", "first day after the period (empty: ongoing)",
                   _REF),
            Column("kind", "m.kind", "VARCHAR", "kind of period (member, suspended, ...)", _REF),
            Column("note", "m.note", "VARCHAR", "note", _REF),
        )),
    TableSpec(
        "quality", "Every tally mismatch, disagreement between sources and parser note, kept "
        "(never silently resolved).", "quality q", "q.kind, q.rid, q.source, q.detail",
        (
            Column("rid", "q.rid", "VARCHAR", "the resolution concerned (empty: none)",
                   "store"),
            Column("source", "q.source", "VARCHAR", "the source concerned (empty: several)",
                   "store"),
            Column("kind", "q.kind", "VARCHAR", "kind of note (comity.ingest.merge."
                   "QUALITY_KINDS)", "parsers and merge"),
            Column("detail", "q.detail", "VARCHAR", "what was found, naming file and row",
                   "parsers and merge"),
        )),
)


def codebook(fmt: str = "parquet", counts: dict[str, int] | None = None) -> str:
    """The text of ``CODEBOOK.md`` for an export in ``fmt`` (row ``counts`` if given)."""
    lines = [
        "# comity export: codebook",
        "",
        f"Tables written by `comity export` as {fmt.upper()} files, one per table. Every "
        "column below is in its file, in this order, and no other. Dates are "
        + ("typed DATE." if fmt == "parquet" else "written YYYY-MM-DD (read them as dates: "
           "`pd.read_csv(f, parse_dates=[...])`, `readr::read_csv()` does it by itself).")
        + " Empty cells are missing values.",
        "",
        "Measures and sources are described in comity's DESIGN.md and README; `rid` joins "
        "the tables.",
    ]
    for t in TABLES:
        lines += ["", f"## {t.name}", "", f"File `{t.name}.{fmt}`. {t.description}"]
        if counts is not None and t.name in counts:
            lines[-1] += f" {counts[t.name]:,} rows."
        lines += ["", "| column | type | meaning | source |", "| --- | --- | --- | --- |"]
        for c in t.columns:
            meaning = c.meaning.replace("|", "\\|")
            lines.append(f"| `{c.name}` | {c.type} | {meaning} | {c.source} |")
    return "\n".join(lines) + "\n"


def _has_table(con: Any, name: str) -> bool:
    q = "SELECT count(*) FROM information_schema.tables WHERE table_name = ?"
    return bool(con.execute(q, [name]).fetchall()[0][0])


def export(con: Any, outdir: str | Path, fmt: str = "parquet") -> list[str]:
    """Write every table of :data:`TABLES` and ``CODEBOOK.md`` into ``outdir``; returns the
    paths written (the codebook last)."""
    if fmt not in ("parquet", "csv"):  # before anything is created
        raise StoreError(f"unknown export format {fmt!r} (expected parquet or csv)")
    out = Path(outdir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(f"cannot create the export folder {out}: {exc.strerror}") from None
    opt = ("(FORMAT parquet)" if fmt == "parquet"
           else "(HEADER, DELIMITER ',', DATEFORMAT '%Y-%m-%d')")
    written = []
    counts: dict[str, int] = {}
    for t in TABLES:
        path = out / f"{t.name}.{fmt}"
        present = t.needs is None or _has_table(con, t.needs)
        target = path.as_posix().replace("'", "''")
        try:
            got = con.execute(f"COPY ({t.select(present)}) TO '{target}' {opt}").fetchall()
        except duckdb.IOException as exc:
            raise StoreError(f"cannot write {path}: {exc}") from None
        counts[t.name] = int(got[0][0]) if got and got[0] else 0  # COPY gives the rows
        written.append(str(path))
    book = out / "CODEBOOK.md"
    try:
        book.write_text(codebook(fmt, counts), encoding="utf-8")
    except OSError as exc:
        raise StoreError(f"cannot write {book}: {exc.strerror}") from None
    written.append(str(book))
    return written
