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
For General Assembly votes, members of the UN on the vote's date (``comity.states``
membership periods) that no source lists get ``X`` with ``inferred = true``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

PRECEDENCE: dict[str, int] = {
    "undl_ga": 0,
    "undl_sc": 0,
    "unxml": 1,
    "scrape": 2,
    "unvotes": 3,
    "voeten2016": 4,
    "supplement": 5,
}
RC_SOURCES = ("voeten2016", "unvotes")
DATE_TOLERANCE_DAYS = 30


def _base_part(symbols: pd.Series) -> tuple[pd.Series, pd.Series]:
    from comity.sources.base import split_part

    pairs = [split_part(s) if isinstance(s, str) else (None, "") for s in symbols]
    base = pd.Series([p[0] for p in pairs], index=symbols.index, dtype=object)
    part = pd.Series([p[1] for p in pairs], index=symbols.index, dtype=object)
    return base, part


def build_units(con) -> pd.DataFrame:
    """Map every staged (source, key) to a ``rid``. Returns ``source, key, rid, rc``."""
    res = con.sql(
        """
        SELECT r.ingest_id, r.kid, r.source, r.key, r.body, r.symbol, r.date, r.amend, r.para,
               r.adoption, r.yes, r.no, r.abstain,
               coalesce(c.y, 0) AS cy, coalesce(c.n, 0) AS cn, coalesce(c.a, 0) AS ca
        FROM src_resolutions r
        LEFT JOIN (
            SELECT ingest_id, kid,
                   count(*) FILTER (vote = 1) AS y, count(*) FILTER (vote = 3) AS n,
                   count(*) FILTER (vote = 2) AS a
            FROM src_votes GROUP BY ALL
        ) c USING (ingest_id, kid)
        """
    ).df()
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
    # adopted resolution that holds the same vote (same day ± 3, votes identical)
    nores = sym[~sym["symbol"].fillna("").str.match(r"^(A|S)/RES/")
                & (sym["adoption"] == "recorded")]
    if not nores.empty:
        drafts = (nores.sort_values(["unit", "pref"]).groupby("unit", as_index=False)
                  .agg(date=("date", "first"), ingest_id=("ingest_id", "first"),
                       kid=("kid", "first")))
        targets = (sym[sym["symbol"].fillna("").str.match(r"^(A|S)/RES/")
                       & (sym["adoption"] == "recorded")]
                   .sort_values(["unit", "pref"]).groupby("unit", as_index=False)
                   .agg(date=("date", "first"), ingest_id=("ingest_id", "first"),
                        kid=("kid", "first")))
        merged = _content_links(con, drafts, targets, id_col="unit", max_days=3,
                                one_to_one=False)
        if merged:
            sym["unit"] = sym["unit"].replace(merged)
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
    links = pd.DataFrame(columns=["key", "unit"])
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
        links = pd.DataFrame(chosen, columns=["key", "unit"])
    link_map = dict(zip(links["key"], links["unit"], strict=True))
    # second pass, by content: Voeten's ``unres`` of the early sessions often names no
    # resolution number, so unlinked roll calls are compared vote by vote with unlinked records
    rc_left = rcu[~rcu["key"].isin(link_map)]
    sym_left = symu[~symu["unit"].isin(set(link_map.values()))]
    link_map.update(_content_links(con, rc_left, sym_left))

    # rids
    sym_rid = sym[["ingest_id", "kid", "unit"]].rename(columns={"unit": "rid"})
    sym_rid["rc"] = None
    rc_units = rcu[["key", "symbol", "amend", "para"]].copy()
    rc_units["linked"] = rc_units["key"].map(link_map)
    taken = set(sym["unit"])
    cand_rid = rc_units["symbol"].where(rc_units["symbol"].notna(), "RC" + rc_units["key"])
    clash = cand_rid.duplicated(keep=False) | cand_rid.isin(taken)
    own = np.where(clash, cand_rid + "#rc" + rc_units["key"], cand_rid)
    own = np.where(rc_units["symbol"].isna(), "RC" + rc_units["key"], own)
    rc_units["rid"] = rc_units["linked"].where(rc_units["linked"].notna(), own)
    rc_rid = rc[["ingest_id", "kid", "key"]].merge(rc_units[["key", "rid"]], on="key")
    rc_rid["rc"] = rc_rid["key"]
    out = pd.concat([sym_rid, rc_rid[["ingest_id", "kid", "rid", "rc"]]], ignore_index=True)
    out["uid"] = pd.factorize(out["rid"])[0].astype(np.int32)
    return out


