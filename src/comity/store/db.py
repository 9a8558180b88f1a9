"""The DuckDB store: schema, transactional ingest, and the queries the shells need.

Canonical tables (names and meanings fixed by ``DESIGN.md``; other tools read them):
``resolutions``, ``votes``, ``states``, ``state_aliases``, ``memberships``, ``ingests``,
``quality``. Staging tables ``src_resolutions``, ``src_matrix`` (each source's votes as a
compressed resolutions × states matrix), ``src_issues``,
``src_quality``, ``src_council``, ``src_sponsors`` (:mod:`comity.store.sponsors`) keep every
source's own rows so that the canonical tables can be rebuilt
(:mod:`comity.ingest.merge`) whenever a file is added.

Ingest is one transaction. Every file is parsed and validated *before* the store is opened
for writing, so a file that fails leaves the store exactly as it was; a failure during the
write (or ``strict`` validation) rolls the transaction back. A file whose sha256 is already
recorded is skipped.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from comity.errors import DataFormatError, StoreError, ValidationError
from comity.ingest.download import sha256_of
from comity.ingest.sources._io import check_regular, label, size_limit
from comity.ingest.sources.base import SourceData
from comity.ingest.sources.detect import KINDS, detect_format
from comity.store.panel import Panel
from comity.store.queries import StoreQueries, range_filters

SCHEMA_VERSION = 2
PARSE_THREADS = int(os.environ.get("COMITY_PARSE_THREADS", "2"))
#: parse time per byte relative to the gzip CSVs: the SC drafts workbook (.xlsx, read cell by
#: cell) is parsed first, beside the big CSVs, so that it does not end the parse phase alone
PARSE_COST = {"sc_drafts": 2.5}
#: DuckDB's memory limit while an ingest writes (``COMITY_INGEST_MEMORY``): its buffer pool
#: otherwise keeps every written block in memory, so the peak grew with the input; beyond the
#: limit DuckDB writes blocks out (to the store, or ``<store>.tmp``). Reset after the ingest.
INGEST_MEMORY_LIMIT = os.environ.get("COMITY_INGEST_MEMORY", "256MB")

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR);
CREATE TABLE IF NOT EXISTS ingests (
    ingest_id INTEGER, part INTEGER, source VARCHAR, file VARCHAR, sha256 VARCHAR,
    rows BIGINT, "at" TIMESTAMP, verified VARCHAR);
CREATE TABLE IF NOT EXISTS src_resolutions (
    ingest_id INTEGER, kid INTEGER, source VARCHAR, key VARCHAR, body VARCHAR, session INTEGER,
    special VARCHAR, date DATE, symbol VARCHAR, title VARCHAR, agenda VARCHAR,
    subjects VARCHAR, important BOOLEAN, amend BOOLEAN, para BOOLEAN, adoption VARCHAR,
    outcome VARCHAR, yes INTEGER, no INTEGER, abstain INTEGER, non_voting INTEGER,
    link VARCHAR, draft VARCHAR, committee_report VARCHAR, meeting VARCHAR, total_ms INTEGER,
    modality VARCHAR, row BIGINT);
CREATE TABLE IF NOT EXISTS src_matrix (
    ingest_id INTEGER, n_res INTEGER, states VARCHAR[], votes BLOB, rows BLOB);
CREATE TABLE IF NOT EXISTS src_issues (
    ingest_id INTEGER, source VARCHAR, key VARCHAR, issue VARCHAR);
CREATE TABLE IF NOT EXISTS src_quality (
    ingest_id INTEGER, source VARCHAR, key VARCHAR, kind VARCHAR, detail VARCHAR);
CREATE TABLE IF NOT EXISTS src_council (
    ingest_id INTEGER, source VARCHAR, year INTEGER, state VARCHAR, row BIGINT);
CREATE TABLE IF NOT EXISTS src_sponsors (
    ingest_id INTEGER, source VARCHAR, key VARCHAR, state VARCHAR, kind VARCHAR, row BIGINT);
"""


#: columns added to tables of existing stores since they were created (name, column, type)
MIGRATIONS = (("ingests", "verified", "VARCHAR"),)
#: tables every complete store has: those of :data:`SCHEMA`, the reference tables and the
#: canonical tables the merge writes
_REQUIRED_TABLES = ("meta", "ingests", "src_resolutions", "src_matrix", "src_issues",
                    "src_quality", "src_council", "states", "state_aliases", "memberships",
                    "resolutions", "votes", "quality")


def default_db_path() -> Path:
    """``$COMITY_DB`` or ``comity.duckdb`` in the user's data directory (platformdirs)."""
    env = os.environ.get("COMITY_DB")
    if env:
        return Path(env)
    from platformdirs import user_data_dir

    return Path(user_data_dir("comity", appauthor=False)) / "comity.duckdb"


