"""Benchmark ``comity ingest``: the staged folder, then a synthetic full-size official GA file.

    python bench/ingest.py [DATA_DIR] [--rows 958421] [--scales 1,2,4] [--repeat N]
                           [--workdir DIR] [--keep] [--db STORE] [--seed S] [--parts staged,full]

Two JSON lines go to stdout (progress and details go to stderr): the staged-folder line
FIRST, the full-size line LAST (the last line is what tooling reads).

1. Staged folder (``{"bench": "ingest_staged", ...}``): ``comity --db X ingest DATA_DIR`` as the
   CLI runs it, i.e. including the issue predictions that the CLI makes after loading (the
   ``comity.cli.app`` command is invoked in-process, with its imports done before the clock
   starts), against ``pandas.read_csv`` of every staged ``*.csv.gz`` (``low_memory=False``).
   ``read_floor_seconds`` is the time merely to read every staged file (CSV with
   ``pyarrow.csv``, JSON lines with ``json``) in two threads, a lower bound for any ingest
   that must look at every row. ``ratio_vs_pandas`` = pandas seconds / comity seconds;
   ``predict_seconds`` = the CLI's time outside ``Store.ingest`` (predictions, mostly).

2. Full size (``{"bench": "ingest", ...}``): a synthetic official UN Digital Library GA voting
   file (record 4060887, version 5: all 20 columns in the order of
   ``shared/data/formats/undl_ga_voting_v5_description.md``) of ``--rows`` rows is written
   under ``--workdir`` (default: a temporary directory; deleted at the end unless
   ``--keep``; never commit it). Each of these then runs in its own fresh process:
   ``comity ingest`` of the file into a new store (the CLI command, as above: with
   ``--predict``, which finds nothing to learn from in a store that holds only this file and
   is skipped), ``pandas.read_csv(low_memory=False)`` (types inferred, as in part 1),
   ``polars.read_csv(infer_schema=False)`` and DuckDB ``CREATE TABLE t AS SELECT * FROM
   read_csv(file, all_varchar=true)`` into a new on-disk database. Polars and DuckDB read
   every column as text, which is what comity's parser does (it validates the text itself),
   and is their fastest read; their default type sniffing fails on this file anyway
   (``session`` holds ``S-8``/``ES-11`` past the sample). Then ``comity ingest`` of the 2x
   and 4x files (``--scales``), which hold more records (new undl_ids and symbols), not
   repeated rows.
   Keys: ``comity``/``pandas``/``polars``/``duckdb_read``/``comity_2x``/``comity_4x`` each
   ``{"seconds", "peak_mib"}``; ``ratio_vs_pandas`` = pandas s / comity s;
   ``ratio_vs_duckdb_read`` = DuckDB read s / comity s; ``peak_growth_4x`` = comity peak at
   4x / peak at 1x; ``targets`` says which of issue 20's targets the figures meet.

Timing: each measured call runs in a new ``python -c`` process; its imports (pandas, polars,
duckdb, comity's modules that the command would import lazily) happen before the clock starts
and are not timed. Seconds are the best of ``--repeat`` runs. Peak memory is the child's
own peak RSS (``VmHWM`` from ``/proc/self/status``; ``ru_maxrss`` of a subprocess on Linux
carries the spawning process's peak over exec, see ``_PEAK``), so it includes the
interpreter and its imports (``import_mib``: the peak after the imports alone); the max
over the repeats.

The synthetic file is made from a comity store (``--db``, or the store the staged part just
built, or one built from DATA_DIR): every GA resolution adopted by recorded vote that has a
symbol and is not an amendment/paragraph vote (5,816 resolutions, 958,427 rows for the
staged data), in date order, one row per state in the store's vote table (``ms_code`` =
the store's ISO 3166 alpha-3 code, ``ms_name`` = the state's name upper-cased, ``ms_vote``
Y/N/A/X), truncated to ``--rows`` rows (the last record loses a few states; its totals are
counted from the rows written, so they always agree, and the store infers the absence of
the states cut off, which were members that day: the counts check allows for them). Symbols
are written in the Library's ``A/RES/`` form (the research data's ``SS/1/59`` style gets the
prefix; a ``MISSING_DATA`` placeholder leaves its record out). Beyond one pass, resolutions are
repeated with new undl_ids and symbols (resolution number + 1000*k, or + 10000*k for
``A/RES/377(V)``-style symbols). Every record-level field is repeated on each row, as in
the real file. Title, agenda and subjects come from the store where it has them (titles get
the Library's `` : resolution / adopted by the General Assembly`` tail), else from a seeded
draw of the store's own strings; ``draft``, ``committee_report`` and ``meeting`` are
generated in the Library's symbol forms with the description's share of empty cells
(draft 46 %, committee_report 20 %, agenda 1.3 %, subjects 25 % empty; ``vote_note`` on about
1 row in 2,600); ``undl_link`` is ``https://digitallibrary.un.org/record/<undl_id>``.
The description does not specify the byte format; this file is UTF-8 with a BOM, CRLF line
ends, quotes only where needed, dates ``YYYY-MM-DD``, ``subjects`` joined with ``|`` (as
comity's fixtures of the format, ``tests/fixtures/undl``). Everything is deterministic for a
given ``--seed`` and store. It is written by DuckDB ``COPY ... TO`` (no Python loop over
rows), and the counts ``comity ingest`` reports are checked against what was written.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

DEFAULT_DATA = os.environ.get("COMITY_TEST_DATA",
                              str(Path(__file__).resolve().parents[1] / ".." / "shared" / "data"))

# Peak resident set size of this process in MiB: VmHWM, the high-water mark of the process's
# own memory map. ``getrusage(RUSAGE_SELF).ru_maxrss`` is no good in a child started by
# ``subprocess`` on Linux: execve folds the spawning process's peak into it (with vfork the
# child shares the parent's memory map until exec), so every child would report the bench's
# own peak (e.g. the generator's). ru_maxrss is the fallback where /proc is missing.
_PEAK = ("import resource\n"
         "def peak():\n"
         "    try:\n"
         "        with open('/proc/self/status') as fh:\n"
         "            for line in fh:\n"
         "                if line.startswith('VmHWM:'):\n"
         "                    return int(line.split()[1]) / 1024\n"
         "    except OSError:\n"
         "        pass\n"
         "    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024\n")

PANDAS_STAGED = _PEAK + r"""
import sys, time, json, glob
import pandas as pd
files = sorted(glob.glob(sys.argv[1] + '/*.csv.gz'))
imp = peak()
t = time.perf_counter()
for f in files:
    pd.read_csv(f, low_memory=False)