CONTENT_MIN_SHARED = 10
CONTENT_MIN_IDENTICAL = 0.97


def _content_links(con, rc_left: pd.DataFrame, sym_left: pd.DataFrame, *, id_col: str = "key",
                   max_days: int = DATE_TOLERANCE_DAYS, one_to_one: bool = True
                   ) -> dict[str, str]:
    """Link roll calls to symbol records that record the same vote.

    Candidates are dated within :data:`DATE_TOLERANCE_DAYS`; a pair is the same vote when at
    least :data:`CONTENT_MIN_SHARED` states appear in both and ≥ 97 % of them voted the same
    way, and the Y/N/A counts are close. Vectorised: one sparse product of one-hot vote
    matrices gives identical-vote counts for all pairs at once; greedy one-to-one by score.
    """
    from scipy import sparse

    if rc_left.empty or sym_left.empty:
        return {}
    reps = pd.concat([
        pd.DataFrame({"ingest_id": rc_left["ingest_id"].to_numpy(),
                      "kid": rc_left["kid"].to_numpy(), "side": 0,
                      "idx": np.arange(len(rc_left))}),
        pd.DataFrame({"ingest_id": sym_left["ingest_id"].to_numpy(),
                      "kid": sym_left["kid"].to_numpy(), "side": 1,
                      "idx": np.arange(len(sym_left))}),
    ], ignore_index=True)
    con.register("reps_df", reps)
    try:
        v = con.execute("""
            SELECT r.side, r.idx, v.state_id, v.vote FROM src_votes v
            JOIN reps_df r USING (ingest_id, kid) WHERE v.vote IN (1, 2, 3)""").df()
    finally:
        con.unregister("reps_df")
    if v.empty:
        return {}
    n_states = int(v["state_id"].max()) + 1

    def onehot(side: int, n: int) -> tuple:
        d = v[v["side"] == side]
        rows = d["idx"].to_numpy()
        cols = d["state_id"].to_numpy().astype(np.int64) * 3 + d["vote"].to_numpy() - 1
        ones = np.ones(len(d), dtype=np.float32)
        m = sparse.csr_matrix((ones, (rows, cols)), shape=(n, n_states * 3))
        p = sparse.csr_matrix((ones, (rows, d["state_id"].to_numpy())), shape=(n, n_states))
        return m, p

    a, ap = onehot(0, len(rc_left))
    b, bp = onehot(1, len(sym_left))
    same = (a @ b.T).toarray()
    shared = (ap @ bp.T).toarray()
    d_rc = pd.to_datetime(rc_left["date"]).to_numpy(dtype="datetime64[D]")
    d_s = pd.to_datetime(sym_left["date"]).to_numpy(dtype="datetime64[D]")
    days = np.abs((d_rc[:, None] - d_s[None, :]).astype("timedelta64[D]").astype(float))
    days[np.isnan(days)] = max_days + 1
    with np.errstate(invalid="ignore", divide="ignore"):
        share = same / shared
    ok = (shared >= CONTENT_MIN_SHARED) & (share >= CONTENT_MIN_IDENTICAL) & (
        days <= max_days)
    i, j = np.nonzero(ok)
    if len(i) == 0:
        return {}
    score = (1 - share[i, j]) + days[i, j] / 1000
    order = np.argsort(score, kind="stable")
    used_i: set[int] = set()
    used_j: set[int] = set()
    out: dict[str, str] = {}
    keys = rc_left[id_col].to_numpy()
    units = sym_left["unit"].to_numpy()
    for k in order:
        ii, jj = int(i[k]), int(j[k])
        if ii in used_i or (one_to_one and jj in used_j):
            continue
        used_i.add(ii)
        used_j.add(jj)
        out[str(keys[ii])] = str(units[jj])
    return out