@dataclass(frozen=True)
class PlannedFile:
    kind: str
    paths: tuple[Path, ...]


VOTE_INT = {"Y": 1, "A": 2, "N": 3, "X": 8}


@dataclass(frozen=True)
class IngestReport:
    """What an ingest did: loaded files, skipped files, counts and validation summary."""

    loaded: tuple[dict, ...]
    unchanged: tuple[str, ...]
    skipped: tuple[str, ...]
    counts: dict = field(default_factory=dict)
    quality: dict = field(default_factory=dict)
    issue_match: dict = field(default_factory=dict)
    seconds: float = 0.0

    def to_dict(self) -> dict:
        return {
            "loaded": list(self.loaded), "unchanged": list(self.unchanged),
            "skipped": list(self.skipped), "counts": self.counts, "quality": self.quality,
            "issue_match": self.issue_match, "seconds": round(self.seconds, 3),
        }


FORMATS = ("auto", "voeten2016", "unvotes", "scrape", "unxml", "undl_ga", "undl_sc",
           "sc_drafts", "unsc_vetoes", "sc_membership", "supplement")


def plan_ingest(paths: Iterable[str | Path], fmt: str = "auto"
                ) -> tuple[list[PlannedFile], list[str]]:
    """Detect every file under ``paths`` by content and group/order them for ingest.

    Returns the planned loads and the skipped files (READMEs, unknown formats). A path
    with no recognised file at all is a :class:`DataFormatError`. With ``fmt`` other than
    ``auto``, every file given is read with that parser (a directory still skips files of
    other formats; ``unvotes`` takes its three tables by content).
    """
    if fmt not in FORMATS:
        raise DataFormatError(f"unknown format {fmt!r}", expected=", ".join(FORMATS))

    found: dict[str, list[Path]] = {k: [] for k in KINDS}
    skipped: list[str] = []
    for p in paths:
        p = Path(p)
        if not p.exists():
            raise DataFormatError("no such file or directory", file=label(p))
        if not p.is_dir():
            check_regular(p)  # a FIFO or a device (/dev/zero) would hang the reader
        files = sorted(q for q in p.rglob("*") if q.is_file()) if p.is_dir() else [p]
        recognised = 0
        for f in files:
            kind = detect_format(f)
            if fmt not in ("auto", "unvotes") and (not p.is_dir() or kind == fmt):
                kind = fmt
            elif fmt == "unvotes" and kind is not None and not kind.startswith("unvotes"):
                kind = None
            if kind is None:
                skipped.append(label(f))
            else:
                found[kind].append(f)
                recognised += 1
        if recognised == 0:
            raise DataFormatError(
                "no recognised voting file" + (" in this directory" if p.is_dir() else ""),
                file=label(p),
                expected="UNDL GA/SC voting CSV, UNxml JSON Lines, Voeten/unvotes CSV, "
                "the UNDL wide scrape, or a supplement CSV",
            )
    plan: list[PlannedFile] = []
    rc = found["unvotes_roll_calls"]
    vt = found["unvotes_votes"]
    iss = found["unvotes_issues"]
    if vt or rc:
        if len(vt) != 1 or len(rc) != 1:
            missing = "roll-call" if not rc else "votes" if not vt else None
            if missing:
                raise DataFormatError(
                    f"unvotes {missing} file missing: the unvotes tables are loaded together",
                    file=label((vt or rc)[0]),
                    expected="un_votes, un_roll_calls (and un_roll_call_issues) side by side")
            raise DataFormatError("several unvotes tables of the same kind given",
                                  file=", ".join(map(label, vt + rc)),
                                  expected="one un_votes and one un_roll_calls file")
        plan.append(PlannedFile("unvotes", (vt[0], rc[0], *iss[:1])))
    elif iss:
        skipped.extend(label(f) + " (issue codes need the unvotes votes and roll calls)"
                       for f in iss)
    for kind in KINDS:
        if kind.startswith("unvotes"):
            continue
        for f in found[kind]:
            plan.append(PlannedFile(kind, (f,)))
    order = {k: i for i, k in enumerate(("voeten2016", "unvotes", *KINDS))}
    plan.sort(key=lambda pf: order.get(pf.kind, 99))
    return plan, skipped