dt = time.perf_counter() - t
print(json.dumps({"seconds": dt, "files": len(files), "peak_mib": peak(), "import_mib": imp}))
"""

FLOOR = r"""
import sys, time, json, glob, gzip, os
from concurrent.futures import ThreadPoolExecutor
import pyarrow.csv as pc
d = sys.argv[1]
files = sorted(glob.glob(d + '/*.csv.gz') + glob.glob(d + '/*/*.json.gz'),
               key=lambda f: -os.path.getsize(f))
def read(f):
    if f.endswith('.csv.gz'):
        return pc.read_csv(f).num_rows
    return len([json.loads(x) for x in gzip.open(f).read().splitlines() if x.strip()])
t = time.perf_counter()
with ThreadPoolExecutor(2) as ex:
    list(ex.map(read, files))
print(json.dumps({"seconds": time.perf_counter() - t, "files": len(files)}))
"""

# `comity --db DB ingest PATH --json [--max-size ...]`, the CLI command run in-process so that
# the imports it would make lazily are done before the clock starts.
COMITY_CLI = _PEAK + r"""
import sys, time, json, io, contextlib
import rich.progress
from comity.cli.app import app as cli_app
import comity.cli.shifts, comity.analysis.issuecoding, comity.store.db, comity.ingest.merge
import comity.world.states, comity.world.blocs
for m in ("voeten", "scrape", "unxml", "undl", "sc_drafts", "sc_membership", "vetoes",
          "supplement"):
    __import__("comity.ingest.sources." + m)
path, db = sys.argv[1], sys.argv[2]
imp = peak()
buf = io.StringIO()
t = time.perf_counter()
with contextlib.redirect_stdout(buf):
    cli_app(["--db", db, "ingest", path, "--json", "--max-size", "64GB"],
            standalone_mode=False)
