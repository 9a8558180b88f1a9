"""Claims about alignment, answered with a verdict, an effect with its interval, and the votes.

A user states a claim in a short text form (or builds one of the frozen dataclasses below);
:func:`evaluate` answers with a :class:`ClaimResult`. ``comity.parse_claim`` and
``comity.evaluate`` are re-exported from the package; ``comity claim "..."`` is the CLI
(:mod:`comity.cli.claims`, whose docstring lists the JSON keys).

Claim forms
-----------
Square brackets mark optional parts; ``A``, ``B``, ``C`` are states or blocs (see below)::

    A closer to B than to C [PERIOD] [on ISSUE] [measure M]        -> CloserClaim
    A further from B than from C ...                                   (claims the reverse)
    A moved toward B [PERIOD] [BEFORE] [relative to C] [on ISSUE] [measure M]  -> MovedClaim
    A moved away from B ...                                            (claims the reverse)
    BLOC more cohesive PERIOD than PERIOD [on ISSUE]               -> CohesionClaim
    BLOC less cohesive PERIOD than PERIOD ...
    top K closest to A [PERIOD] [on ISSUE] [measure M]             -> RankingClaim
    top K furthest from A ...

Examples: ``USA closer to RUS than to EU in 2025 on hr measure kappa``, ``USA moved toward
RUS since 2025-01-20 relative to EU``, ``USA moved toward RUS since 2025-01-20 from 2021-01-20
to 2025-01-19``, ``EU more cohesive in 2024 than in 2014``, ``top 10 closest to CHN in 2025
on ec``. A question works too (``Is the USA closer to Russia than to the EU in 2025?``);
brackets, a leading ``is/was/has/did`` and a trailing ``?`` are ignored; keywords are
case-insensitive.

``PERIOD`` is one of: a year (``in 2025``), years (``in 2015-2020``, both inclusive),
``since DATE`` (up to the last recorded vote of the store), ``between D1 and D2`` or ``from D1
to D2`` (both inclusive), ``in session 79`` (``in the 79th session``). A ``DATE`` is
``YYYY-MM-DD``, ``YYYY-MM`` or ``YYYY`` (a year or month as a start means its first day, as an
end its last day). Without a period a closer or ranking claim is about the latest calendar year
with recorded votes.

``BEFORE`` (moved claims) is the window the claim period is compared with: ``from D1 to D2``
or ``compared with PERIOD``. Default: the window of the same length just before the claim
period (the previous year(s) for a year or years, the previous session for a session, the same
number of days for ``since``/``between``; ``since D`` runs from ``D`` to the last recorded vote
of the body, so the window before ends the day before ``D``).

``ISSUE``: Voeten's codes ``me nu di hr co ec`` or names (``human rights``, ``nuclear
weapons``, ...; :data:`comity.analysis.align.ISSUES`): only votes coded with the issue count.
``M``: ``agreement`` (default), ``S``, ``kappa``, ``pi``, ``coincidence``
(:mod:`comity.analysis.measures`).

Parties are resolved as in :func:`comity.analysis.align.resolve_party`: a canonical state code is a
state (``NAM`` = Namibia), else a bloc key, name or alias (``EU``, ``NATO``, ``Non-Aligned
Movement``), else any state spelling (``Russia``); ``state:X``/``bloc:X`` force a reading and a
leading ``the`` is dropped. The subject of a cohesion claim is always a bloc. Unknown or
ambiguous names raise :class:`~comity.errors.UnknownStateError` /
:class:`~comity.errors.UnknownBlocError` whose ``candidates`` list the possible meanings; text
that fits none of the forms raises :class:`ClaimSyntaxError` with the forms and examples. The
dataclasses hold canonical tokens (``"USA"``, ``"bloc:eu"``), so claims compare equal
whatever the spelling, and ``str(claim)`` is a canonical text that parses back to the claim.

What is measured
----------------
Votes, periods and bloc positions follow :mod:`comity.analysis.align` (votes coded Y = 1, A = 2,
N = 3; a bloc's position is the majority of its members on the date of the vote; a state
compared with a bloc it belongs to is left out of the bloc's position; named states use their
lineage: RUS includes the USSR before 1991-12-24).

* **closer**: ``effect = m(A, B) - m(A, C)`` on the *same* resolutions: those of the period
  where A, B and C all had a Y/A/N position (for ``coincidence``: all three voted Y or N). One
  bootstrap resamples the period's resolutions; each draw recomputes both measures on the same
  resample (paired), as :func:`comity.analysis.measures.paired_difference` with ``common=True``,
  whose
  numbers it reproduces for states.
* **moved**: ``effect = m(A, B)[after] - m(A, B)[before]``, each on the resolutions where both
  had a position; with ``relative to C``: ``effect = [m(A, B) - m(A, C)][after] - [m(A, B) -
  m(A, C)][before]``, each bracket paired as for closer. The two windows are resampled
  independently (first the window before, then the window after, from one generator).
* **cohesion**: ``effect = HNR[period] - HNR[than]``: the Hix–Noury–Roland agreement index of
  :func:`comity.analysis.align.cohesion` (resolutions where at least two members voted Y/A/N),
  bootstrapped independently in each period (the claimed period first).
* **ranking**: every state's measure with A in the period (a bloc anchor is compared with each
  of its members without that member), the top ``K`` with bootstrap intervals. No verdict
  (``verdict == "ranking"``).

Verdict
-------
With the percentile bootstrap interval ``[lo, hi]`` (95 %) of the effect and the claimed sign
(closer/toward/more: positive; further/away/less: negative): **supported** when the interval
excludes zero on the claimed side, **contradicted** when it excludes zero on the other side,
**inconclusive** otherwise (also when there is no interval: ``bootstrap=0``, or when more
than 2.5 % of the draws leave the measure undefined, or when the measure itself is undefined,
e.g. kappa when every vote was the same), and **insufficient data** when a side rests on
fewer than ``min_votes`` votes (``n`` is reported).

Evidence
--------
The resolutions that drive the effect, most decisive first: the *contribution* of a
resolution is ``effect - effect without it`` (leave-one-out, recomputing the measure exactly as
defined, so it is weighted as in the measure; for agreement on resolutions all three voted it
is proportional to ``|vote A - vote C| - |vote A - vote B|`` minus its mean). Rows are ranked
by contribution in the direction of the observed effect (ties: the later vote first); the
columns are ``rank, window, rid, symbol, date, title, vote_a, vote_b[, vote_c]`` (Y/A/N; a
bloc's majority position, ``tie`` for an even split), ``split_a``/``split_b``/``split_c`` for
bloc parties (members' ``Y-A-N`` counts), ``sided`` (closer/moved with a reference:
``with B``, ``with C``, ``all agree``, ``apart``; moved: ``same``/``different``),
``contribution``, ``issues``, ``yes, no, abstain`` (official tallies) and ``link``: the
official record (``resolutions.link`` where the store has one, else a UN Digital Library
search for the symbol: ``https://digitallibrary.un.org/search?ln=en&p="<symbol>"``, see
:func:`record_link`). Cohesion evidence has ``position`` (the bloc majority),
``members_yes/abstain/no`` and ``cohesion`` (the resolution's index) instead of the votes.

``counts``: closer: on the resolutions compared, how often A voted with B against C
(``with_b_against_c``), with C against B (``with_c_against_b``), with both (``all_agree``)
or with neither (``apart``); moved: per window ``same``/``different`` (and the four counts
with a reference); cohesion: per window ``unanimous``/``split`` votes.

``robustness``: ``measures``: the effect, interval, n and verdict under each of the five
measures (cohesion: the index only); ``without_top5``: the same claim re-evaluated (bootstrap
included) without the five most decisive evidence resolutions, with their symbols; ``stable``:
whether every verdict there equals the main one. Ranking: the top K under each measure.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from comity.analysis.isolation import isolation
from comity.analysis.measures import (
    MEASURES,
    _check_options,
    _onehot9,
    _percentile_interval,
    _positions,
    _resample_weights,
)
from comity.analysis.query import (
    Party,
    _extra_blocs,
    _member_block,
    _one_blas_thread,
    _self_codes,
    bloc_position,
    resolve_party,
)
from comity.claims.engine import (
    _MIN_MEMBERS,
    _contributions,
    _Ctx,
    _estimate,
    _f,
    _labels,
    _measure_table,
    _Opts,
    _point,
    _rows,
    _Side,
    _side,
    _values,
    _verdict,
    _Win,
    _window,
    _window_before,
)
from comity.claims.evidence import (
    UNDL_SEARCH,
    _contested,
    _empty_evidence,
    _four_counts,
    _gone,
    _meta,
    _pair_evidence,
    _rank_order,
    _same,
    _tail,
    _top_removed,
    _with_links,
    record_link,
    tied_top,
)
from comity.claims.grammar import (
    CLAIM_TYPES,
    Claim,
    ClaimError,
    ClaimSyntaxError,
    CloserClaim,
    CohesionClaim,
    IsolationClaim,
    MovedClaim,
    NeutralityClaim,
    Period,
    RankingClaim,
    _bloc_party,
    _measure_name,
    parse_claim,
    parse_period,
)
from comity.claims.result import (
    VERDICTS,
    ClaimResult,
    _period_info,
    _window_info,
)
from comity.errors import UnknownStateError
from comity.store.panel import ABSENT, ABSTAIN, NO, NONMEMBER, YES, Panel
from comity.world.blocs import Bloc
from comity.world.holes import known_holes
from comity.world.topics import topic as world_topic

if TYPE_CHECKING:

    from comity.store.db import Store

__all__ = [
    "UNDL_SEARCH",
    "VERDICTS",
    "Claim",
    "ClaimError",
    "ClaimResult",
    "ClaimSyntaxError",
    "CloserClaim",
    "CohesionClaim",
    "MovedClaim",
    "Period",
    "RankingClaim",
    "evaluate",
    "parse_claim",
    "parse_period",
    "record_link",
]

# ------------------------------------------------------------------------------- evaluation
def evaluate(
    claim_or_text: Claim | str,
    *,
    store: Store | str | Path | None = None,
    panel: Panel | None = None,
    measure: str | None = None,
    bootstrap: int = 2000,
    seed: int | None = 0,
    min_votes: int = 10,
    body: str = "GA",
    blocs_file: str | Path | Mapping[str, Bloc] | None = None,
    top_evidence: int | None = 20,
    ci: float = 0.95,
) -> ClaimResult:
    """Evaluate a claim (text or dataclass): verdict, effect with bootstrap interval, evidence.

    ``store``: a :class:`~comity.store.db.Store`, a path or None (the default store, read-only);
    ``panel``: a ready-made :class:`~comity.store.panel.Panel` instead of a store (hand-made data,
    tests). ``measure``: overrides the claim's own ``measure`` clause (default: the clause,
    else ``agreement``). ``bootstrap``: draws (0: no interval, so no verdict beyond
    inconclusive); ``seed``: of ``numpy.random.default_rng`` (the default 0 makes verdicts
    reproducible); ``min_votes``: fewer shared votes on any side -> ``insufficient data``;
    ``body``: ``GA``, ``SC`` or ``both``; ``blocs_file``: user blocs;
    ``top_evidence``: evidence rows kept (None: all). Rules in the module docstring.
    """
    _check_options(bootstrap, ci, min_votes)
    extra = _extra_blocs(blocs_file)
    if not isinstance(claim_or_text, (str, *CLAIM_TYPES)):
        raise ClaimError(f"not a claim: {claim_or_text!r}")
    claim = parse_claim(claim_or_text, blocs_file=extra)
    if isinstance(claim, CohesionClaim):
        if measure is not None and str(measure).casefold() not in ("cohesion", "hnr"):
            raise ClaimError("a cohesion claim uses the Hix–Noury–Roland agreement index; "
                             f"measure {measure!r} does not apply")
        m = "cohesion"
    elif isinstance(claim, IsolationClaim):
        m = "opposed"
    else:
        m = _measure_name(measure or claim.measure or "agreement")
    if top_evidence is not None and int(top_evidence) < 0:
        raise ClaimError(f"top_evidence must be >= 0 or None, got {top_evidence!r}")
    opts = _Opts(int(bootstrap), seed, float(ci), int(min_votes),
                 None if top_evidence is None else int(top_evidence))
    topic = None if claim.topic is None else world_topic(claim.topic)
    ctx = _Ctx(store, panel, body, claim.issue, extra,
               None if topic is None else topic.keywords)
    source = {"store": store, "panel": panel, "extra": extra, "body": ctx.body}
    try:
        with _one_blas_thread():
            if isinstance(claim, CloserClaim):
                out = _eval_closer(claim, ctx, m, opts)
            elif isinstance(claim, MovedClaim):
                out = _eval_moved(claim, ctx, m, opts)
            elif isinstance(claim, CohesionClaim):
                out = _eval_cohesion(claim, ctx, opts)
            elif isinstance(claim, IsolationClaim):
                out = _eval_isolation(claim, ctx, opts)
            elif isinstance(claim, NeutralityClaim):
                out = _eval_neutrality(claim, ctx, m, opts)
            else:
                out = _eval_ranking(claim, ctx, m, opts)
        holes = _hole_notes(out, ctx)
    finally:
        ctx.close()
    notes = list(out.notes) + holes
    if topic is not None:
        notes.append(f"topic {topic.name}: votes whose title, agenda item or subjects contain "
                     + " or ".join(repr(k) for k in topic.keywords))
    for w in out.period.get("windows", []):
        if str(w.get("label", "")).endswith("(latest complete year)"):
            notes.append(f"no period given: the latest complete year of the data "
                         f"({w['start']} to {w['end']})")
        if str(w.get("label", "")).startswith("now:"):
            notes.append(f"'now' is the latest 12 months of data ({w['start']} to {w['end']})")
        if w["resolutions"] == 0:
            text = f"no recorded {ctx.body} votes in the {w['role']} window ({w['label']})"
            if claim.issue:
                text += (f" with issue {claim.issue}: Voeten's issue codes stop before the "
                         "newest sessions; `comity issues predict` codes the later ones")
            notes.append(text)
    if claim.issue:
        n_pred = sum(int(w.get("issues_predicted", 0)) for w in out.period.get("windows", []))
        if n_pred:
            notes.append(f"the issue codes of {n_pred} of these votes are predicted by comity's "
                         "classifier (Voeten has not coded them; `comity issues report` gives "
                         "its held-out F1)")
    query = {"measure": m, "bootstrap": opts.bootstrap, "seed": seed, "ci": opts.ci,
             "min_votes": opts.min_votes, "body": ctx.body if ctx.body != "BOTH" else "both",
             "issue": claim.issue, "topic": claim.topic, "top_evidence": opts.top_evidence,
             "blocs_file": None if blocs_file is None or isinstance(blocs_file, Mapping)
             else str(blocs_file)}
    return dataclasses.replace(out, query=query, notes=tuple(notes), _source=source)


def _resolve(token: str, extra: Mapping[str, Bloc] | None) -> Party:
    return resolve_party(token, extra)


def _paired_result(claim: Claim, parties: tuple[Party, ...], wins: list[_Win],
                   coef: np.ndarray, m: str, opts: _Opts, direction: int,
                   labels: list[tuple[str, str]], counts: dict[str, Any],
                   letters: Sequence[str]) -> ClaimResult:
    k = MEASURES.index(m)
    est = _estimate(wins, coef, opts.bootstrap, opts.seed, opts.ci, opts.min_votes)
    table = _measure_table(est, direction, opts)
    contrib = _contributions(wins, coef, k)
    eff0 = _point(wins, coef, k)
    ev_all = _pair_evidence(wins, contrib, eff0, None, letters)
    evidence = _with_links(ev_all, opts.top_evidence)
    removed = _top_removed(ev_all, eff0)
    without: dict[str, Any] | None = None
    if len(removed):
        kept = []
        for win in wins:
            gone = _gone(win.panel, removed, win.window.role)
            kept.append(win.keep(~gone))
        est2 = _estimate(kept, coef, opts.bootstrap, opts.seed, opts.ci, opts.min_votes)
        t2 = _measure_table(est2, direction, opts)[m]
        without = {"removed": removed["symbol"].where(removed["symbol"].notna(),
                                                      removed["rid"]).tolist(), **t2}
    main = table[m]
    verdicts = [v["verdict"] for v in table.values()]
    if without:
        verdicts.append(without["verdict"])
    robustness = {"measures": table, "without_top5": without,
                  "stable": all(v == main["verdict"] for v in verdicts)}
    components = []
    for w, win in enumerate(wins):
        for p_i in range(win.n_pairs):
            components.append({
                "window": win.window.role, "label": labels[p_i][0],
                "pair": labels[p_i][1], "value": _f(est.values[w][p_i, k]),
                "lo": _f(est.vlo[w][p_i, k]), "hi": _f(est.vhi[w][p_i, k]),
                "n": int(est.ns[w][p_i, k])})
    infos = [_window_info(win.window, win.panel, int(est.ns[w][:, k].max()))
             for w, win in enumerate(wins)]
    notes = []
    n_tied = tied_top(ev_all)
    if n_tied > 1:
        notes.append(f"the {n_tied} most decisive votes are tied (contribution "
                     f"{float(ev_all['contribution'].iloc[0]):+.4f} each): they are listed by "
                     "how contested the vote was, then the latest first")
    if opts.bootstrap == 0:
        notes.append("no bootstrap (bootstrap=0): no interval, so no verdict beyond "
                     "inconclusive")
    if main["verdict"] == "inconclusive" and main["effect"] is None \
            and main["n"] >= opts.min_votes:
        notes.append(f"{m} is undefined on these votes (e.g. kappa/pi when every vote was the "
                     "same)")
    return ClaimResult(
        claim=claim, verdict=main["verdict"], effect=float(est.effect[k]),
        lo=float(est.lo[k]), hi=float(est.hi[k]), n=int(main["n"]), measure=m,
        period=_period_info(infos), evidence=evidence, counts=counts, robustness=robustness,
        parties=parties, components=tuple(components), notes=tuple(notes))


def _eval_closer(claim: CloserClaim, ctx: _Ctx, m: str, opts: _Opts) -> ClaimResult:
    pa, pb, pc = (_resolve(t, ctx.extra) for t in (claim.a, claim.b, claim.c))
    win = _window(claim.period, ctx, "claim")
    p = ctx.load(_rows([pa, pb, pc]), win)
    pairs = [(_side(p, pa, pb), _side(p, pb, pa)), (_side(p, pa, pc), _side(p, pc, pa))]
    w = _Win.build(win, p, pairs)
    codes = w.cc if m == "coincidence" else w.cd
    cols = np.flatnonzero((codes >= 0).all(axis=0))
    counts = _four_counts(_same(pairs[0], cols), _same(pairs[1], cols))
    labels = [(f"{pa.code}–{pb.code}", "a-b"), (f"{pa.code}–{pc.code}", "a-c")]
    return _paired_result(claim, (pa, pb, pc), [w], np.array([[1.0, -1.0]]), m, opts,
                          claim.direction, labels, counts, "abc")


def _eval_moved(claim: MovedClaim, ctx: _Ctx, m: str, opts: _Opts) -> ClaimResult:
    pa, pb = _resolve(claim.a, ctx.extra), _resolve(claim.b, ctx.extra)
    pc = None if claim.reference is None else _resolve(claim.reference, ctx.extra)
    parties = (pa, pb) if pc is None else (pa, pb, pc)
    after = _window(claim.after, ctx, "after")
    before = _window_before(claim.after, after, ctx) if claim.before is None \
        else _window(claim.before, ctx, "before")
    if before.end is not None and after.start is not None and before.end >= after.start:
        raise ClaimError(f"the window compared with ({before.label}) must end before the claim "
                         f"window ({after.label}) starts")
    rows = _rows(parties)
    wins = []
    counts: dict[str, Any] = {}
    for wdef in (before, after):
        p = ctx.load(rows, wdef)
        pairs = [(_side(p, pa, pb), _side(p, pb, pa))]
        if pc is not None:
            pairs.append((_side(p, pa, pc), _side(p, pc, pa)))
        w = _Win.build(wdef, p, pairs)
        wins.append(w)
        codes = w.cc if m == "coincidence" else w.cd
        cols = np.flatnonzero((codes >= 0).all(axis=0))
        same = _same(pairs[0], cols)
        if pc is None:
            counts[wdef.role] = {"n": len(cols), "same": int(same.sum()),
                                 "different": int((~same).sum())}
        else:
            counts[wdef.role] = _four_counts(same, _same(pairs[1], cols))
    if pc is None:
        coef = np.array([[-1.0], [1.0]])
        labels = [(f"{pa.code}–{pb.code}", "a-b")]
    else:
        coef = np.array([[-1.0, 1.0], [1.0, -1.0]])
        labels = [(f"{pa.code}–{pb.code}", "a-b"), (f"{pa.code}–{pc.code}", "a-c")]
    return _paired_result(claim, parties, wins, coef, m, opts, claim.direction, labels, counts,
                          "abc")


# --------------------------------------------------------------------- isolation, neutrality
def _eval_isolation(claim: IsolationClaim, ctx: _Ctx, opts: _Opts) -> ClaimResult:
    """Share of the other members voting against A's Yes/No (comity.analysis.isolation),
    judged against ``threshold`` (a majority): effect = share − threshold."""
    pa = _resolve(claim.a, ctx.extra)
    if pa.is_bloc:
        raise ClaimError(f"{claim.a} is a bloc; isolation is measured for states")
    win = _window(claim.period, ctx, "claim")
    p = ctx.load(None, win)
    r = isolation(pa.code, panel=p, bootstrap=opts.bootstrap, seed=opts.seed, ci=opts.ci,
                  threshold=claim.threshold, min_votes=opts.min_votes, body=ctx.body)
    verdict = _verdict(r.effect, r.effect_lo, r.effect_hi, claim.direction, r.n,
                       opts.min_votes)
    ev = r.votes.copy()
    if len(ev):
        ev.insert(0, "rank", np.arange(1, len(ev) + 1))
    main = {"effect": _f(r.effect), "lo": _f(r.effect_lo), "hi": _f(r.effect_hi), "n": r.n,
            "verdict": verdict}
    components = [{"window": "claim", "label": f"share of members opposing {pa.code}",
                   "pair": "a", "value": _f(r.value), "lo": _f(r.lo), "hi": _f(r.hi),
                   "n": r.n}]
    for row in r.by_year.itertuples(index=False):
        components.append({"window": f"year {int(row.year)}", "label": "by year",
                           "pair": "a", "value": _f(row.opposed), "lo": _f(row.lo),
                           "hi": _f(row.hi), "n": int(row.n)})
    counts = {**{k: int(v) for k, v in r.counts.items()},
              "shares": {k: _f(v) for k, v in r.shares.items()},
              "threshold": claim.threshold}
    return ClaimResult(
        claim=claim, verdict=verdict, effect=float(r.effect), lo=float(r.effect_lo),
        hi=float(r.effect_hi), n=int(r.n), measure="opposed",
        period=_period_info([_window_info(win, p, int(r.n))]),
        evidence=_with_links(ev, opts.top_evidence), counts=counts,
        robustness={"measures": {"opposed": main}, "without_top5": None, "stable": True},
        parties=(pa,), components=tuple(components))


def tost_verdict(effect: float, lo: float, hi: float, margin: float, n: int,
                 min_votes: int) -> str:
    """Equivalence (two one-sided tests): *supported* when the whole interval lies within
    ``±margin``, *contradicted* when it lies wholly outside it on one side, else
    *inconclusive*; *insufficient data* below ``min_votes``."""
    if n < min_votes:
        return "insufficient data"
    if not (np.isfinite(effect) and np.isfinite(lo) and np.isfinite(hi)):
        return "inconclusive"
    if -margin < lo and hi < margin:
        return "supported"
    if lo >= margin or hi <= -margin:
        return "contradicted"
    return "inconclusive"


def _eval_neutrality(claim: NeutralityClaim, ctx: _Ctx, m: str, opts: _Opts) -> ClaimResult:
    """A's alignment with B minus with C (paired, as a closer claim), judged by equivalence
    within ``±margin``."""
    closer = CloserClaim(claim.a, claim.b, claim.c, period=claim.period, issue=claim.issue,
                         measure=claim.measure, topic=claim.topic)
    res = _eval_closer(closer, ctx, m, opts)
    table = {}
    for mm, v in res.robustness.get("measures", {}).items():
        table[mm] = {**v, "verdict": tost_verdict(
            np.nan if v["effect"] is None else v["effect"],
            np.nan if v["lo"] is None else v["lo"], np.nan if v["hi"] is None else v["hi"],
            claim.margin, int(v["n"]), opts.min_votes)}
    wo = res.robustness.get("without_top5")
    if wo:
        wo = {**wo, "verdict": tost_verdict(
            np.nan if wo["effect"] is None else wo["effect"],
            np.nan if wo["lo"] is None else wo["lo"],
            np.nan if wo["hi"] is None else wo["hi"], claim.margin, int(wo["n"]),
            opts.min_votes)}
    verdict = table[m]["verdict"]
    verdicts = [v["verdict"] for v in table.values()] + ([wo["verdict"]] if wo else [])
    rob = {"measures": table, "without_top5": wo,
           "stable": all(v == verdict for v in verdicts), "margin": claim.margin}
    note = (f"neutral means the {round(opts.ci * 100)}% interval of the difference lies within "
            f"±{claim.margin:g} (equivalence test)")
    return dataclasses.replace(res, claim=claim, verdict=verdict, robustness=rob,
                               notes=(*res.notes, note))


def _hole_notes(res: ClaimResult, ctx: _Ctx) -> list[str]:
    """Notes for the known holes of the data inside the claim's windows: recorded votes no
    loaded source holds (:mod:`comity.world.holes`) and, for the Council, days after its
    last loaded vote."""
    out = []
    loaded = set()
    wins = res.period.get("windows", [])
    for w in wins:
        if not w.get("start") or not w.get("end"):
            continue
        for h in known_holes(ctx.body, w["start"], w["end"]):
            if not loaded:
                loaded = ctx.symbols()
            if h.symbol not in loaded:
                out.append(f"the {w['role']} window includes {h.symbol} ({h.date}), a recorded "
                           f"vote that no loaded source holds ({h.note})")
    if ctx.body in ("SC", "BOTH") and wins:
        last = ctx.last_date("SC")
        ends = [pd.Timestamp(w["end"]) for w in wins if w.get("end")]
        if last is not None and ends and max(ends) > last:
            out.append(f"Security Council votes are loaded up to {last.date()}; later ones are "
                       "missing from this period")
    return out


# ---------------------------------------------------------------------------------- cohesion
def _eval_cohesion(claim: CohesionClaim, ctx: _Ctx, opts: _Opts) -> ClaimResult:
    party = _bloc_party(claim.bloc, ctx.extra)
    assert party.bloc is not None
    w1 = _window(claim.period, ctx, "claim")
    if claim.other is not None:
        other = _bloc_party(claim.other, ctx.extra)
        assert other.bloc is not None
        specs = [(w1, party), (dataclasses.replace(w1, role="than"), other)]
    else:
        w2 = _window_before(claim.period, w1, ctx) if claim.than is None \
            else _window(claim.than, ctx, "than")
        w2 = dataclasses.replace(w2, role="than")
        specs = [(w1, party), (w2, party)]
    data = []
    for wdef, bp in specs:
        assert bp.bloc is not None
        p = ctx.load(bp.bloc.ever_members(), wdef)
        v, mem, _ = _member_block(p, bp.bloc, set())
        counts = np.stack([((v == k) & mem).sum(axis=0) for k in (YES, ABSTAIN, NO)])
        total = counts.sum(axis=0)
        top = counts.max(axis=0) if p.n_resolutions else np.zeros(0, np.int64)
        with np.errstate(invalid="ignore", divide="ignore"):
            ai = (top - 0.5 * (total - top)) / total
        ok = total >= _MIN_MEMBERS
        codes, tied = bloc_position(v, mem)
        data.append((wdef, p, ai, ok, counts, codes, tied))
    return _cohesion_result(claim, [bp for _, bp in specs], data, opts)


def _cohesion_stats(data: list[tuple[Any, ...]], opts: _Opts) -> dict[str, Any]:
    rng = np.random.default_rng(opts.seed) if opts.bootstrap else None
    vals, ns, lows, highs, draws = [], [], [], [], []
    for _, _, ai, ok, *_ in data:
        x = ai[ok].astype(np.float64)
        n = len(x)
        ns.append(n)
        val = float(x.mean()) if n >= max(opts.min_votes, 1) else np.nan
        vals.append(val)
        lo = hi = np.nan
        if rng is not None:
            wts = _resample_weights(rng, opts.bootstrap, n)
            d = (wts @ x.astype(np.float32)).astype(np.float64) / max(n, 1) if n \
                else np.full(opts.bootstrap, np.nan)
            draws.append(d)
            if np.isfinite(val):
                lo_a, hi_a = _percentile_interval(d[:, None], opts.ci)
                lo, hi = float(lo_a[0]), float(hi_a[0])
        lows.append(lo)
        highs.append(hi)
    effect = vals[0] - vals[1]
    lo = hi = np.nan
    if draws and np.isfinite(effect):
        lo_a, hi_a = _percentile_interval((draws[0] - draws[1])[:, None], opts.ci)
        lo, hi = float(lo_a[0]), float(hi_a[0])
    return {"values": vals, "n": ns, "lo": lows, "hi": highs, "effect": effect,
            "effect_lo": lo, "effect_hi": hi}


def _cohesion_result(claim: CohesionClaim, blocs: list[Party], data: list[tuple[Any, ...]],
                     opts: _Opts) -> ClaimResult:
    s = _cohesion_stats(data, opts)
    verdict = _verdict(s["effect"], s["effect_lo"], s["effect_hi"], claim.direction,
                       min(s["n"]), opts.min_votes)
    # evidence: leave-one-out contribution of each resolution to the difference
    parts = []
    for i, (wdef, p, ai, ok, counts, codes, tied) in enumerate(data):
        cols = np.flatnonzero(ok)
        n = len(cols)
        x = ai[cols]
        mean = x.mean() if n else np.nan
        with np.errstate(invalid="ignore", divide="ignore"):
            con = (x - mean) / (n - 1) if n > 1 else np.full(n, np.nan)
        con = con if i == 0 else -con
        df = _meta(p, cols)
        df.insert(0, "window", wdef.role)
        side = _Side(blocs[i], codes, tied, counts)
        df["position"] = _labels(side, cols)
        df["members_yes"] = counts[0, cols]
        df["members_abstain"] = counts[1, cols]
        df["members_no"] = counts[2, cols]
        df["cohesion"] = x
        df["contribution"] = con
        for name, v in _tail(p, cols).items():
            df[name] = v
        parts.append(df)
    ev = pd.concat(parts, ignore_index=True)
    eff0 = float(np.nanmean(data[0][2][data[0][3]]) - np.nanmean(data[1][2][data[1][3]])) \
        if data[0][3].any() and data[1][3].any() else np.nan
    if len(ev):
        order = _rank_order(ev["contribution"].to_numpy(dtype=float), eff0,
                            ev["date"].to_numpy(dtype="datetime64[ns]"), _contested(ev))
        ev = ev.iloc[order].reset_index(drop=True)
        ev.insert(0, "rank", np.arange(1, len(ev) + 1))
    else:
        ev = _empty_evidence()
    removed = _top_removed(ev, eff0)
    without = None
    if len(removed):
        data2 = []
        for wdef, p, ai, ok, counts, codes, tied in data:
            gone = _gone(p, removed, wdef.role)
            data2.append((wdef, p, ai, ok & ~gone, counts, codes, tied))
        s2 = _cohesion_stats(data2, opts)
        without = {"removed": removed["symbol"].where(removed["symbol"].notna(),
                                                      removed["rid"]).tolist(),
                   "effect": _f(s2["effect"]), "lo": _f(s2["effect_lo"]),
                   "hi": _f(s2["effect_hi"]), "n": int(sum(s2["n"])),
                   "verdict": _verdict(s2["effect"], s2["effect_lo"], s2["effect_hi"],
                                       claim.direction, min(s2["n"]), opts.min_votes)}
    main = {"effect": _f(s["effect"]), "lo": _f(s["effect_lo"]), "hi": _f(s["effect_hi"]),
            "n": int(sum(s["n"])), "verdict": verdict}
    robustness = {"measures": {"cohesion": main}, "without_top5": without,
                  "stable": without is None or without["verdict"] == verdict}
    counts_out = {}
    components = []
    infos = []
    for i, (wdef, p, ai, ok, *_rest) in enumerate(data):
        x = ai[ok]
        counts_out[wdef.role] = {"n": int(ok.sum()), "unanimous": int((x >= 1.0 - 1e-12).sum()),
                                 "split": int((x < 1.0 - 1e-12).sum())}
        components.append({"window": wdef.role, "label": f"cohesion {blocs[i].code}",
                           "pair": "bloc", "value": _f(s["values"][i]), "lo": _f(s["lo"][i]),
                           "hi": _f(s["hi"][i]), "n": int(s["n"][i])})
        infos.append(_window_info(wdef, p, int(s["n"][i])))
    limit = opts.top_evidence
    return ClaimResult(
        claim=claim, verdict=verdict, effect=float(s["effect"]), lo=float(s["effect_lo"]),
        hi=float(s["effect_hi"]), n=int(sum(s["n"])), measure="cohesion",
        period=_period_info(infos), evidence=_with_links(ev, limit),
        counts=counts_out, robustness=robustness,
        parties=tuple(dict.fromkeys(blocs)),
        components=tuple(components))


# ----------------------------------------------------------------------------------- ranking
def _eval_ranking(claim: RankingClaim, ctx: _Ctx, m: str, opts: _Opts) -> ClaimResult:
    anchor = _resolve(claim.anchor, ctx.extra)
    win = _window(claim.period, ctx, "claim")
    base = ctx.load(None, win, strict=True)  # every state as the entity it was
    r = base.n_resolutions
    states = np.array(base.states, dtype=object)
    if anchor.is_bloc:
        assert anchor.bloc is not None
        dates = pd.to_datetime(base.resolutions["date"]).to_numpy() if r \
            else np.zeros(0, "datetime64[ns]")
        mem = anchor.bloc.membership_matrix(list(base.states), dates)  # (S, R)
        v = base.votes
        own = np.stack([(v == k) & mem for k in (YES, ABSTAIN, NO)], axis=1)  # (S, 3, R)
        total = own.sum(axis=0)  # (3, R)
        present = (mem & (v != NONMEMBER))
        cnt = total[None, :, :] - own.astype(np.int64)  # bloc without each state
        top = cnt.max(axis=1)
        n_top = (cnt == top[:, None, :]).sum(axis=1)
        pres = present.sum(axis=0)[None, :] - present.astype(np.int64)
        anchor_codes = np.where(top == 0, np.where(pres > 0, ABSENT, NONMEMBER),
                                np.where(n_top > 1, ABSENT, cnt.argmax(axis=1) + 1))\
            .astype(np.int8)  # (S, R): the anchor as compared with each state
        member = mem.any(axis=1)
        keep = np.ones(len(states), dtype=bool)
    else:
        row = ctx.load([anchor.code], win).votes[0]
        anchor_codes = np.broadcast_to(row, base.votes.shape)
        member = np.zeros(len(states), dtype=bool)
        keep = ~np.isin(states, list(_self_codes(anchor.code, False)))
    pa = _positions(anchor_codes)
    pb = _positions(base.votes)
    ok = (pa >= 0) & (pa < 3) & (pb >= 0) & (pb < 3)
    cell = np.where(ok, 3 * pa.astype(np.int16) + pb, -1)
    tables = (cell[:, :, None] == np.arange(9)).sum(axis=1).astype(np.float64)  # (S, 9)
    vals, ns = _values(tables, tables, opts.min_votes)  # (S, 5)
    k = MEASURES.index(m)

    def top_of(j: int) -> np.ndarray:
        idx = np.flatnonzero(keep & np.isfinite(vals[:, j]))
        key = vals[idx, j] * claim.direction
        order = np.lexsort((states[idx].astype(str), -ns[idx, j], -key))
        return idx[order][: claim.k]

    chosen = top_of(k)
    lo = np.full(len(chosen), np.nan)
    hi = np.full(len(chosen), np.nan)
    if opts.bootstrap and len(chosen) and r:
        rng = np.random.default_rng(opts.seed)
        wts = _resample_weights(rng, opts.bootstrap, r)
        oh = _onehot9(cell[chosen].astype(np.int8))  # (R, K*9)
        bt = (wts @ oh).reshape(-1, 9)
        bv, _ = _values(bt, bt, opts.min_votes)
        lo, hi = _percentile_interval(bv[:, k].reshape(opts.bootstrap, len(chosen)), opts.ci)
    from comity.world import states as st

    def nm(code: str) -> str:
        try:
            return st.name(code)
        except (UnknownStateError, KeyError):  # a code outside the reference table
            return code

    ranking = pd.DataFrame({
        "rank": np.arange(1, len(chosen) + 1), "state": states[chosen].astype(str),
        "name": [nm(c) for c in states[chosen]], "value": vals[chosen, k], "lo": lo, "hi": hi,
        "n": ns[chosen, k].astype(np.int64)})
    if anchor.is_bloc:
        ranking["bloc_member"] = member[chosen]
    per_measure = {mm: states[top_of(j)].astype(str).tolist() for j, mm in enumerate(MEASURES)}
    main = per_measure[m]
    robustness = {"measures": per_measure,
                  "overlap": {mm: len(set(v) & set(main)) for mm, v in per_measure.items()}}
    info = _window_info(win, base, r)
    return ClaimResult(
        claim=claim, verdict="ranking" if len(chosen) else "insufficient data",
        effect=float("nan"), lo=float("nan"),
        hi=float("nan"), n=int(r), measure=m, period=_period_info([info]), evidence=ranking,
        counts={"states_ranked": int((keep & np.isfinite(vals[:, k])).sum())},
        robustness=robustness, parties=(anchor,),
        components=tuple({"window": "claim", "label": f"{anchor.code}–{row.state}",
                          "pair": "anchor-state", "value": _f(row.value), "lo": _f(row.lo),
                          "hi": _f(row.hi), "n": int(row.n)} for row in ranking.itertuples()))