def parse_planned(pf: PlannedFile) -> SourceData:
    """Run the parser for one planned load (pure: no store involved)."""
    if pf.kind == "voeten2016":
        from comity.ingest.sources.voeten import parse_voeten2016

        return parse_voeten2016(pf.paths[0])
    if pf.kind == "unvotes":
        from comity.ingest.sources.voeten import parse_unvotes

        return parse_unvotes(*pf.paths)
    if pf.kind == "scrape":
        from comity.ingest.sources.scrape import parse_scrape

        return parse_scrape(pf.paths[0])
    if pf.kind == "unxml":
        from comity.ingest.sources.unxml import parse_unxml

        return parse_unxml(pf.paths[0])
    if pf.kind in ("undl_ga", "undl_sc"):
        from comity.ingest.sources import undl

        fn = undl.parse_undl_ga if pf.kind == "undl_ga" else undl.parse_undl_sc
        return fn(pf.paths[0])
    if pf.kind == "supplement":
        from comity.ingest.sources.supplement import parse_supplement

        return parse_supplement(pf.paths[0])
    if pf.kind == "sc_drafts":
        from comity.ingest.sources.sc_drafts import parse_sc_drafts

        return parse_sc_drafts(pf.paths[0])
    if pf.kind == "unsc_vetoes":
        from comity.ingest.sources.vetoes import parse_vetoes

        return parse_vetoes(pf.paths[0])
    if pf.kind == "sc_membership":
        from comity.ingest.sources.sc_membership import parse_sc_membership

        return parse_sc_membership(pf.paths[0])
    raise DataFormatError(f"no parser for format {pf.kind!r}", file=label(pf.paths[0]))