dt = time.perf_counter() - t
rep = json.loads(buf.getvalue().strip().splitlines()[-1])
print(json.dumps({"seconds": dt, "peak_mib": peak(), "import_mib": imp,
                  "store_ingest_seconds": rep.get("seconds"), "counts": rep.get("counts"),
                  "loaded": [{k: x[k] for k in ("source", "resolutions", "votes", "rows")}
                             for x in rep.get("loaded", [])],
                  "quality": rep.get("quality"),
                  "issue_predictions": rep.get("issue_predictions"),
                  "issue_predictions_skipped": rep.get("issue_predictions_skipped")}))
"""

PANDAS_FILE = _PEAK + r"""
import sys, time, json
import pandas as pd
imp = peak()
t = time.perf_counter()
df = pd.read_csv(sys.argv[1], low_memory=False)
dt = time.perf_counter() - t
print(json.dumps({"seconds": dt, "rows": len(df), "peak_mib": peak(), "import_mib": imp}))
"""

POLARS_FILE = _PEAK + r"""
import sys, time, json
import polars as pl
imp = peak()
t = time.perf_counter()
df = pl.read_csv(sys.argv[1], infer_schema=False)
dt = time.perf_counter() - t
print(json.dumps({"seconds": dt, "rows": df.height, "peak_mib": peak(), "import_mib": imp}))
"""

DUCKDB_FILE = _PEAK + r"""
import sys, time, json
import duckdb
imp = peak()
t = time.perf_counter()
con = duckdb.connect(sys.argv[2])
con.execute("CREATE TABLE t AS SELECT * FROM read_csv(?, all_varchar = true)",
            [sys.argv[1]])
n = con.execute("SELECT count(*) FROM t").fetchone()[0]
con.close()
dt = time.perf_counter() - t
print(json.dumps({"seconds": dt, "rows": n, "peak_mib": peak(), "import_mib": imp}))
"""


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def run(code: str, *args: str) -> dict:
    out = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                         check=False, env={**os.environ})
    if out.returncode != 0:
        sys.stderr.write(out.stderr)
        raise SystemExit(f"benchmark child failed ({out.returncode}): {args}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def best(code: str, args: list[str], repeat: int, fresh: Path | None = None) -> dict:
    """Best seconds of ``repeat`` runs (max peak); ``fresh``: a path removed before each run
    (the store a run writes), and after the last."""
    runs = []
    for _ in range(repeat):
        if fresh is not None:
            _rm_db(fresh)
        runs.append(run(code, *args))
    if fresh is not None:
        _rm_db(fresh)
    out = dict(min(runs, key=lambda r: r["seconds"]))
    out["peak_mib"] = max(r["peak_mib"] for r in runs)
    return out


def _rm_db(p: Path) -> None:
    for q in (p, Path(str(p) + ".wal"), Path(str(p) + ".issues.npz")):
        if q.exists():
            q.unlink()


def r3(x: float | None) -> float | None:
    return None if x is None else round(x, 3)


# --------------------------------------------------------------------------------------
# the synthetic official GA file

GA_HEADER = ["undl_id", "ms_code", "ms_name", "ms_vote", "date", "session", "resolution",
             "draft", "committee_report", "meeting", "title", "agenda_title", "subjects",
             "vote_note", "total_yes", "total_no", "total_abstentions", "total_non_voting",
             "total_ms", "undl_link"]

_BASE_WHERE = """
r.body = 'GA' AND r.outcome = 'adopted' AND r.adoption = 'recorded'
AND r.symbol IS NOT NULL AND NOT coalesce(r.amend, false) AND NOT coalesce(r.para, false)
"""

# The votes of those resolutions, one row per state as the UNDL parser will resolve it: a
# code means the entity in the seat on the date (``CHN`` before 1971-10-25 is ``TWN``), so a
# resolution on which the store has both (a merge artefact) keeps the row of the code itself.
_VOTES_SQL = f"""
CREATE TEMP TABLE vv AS
WITH v AS (
    SELECT v.rid, v.state, v.vote, r.date FROM src.votes v JOIN src.resolutions r USING (rid)
    WHERE {_BASE_WHERE}),
