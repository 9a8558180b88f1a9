"""One record per recorded vote, from overlapping sources.

The store keeps every source's canonical rows in staging tables (``src_*``). After each ingest
the canonical tables (``resolutions``, ``votes``, ``quality``) are rebuilt from ALL staged
sources, so the result does not depend on the order in which files were loaded.

Units and matching
------------------
* Voeten's 2016 file and ``unvotes`` number roll calls with the same ``rcid``: rows with the
  same rcid are one recorded vote.
* The other sources (UNDL official files, the UNxml extract, the UNDL scrape, supplements)
  describe whole resolutions by symbol: rows with the same body and normalised symbol are one
  recorded vote.
* A Voeten roll call is linked to a symbol record when their base symbols agree
  (``A/RES/377(V)`` for ``A/RES/377(V)A``), their dates are within 30 days, and their Y/N/A
  counts are close (distance ≤ max(3, 5 % of the votes)); an exact part match, and roll calls
  not flagged as amendment/paragraph votes, are preferred. Each roll call links to at most one
  record and vice versa (greedy, best score first). Unlinked roll calls (votes on amendments,
  paragraphs, procedural motions, or resolutions no other source holds) stay recorded votes
  of their own.

Precedence (:data:`PRECEDENCE`, lower wins)
-------------------------------------------
For every field of a resolution and for every state's vote, the value of the most
authoritative source that has one is kept: official UNDL files > UNxml extract (UN DGACM) >
UNDL scrape > ``unvotes`` (Voeten 2021 release) > Voeten 2016 > user supplements. Every
disagreement between sources (a state's vote, a tally, a date beyond a day) is written to
``quality``; nothing is silently resolved.

Inferred absences
-----------------
For General Assembly votes, members of the UN on the vote's date (``comity.world.states``
membership periods) that no source lists get ``X`` with ``inferred = true``.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from comity.world.recurring import recurring_keys

QUALITY_KINDS: tuple[str, ...] = (
    # made by the merge
    "vote_disagreement", "tally_disagreement", "date_disagreement", "tally_mismatch",
    "outside_membership",
    # notes made by the parsers
    "adopted_without_vote", "date_missing", "duplicate_listing", "duplicate_record",
    "junk_column", "permanent_member_mismatch", "state_code_unknown", "total_ms_mismatch",
    "vote_note", "user_supplied",
    # Security Council sources (SC drafts sheet, veto list, DPPA membership) and the merge
    "columns_swapped", "council_size", "date_swapped", "date_uncertain", "draft_unknown",
    "member_unnamed", "members_missing", "members_mismatch", "outcome_inconsistent",
    "outside_council", "resolution_missing", "state_name_typo", "symbol_out_of_sequence",
    "symbol_year_mismatch", "veto_flags_inconsistent", "transcript_title",
    # sponsor lists (UNxml): a mended name, a text that is not a state, an unknown name
    "sponsor_name_repaired", "sponsor_not_a_state", "sponsor_unknown",
)
"""Every kind of row the ``quality`` table can hold."""

PRECEDENCE: dict[str, float] = {
    "undl_ga": 0,
    "undl_sc": 0,
    "unxml": 1,
    "scrape": 2,
    # Security Council only: the veto list (vetoing members, dates) before the SC drafts
    # sheet (full votes with known errors), both after the scrape of the official records
    "unsc_vetoes": 2.3,
    "sc_drafts": 2.6,
    "unvotes": 3,
    "voeten2016": 4,
    "supplement": 5,
}
RC_SOURCES = ("voeten2016", "unvotes")
DATE_TOLERANCE_DAYS = 30


@dataclass(eq=False)
class Staged:
    """One staged source: its vote matrix (resolutions of the file × states).

    ``votes`` holds 0 (no row), 1 Y, 2 A, 3 N, 8 X; ``rows`` the file's row of each vote.
    ``cols`` maps the matrix's columns to the global state index of the rebuild.
    """

    ingest_id: int
    source: str
    file: str
    prec: int
    states: list[str]
    votes: np.ndarray
    rows: np.ndarray
    cols: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))


_ZSTD_MAGIC = bytes.fromhex("28b52ffd")


def pack_matrix(a: np.ndarray) -> bytes:
    """A staged matrix as a Zstandard frame (Arrow's codec: ~3x faster than zlib)."""
    import pyarrow as pa

    return pa.compress(np.ascontiguousarray(a).tobytes(), codec="zstd", asbytes=True)


def unpack_matrix(blob: bytes, shape: tuple[int, int], dtype: type) -> np.ndarray:
    """Inverse of :func:`pack_matrix`; also reads the zlib blobs of stores written by
    comity 0.1."""
    import pyarrow as pa

    blob = bytes(blob)
    if blob[:4] == _ZSTD_MAGIC:
        size = int(np.prod(shape)) * np.dtype(dtype).itemsize
        raw = pa.decompress(blob, decompressed_size=size, codec="zstd", asbytes=True)
    else:
        raw = zlib.decompress(blob)
    return np.frombuffer(raw, dtype=dtype).reshape(shape)


def load_staged(con) -> tuple[list[Staged], list[str]]:
    """Every staged source, best precedence first, and the global list of state codes."""
    from comity.world import states as st

    cases = " ".join(f"WHEN '{k}' THEN {v}" for k, v in PRECEDENCE.items())
    rows = con.execute(f"""
        SELECT m.ingest_id, i.source, i.file, m.n_res, m.states, m.votes, m.rows,
               (CASE i.source {cases} ELSE 9 END) * 1000000 - m.ingest_id AS prec
        FROM src_matrix m
        JOIN (SELECT ingest_id, any_value(source) AS source, any_value(file) AS file
              FROM ingests WHERE part = 0 GROUP BY ingest_id) i USING (ingest_id)
        ORDER BY prec""").fetchall()
    codes = list(st.states_table()["code"])
    extra = sorted({c for r in rows for c in r[4]} - set(codes))
    codes = codes + extra
    index = {c: i for i, c in enumerate(codes)}
    out = []
    for iid, source, file, n_res, sts, vblob, rblob, prec in rows:
        shape = (int(n_res), len(sts))
        out.append(Staged(
            ingest_id=int(iid), source=source, file=file, prec=int(prec), states=list(sts),
            votes=unpack_matrix(vblob, shape, np.int8), rows=unpack_matrix(rblob, shape, np.int32),
            cols=np.array([index[c] for c in sts], dtype=np.int64)))
    return out, codes


def _base_part(symbols: pd.Series) -> tuple[pd.Series, pd.Series]:
    from comity.ingest.sources.base import split_part

    vals = symbols.to_numpy(dtype=object, na_value=None)
    pairs = [split_part(s) if isinstance(s, str) else (None, "") for s in vals]
    base = pd.Series([p[0] for p in pairs], index=symbols.index, dtype=object)
    part = pd.Series([p[1] for p in pairs], index=symbols.index, dtype=object)
    return base, part


def _member_of(values: pd.Series, container: set | dict) -> np.ndarray:
    """``values.isin(container)`` by hashing in Python: pandas' isin on Arrow-backed strings
    converts the container element by element and is ~30x slower for these sizes."""
    vals = values.to_numpy(dtype=object)
    return np.fromiter((v in container for v in vals), dtype=bool, count=len(vals))


def _counts(staged: list[Staged]) -> pd.DataFrame:
    parts = [pd.DataFrame({"ingest_id": s.ingest_id, "kid": np.arange(len(s.votes)),
                           "cy": (s.votes == 1).sum(axis=1), "cn": (s.votes == 3).sum(axis=1),
                           "ca": (s.votes == 2).sum(axis=1)}) for s in staged]
    if not parts:
        return pd.DataFrame(columns=["ingest_id", "kid", "cy", "cn", "ca"])
    return pd.concat(parts, ignore_index=True)


def _with_counts(frame: pd.DataFrame, counts: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with each record's own count of Y/N/A (``cy, cn, ca``; 0 without votes)."""
    out = frame.merge(counts, on=["ingest_id", "kid"], how="left")
    for c in ("cy", "cn", "ca"):
        out[c] = out[c].fillna(0).astype(np.int64)
    return out


def build_units(con, staged: list[Staged], n_states: int,
                counts: pd.DataFrame | None = None) -> pd.DataFrame:
    """Map every staged (ingest, kid) to a ``rid`` and an integer ``uid`` (``counts``:
    :func:`_counts` of ``staged``, computed here if not given)."""
    res = con.sql(
        """
        SELECT r.ingest_id, r.kid, r.source, r.key, r.body, r.symbol, r.date, r.amend, r.para,
               r.adoption, r.outcome, r.yes, r.no, r.abstain
        FROM src_resolutions r
        """
    ).df()
    # plain object strings: pandas' hash-based isin/duplicated/merge are much faster on them
    # than on Arrow-backed strings
    res = res.astype({c: object for c in ("source", "key", "body", "symbol", "adoption",
                                          "outcome")})
    res = _with_counts(res, _counts(staged) if counts is None else counts)
    by_ingest = {s.ingest_id: s for s in staged}
    if res.empty:
        return pd.DataFrame({"ingest_id": pd.Series(dtype=np.int32),
                             "kid": pd.Series(dtype=np.int32), "rid": pd.Series(dtype=object),
                             "rc": pd.Series(dtype=object), "uid": pd.Series(dtype=np.int32)})
    is_rc = res["source"].isin(RC_SOURCES)
    rc = res[is_rc].copy()
    sym = res[~is_rc].copy()

    # roll-call units: one per rcid, unvotes metadata preferred (newer release)
    rc["pref"] = rc["source"].map(PRECEDENCE)
    rcu = (rc.sort_values(["key", "pref"]).groupby("key", as_index=False)
           .agg(symbol=("symbol", "first"), date=("date", "first"),
                ingest_id=("ingest_id", "first"), kid=("kid", "first"), amend=("amend", "max"),
                para=("para", "max"), cy=("cy", "first"), cn=("cn", "first"),
                ca=("ca", "first")))
    # symbol units: one per (body, symbol); repeated symbols within a source get #2, #3
    sym["symbol_key"] = sym["symbol"].fillna("")
    sym["dup"] = sym.groupby(["ingest_id", "body", "symbol_key"]).cumcount() + 1
    nosym = sym["symbol"].isna()
    sym["unit"] = np.where(
        nosym, "src:" + sym["source"] + ":" + sym["key"],
        sym["symbol_key"] + np.where(sym["dup"] > 1, "#" + sym["dup"].astype(str), ""),
    )
    sym["pref"] = sym["source"].map(PRECEDENCE)
    # first, records identified by a draft symbol (or none) join the record of the
    # adopted resolution that holds the same vote (same day ± 3, votes identical); failed
    # drafts are votes of their own (a veto is not the resolution adopted days later)
    nores = sym[~sym["symbol"].fillna("").str.match(r"^(A|S)/RES/")
                & (sym["adoption"] == "recorded")
                & (sym["outcome"].fillna("adopted") == "adopted")]
    if not nores.empty:
        drafts = (nores.sort_values(["unit", "pref"]).groupby("unit", as_index=False)
                  .agg(date=("date", "first"), ingest_id=("ingest_id", "first"),
                       kid=("kid", "first")))
        targets = (sym[sym["symbol"].fillna("").str.match(r"^(A|S)/RES/")
                       & (sym["adoption"] == "recorded")]
                   .sort_values(["unit", "pref"]).groupby("unit", as_index=False)
                   .agg(date=("date", "first"), ingest_id=("ingest_id", "first"),
                        kid=("kid", "first")))
        merged = _content_links(by_ingest, n_states, drafts, targets, id_col="unit",
                                max_days=3, one_to_one=False)
        if merged:
            sym["unit"] = sym["unit"].replace(merged)
    _link_vetoes(sym, by_ingest)
    has_tally = sym["yes"].notna() & sym["no"].notna()
    sym["ty"] = np.where(has_tally, sym["yes"].fillna(0), sym["cy"]).astype(float)
    sym["tn"] = np.where(has_tally, sym["no"].fillna(0), sym["cn"]).astype(float)
    sym["ta"] = np.where(has_tally, sym["abstain"].fillna(0), sym["ca"]).astype(float)
    symu = (sym[sym["adoption"] == "recorded"].sort_values(["unit", "pref"])
            .groupby("unit", as_index=False)
            .agg(body=("body", "first"), symbol=("symbol", "first"), date=("date", "first"),
                 ingest_id=("ingest_id", "first"), kid=("kid", "first"),
                 ty=("ty", "first"), tn=("tn", "first"), ta=("ta", "first")))
    symu = symu[symu["body"] == "GA"]

    # link roll calls to symbol units
    rcu["base"], rcu["part"] = _base_part(rcu["symbol"])
    symu["base"], symu["part"] = _base_part(symu["symbol"])
    cand = rcu[rcu["base"].notna()].merge(symu[symu["base"].notna()], on="base",
                                          suffixes=("_rc", "_s"))
    link_map: dict[str, str] = {}
    if not cand.empty:
        days = (pd.to_datetime(cand["date_rc"]) - pd.to_datetime(cand["date_s"])).abs().dt.days
        dist = ((cand["cy"] - cand["ty"]).abs() + (cand["cn"] - cand["tn"]).abs()
                + (cand["ca"] - cand["ta"]).abs())
        total = cand["ty"] + cand["tn"] + cand["ta"]
        ok = (dist <= np.maximum(3, 0.05 * total)) & (days.fillna(0) <= DATE_TOLERANCE_DAYS)
        score = (dist + np.where(cand["part_rc"] == cand["part_s"], 0, 0.5)
                 + np.where(cand["amend"].fillna(False) | cand["para"].fillna(False), 2, 0)
                 + days.fillna(0) / 1000)
        cand = cand.assign(score=score)[ok].sort_values(["score", "key", "unit"])
        used_rc: set[str] = set()
        used_s: set[str] = set()
        chosen = []
        for k, u in zip(cand["key"], cand["unit"], strict=True):
            if k in used_rc or u in used_s:
                continue
            used_rc.add(k)
            used_s.add(u)
            chosen.append((k, u))
        link_map = dict(chosen)
    # second pass, by content: Voeten's ``unres`` of the early sessions often names no
    # resolution number, so unlinked roll calls are compared vote by vote with unlinked records
    rc_left = rcu[~_member_of(rcu["key"], link_map)]
    sym_left = symu[~_member_of(symu["unit"], set(link_map.values()))]
    link_map.update(_content_links(by_ingest, n_states, rc_left, sym_left))

    # rids
    sym_rid = sym[["ingest_id", "kid", "unit"]].rename(columns={"unit": "rid"})
    sym_rid["rc"] = None
    rc_units = rcu[["key", "symbol", "amend", "para"]].copy()
    rc_units["linked"] = rc_units["key"].map(link_map)
    taken = set(sym["unit"].to_numpy(dtype=object))
    cand_rid = rc_units["symbol"].where(rc_units["symbol"].notna(), "RC" + rc_units["key"])
    clash = cand_rid.astype(object).duplicated(keep=False) | _member_of(cand_rid, taken)
    own = np.where(clash, cand_rid + "#rc" + rc_units["key"], cand_rid)
    own = np.where(rc_units["symbol"].isna(), "RC" + rc_units["key"], own)
    rc_units["rid"] = rc_units["linked"].where(rc_units["linked"].notna(), own)
    rc_rid = rc[["ingest_id", "kid", "key"]].merge(rc_units[["key", "rid"]], on="key")
    rc_rid["rc"] = rc_rid["key"]
    out = pd.concat([sym_rid, rc_rid[["ingest_id", "kid", "rid", "rc"]]], ignore_index=True)
    out["uid"] = pd.factorize(out["rid"])[0].astype(np.int32)
    return out


VETO_SOURCE = "unsc_vetoes"
VETO_MAX_DAYS = 3


def _link_vetoes(sym: pd.DataFrame, by_ingest: dict[int, Staged]) -> None:
    """Join each record of the veto list (vetoing members only) to the full vote of the same
    draft in another source, by updating ``sym["unit"]`` in place.

    A candidate is a Security Council record of another source that was not adopted, whose
    listed votes do not contradict the veto (each vetoing member it lists voted N), and that
    has the same draft symbol (the ``#n`` of a repeated symbol aside), or failed within
    :data:`VETO_MAX_DAYS` days with the vetoing members voting N. The same symbol and the
    nearest date win. A veto record that no candidate fits keeps (or, when its symbol's
    record contradicts it, gets) a unit of its own.
    """
    is_veto = (sym["source"] == VETO_SOURCE).to_numpy()
    if not is_veto.any():
        return
    cand = sym[~is_veto & (sym["body"] == "SC").to_numpy()
               & (sym["outcome"].fillna("adopted") != "adopted").to_numpy()]
    vetoes = sym[is_veto]

    def listed(iid: int, kid: int) -> dict[int, int]:
        stg = by_ingest[int(iid)]
        row = stg.votes[int(kid)]
        nz = np.flatnonzero(row)
        return dict(zip(stg.cols[nz].tolist(), row[nz].tolist(), strict=True))

    undated = np.iinfo(np.int64).min // 2

    def days(x: pd.Series) -> np.ndarray:
        d = pd.to_datetime(x).to_numpy(dtype="datetime64[D]")
        return np.where(np.isnat(d), undated, d.astype(np.int64))

    c_unit = cand["unit"].astype(str).tolist()
    c_base = [re.sub(r"#\d+$", "", u) for u in c_unit]
    c_day = days(cand["date"])
    c_votes = [listed(i, k) for i, k in zip(cand["ingest_id"], cand["kid"], strict=True)]
    by_base: dict[str, list[int]] = {}
    for j, b in enumerate(c_base):
        by_base.setdefault(b, []).append(j)
    order = np.argsort(c_day, kind="stable")
    sorted_days = c_day[order]
    new_units: dict[int, str] = {}
    for idx, sym_v, unit, key, d, iid, kid in zip(
            vetoes.index, vetoes["symbol"], vetoes["unit"], vetoes["key"],
            days(vetoes["date"]), vetoes["ingest_id"], vetoes["kid"], strict=True):
        who = [c for c, v in listed(iid, kid).items() if v == 3]
        same = set(by_base.get(sym_v, [])) if isinstance(sym_v, str) else set()
        lo, hi = np.searchsorted(sorted_days, [d - VETO_MAX_DAYS, d + VETO_MAX_DAYS + 1])
        best, best_score = None, None
        for j in same | set(order[lo:hi].tolist()):
            got = c_votes[j]
            if any(c in got and got[c] != 3 for c in who):
                continue  # the full vote says a vetoing member did not vote no
            gap = abs(int(c_day[j] - d))
            near = (gap <= VETO_MAX_DAYS and d != undated and who
                    and all(got.get(c) == 3 for c in who))  # two unknown dates are not near
            if not (j in same or near):
                continue
            score = (0 if j in same else 1, gap, j)
            if best_score is None or score < best_score:
                best, best_score = c_unit[j], score
        if best is not None:
            new_units[idx] = best
        elif isinstance(unit, str) and unit in by_base:
            new_units[idx] = f"src:{VETO_SOURCE}:{key}"
    if new_units:
        sym.loc[list(new_units), "unit"] = pd.Series(new_units)


CONTENT_MIN_SHARED = 10
CONTENT_MIN_IDENTICAL = 0.97


def _content_links(by_ingest: dict[int, Staged], n_states: int, rc_left: pd.DataFrame,
                   sym_left: pd.DataFrame, *, id_col: str = "key",
                   max_days: int = DATE_TOLERANCE_DAYS, one_to_one: bool = True
                   ) -> dict[str, str]:
    """Link roll calls (or draft records) to records that hold the same vote.

    Candidates are dated within ``max_days``; a pair is the same vote when at least
    :data:`CONTENT_MIN_SHARED` states appear in both and ≥ 97 % of them voted the same way.
    Vectorised: products of one-hot vote matrices (BLAS) give identical-vote counts for all
    pairs of a year (against the neighbouring years) at once; greedy by score, one-to-one
    unless told otherwise.
    """
    if rc_left.empty or sym_left.empty:
        return {}

    def dense(frame: pd.DataFrame) -> np.ndarray:
        """Rows of ``frame`` × global states: the Y/A/N code (1-3) of each vote, else 0."""
        out = np.zeros((len(frame), n_states), dtype=np.int8)
        idx = np.arange(len(frame))
        iids = frame["ingest_id"].to_numpy()
        kids = frame["kid"].to_numpy()
        for iid in np.unique(iids):
            sel = iids == iid
            stg = by_ingest[int(iid)]
            sub = stg.votes[kids[sel]]
            out[np.ix_(idx[sel], stg.cols)] = np.where((sub >= 1) & (sub <= 3), sub, 0)
        return out

    def counts(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(identical votes, shared voters) for every pair of rows of ``x`` and ``y``."""
        same = np.zeros((len(x), len(y)), dtype=np.float32)
        for v in (1, 2, 3):
            same += (x == v).astype(np.float32) @ (y == v).astype(np.float32).T
        shared = (x > 0).astype(np.float32) @ (y > 0).astype(np.float32).T
        return same, shared

    ry = pd.to_datetime(rc_left["date"]).dt.year.fillna(-1).astype(int).to_numpy()
    sy = pd.to_datetime(sym_left["date"]).dt.year.fillna(-1).astype(int).to_numpy()
    # only records of the years (± 1) that hold a roll call to link can be candidates
    years = np.unique(ry[ry >= 0])
    near = (sy >= 0) & np.isin(sy, np.concatenate([years - 1, years, years + 1]))
    if not near.any():
        return {}
    sym_left = sym_left[near]
    sy = sy[near]
    a = dense(rc_left)
    b = dense(sym_left)
    d_rc = pd.to_datetime(rc_left["date"]).to_numpy(dtype="datetime64[D]")
    d_s = pd.to_datetime(sym_left["date"]).to_numpy(dtype="datetime64[D]")
    keys = rc_left[id_col].astype(str).to_numpy()
    units = sym_left["unit"].astype(str).to_numpy()
    taken = np.zeros(len(sym_left), dtype=bool)
    out: dict[str, str] = {}
    for year in np.unique(ry[ry >= 0]):
        ii = np.flatnonzero(ry == year)
        jj = np.flatnonzero((np.abs(sy - year) <= 1) & (sy >= 0) & ~(taken & one_to_one))
        if not len(jj):
            continue
        same, shared = counts(a[ii], b[jj])
        days = np.abs((d_rc[ii][:, None] - d_s[jj][None, :]).astype(float))
        with np.errstate(invalid="ignore", divide="ignore"):
            share = same / shared
        ok = (shared >= CONTENT_MIN_SHARED) & (share >= CONTENT_MIN_IDENTICAL) & (
            days <= max_days)
        i, j = np.nonzero(ok)
        if not len(i):
            continue
        score = (1 - share[i, j]) + days[i, j] / 1000
        used_i: set[int] = set()
        for k in np.argsort(score, kind="stable"):
            gi, gj = int(ii[i[k]]), int(jj[j[k]])
            if gi in used_i or (one_to_one and taken[gj]):
                continue
            used_i.add(gi)
            taken[gj] = True
            out[keys[gi]] = units[gj]
    return out


def rebuild(con) -> dict[str, int]:
    """Rebuild ``resolutions``, ``votes`` and ``quality`` from the staging tables."""
    import pyarrow as pa

    staged, codes = load_staged(con)
    n_states = len(codes)
    counts = _counts(staged)
    units = _with_counts(build_units(con, staged, n_states, counts), counts)
    con.register("units_df", units)
    con.execute("CREATE OR REPLACE TEMP TABLE unit_map AS SELECT * FROM units_df")
    con.unregister("units_df")
    cases = " ".join(f"WHEN '{k}' THEN {v}" for k, v in PRECEDENCE.items())
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE ing AS
        SELECT ingest_id, any_value(source) AS source, any_value(file) AS file,
               (CASE any_value(source) {cases} ELSE 9 END) * 1000000 - ingest_id AS prec
        FROM ingests WHERE part = 0 GROUP BY ingest_id
    """)
    con.execute("""
        CREATE OR REPLACE TEMP TABLE res_rows AS
        SELECT u.uid, u.rid, u.rc, u.cy, u.cn, u.ca, r.*, i.prec
        FROM src_resolutions r JOIN unit_map u USING (ingest_id, kid) JOIN ing i USING (ingest_id)
    """)
    _resolutions_table(con)

    # --- votes: precedence merge on dense matrices (units × states) ------------------------
    rid_of_uid = (units.drop_duplicates("uid").sort_values("uid")["rid"].to_numpy()
                  if len(units) else np.array([], dtype=object))
    n_units = len(rid_of_uid)
    u_iid = units["ingest_id"].to_numpy()
    u_kid = units["kid"].to_numpy(dtype=np.int64)
    u_uid = units["uid"].to_numpy(dtype=np.int64)
    uid_of = {}
    for stg in staged:
        sel = u_iid == stg.ingest_id
        arr = np.full(len(stg.votes), -1, dtype=np.int64)
        arr[u_kid[sel]] = u_uid[sel]
        uid_of[stg.ingest_id] = arr
    chosen = np.zeros((n_units, n_states), dtype=np.int8)
    chosen_src = np.full((n_units, n_states), -1, dtype=np.int16)
    clash = np.zeros((n_units, n_states), dtype=bool)
    for si, stg in enumerate(staged):
        u = uid_of[stg.ingest_id]
        ok = u >= 0
        kids = np.flatnonzero(ok)
        # two records of one file may form one unit: apply them one layer at a time
        while len(kids):
            _, first = np.unique(u[kids], return_index=True)
            layer, kids = kids[first], np.delete(kids, first)
            m = stg.votes[layer]
            block = chosen[np.ix_(u[layer], stg.cols)]
            srcb = chosen_src[np.ix_(u[layer], stg.cols)]
            has = m != 0
            clash[np.ix_(u[layer], stg.cols)] |= has & (block != 0) & (block != m)
            take = has & (block == 0)
            block[take] = m[take]
            srcb[take] = si
            chosen[np.ix_(u[layer], stg.cols)] = block
            chosen_src[np.ix_(u[layer], stg.cols)] = srcb

    res = con.sql("SELECT rid, body, date, adoption FROM resolutions").df().set_index("rid")
    res = res.reindex(rid_of_uid)
    is_ga = (res["body"] == "GA").to_numpy() & (res["adoption"] == "recorded").to_numpy()
    dates = pd.to_datetime(res["date"])
    member = _membership(codes, dates)  # units × states
    has_vote = (chosen != 0).any(axis=1)
    inferred = member & (chosen == 0) & (is_ga & has_vote)[:, None]
    src_names = np.array([s.source for s in staged] + ["inferred"], dtype=object)
    # int32 indices: one per stored vote, so their width is the peak's slope in the input size
    uu, ss = (a.astype(np.int32) for a in np.nonzero((chosen != 0) | inferred))
    vv = chosen[uu, ss]
    inf = inferred[uu, ss]
    vv = np.where(inf, np.int8(8), vv)
    src_idx = np.where(inf, np.int16(len(staged)), chosen_src[uu, ss])
    letters = np.array(["", "Y", "A", "N", "", "", "", "", "X"], dtype=object)
    vote_tbl = pa.table({
        "rid": pa.DictionaryArray.from_arrays(pa.array(uu),
                                              pa.array(rid_of_uid.astype(str))),
        "state": pa.DictionaryArray.from_arrays(pa.array(ss),
                                                pa.array(codes)),
        "vote": pa.DictionaryArray.from_arrays(pa.array(vv.astype(np.int8)),
                                               pa.array(list(letters))),
        "inferred": pa.array(inf),
        "source": pa.DictionaryArray.from_arrays(pa.array(src_idx.astype(np.int16)),
                                                 pa.array(list(src_names))),
    })
    con.register("votes_arrow", vote_tbl)
    # Arrow dictionary columns arrive as VARCHAR without a per-row cast
    con.execute("CREATE OR REPLACE TABLE votes AS "
                "SELECT rid, state, vote, inferred, source FROM votes_arrow")
    types = {r[0]: r[1] for r in con.execute("DESCRIBE votes").fetchall()}
    if any(types[c] != "VARCHAR" for c in ("rid", "state", "vote", "source")):
        con.execute("""CREATE OR REPLACE TABLE votes AS
                       SELECT CAST(rid AS VARCHAR) AS rid, CAST(state AS VARCHAR) AS state,
                              CAST(vote AS VARCHAR) AS vote, inferred,
                              CAST(source AS VARCHAR) AS source
                       FROM votes_arrow""")
    con.unregister("votes_arrow")

    _quality(con)
    con.register("rid_of_uid", pd.DataFrame({"uid": np.arange(n_units), "rid": rid_of_uid}))
    con.register("state_codes", pd.DataFrame({"sid": np.arange(len(codes)), "code": codes}))
    con.register("res_dates", pd.DataFrame({"uid": np.arange(n_units),
                                            "date": dates.to_numpy()}))
    _vote_quality(con, staged, uid_of, clash, member, is_ga)
    for name in ("rid_of_uid", "state_codes", "res_dates"):
        con.unregister(name)
    _council(con)
    from comity.ingest.sponsors import rebuild_sponsors

    rebuild_sponsors(con)
    counts = {
        "resolutions": con.sql("SELECT count(*) FROM resolutions").fetchall()[0][0],
        "votes": con.sql("SELECT count(*) FROM votes").fetchall()[0][0],
        "quality": con.sql("SELECT count(*) FROM quality").fetchall()[0][0],
    }
    for t in ("res_rows", "unit_map", "ing"):
        con.execute(f"DROP TABLE IF EXISTS {t}")
    return counts


def _council(con) -> None:
    """``council_members(year, state, seat, sources[])`` from every staged membership list
    (``seat``: the list's row, shared by the two codes of a seat that changed hands that
    year), and a ``quality`` row ``outside_council`` for every Security Council vote cast by a
    state that did not sit on the Council that year, in the years whose list names every
    seat (11 to 1965, 15 since)."""
    con.execute("""
        CREATE OR REPLACE TABLE council_members AS
        SELECT year, state, min(row) AS seat, list_sort(list_distinct(list(source))) AS sources
        FROM src_council GROUP BY year, state ORDER BY year, state""")
    con.execute("""
        INSERT INTO quality
        WITH complete AS (
            SELECT year FROM council_members GROUP BY year
            HAVING count(DISTINCT seat) >= CASE WHEN year < 1966 THEN 11 ELSE 15 END
        )
        SELECT v.rid, v.source, 'outside_council',
               printf('%s voted %s on %s (%s) but did not sit on the Council in %d',
                      v.state, v.vote, coalesce(r.symbol, r.rid), strftime(r.date, '%Y-%m-%d'),
                      year(r.date))
        FROM votes v JOIN resolutions r USING (rid)
        WHERE r.body = 'SC' AND year(r.date) IN (SELECT year FROM complete)
          AND NOT EXISTS (SELECT 1 FROM council_members c
                          WHERE c.year = year(r.date) AND c.state = v.state)""")


def _membership(codes: list[str], dates: pd.Series) -> np.ndarray:
    """Boolean (len(dates) × len(codes)): a member (participating or not) on each date.

    Vectorised over the distinct dates: every membership period is compared with every date
    at once (periods × dates), then OR-ed into its state's column.
    """
    from comity.world import states as st

    out = np.zeros((len(dates), len(codes)), dtype=bool)
    if len(dates) == 0:
        return out
    m = st.memberships_table()
    pos = {c: i for i, c in enumerate(codes)}
    col = m["code"].map(pos).fillna(-1).to_numpy(dtype=np.int64)
    start = pd.to_datetime(m["start"]).to_numpy(dtype="datetime64[D]")
    end = pd.to_datetime(m["end"]).fillna(pd.Timestamp("2262-01-01")).to_numpy(
        dtype="datetime64[D]")
    keep = col >= 0
    col, start, end = col[keep], start[keep], end[keep]
    d = pd.to_datetime(dates)
    d_codes, d_uniq = pd.factorize(d)
    du = np.asarray(d_uniq, dtype="datetime64[D]")
    inside = (start[:, None] <= du[None, :]) & (du[None, :] < end[:, None])  # periods × dates
    by_state = np.zeros((len(codes), len(du)), dtype=bool)
    np.logical_or.at(by_state, col, inside)
    ok = d_codes >= 0
    out[ok] = by_state[:, d_codes[ok]].T
    return out


def _vote_quality(con, staged: list[Staged], uid_of: dict[int, np.ndarray],
                  clash: np.ndarray, member: np.ndarray, is_ga: np.ndarray) -> None:
    """Insert into ``quality`` the disagreements between sources and the votes cast outside
    membership (``rid_of_uid``, ``state_codes`` and ``res_dates`` are registered by
    :func:`rebuild`). Cells are found with NumPy; the texts are written by DuckDB."""
    dis: list[pd.DataFrame] = []
    outside: list[pd.DataFrame] = []
    for order, stg in enumerate(staged):
        u = uid_of[stg.ingest_id]
        ok = np.flatnonzero(u >= 0)
        if not len(ok):
            continue
        m = stg.votes[ok]
        uu = u[ok]
        # every source's value where sources disagree
        r, cc = np.nonzero(clash[np.ix_(uu, stg.cols)] & (m != 0))
        if len(r):
            dis.append(pd.DataFrame({"uid": uu[r], "sid": stg.cols[cc], "ord": order,
                                     "vote": m[r, cc].astype(np.int8)}))
        # outside membership (GA, Y/A/N)
        bad = (m >= 1) & (m <= 3) & ~member[np.ix_(uu, stg.cols)] & is_ga[uu][:, None]
        br, bc = np.nonzero(bad)
        if len(br):
            outside.append(pd.DataFrame({
                "uid": uu[br], "sid": stg.cols[bc], "ord": order,
                "vote": m[br, bc].astype(np.int8), "row": stg.rows[ok][br, bc]}))
    srcs = pd.DataFrame({"ord": np.arange(len(staged)),
                         "source": [s.source for s in staged],
                         "file": [s.file for s in staged]})
    empty = pd.DataFrame({"uid": pd.Series(dtype=np.int64), "sid": pd.Series(dtype=np.int64),
                          "ord": pd.Series(dtype=np.int64), "vote": pd.Series(dtype=np.int8),
                          "row": pd.Series(dtype=np.int64)})
    con.register("q_dis", pd.concat(dis, ignore_index=True) if dis else empty.drop(columns="row"))
    con.register("q_out", pd.concat(outside, ignore_index=True) if outside else empty)
    con.register("q_src", srcs)
    letter = "['Y','A','N','','','','','X'][vote]"
    con.execute(f"""
        INSERT INTO quality
        SELECT r.rid, s.source, 'outside_membership',
               printf('%s voted %s on %s but was not a UN member then (%s row %d)',
                      c.code, {letter}, coalesce(strftime(d.date, '%Y-%m-%d'), ''),
                      s.file, o.row)
        FROM q_out o JOIN q_src s USING (ord) JOIN rid_of_uid r USING (uid)
        JOIN state_codes c USING (sid) JOIN res_dates d USING (uid)
        UNION ALL
        SELECT any_value(r.rid), NULL, 'vote_disagreement',
               any_value(c.code) || ': ' ||
               string_agg(s.source || '=' || {letter}, ', ' ORDER BY q.ord)
        FROM q_dis q JOIN q_src s USING (ord) JOIN rid_of_uid r USING (uid)
        JOIN state_codes c USING (sid)
        GROUP BY q.uid, q.sid""")
    for name in ("q_dis", "q_out", "q_src"):
        con.unregister(name)


#: a "title" that is a speaker's words from the meeting record ("The President: We have
#: heard the last speaker…"), as one source (unvotes' ``descr``) has for some votes: never
#: taken as a title (another source's title is, or none), and noted in ``quality``
TRANSCRIPT = (r"^\s*(The )?(Acting )?(President|Chair|Chairman|Chairperson|Secretary-General)"
              r"( \([^)]{0,60}\))?\s*:")


def _resolutions_table(con) -> None:
    con.execute(f"""
        CREATE OR REPLACE TABLE resolutions AS
        WITH pick AS (
            SELECT rid,
                arg_min(body, prec) AS body,
                arg_min(session, prec) FILTER (session IS NOT NULL) AS session,
                arg_min(special, prec) FILTER (special IS NOT NULL) AS special,
                arg_min(date, prec) FILTER (date IS NOT NULL) AS date,
                arg_min(symbol, prec) FILTER (symbol IS NOT NULL) AS symbol,
                arg_min(title, prec) FILTER (title IS NOT NULL AND title <> ''
                                             AND NOT regexp_matches(title, '{TRANSCRIPT}'))
                    AS title,
                arg_min(agenda, prec) FILTER (agenda IS NOT NULL AND agenda <> '') AS agenda,
                arg_min(subjects, prec) FILTER (subjects IS NOT NULL AND subjects <> '')
                    AS subjects,
                bool_or(important) AS important,
                coalesce(bool_or(amend), false) AS amend,
                coalesce(bool_or(para), false) AS para,
                CASE WHEN bool_or(adoption = 'recorded') THEN 'recorded'
                     WHEN bool_or(adoption = 'partial') THEN 'partial'
                     ELSE 'without_vote' END AS adoption,
                coalesce(arg_min(outcome, prec) FILTER (outcome IS NOT NULL), 'adopted')
                    AS outcome,
                arg_min(link, prec) FILTER (link IS NOT NULL) AS link,
                arg_min(yes, prec) FILTER (yes IS NOT NULL) AS yes,
                arg_min(no, prec) FILTER (yes IS NOT NULL) AS no,
                arg_min(abstain, prec) FILTER (yes IS NOT NULL) AS abstain,
                arg_min(non_voting, prec) FILTER (non_voting IS NOT NULL) AS non_voting,
                arg_min(draft, prec) FILTER (draft IS NOT NULL) AS draft,
                arg_min(committee_report, prec) FILTER (committee_report IS NOT NULL)
                    AS committee_report,
                arg_min(meeting, prec) FILTER (meeting IS NOT NULL) AS meeting,
                arg_min(total_ms, prec) FILTER (total_ms IS NOT NULL) AS total_ms,
                arg_min(modality, prec) FILTER (modality IS NOT NULL) AS modality,
                list_sort(list_distinct(list(source))) AS sources,
                min(rc) AS rcid
            FROM res_rows GROUP BY rid
        )
        SELECT p.rid, p.body, p.session, p.special, CAST(p.date AS DATE) AS date, p.symbol,
               p.title, p.agenda, p.subjects,
               coalesce(i.issues, []::VARCHAR[]) AS issues,
               p.important, p.amend, p.para, p.adoption, p.outcome,
               CAST(NULL AS VARCHAR) AS recurring_key,
               p.sources, p.link, p.yes, p.no, p.abstain, p.non_voting, p.rcid,
               p.draft, p.committee_report, p.meeting, p.total_ms, p.modality
        FROM pick p
        LEFT JOIN (
            SELECT r.rid, list_sort(list_distinct(list(i.issue))) AS issues
            FROM src_issues i JOIN res_rows r USING (ingest_id, key) GROUP BY r.rid
        ) i USING (rid)
        ORDER BY p.body, p.date, p.rid
    """)
    res = con.sql("SELECT rid, title, agenda, session, amend, para FROM resolutions").df()
    keys = pd.DataFrame({"rid": res["rid"].to_numpy(),
                         "rkey": recurring_keys(res).replace("", None).to_numpy()})
    con.register("rkeys_df", keys)
    con.execute("UPDATE resolutions SET recurring_key = k.rkey FROM rkeys_df k "
                "WHERE resolutions.rid = k.rid")
    con.unregister("rkeys_df")


def _quality(con) -> None:
    con.execute(f"""
        CREATE OR REPLACE TABLE quality AS
        -- notes made while parsing
        SELECT u.rid, q.source, q.kind, q.detail
        FROM src_quality q
        LEFT JOIN (SELECT DISTINCT ingest_id, key, rid FROM res_rows) u USING (ingest_id, key)
        UNION ALL
        -- a source's title is meeting-record text (left out of the resolution's title)
        SELECT rid, source, 'transcript_title',
               printf('%s gives meeting-record text as the title ("%s…"); %s', source,
                      left(title, 60), CASE WHEN (SELECT r.title FROM resolutions r
                                                  WHERE r.rid = x.rid) IS NULL
                                            THEN 'no other source has a title: left empty'
                                            ELSE 'the title is taken from another source' END)
        FROM res_rows x WHERE regexp_matches(title, '{TRANSCRIPT}')
        UNION ALL
        -- a source's own count of Y/N/A differs from the totals it records
        SELECT r.rid, r.source, 'tally_mismatch' AS kind,
               printf('%s: recorded %d-%d-%d (Y-N-A), its rows count %d-%d-%d',
                      r.source, r.yes, r.no, r.abstain, r.cy, r.cn, r.ca) AS detail
        FROM res_rows r
        WHERE r.adoption = 'recorded' AND r.yes IS NOT NULL
          AND (r.yes <> r.cy OR r.no <> r.cn OR r.abstain <> r.ca)
        UNION ALL
        -- two sources record different totals for the same vote
        SELECT rid, NULL AS source, 'tally_disagreement' AS kind,
               string_agg(printf('%s %d-%d-%d', source, yes, no, abstain), '; '
                          ORDER BY prec) AS detail
        FROM res_rows WHERE yes IS NOT NULL
        GROUP BY rid HAVING count(DISTINCT printf('%d-%d-%d', yes, no, abstain)) > 1
        UNION ALL
        -- two sources date the same vote differently (by more than a day)
        SELECT rid, NULL, 'date_disagreement',
               string_agg(printf('%s %s', source, strftime(date, '%Y-%m-%d')), '; '
                          ORDER BY prec)
        FROM res_rows WHERE date IS NOT NULL
        GROUP BY rid HAVING datediff('day', min(date), max(date)) > 1
    """)