def _factorize(col: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """``pd.factorize`` (codes in order of first appearance), fast for categoricals: the
    categorical's integer codes are factorised instead of its values."""
    if isinstance(col.dtype, pd.CategoricalDtype):
        c_codes, c_uniq = pd.factorize(col.cat.codes.to_numpy())
        cats = np.asarray(col.cat.categories, dtype=object)
        if (c_uniq < 0).any():  # NaN is never a factor level
            keep = c_uniq >= 0
            remap = np.full(len(c_uniq), -1, dtype=np.int64)
            remap[keep] = np.arange(int(keep.sum()))
            c_codes = np.where(c_codes >= 0, remap[c_codes], -1)
            c_uniq = c_uniq[keep]
        return c_codes, cats[c_uniq]
    codes, uniq = pd.factorize(col)
    return codes, np.asarray(uniq, dtype=object)


class Store(StoreQueries):
    """A comity DuckDB store. Use as a context manager or call :meth:`close`."""

    def __init__(self, path: str | Path | None = None, *, read_only: bool = False) -> None:
        self.path = Path(path) if path is not None else default_db_path()
        self.read_only = read_only
        self._reference_written = False
        self._has_predictions: bool | None = None
        if read_only and not self.path.exists():
            raise StoreError(
                f"no comity store at {self.path}: run `comity ingest PATH` (or `comity fetch`)"
                " first, or point --db / COMITY_DB at a store")
        if not read_only:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self.con = self._connect(read_only)
        if not read_only:
            self._init_schema()
        elif self._needs_repair():
            # a store whose creation was interrupted (or made by an older comity): repaired
            # through a short writing connection, then opened read-only again
            self.con.close()
            try:
                with Store(self.path):
                    pass
            except StoreError as exc:
                self.con = self._connect(True)
                if self._missing_tables():
                    raise StoreError(f"store {label(self.path)} is incomplete (its creation "
                                     f"was interrupted) and cannot be repaired: {exc}") from None
            else:
                self.con = self._connect(True)

    def _connect(self, read_only: bool) -> duckdb.DuckDBPyConnection:
        try:
            return duckdb.connect(str(self.path), read_only=read_only)
        except duckdb.Error as exc:
            raise StoreError(f"cannot open store {label(self.path)}: "
                             f"{str(exc).splitlines()[0]}") from None

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.con.close()

    # -- schema --------------------------------------------------------------------------
    def _init_schema(self) -> None:
        if self._has_table("meta"):
            got = self.con.execute(
                "SELECT value FROM meta WHERE key = 'schema_version'").fetchall()
            if got and got[0][0] != str(SCHEMA_VERSION):
                raise StoreError(
                    f"store {self.path} has schema version {got[0][0]}, this comity writes "
                    f"version {SCHEMA_VERSION}: ingest into a new store (--db NEW.duckdb) "
                    "or delete the old file")
        if not self._needs_repair():
            return
        # one transaction: a store whose creation is interrupted holds nothing, and a store
        # left half-made by an older comity is completed here
        self.con.execute("BEGIN TRANSACTION")
        try:
            self.con.execute(SCHEMA)
            self._migrate()
            self.con.execute("INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)",
                             [str(SCHEMA_VERSION)])
            if not self._has_table("resolutions"):
                self._write_reference_tables()
                from comity.ingest.merge import rebuild

                rebuild(self.con)
                self._reference_written = True
            self.con.execute("COMMIT")
        except BaseException as exc:
            self._reference_written = False
            self._rollback()
            if isinstance(exc, duckdb.Error):
                raise StoreError(f"cannot create the store {label(self.path)}: "
                                 f"{str(exc).splitlines()[0]}") from exc
            raise

    def _missing_tables(self) -> list[str]:
        have = {r[0] for r in self.con.execute(
            "SELECT table_name FROM information_schema.tables").fetchall()}
        return [t for t in _REQUIRED_TABLES if t not in have]

    def _needs_repair(self) -> bool:
        """Is a table, a migrated column or the schema version missing?"""
        if self._missing_tables():
            return True
        cols = {(r[0], r[1]) for r in self.con.execute(
            "SELECT table_name, column_name FROM information_schema.columns").fetchall()}
        if any((t, c) not in cols for t, c, _ in MIGRATIONS):
            return True
        return not self.con.execute(
            "SELECT count(*) FROM meta WHERE key = 'schema_version'").fetchall()[0][0]

    def _migrate(self) -> None:
        for table, col, typ in MIGRATIONS:
            self.con.execute(f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS {col} {typ}")

    def _rollback(self) -> None:
        """ROLLBACK, when a transaction is still open: after a failed COMMIT (a full disk)
        DuckDB has ended it already, and the ROLLBACK's own error ("no transaction is
        active") would hide the first cause."""
        with contextlib.suppress(duckdb.Error):
            self.con.execute("ROLLBACK")

    def _has_table(self, name: str) -> bool:
        q = "SELECT count(*) FROM information_schema.tables WHERE table_name = ?"
        return bool(self.con.execute(q, [name]).fetchall()[0][0])

    def _write_reference_tables(self) -> None:
        from comity.world import states as st

        s = st.states_table()
        a = st.aliases_table()
        m = st.memberships_table()
        for name, df in (("states_df", s), ("aliases_df", a), ("members_df", m)):
            self.con.register(name, df)
        self.con.execute("""
            CREATE OR REPLACE TABLE states AS
            SELECT code, name, CAST(member_from AS DATE) AS member_from,
                   CAST(member_to AS DATE) AS member_to, predecessor
            FROM states_df""")
        self.con.execute("""
            CREATE OR REPLACE TABLE state_aliases AS
            SELECT spelling, kind, code, CAST(valid_from AS DATE) AS valid_from,
                   CAST(valid_to AS DATE) AS valid_to FROM aliases_df""")
        self.con.execute("""
            CREATE OR REPLACE TABLE memberships AS
            SELECT code, CAST(start AS DATE) AS start, CAST("end" AS DATE) AS "end", kind, note
            FROM members_df""")
        for name in ("states_df", "aliases_df", "members_df"):
            self.con.unregister(name)

    # -- ingest --------------------------------------------------------------------------
    def known_sha256(self) -> set[str]:
        return {r[0] for r in self.con.execute("SELECT sha256 FROM ingests").fetchall()}

    def ingest(
        self,
        paths: Sequence[str | Path],
        *,
        strict: bool = False,
        fmt: str = "auto",
        progress: Callable[[str, int, int], None] | None = None,
        max_size: int | None = None,
        verified: dict[str, str] | None = None,
    ) -> IngestReport:
        """Load every recognised file under ``paths`` in one transaction.

        ``fmt``: ``auto`` (detect each file by content) or one of :data:`FORMATS`.
        ``max_size``: bytes a file may hold once decompressed (default
        :data:`comity.ingest.sources._io.DEFAULT_MAX_SIZE`, 2 GB); a bigger one is refused.
        ``verified``: how each file (by :func:`~comity.ingest.sources._io.label`) was checked
        when it was downloaded (``sha256``, ``md5``, ``unverified``: ``comity fetch`` says);
        other files are ``sha256`` when their checksum is one the release table records,
        else ``unverified``. Kept in the ``ingests`` row (column ``verified``).
        """
        with size_limit(max_size):
            return self._ingest(paths, strict=strict, fmt=fmt, progress=progress,
                                verified=verified or {})

    def _ingest(self, paths: Sequence[str | Path], *, strict: bool, fmt: str,
                progress: Callable[[str, int, int], None] | None,
                verified: dict[str, str]) -> IngestReport:
        import time

        if self.read_only:
            raise StoreError("store opened read-only")
        t0 = time.perf_counter()
        plan, skipped = plan_ingest(paths, fmt)
        known = self.known_sha256()
        todo: list[tuple[PlannedFile, list[str]]] = []
        unchanged: list[str] = []
        for pf in plan:
            # a store that holds no file yet has nothing to skip: its files are hashed while
            # they are parsed (below), not before
            shas = [sha256_of(p) for p in pf.paths] if known else []
            if known and all(s in known for s in shas):
                unchanged.extend(label(p) for p in pf.paths)
            else:
                todo.append((pf, shas))
        from comity.ingest.download import known_checksums

        recorded = known_checksums()
        if not todo:
            return IngestReport(loaded=(), unchanged=tuple(unchanged), skipped=tuple(skipped),
                                counts=self.counts(), quality=self.quality_summary(),
                                seconds=time.perf_counter() - t0)
        loaded: list[dict] = []
        con = self.con
        # files are parsed in two threads (Arrow, NumPy and DuckDB release the GIL) while the
        # main thread stages each parsed file, in plan order, inside the one transaction
        from concurrent.futures import ThreadPoolExecutor

        workers = max(1, min(PARSE_THREADS, len(todo)))
        ex = ThreadPoolExecutor(workers)
        con.execute("BEGIN TRANSACTION")
        try:
            # set inside the try: whatever happens next, the finally below resets it
            con.execute(f"SET memory_limit = '{INGEST_MEMORY_LIMIT}'")
            # the biggest files are parsed first (they bound the wall time); staging still
            # follows the plan's order
            futures: list[Any] = [None] * len(todo)
            by_size = sorted(range(len(todo)), key=lambda i: -PARSE_COST.get(
                todo[i][0].kind, 1.0) * sum(Path(p).stat().st_size for p in todo[i][0].paths))
            for i in by_size:
                futures[i] = ex.submit(parse_planned, todo[i][0])
            todo = [(pf, shas or [sha256_of(p) for p in pf.paths]) for pf, shas in todo]
            if not self._reference_written:  # a new store has them from __init__
                self._write_reference_tables()
            # file names already loaded per source: a new version of one replaces it
            earlier: dict[tuple[str, str], list[int]] = {}
            for src_name, fname, old_id in con.execute(
                    "SELECT DISTINCT source, regexp_extract(file, '[^/\\\\]+$'), ingest_id "
                    "FROM ingests WHERE part = 0").fetchall():
                earlier.setdefault((src_name, fname), []).append(int(old_id))
            next_id = con.execute(
                "SELECT coalesce(max(ingest_id), 0) + 1 FROM ingests").fetchall()[0][0]
            now = datetime.now(UTC).replace(tzinfo=None)
            pending: list[pd.DataFrame] = []
            for i, ((pf, shas), fut) in enumerate(zip(todo, futures, strict=True)):
                if progress:
                    progress(f"parse {Path(pf.paths[0]).name}", i, len(todo) + 1)
                sd = fut.result()
                iid = int(next_id)
                next_id += 1
                self._supersede(earlier.get((sd.source, Path(pf.paths[0]).name), []))
                self._stage(iid, sd, pending)
                for part, (p, sha) in enumerate(zip(pf.paths, shas, strict=True)):
                    rows = sd.rows_read if part == 0 else None
                    how = verified.get(label(p)) or ("sha256" if sha in recorded
                                                     else "unverified")
                    con.execute(
                        "INSERT INTO ingests (ingest_id, part, source, file, sha256, rows, "
                        '"at", verified) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
                        [iid, part, sd.source, label(p), sha, rows, now, how])
                loaded.append({"source": sd.source, "files": [label(p) for p in pf.paths],
                               "resolutions": len(sd.resolutions), "votes": len(sd.votes),
                               "rows": sd.rows_read})
                futures[i] = None  # free the parsed rows
                del sd
            ex.shutdown()
            self._stage_resolutions(pending)
            if progress:
                progress("write and merge", len(todo), len(todo) + 1)
            from comity.ingest.merge import rebuild

            rebuild(con)
            summary = self.quality_summary()
            if strict and summary.get("tally_mismatch", 0):
                raise ValidationError(
                    f"--strict: {summary['tally_mismatch']} resolution(s) whose counted "
                    "votes do not match the totals their source records; nothing was "
                    "written (see `comity check` after a non-strict ingest)")
            con.execute("COMMIT")
        except BaseException as exc:
            ex.shutdown(wait=True, cancel_futures=True)
            self._rollback()
            if isinstance(exc, duckdb.Error):  # e.g. a full disk: the first cause, one line
                raise StoreError(f"cannot write to the store {label(self.path)}: "
                                 f"{str(exc).splitlines()[0]}; nothing was written") from exc
            raise
        finally:
            with contextlib.suppress(duckdb.Error):
                con.execute("RESET memory_limit")
        if progress:
            progress("done", len(todo) + 1, len(todo) + 1)
        return IngestReport(
            loaded=tuple(loaded), unchanged=tuple(unchanged), skipped=tuple(skipped),
            counts=self.counts(), quality=summary, issue_match=self.issue_match(),
            seconds=time.perf_counter() - t0)

    def _supersede(self, ingest_ids: list[int]) -> None:
        """A new version of a file already loaded (same source, same file name) replaces
        it: the staged rows of its earlier ingests go."""
        for iid in ingest_ids:
            for t in ("src_resolutions", "src_matrix", "src_issues", "src_quality",
                      "src_council", "src_sponsors"):
                self.con.execute(f"DELETE FROM {t} WHERE ingest_id = ?", [iid])

    def _stage(self, iid: int, sd: SourceData, pending: list[pd.DataFrame]) -> None:
        """Write one parsed source into the staging tables (integer-coded votes); its
        resolution rows are appended to ``pending`` (:meth:`_stage_resolutions` writes them
        all at once)."""
        import pyarrow as pa

        con = self.con
        r = sd.resolutions.copy()
        r.insert(0, "source", sd.source)
        r.insert(0, "kid", np.arange(len(r), dtype=np.int32))
        r.insert(0, "ingest_id", iid)
        r["date"] = r["date"].dt.date
        pending.append(r)
        v = sd.votes
        keys = pd.Index(r["key"])
        kcol = v["key"]
        if isinstance(kcol.dtype, pd.CategoricalDtype) and kcol.cat.categories.equals(keys):
            kid = kcol.cat.codes.to_numpy()
        else:
            kid = keys.get_indexer(kcol.astype(str))
        if (kid < 0).any():
            raise DataFormatError(f"vote rows refer to a resolution key not in the file "
                                  f"({kcol[kid < 0].iloc[0]!r})", file=sd.file)
        s_codes, s_uniq = _factorize(v["state"])
        vcol = v["vote"]
        if isinstance(vcol.dtype, pd.CategoricalDtype):  # no need to factorise 4 letters
            v_codes, v_uniq = vcol.cat.codes.to_numpy(), list(vcol.cat.categories)
        else:
            v_codes, v_uniq = _factorize(vcol)
        lut = np.array([VOTE_INT.get(str(x), 0) for x in v_uniq] + [0], dtype=np.int8)
        votes = np.zeros((len(r), len(s_uniq)), dtype=np.int8)
        rows = np.zeros((len(r), len(s_uniq)), dtype=np.int32)
        flat = kid.astype(np.int64) * len(s_uniq) + s_codes
        votes.ravel()[flat] = lut[v_codes]
        rows.ravel()[flat] = v["row"].to_numpy(dtype=np.int32)
        from comity.ingest.merge import pack_matrix

        con.execute("INSERT INTO src_matrix VALUES (?, ?, ?, ?, ?)",
                    [iid, len(r), [str(x) for x in s_uniq], pack_matrix(votes),
                     pack_matrix(rows)])
        if len(sd.issues):
            con.register("i_df", pa.Table.from_pandas(sd.issues.astype(str),
                                                      preserve_index=False))
            con.execute(f"INSERT INTO src_issues SELECT {iid}, '{sd.source}', key, issue "
                        "FROM i_df")
            con.unregister("i_df")
        if len(sd.council):
            con.register("c_df", sd.council[["year", "state", "row"]].astype(
                {"year": "int64", "state": object, "row": "int64"}))
            con.execute(f"INSERT INTO src_council SELECT {iid}, '{sd.source}', year, state, row "
                        "FROM c_df")
            con.unregister("c_df")
        from comity.store.sponsors import stage_sponsors

        stage_sponsors(con, iid, sd)
        if len(sd.quality):
            q = sd.quality.astype({"key": object, "kind": object, "detail": object})
            con.register("q_df", q)
            con.execute(f"INSERT INTO src_quality SELECT {iid}, '{sd.source}', key, kind, "
                        "detail FROM q_df")
            con.unregister("q_df")

    def _stage_resolutions(self, pending: list[pd.DataFrame]) -> None:
        """The resolution rows of every staged file, in one insert."""
        import pyarrow as pa

        if not pending:
            return
        # object columns: the files' nullable dtypes differ; Arrow infers one type per column
        r = pd.concat([f.astype(object) for f in pending], ignore_index=True)
        self.con.register("r_df", pa.Table.from_pandas(r, preserve_index=False))
        self.con.execute("INSERT INTO src_resolutions BY NAME SELECT * FROM r_df")
        self.con.unregister("r_df")

    def source_vote_counts(self) -> dict[str, int]:
        """Vote rows held by each staged source (as parsed, before merging)."""
        from comity.ingest.merge import load_staged

        staged, _ = load_staged(self.con)
        out: dict[str, int] = {}
        for stg in staged:
            out[stg.source] = out.get(stg.source, 0) + int((stg.votes != 0).sum())
        return out

    # -- summaries -----------------------------------------------------------------------
    def counts(self) -> dict:
        c = self.con
        return {
            "resolutions": c.sql("SELECT count(*) FROM resolutions").fetchall()[0][0],
            "recorded": c.sql(
                "SELECT count(*) FROM resolutions WHERE adoption='recorded'").fetchall()[0][0],
            "votes": c.sql("SELECT count(*) FROM votes").fetchall()[0][0],
            "states": c.sql("SELECT count(DISTINCT state) FROM votes").fetchall()[0][0],
        }

    def quality_summary(self) -> dict:
        rows = self.con.sql("SELECT kind, count(*) FROM quality GROUP BY kind ORDER BY kind")
        return {k: int(n) for k, n in rows.fetchall()}

    def issue_match(self) -> dict:
        """How many of Voeten's coded roll calls attach to a stored recorded vote."""
        row = self.con.sql("""
            SELECT count(DISTINCT key),
                   (SELECT count(*) FROM resolutions WHERE len(issues) > 0)
            FROM src_issues""").fetchall()[0]
        return {"coded_roll_calls": int(row[0]), "resolutions_with_issues": int(row[1])}

    def info(self) -> dict:
        c = self.con
        bodies = c.sql("""
            SELECT body, count(*) AS resolutions,
                   count(*) FILTER (adoption = 'recorded') AS recorded,
                   strftime(min(date), '%Y-%m-%d') AS first,
                   strftime(max(date), '%Y-%m-%d') AS last,
                   min(session) AS first_session, max(session) AS last_session,
                   count(*) FILTER (outcome IN ('vetoed', 'failed')) AS not_adopted
            FROM resolutions GROUP BY body ORDER BY body""").df()
        per_source = c.sql("""
            SELECT source, count(*) AS resolutions FROM src_resolutions
            GROUP BY source ORDER BY source""").df()
        vc = self.source_vote_counts()
        per_source["votes"] = per_source["source"].map(vc).fillna(0).astype(int)
        has_verified = bool(c.execute(
            "SELECT count(*) FROM information_schema.columns WHERE table_name = 'ingests' "
            "AND column_name = 'verified'").fetchall()[0][0])
        ingests = c.sql(f"""
            SELECT source, file, sha256, CAST(rows AS BIGINT) AS rows,
                   strftime("at", '%Y-%m-%d %H:%M:%S') AS "at",
                   {'verified' if has_verified else 'NULL::VARCHAR AS verified'} FROM ingests
            ORDER BY "at" DESC, ingest_id DESC, part LIMIT 20""").df()
        return {
            "db": str(self.path),
            "counts": self.counts(),
            "bodies": _records(bodies),
            "sources": _records(per_source),
            "quality": self.quality_summary(),
            "ingests": _records(ingests),
            "missing": _records(self.missing()),
        }

    # -- queries -------------------------------------------------------------------------
    def query(self, sql: str, params: list | None = None) -> pd.DataFrame:
        return self.con.execute(sql, params or []).df()

    def export(self, outdir: str | Path, fmt: str = "parquet") -> list[str]:
        """Write tidy tables for R/pandas/polars and their ``CODEBOOK.md``
        (:func:`comity.store.export.export`)."""
        from comity.store.export import export

        return export(self.con, outdir, fmt)

    # -- panel ---------------------------------------------------------------------------
    def _issues_view(self, predicted: bool = True) -> str:
        """:func:`issues_view` of this store; a read-only store cannot change under us, so
        it is asked once whether predictions are stored."""
        if not predicted:
            return issues_view(None)
        has = self._has_predictions if self.read_only else None
        if has is None:
            has = self._has_table("issue_predictions")
            self._has_predictions = has
        return issues_view(self.con if has else None)

    def panel(
        self,
        *,
        body: str = "GA",
        start: str | None = None,
        end: str | None = None,
        session: int | Sequence[int] | None = None,
        issue: str | None = None,
        important: bool | None = None,
        search: str | None = None,
        topic: Sequence[str] | None = None,
        states: Sequence[str] | None = None,
        strict: bool = False,
        include_amendments: bool = True,
        predicted_issues: bool = True,
    ) -> Panel:
        """The vote matrix for a query (one SQL query, one vectorised scatter).

        ``issue`` slices by Voeten's codes and, where he has not coded a resolution (the
        newest sessions), by the classifier's stored predictions (``comity issues predict``;
        column ``issues_predicted`` of the result's resolutions) unless ``predicted_issues``
        is False. ``topic``: keywords (any of them) in the title, agenda item or subjects
        (:mod:`comity.world.topics`)."""
        from comity.world import states as st

        where, params = range_filters(body, start, end)
        where.insert(0, "r.adoption = 'recorded'")
        if session is not None:
            ss = [session] if isinstance(session, int) else list(session)
            where.append(f"r.session IN ({','.join('?' * len(ss))})")
            params += [int(x) for x in ss]
        if issue:
            where.append("list_contains(r.issues, ?)")
            params.append(issue)
        if important is not None:
            where.append("coalesce(r.important, false) = ?")
            params.append(bool(important))
        if search:
            where.append("(r.title ILIKE ? OR r.symbol ILIKE ?)")
            params += [f"%{search}%"] * 2
        if topic:
            ors = []
            for word in topic:
                ors.append("(r.title ILIKE ? OR r.agenda ILIKE ? OR r.subjects ILIKE ?)")
                params += [f"%{word}%"] * 3
            where.append("(" + " OR ".join(ors) + ")")
        if not include_amendments:
            where.append("NOT r.amend AND NOT r.para")
        w = " AND ".join(where)
        src = self._issues_view(predicted_issues)
        res = self.con.execute(
            f"SELECT r.rid, r.body, r.session, r.date, r.symbol, r.title, r.issues, "
            f"r.important, r.amend, r.para, r.outcome, r.recurring_key, r.yes, r.no, r.abstain, "
            f"r.non_voting, r.link, r.issues_predicted FROM {src} r WHERE {w} "
            f"ORDER BY r.date, r.rid", params).df()
        # which stored codes feed which panel row
        if states is None:
            codes = sorted(
                c for (c,) in self.con.execute(
                    f"SELECT DISTINCT v.state FROM votes v JOIN {src} r USING (rid) "
                    f"WHERE {w}", params).fetchall())
            mapping = pd.DataFrame({"stored": codes, "state": codes, "start": pd.NaT,
                                    "end": pd.NaT, "flag": False})
            rows = list(codes)
        else:
            rows = list(states)
            parts = []
            for code in rows:
                chain = [(code, None, None)] if strict else st.lineage(code)
                for stored, s0, s1 in chain:
                    parts.append({"stored": stored, "state": code, "start": s0, "end": s1,
                                  "flag": stored != code})
            mapping = pd.DataFrame(parts)
        mapping["start"] = pd.to_datetime(mapping["start"])
        mapping["end"] = pd.to_datetime(mapping["end"])
        mapping["pos"] = pd.Index(rows).get_indexer(mapping["state"]).astype(np.int32)
        res_idx = pd.DataFrame({"rid": res["rid"].astype(str),
                                "rpos": np.arange(len(res), dtype=np.int32),
                                "rdate": pd.to_datetime(res["date"])})
        self.con.register("map_df", mapping)
        self.con.register("res_idx", res_idx)
        try:
            cells = self.con.execute(
                """SELECT m.pos, x.rpos,
                          CASE v.vote WHEN 'Y' THEN 1 WHEN 'A' THEN 2 WHEN 'N' THEN 3
                               ELSE 8 END AS code,
                          v.inferred, m.flag
                FROM votes v JOIN res_idx x ON x.rid = v.rid
                JOIN map_df m ON m.stored = v.state
                  AND (m.start IS NULL OR x.rdate >= m.start)
                  AND (m."end" IS NULL OR x.rdate < m."end")""").fetchnumpy()
        finally:
            self.con.unregister("map_df")
            self.con.unregister("res_idx")
        shape = (len(rows), len(res))
        mat = np.full(shape, 9, dtype=np.int8)
        inferred = np.zeros(shape, dtype=bool)
        flagged = np.zeros(shape, dtype=bool)
        si, ri = np.asarray(cells["pos"]), np.asarray(cells["rpos"])
        mat[si, ri] = np.asarray(cells["code"], dtype=np.int8)
        inferred[si, ri] = np.asarray(cells["inferred"], dtype=bool)
        flagged[si, ri] = np.asarray(cells["flag"], dtype=bool)
        return Panel(votes=mat, states=tuple(rows), resolutions=res.reset_index(drop=True),
                     inferred=inferred, flagged=flagged)


_STORED_ISSUES = "(SELECT *, false AS issues_predicted FROM resolutions)"


def issues_view(con: Any) -> str:
    """SQL for ``resolutions`` with ``issues`` completed by the classifier's stored
    predictions (table ``issue_predictions``, written by ``comity issues predict``) and a
    flag ``issues_predicted``: the one rule for where predictions apply. A resolution in
    Voeten's data keeps his codes (even none); the others take their predicted issues.
    Without predictions (or ``con`` None), the table as stored."""
    if con is None or not con.execute(
            "SELECT count(*) FROM information_schema.tables "
            "WHERE table_name = 'issue_predictions'").fetchall()[0][0]:
        return _STORED_ISSUES
    return """(
        SELECT r.* REPLACE (CASE WHEN p.issues IS NULL THEN r.issues
                                 ELSE p.issues END AS issues),
               p.issues IS NOT NULL AS issues_predicted
        FROM resolutions r LEFT JOIN (
            SELECT rid, list_sort(list(issue)) AS issues FROM issue_predictions
            WHERE predicted GROUP BY rid) p
          ON p.rid = r.rid AND len(r.issues) = 0
             AND NOT (r.body = 'GA' AND list_has_any(r.sources, ['unvotes', 'voeten2016']))
    )"""


def _records(df: pd.DataFrame) -> list[dict]:
    out = df.copy()
    for c in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[c]) or out[c].dtype == object:
            out[c] = out[c].map(lambda x: None if x is None or (isinstance(x, float)
                                and np.isnan(x)) else str(x))
    return out.to_dict(orient="records")