m AS (
    SELECT v.rid, v.state, v.vote, a.code AS seat FROM v JOIN src.state_aliases a
      ON a.kind = 'iso3' AND a.spelling = v.state
     AND (a.valid_from IS NULL OR v.date >= a.valid_from)
     AND (a.valid_to IS NULL OR v.date < a.valid_to)
    QUALIFY row_number() OVER (PARTITION BY v.rid, v.state
                               ORDER BY (a.valid_from IS NULL AND a.valid_to IS NULL)) = 1),
d AS (
    SELECT * FROM m
    QUALIFY row_number() OVER (PARTITION BY rid, seat ORDER BY (state = seat) DESC) = 1)
SELECT d.rid, d.state, d.vote, upper(s.name) AS name,
       row_number() OVER (PARTITION BY d.rid ORDER BY upper(s.name), d.state) - 1 AS pos
FROM d JOIN src.states s ON s.code = d.state
"""

_BASE_SQL = f"""
SELECT r.rid, r.session, r.special, r.date, r.symbol, r.title, r.agenda, r.subjects, r.link,
       r.draft, r.committee_report, r.meeting, count(*) AS n
FROM src.resolutions r JOIN vv USING (rid)
WHERE {_BASE_WHERE}
GROUP BY ALL
ORDER BY r.date, r.symbol, r.rid
"""

_NOTES = np.array([
    "Subsequently advised the Secretariat that it had intended to vote in favour",
    "Subsequently advised the Secretariat that it had intended to abstain",
    "Subsequently advised the Secretariat that it had intended to vote against",
    "Subsequently advised the Secretariat that it had not intended to participate in the "
    "vote",
], dtype=object)

_NEW_STYLE = re.compile(r"^(A/RES/(?:ES-\d+/|S-\d+/)?\d+/)(\d+)(.*)$")
_OLD_STYLE = re.compile(r"^(A/RES/)(\d+)(.*)$")


def _renumber(symbol: str, k: int) -> str:
    """A new symbol for the k-th repetition of a resolution (k = 0: unchanged)."""
    if k == 0:
        return symbol
    m = _NEW_STYLE.match(symbol)
    if m:
        return f"{m[1]}{int(m[2]) + 1000 * k}{m[3]}"
    m = _OLD_STYLE.match(symbol)
    if m:
        return f"{m[1]}{int(m[2]) + 10000 * k}{m[3]}"
    return f"{symbol}/{k}"


def _pick(rng: np.random.Generator, pool: np.ndarray, n: int) -> np.ndarray:
    return pool[rng.integers(0, len(pool), n)]


def _subject_terms(s: str | None, most: int = 4) -> str | None:
    """The store's ``"; "``-joined subjects as the Library's ``|``-joined terms (at most
    ``most``; the bare agenda numbers that the UNxml extract mixes in are dropped)."""
    if s is None:
        return None
    terms = [t.strip().upper() for t in s.split(";")]
    terms = [t for t in terms if t and not re.fullmatch(r"\d+[A-Z]?", t)][:most]
    return "|".join(terms) or None


def _records(con, rows: int, seed: int) -> pd.DataFrame:
    """One row per record of the file: the record-level fields, and ``take`` = its rows."""
    base = con.execute(_BASE_SQL).df()
    if base.empty:
        raise SystemExit("the source store has no GA recorded votes")
    # The Library writes every GA symbol as A/RES/...; 37 early symbols of the research data
    # (SS/1/59, ESS/2/77A, R/6444A) get that prefix, as the UNDL parser requires it; a
    # placeholder that is no symbol (MISSING_DATA) leaves its record out.
    sym = base["symbol"].astype(str)
    sym = sym.where(sym.str.startswith("A/RES/"), "A/RES/" + sym)
    keep = sym.str.fullmatch(r"A/RES/[A-Z0-9/()\[\].-]+").to_numpy(dtype=bool)
    base = base.assign(symbol=sym)[keep].reset_index(drop=True)
    per_pass = int(base["n"].sum())
    passes = -(-rows // per_pass)
    rec = pd.concat([base.assign(k=k) for k in range(passes)], ignore_index=True)
    cum = rec["n"].cumsum().to_numpy()
    last = int(np.searchsorted(cum, rows))  # the record holding row number `rows`
    rec = rec.iloc[: last + 1].copy()
    rec["take"] = rec["n"].to_numpy()
    rec.iloc[-1, rec.columns.get_loc("take")] = rows - (int(cum[last - 1]) if last else 0)
    n = len(rec)
    rng = np.random.default_rng(seed)
    rec["rec_idx"] = np.arange(n)
    k = rec["k"].to_numpy()
    # undl_id: the Library record id from the store's link (first pass), else a fresh one
    real = pd.to_numeric(rec["link"].str.extract(r"record/(\d+)")[0], errors="coerce")
    real = real.where(k == 0)
    real = real.where(~real.duplicated(keep="first"))
    used = set(real.dropna().astype(np.int64))
    pool = rng.permutation(np.arange(100_000, 100_000 + 4 * n + len(used) + 10, dtype=np.int64))
    pool = pool[~np.isin(pool, list(used))]
    ids = real.to_numpy(dtype=float, copy=True)
    miss = np.isnan(ids)
    ids[miss] = pool[: int(miss.sum())]
    rec["undl_id"] = ids.astype(np.int64)
    sess = np.where(rec["special"].notna(), rec["special"].astype(object),
                    rec["session"].astype("Int64").astype(str))
    rec["session_txt"] = sess
    rec["date_txt"] = pd.to_datetime(rec["date"]).dt.strftime("%Y-%m-%d")
    rec["resolution"] = [_renumber(s, int(j)) for s, j in zip(rec["symbol"], k, strict=True)]
    # Library symbol forms: A/L.123, A/1456, A/PV.302 before session 31; A/77/L.5,
    # A/77/400, A/77/PV.50 (A/ES-11/L.1, A/ES-11/PV.5) after
    num = rec["session"].fillna(0).to_numpy()
    old = (num < 31) & rec["special"].isna().to_numpy()
    pre = np.where(old, "A/", "A/" + sess.astype(str) + "/")
    draft_n = rng.integers(1, 90, n).astype(str)
    rep_n = rng.integers(300, 700, n).astype(str)
    meet_n = rng.integers(1, 120, n).astype(str)
    old_meet = (100 + np.arange(n) * 2000 // max(n, 1)).astype(str)
    draft = np.where(old, "A/L." + draft_n, pre + "L." + draft_n)
    rec["draft_txt"] = np.where(rec["draft"].notna(), rec["draft"].astype(object),
                                np.where(rng.random(n) < 0.46, None, draft))
    rec["report_txt"] = np.where(rec["committee_report"].notna(),
                                 rec["committee_report"].astype(object),
                                 np.where(rng.random(n) < 0.20, None, pre + rep_n))
    rec["meeting_txt"] = np.where(rec["meeting"].notna(), rec["meeting"].astype(object),
                                  np.where(old, "A/PV." + old_meet, pre + "PV." + meet_n))
    titles = base["title"].dropna().to_numpy(dtype=object)
    agendas = base["agenda"].dropna().to_numpy(dtype=object)
    subjects = base["subjects"].dropna().to_numpy(dtype=object)
    title = rec["title"].to_numpy(dtype=object)
    title = np.where(pd.isna(title), _pick(rng, titles, n), title)
    tail = " : resolution / adopted by the General Assembly"
    title = np.array([t if "resolution /" in t else t + tail for t in title], dtype=object)
    rec["title_txt"] = title
    agenda = rec["agenda"].to_numpy(dtype=object)
    rec["agenda_txt"] = np.where(pd.isna(agenda),
                                 np.where(rng.random(n) < 0.013, None,
                                          _pick(rng, agendas, n)), agenda)
    subj = rec["subjects"].to_numpy(dtype=object)
    subj = np.where(pd.isna(subj), np.where(rng.random(n) < 0.25, None,
                                            _pick(rng, subjects, n)), subj)
    rec["subjects_txt"] = [_subject_terms(s) for s in subj]
    has_note = rng.random(n) < rec["take"].to_numpy() / 2640
    rec["note_pos"] = np.where(has_note, (rng.random(n) * rec["take"].to_numpy()).astype(int),
                               -1)
    rec["note"] = np.where(has_note, _pick(rng, _NOTES, n), None)
    return rec[["rec_idx", "rid", "take", "undl_id", "date_txt", "session_txt", "resolution",
                "draft_txt", "report_txt", "meeting_txt", "title_txt", "agenda_txt",
                "subjects_txt", "note_pos", "note"]]


def write_ga_file(src_db: Path, out: Path, rows: int, seed: int, tmpdir: Path) -> dict:
    """Write the synthetic official GA voting CSV; returns records, rows, bytes, seconds."""
    import duckdb

    t = time.perf_counter()
    con = duckdb.connect()
    con.execute(f"SET memory_limit='2GB'; SET temp_directory='{tmpdir}'; SET threads=2")
    con.execute("ATTACH ? AS src (READ_ONLY)", [str(src_db)])
    con.execute(_VOTES_SQL)
    rec = _records(con, rows, seed)
    con.register("rec_df", rec)
    con.execute("CREATE TEMP TABLE rec AS SELECT * FROM rec_df")
    con.unregister("rec_df")
    # the last record is cut at --rows: the states left out of it were members that day,
    # so the store infers their absence (X), as it does for any recorded vote
    last = rec.iloc[-1]
    cut = con.execute("SELECT count(*) FROM vv WHERE rid = ? AND pos >= ?",
                      [last["rid"], int(last["take"])]).fetchone()[0]
    con.execute("""
        CREATE TEMP TABLE tot AS
        SELECT rec.rec_idx, count(*) FILTER (vv.vote = 'Y') AS y,
               count(*) FILTER (vv.vote = 'N') AS n, count(*) FILTER (vv.vote = 'A') AS a,
               count(*) FILTER (vv.vote = 'X') AS x, count(*) AS ms
        FROM rec JOIN vv ON vv.rid = rec.rid AND vv.pos < rec.take GROUP BY rec.rec_idx""")
    got = con.execute("SELECT count(*), sum(ms) FROM tot").fetchone()
    if got[0] != len(rec) or got[1] != rows:
        raise SystemExit(f"generator bug: {got} vs {len(rec)} records, {rows} rows")
    cols = ", ".join([
        'rec.undl_id AS "\ufeffundl_id"', "vv.state AS ms_code", "vv.name AS ms_name",
        "vv.vote AS ms_vote", "rec.date_txt AS date", "rec.session_txt AS session",
        "rec.resolution", "rec.draft_txt AS draft", "rec.report_txt AS committee_report",
        "rec.meeting_txt AS meeting", "rec.title_txt AS title",
        "rec.agenda_txt AS agenda_title", "rec.subjects_txt AS subjects",
        "CASE WHEN vv.pos = rec.note_pos THEN rec.note END AS vote_note",
        "tot.y AS total_yes", "tot.n AS total_no", "tot.a AS total_abstentions",
        "tot.x AS total_non_voting", "tot.ms AS total_ms",
        "'https://digitallibrary.un.org/record/' || rec.undl_id AS undl_link"])
    con.execute(f"""
        COPY (SELECT {cols} FROM rec JOIN vv ON vv.rid = rec.rid AND vv.pos < rec.take
              JOIN tot ON tot.rec_idx = rec.rec_idx ORDER BY rec.rec_idx, vv.pos)
        TO '{out}' (FORMAT csv, HEADER true, NEW_LINE '\r\n')""")
    con.close()
    with out.open("rb") as fh:
        head = fh.readline().decode("utf-8-sig").strip().split(",")
    if head != GA_HEADER:
        raise SystemExit(f"generator bug: header {head}")
    return {"records": len(rec), "rows": rows, "cut": cut, "bytes": out.stat().st_size,
            "seconds": time.perf_counter() - t}


def check_counts(res: dict, gen: dict, scale: int) -> None:
    """The counts ``comity ingest`` reports must equal what was written."""
    undl = [x for x in res["loaded"] if x["source"] == "undl_ga"]
    if not undl:
        raise SystemExit(f"{scale}x: comity loaded no undl_ga file: {res['loaded']}")
    u = undl[0]
    if (u["resolutions"], u["rows"], u["votes"]) != (gen["records"], gen["rows"],
                                                     gen["rows"]):
        raise SystemExit(f"{scale}x: comity reports {u} but {gen['records']} records, "
                         f"{gen['rows']} rows were written")
    # at most `cut` absences inferred (a state voting outside its membership is not inferred)
    if not 0 <= res["counts"].get("votes", -1) - gen["rows"] <= gen.get("cut", 0):
        raise SystemExit(f"{scale}x: the store holds {res['counts']} but "
                         f"{gen['rows']} rows were written (+ at most {gen.get('cut', 0)} "
                         "absences inferred on the last record, cut short)")


# --------------------------------------------------------------------------------------


def staged(data: str, repeat: int, workdir: Path) -> tuple[dict, Path]:
    base, ours, floor = [], [], []
    store = workdir / "staged.duckdb"
    for i in range(repeat):
        base.append(run(PANDAS_STAGED, data))
        floor.append(run(FLOOR, data))
        _rm_db(store)
        ours.append(run(COMITY_CLI, data, str(store)))
        log(f"staged run {i + 1}: pandas.read_csv {base[-1]['seconds']:.2f} s, "
            f"comity ingest {ours[-1]['seconds']:.2f} s "
            f"(Store.ingest {ours[-1]['store_ingest_seconds']:.2f} s; "
            f"peak {ours[-1]['peak_mib']:.0f} MiB)")
    b = min(x["seconds"] for x in base)
    best_o = min(ours, key=lambda x: x["seconds"])
    o = best_o["seconds"]
    f = min(x["seconds"] for x in floor)
    log(f"staged counts: {ours[-1]['counts']}; predictions: {ours[-1]['issue_predictions']}")
    return {"bench": "ingest_staged", "ratio_vs_pandas": round(b / o, 3),
            "seconds": round(o, 3), "baseline_seconds": round(b, 3),
            "store_ingest_seconds": r3(best_o["store_ingest_seconds"]),
            "predict_seconds": r3(o - best_o["store_ingest_seconds"]),
            "includes_predictions": best_o["issue_predictions"] is not None,
            "read_floor_seconds": round(f, 3),
            "peak_mib": round(max(x["peak_mib"] for x in ours), 1),
            "pandas_peak_mib": round(max(x["peak_mib"] for x in base), 1),
            "target_seconds_3": o <= 3.0}, store


def full(src_db: Path, a: argparse.Namespace, workdir: Path) -> dict:
    out: dict = {"bench": "ingest", "rows": a.rows, "seed": a.seed}
    store = workdir / "full.duckdb"
    peaks: dict[int, float] = {}
    secs: dict[int, float] = {}
    for scale in a.scales:
        path = workdir / f"undl_ga_voting_synthetic_{scale}x.csv"
        free = shutil.disk_usage(workdir).free
        need = a.rows * scale * 420 * 2
        if free < need:
            raise SystemExit(f"not enough disk in {workdir}: {free >> 20} MiB free, "
                             f"{need >> 20} MiB needed for the {scale}x file and its store")
        gen = write_ga_file(src_db, path, a.rows * scale, a.seed + scale, workdir)
        log(f"{scale}x: wrote {path} ({gen['records']} records, {gen['rows']} rows, "
            f"{gen['bytes'] / 2**20:.0f} MiB) in {gen['seconds']:.1f} s")
        key = "" if scale == 1 else f"_{scale}x"
        out[f"file{key}"] = {"records": gen["records"], "rows": gen["rows"],
                             "mib": round(gen["bytes"] / 2**20, 1),
                             "generate_seconds": round(gen["seconds"], 2)}
        try:
            res = best(COMITY_CLI, [str(path), str(store)], a.repeat, fresh=store)
            check_counts(res, gen, scale)
            peaks[scale], secs[scale] = res["peak_mib"], res["seconds"]
            out[f"comity{key}"] = {"seconds": r3(res["seconds"]),
                                   "peak_mib": round(res["peak_mib"], 1),
                                   "store_ingest_seconds": r3(res["store_ingest_seconds"]),
                                   "import_mib": round(res["import_mib"], 1)}
            log(f"{scale}x: comity ingest {res['seconds']:.2f} s (Store.ingest "
                f"{res['store_ingest_seconds']:.2f} s), peak {res['peak_mib']:.0f} MiB; "
                f"quality {res['quality']}; predictions skipped: "
                f"{res['issue_predictions_skipped']}")
            if scale == 1:
                for name, code in (("pandas", PANDAS_FILE), ("polars", POLARS_FILE),
                                   ("duckdb_read", DUCKDB_FILE)):
                    dbf = workdir / "read.duckdb"
                    r = best(code, [str(path), str(dbf)], a.repeat, fresh=dbf)
                    if r["rows"] != gen["rows"]:
                        raise SystemExit(f"{name} read {r['rows']} rows, not {gen['rows']}")
                    out[name] = {"seconds": r3(r["seconds"]), "peak_mib": round(r["peak_mib"], 1)}
                    log(f"1x: {name} {r['seconds']:.2f} s, peak {r['peak_mib']:.0f} MiB")
        finally:
            if not a.keep:
                path.unlink(missing_ok=True)
    if 1 in secs:
        c = secs[1]
        out["ratio_vs_pandas"] = round(out["pandas"]["seconds"] / c, 3)
        out["ratio_vs_duckdb_read"] = round(out["duckdb_read"]["seconds"] / c, 3)
        out["ratio_vs_polars"] = round(out["polars"]["seconds"] / c, 3)
        out["peak_growth"] = {f"{s}x": round(p / peaks[1], 3) for s, p in peaks.items()}
        out["peak_growth_4x"] = out["peak_growth"].get("4x")
        worst_peak = max(peaks.values())
        g4 = out["peak_growth_4x"]
        out["targets"] = {
            "ratio_vs_pandas_1.5": out["ratio_vs_pandas"] >= 1.5,
            "ratio_vs_pandas_1.0_must": out["ratio_vs_pandas"] >= 1.0,
            "within_1.5x_of_duckdb_read": out["ratio_vs_duckdb_read"] >= 1 / 1.5,
            "peak_1GiB": worst_peak <= 1024, "peak_1.5GiB_must": worst_peak <= 1536,
            "peak_growth_4x_1.25": None if g4 is None else g4 <= 1.25}
    return out


def ensure_source_store(db: Path | None, data: str, workdir: Path,
                        staged_store: Path | None) -> Path:
    if db is not None:
        return db
    if staged_store is not None and staged_store.exists():
        return staged_store
    path = workdir / "src.duckdb"
    if not path.exists():
        log(f"building a source store from {data} ...")
        subprocess.run([sys.executable, "-m", "comity", "--db", str(path), "ingest", data,
                        "--no-predict", "--json"], check=True, stdout=subprocess.DEVNULL)
    return path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("data", nargs="?", default=DEFAULT_DATA,
                    help="the staged data folder (default $COMITY_TEST_DATA or ../shared/data)")
    ap.add_argument("--rows", type=int, default=958421, help="rows of the 1x file")
    ap.add_argument("--scales", default="1,2,4",
                    help="file sizes to ingest, as multiples of --rows (must include 1)")
    ap.add_argument("--repeat", type=int, default=1, help="best of N runs (default 1)")
    ap.add_argument("--workdir", type=Path, default=None,
                    help="where the generated files and stores go (default: a temp dir)")
    ap.add_argument("--keep", action="store_true", help="keep the generated files")
    ap.add_argument("--db", type=Path, default=None,
                    help="source store for the synthetic file (default: the store the staged "
                    "part builds, or one built from DATA)")
    ap.add_argument("--seed", type=int, default=20)
    ap.add_argument("--parts", default="staged,full", help="staged, full or both")
    a = ap.parse_args()
    a.scales = sorted({int(s) for s in a.scales.split(",") if s.strip()})
    parts = {p.strip() for p in a.parts.split(",")}
    if "full" in parts and 1 not in a.scales:
        ap.error("--scales must include 1")
    data = str(Path(a.data).resolve())
    tmp = None
    if a.workdir is None:
        tmp = Path(tempfile.mkdtemp(prefix="comity-bench-"))
        workdir = tmp
    else:
        workdir = a.workdir.resolve()
        workdir.mkdir(parents=True, exist_ok=True)
    log(f"workdir {workdir}: {shutil.disk_usage(workdir).free >> 20} MiB free")
    try:
        staged_store = None
        if "staged" in parts:
            line, staged_store = staged(data, a.repeat, workdir)
            print(json.dumps(line), flush=True)
        if "full" in parts:
            src = ensure_source_store(a.db, data, workdir, staged_store)
            print(json.dumps(full(src, a, workdir)), flush=True)
    finally:
        if not a.keep:
            for name in ("staged", "full", "read", "src"):  # the stores this script wrote
                _rm_db(workdir / f"{name}.duckdb")
            if tmp is not None:
                shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