def rebuild(con) -> dict[str, int]:
    """Rebuild ``resolutions``, ``votes`` and ``quality`` from the staging tables."""
    units = build_units(con)
    con.register("units_df", units)
    con.execute("CREATE OR REPLACE TEMP TABLE unit_map AS SELECT * FROM units_df")
    con.unregister("units_df")
    con.execute("CREATE OR REPLACE TEMP TABLE rid_map AS SELECT DISTINCT uid, rid FROM unit_map")
    cases = " ".join(f"WHEN '{k}' THEN {v}" for k, v in PRECEDENCE.items())
    # rank of a staged row: source precedence first, then the newer ingest
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE ing AS
        SELECT ingest_id, any_value(source) AS source, any_value(file) AS file,
               (CASE any_value(source) {cases} ELSE 9 END) * 1000000 - ingest_id AS prec
        FROM ingests WHERE part = 0 GROUP BY ingest_id
    """)
    con.execute("""
        CREATE OR REPLACE TEMP TABLE res_rows AS
        SELECT u.uid, u.rid, u.rc, r.*, i.prec
        FROM src_resolutions r JOIN unit_map u USING (ingest_id, kid) JOIN ing i USING (ingest_id)
    """)
    con.execute("""
        CREATE OR REPLACE TABLE resolutions AS
        WITH pick AS (
            SELECT rid,
                arg_min(body, prec) AS body,
                arg_min(session, prec) FILTER (session IS NOT NULL) AS session,
                arg_min(special, prec) FILTER (special IS NOT NULL) AS special,
                arg_min(date, prec) FILTER (date IS NOT NULL) AS date,
                arg_min(symbol, prec) FILTER (symbol IS NOT NULL) AS symbol,
                arg_min(title, prec) FILTER (title IS NOT NULL AND title <> '') AS title,
                arg_min(agenda, prec) FILTER (agenda IS NOT NULL AND agenda <> '') AS agenda,
                arg_min(subjects, prec) FILTER (subjects IS NOT NULL AND subjects <> '')
                    AS subjects,
                bool_or(important) AS important,
                coalesce(bool_or(amend), false) AS amend,
                coalesce(bool_or(para), false) AS para,
                CASE WHEN bool_or(adoption = 'recorded') THEN 'recorded'
                     ELSE 'without_vote' END AS adoption,
                coalesce(arg_min(outcome, prec) FILTER (outcome IS NOT NULL), 'adopted')
                    AS outcome,
                arg_min(link, prec) FILTER (link IS NOT NULL) AS link,
                arg_min(yes, prec) FILTER (yes IS NOT NULL) AS yes,
                arg_min(no, prec) FILTER (yes IS NOT NULL) AS no,
                arg_min(abstain, prec) FILTER (yes IS NOT NULL) AS abstain,
                arg_min(non_voting, prec) FILTER (non_voting IS NOT NULL) AS non_voting,
                list_sort(list_distinct(list(source))) AS sources,
                min(rc) AS rcid
            FROM res_rows GROUP BY rid
        )
        SELECT p.rid, p.body, p.session, p.special, CAST(p.date AS DATE) AS date, p.symbol,
               p.title, p.agenda, p.subjects,
               coalesce(i.issues, []::VARCHAR[]) AS issues,
               p.important, p.amend, p.para, p.adoption, p.outcome,
               CAST(NULL AS VARCHAR) AS recurring_key,
               p.sources, p.link, p.yes, p.no, p.abstain, p.non_voting, p.rcid
        FROM pick p
        LEFT JOIN (
            SELECT r.rid, list_sort(list_distinct(list(i.issue))) AS issues
            FROM src_issues i JOIN res_rows r USING (ingest_id, key) GROUP BY r.rid
        ) i USING (rid)
        ORDER BY p.body, p.date, p.rid
    """)
    con.execute("""
        UPDATE resolutions SET recurring_key = lower(trim(regexp_replace(regexp_replace(
            coalesce(title, ''), '[0-9]+|\\(.*?\\)|\\[.*?\\]', ' ', 'g'),
            '[^A-Za-z]+', ' ', 'g')))
        WHERE title IS NOT NULL
    """)
    con.execute("""
        CREATE OR REPLACE TEMP TABLE vote_rows AS
        SELECT u.uid, v.ingest_id, v.kid, v.state_id, v.vote, v.row, i.prec
        FROM src_votes v JOIN unit_map u USING (ingest_id, kid) JOIN ing i USING (ingest_id)
    """)
    con.execute("""
        CREATE OR REPLACE TEMP TABLE vote_pick AS
        SELECT uid, state_id, arg_min(vote, prec) AS vote, arg_min(ingest_id, prec) AS ingest_id,
               min(vote) <> max(vote) AS disagree
        FROM vote_rows GROUP BY uid, state_id
    """)
    con.execute("""
        CREATE OR REPLACE TABLE votes AS
        SELECT m.rid, s.code AS state,
               CASE p.vote WHEN 1 THEN 'Y' WHEN 2 THEN 'A' WHEN 3 THEN 'N' ELSE 'X' END AS vote,
               false AS inferred, i.source
        FROM vote_pick p JOIN rid_map m USING (uid) JOIN state_ids s USING (state_id)
        JOIN ing i USING (ingest_id)
    """)
    # inferred absences: GA members on the date with no row from any source
    con.execute("""
        INSERT INTO votes
        SELECT r.rid, m.code AS state, 'X' AS vote, true AS inferred, 'inferred' AS source
        FROM resolutions r
        JOIN memberships m
          ON r.date >= m.start AND (m."end" IS NULL OR r.date < m."end")
        WHERE r.body = 'GA' AND r.adoption = 'recorded'
          AND r.rid IN (SELECT rid FROM votes)
          AND NOT EXISTS (SELECT 1 FROM votes v WHERE v.rid = r.rid AND v.state = m.code)
    """)
    _quality(con)
    counts = {
        "resolutions": con.sql("SELECT count(*) FROM resolutions").fetchall()[0][0],
        "votes": con.sql("SELECT count(*) FROM votes").fetchall()[0][0],
        "quality": con.sql("SELECT count(*) FROM quality").fetchall()[0][0],
    }
    for t in ("res_rows", "vote_rows", "vote_pick", "unit_map", "rid_map", "ing"):
        con.execute(f"DROP TABLE IF EXISTS {t}")
    return counts


_VOTE_SQL = "CASE {c} WHEN 1 THEN 'Y' WHEN 2 THEN 'A' WHEN 3 THEN 'N' ELSE 'X' END"


def _quality(con) -> None:
    v = _VOTE_SQL.format(c="v.vote")
    con.execute(f"""
        CREATE OR REPLACE TABLE quality AS
        -- notes made while parsing
        SELECT u.rid, q.source, q.kind, q.detail
        FROM src_quality q
        LEFT JOIN (SELECT DISTINCT ingest_id, key, rid FROM res_rows) u USING (ingest_id, key)
        UNION ALL
        -- a source's own count of Y/N/A differs from the totals it records
        SELECT r.rid, r.source, 'tally_mismatch' AS kind,
               printf('%s: recorded %d-%d-%d (Y-N-A), its rows count %d-%d-%d',
                      r.source, r.yes, r.no, r.abstain,
                      coalesce(c.y, 0), coalesce(c.n, 0), coalesce(c.a, 0)) AS detail
        FROM res_rows r
        LEFT JOIN (SELECT ingest_id, kid, count(*) FILTER (vote = 1) AS y,
                          count(*) FILTER (vote = 3) AS n, count(*) FILTER (vote = 2) AS a
                   FROM vote_rows GROUP BY ALL) c USING (ingest_id, kid)
        WHERE r.adoption = 'recorded' AND r.yes IS NOT NULL
          AND (r.yes <> coalesce(c.y, 0) OR r.no <> coalesce(c.n, 0)
               OR r.abstain <> coalesce(c.a, 0))
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
        UNION ALL
        -- two sources give a state different votes
        SELECT m.rid, NULL, 'vote_disagreement',
               s.code || ': ' || string_agg(i.source || '=' || {v}, ', ' ORDER BY v.prec)
        FROM vote_rows v
        SEMI JOIN (SELECT uid, state_id FROM vote_pick WHERE disagree) d USING (uid, state_id)
        JOIN rid_map m USING (uid) JOIN state_ids s USING (state_id)
        JOIN ing i USING (ingest_id)
        GROUP BY m.rid, s.code
        UNION ALL
        -- a vote cast by a state that was not a member that day
        SELECT r.rid, i.source, 'outside_membership',
               printf('%s voted %s on %s but was not a UN member then (%s row %d)',
                      s.code, {v}, strftime(r.date, '%Y-%m-%d'), i.file, v.row)
        FROM vote_rows v
        JOIN rid_map m USING (uid)
        JOIN resolutions r ON r.rid = m.rid
        JOIN state_ids s USING (state_id)
        JOIN ing i USING (ingest_id)
        LEFT JOIN memberships ms ON ms.code = s.code AND r.date >= ms.start
             AND r.date < coalesce(ms."end", DATE '9999-12-31')
        WHERE r.body = 'GA' AND r.date IS NOT NULL AND v.vote <> 8 AND ms.code IS NULL
    """)
