"""Alignment endpoints: pairs over time, the all-dyad matrix of a year, bloc cohesion.

All numbers come from :func:`comity.analysis.align.alignment`, :func:`~comity.analysis.align.
alignment_matrix` and :func:`~comity.analysis.align.cohesion`. One shortcut serves the common
"two states, one year, no bootstrap" question without re-reading the votes: the year's
all-dyad table from ``alignment_matrix`` (computed once per year and slice, then cached) holds
exactly the numbers ``alignment`` returns for two states whose identity does not change during
that year (no predecessor state, member all year, or ``strict``). Every other query goes
to ``alignment`` itself. ``tests/test_web_api.py`` checks that both give the same answer.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any, Literal

import numpy as np
import pandas as pd
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from comity.errors import ComityError
from comity.web.common import ERRORS, LIMITS, Payload, answer, ctx_of, known_params
from comity.web.context import WebContext
from comity.web.models import AlignmentOut, CohesionOut, MatrixOut
from comity.web.tables import Format, csv_doc, plain, records

router = APIRouter(prefix="/api", tags=["alignment"], dependencies=[Depends(known_params)])

Measure = Literal["agreement", "S", "kappa", "pi", "coincidence", "identical"]
Body = Literal["GA", "SC", "both"]
DATE_PATTERN = r"^\d{4}(-\d{2}(-\d{2})?)?$"
BY_PATTERN = r"^(year|session|all|rolling:[1-9][0-9]?)$"

FormatQ = Annotated[Format, Query(description="json (default) or csv (the tidy table).")]
FromQ = Annotated[str | None, Query(alias="from", pattern=DATE_PATTERN,
                                    description="First year or date (2015, 2015-01-20).")]
ToQ = Annotated[str | None, Query(pattern=DATE_PATTERN,
                                  description="Last year or date, inclusive.")]
ByQ = Annotated[str, Query(pattern=BY_PATTERN, description="Periods: year, session, all, "
                           "or rolling:N (N-year windows).")]
IssueQ = Annotated[str | None, Query(max_length=60, description="Voeten issue: me nu di hr "
                                     "co ec, or a name ('human rights').")]
BodyQ = Annotated[Body, Query(description="GA, SC or both.")]
ImportantQ = Annotated[bool | None, Query(description="true: only the votes the US State "
                                          "Department lists as important; false: the others.")]
#: bootstrap draws when a request names none: the CLI's default (``comity align``, ``cohesion``,
#: ``compare``), so that the same question gets the same interval in both; every response
#: reports the draws used in ``query.bootstrap`` (0: no interval, the cheapest answer)
DEFAULT_BOOTSTRAP = 2000
BootQ = Annotated[int, Query(ge=0, le=LIMITS["max_bootstrap"],
                             description="Bootstrap draws for the intervals (0: none).")]
SeedQ = Annotated[int, Query(ge=0, le=2**32 - 1, description="Seed of the bootstrap.")]
CiQ = Annotated[float, Query(ge=0.5, le=0.999, description="Interval level.")]
MinVotesQ = Annotated[int, Query(ge=1, le=10000, description="Fewer shared votes: no value.")]
StrictQ = Annotated[bool, Query(description="No lineage: RUS without the USSR's votes.")]
SearchQ = Annotated[str | None, Query(max_length=200, description="Text in title or symbol.")]


def _years(from_: str | None, to: str | None) -> int:
    """Upper bound of the number of calendar years a query spans (for the work limit)."""
    y0 = int(from_[:4]) if from_ else 1946
    y1 = int(to[:4]) if to else date.today().year
    return max(1, min(y1, date.today().year) - max(y0, 1946) + 1)


def _check_work(bootstrap: int, pairs: int, from_: str | None, to: str | None, by: str,
                weight: int = 1) -> int:
    """The work of a query, draws x pairs x years x weight (0 without a bootstrap); over
    ``LIMITS["max_bootstrap_work"]`` it is refused. The years count whatever ``by`` is: one
    period over 80 years resamples as many votes as 80 periods of one year."""
    if not bootstrap:
        return 0
    periods = _years(from_, to)
    work = bootstrap * pairs * periods * weight
    if work > LIMITS["max_bootstrap_work"]:
        raise ComityError(
            f"bootstrap={bootstrap} over {pairs} pair(s) and about {periods} period(s) is too "
            f"much work for one request (draws x pairs x periods = {work:,} > "
            f"{LIMITS['max_bootstrap_work']:,}): lower bootstrap, narrow from/to, or use the "
            "CLI")
    return work


# ------------------------------------------------------------------------- the fast path
@dataclass(frozen=True)
class YearTable:
    """All dyads of one year (one body/issue slice): index by state, arrays by dyad."""

    year: int
    start: str
    end: str
    pos: dict[str, int]
    idx: np.ndarray  # (S, S) row of the dyad, -1 when absent
    values: dict[str, np.ndarray]
    n: np.ndarray
    n_coincidence: np.ndarray
    n_absent: np.ndarray
    n_nonmember: np.ndarray
    query: dict[str, Any]


def _year_key(year: int, body: str, issue: str | None, important: bool | None,
              min_votes: int) -> tuple[Any, ...]:
    return ("year_table", year, body, issue, important, min_votes)


def _year_table(ctx: WebContext, year: int, body: str, issue: str | None,
                important: bool | None, min_votes: int) -> YearTable:
    key = _year_key(year, body, issue, important, min_votes)

    def compute() -> YearTable:
        from comity.analysis.align import alignment_matrix
        from comity.analysis.measures import MEASURES

        m = alignment_matrix(year, measure=list(MEASURES), body=body, issue=issue,
                             important=important, min_votes=min_votes, store=ctx.store)
        w = m.wide
        a = w["state_a"].astype(str).to_numpy()
        b = w["state_b"].astype(str).to_numpy()
        codes = sorted(set(a) | set(b))
        pos = {c: i for i, c in enumerate(codes)}
        idx = np.full((len(codes), len(codes)), -1, dtype=np.int64)
        ia = np.array([pos[c] for c in a], dtype=np.int64)
        ib = np.array([pos[c] for c in b], dtype=np.int64)
        rows = np.arange(len(w), dtype=np.int64)
        idx[ia, ib] = rows
        idx[ib, ia] = rows
        first = w.iloc[0] if len(w) else None
        return YearTable(
            year=year,
            start=plain(first["start"]) if first is not None else f"{year}-01-01",
            end=plain(first["end"]) if first is not None else f"{year}-12-31",
            pos=pos, idx=idx,
            values={k: w[k].to_numpy(dtype=float) for k in MEASURES},
            n=w["n"].to_numpy(dtype=np.int64),
            n_coincidence=w["n_coincidence"].to_numpy(dtype=np.int64),
            n_absent=w["n_absent"].to_numpy(dtype=np.int64),
            n_nonmember=w["n_nonmember"].to_numpy(dtype=np.int64),
            query=dict(m.query))

    return ctx.matrices.get_or_compute(key, compute)


@functools.lru_cache(maxsize=4096)
def _party(token: str) -> Any:
    """:func:`comity.analysis.align.resolve_party`, memoised (the reference tables never change
    while the server runs; unknown names raise every time)."""
    from comity.analysis.query import resolve_party

    return resolve_party(token)


@functools.lru_cache(maxsize=65536)
def _same_all_year(code: str, year: int, strict: bool) -> bool:
    """True if ``code``'s row of a lineage panel holds, in ``year``, exactly the votes stored
    under ``code`` itself: the one link of its lineage (``RUS`` <- ``SUN``) that overlaps the
    year is ``code`` and covers the whole year."""
    if strict:
        return True
    from comity.world import states as st

    y0, y1 = pd.Timestamp(year, 1, 1), pd.Timestamp(year, 12, 31)
    links = [(c, s, e) for c, s, e in st.lineage(code)
             if (s is None or s <= y1) and (e is None or e > y0)]
    if len(links) != 1 or links[0][0] != code:
        return False
    _, s, e = links[0]
    return (s is None or s <= y0) and (e is None or e > y1)


def _fast_alignment(ctx: WebContext, a: str, b: list[str], year: int, measures: list[str],
                    body: str, issue: str | None, important: bool | None, seed: int,
                    ci: float, min_votes: int, bloc_method: str, strict: bool, *,
                    cached_only: bool = False) -> dict[str, Any] | None:
    """The answer of ``alignment`` for states ``a`` and ``b`` in one year without bootstrap,
    read from the year's all-dyad table; None when the shortcut does not apply (or, with
    ``cached_only``, when that table is not computed yet). An unknown name raises."""
    parties = [_party(t) for t in (a, *b)]
    if any(p.is_bloc for p in parties):
        return None
    if not all(_same_all_year(p.code, year, strict) for p in parties):
        return None
    if cached_only:
        t = ctx.matrices.get(_year_key(year, body, issue, important, min_votes))
        if t is None:
            return None
    else:
        t = _year_table(ctx, year, body, issue, important, min_votes)
    a_code = parties[0].code
    if a_code not in t.pos:
        return None
    rows: list[dict[str, Any]] = []
    for p in parties[1:]:
        j = t.pos.get(p.code)
        if j is None or p.code == a_code:
            return None
        r = int(t.idx[t.pos[a_code], j])
        if r < 0:
            return None
        for m in measures:
            n = t.n_coincidence[r] if m == "coincidence" else t.n[r]
            rows.append({
                "period": year, "start": t.start, "end": t.end, "state_a": a_code,
                "state_b": p.code, "measure": m, "value": plain(float(t.values[m][r])),
                "lo": None, "hi": None, "n": int(n), "n_absent": int(t.n_absent[r]),
                "n_nonmember": int(t.n_nonmember[r]), "n_tied": 0})
    q = t.query
    query = {
        "parties": [p.token for p in parties], "period": "year", "body": q["body"],
        "start": q["start"], "end": q["end"], "session": q["session"], "issue": q["issue"],
        "important": q["important"], "search": q["search"], "strict": bool(strict),
        "measures": list(measures), "bootstrap": 0, "seed": seed, "ci": ci,
        "min_votes": min_votes, "distance": "absolute", "bloc_method": bloc_method,
        "include_self": False, "blocs_file": None, "resolutions": q["resolutions"],
        "failed_drafts": q.get("failed_drafts", 0),
    }
    return {"query": query, "parties": [p.describe() for p in parties], "rows": rows}


def _single_year(from_: str | None, to: str | None) -> int | None:
    if from_ and to and re.fullmatch(r"\d{4}", from_) and from_ == to:
        return int(from_)
    return None


# ------------------------------------------------------------------------- endpoints
@router.get("/alignment", response_model=AlignmentOut, responses={**ERRORS, **csv_doc()},
            summary="Alignment of state/bloc a with each b, per period, with bootstrap CIs")
async def alignment_endpoint(
    request: Request,
    a: Annotated[str, Query(min_length=1, max_length=80,
                            description="A state (USA, Russia) or bloc (EU, NATO).")],
    b: Annotated[list[str], Query(min_length=1, max_length=LIMITS["max_parties"],
                                  description="States or blocs to compare a with (repeat: "
                                  "b=RUS&b=EU).")],
    from_: FromQ = None,
    to: ToQ = None,
    by: ByQ = "year",
    measure: Annotated[list[Measure], Query(max_length=5, description="One or more measures "
                                            "(repeat).")] = ["agreement"],  # noqa: B006
    issue: IssueQ = None,
    body: BodyQ = "GA",
    important: ImportantQ = None,
    search: SearchQ = None,
    bootstrap: BootQ = DEFAULT_BOOTSTRAP,
    seed: SeedQ = 0,
    ci: CiQ = 0.95,
    min_votes: MinVotesQ = 10,
    bloc_method: Annotated[Literal["majority", "mean"], Query(
        description="A bloc's position: its majority (default) or the mean alignment with "
        "its members.")] = "majority",
    strict: StrictQ = False,
    format: FormatQ = Format.json,
) -> Response:
    ctx = ctx_of(request)
    for t in (a, *b):
        if not t.strip() or len(t) > 80:
            raise ComityError(f"party names must be 1 to 80 characters, got {t!r}")
    ms = list(dict.fromkeys(measure)) or ["agreement"]
    cost = _check_work(bootstrap, len(b), from_, to, by, weight=len(ms))

    year = _single_year(from_, to)
    shortcut = year is not None and by == "year" and not bootstrap and not search

    def payload(data: dict[str, Any]) -> Payload:
        from comity.analysis.query import TIDY_COLUMNS

        def table() -> pd.DataFrame:
            return pd.DataFrame(data["rows"], columns=list(TIDY_COLUMNS))

        return Payload(AlignmentOut, data, table, "alignment")

    def fast(cached_only: bool = True) -> Payload | None:
        if not shortcut or year is None:
            return None
        data = _fast_alignment(ctx, a, list(b), year, ms, body, issue, important, seed, ci,
                               min_votes, bloc_method, strict, cached_only=cached_only)
        return None if data is None else payload(data)

    def compute() -> Payload:
        from comity.analysis.align import alignment

        got = fast(cached_only=False)
        if got is not None:
            return got
        res = alignment(a, *b, period=by, start=from_, end=to, issue=issue, body=body,
                        important=important, search=search or None, measure=ms,
                        bootstrap=bootstrap, seed=seed, ci=ci, min_votes=min_votes,
                        bloc_method=bloc_method, strict=strict, store=ctx.store)
        return payload(plain(res.to_dict()))

    return await answer(request, format.value, compute, fast=fast, cost=cost)


@router.get("/matrix", response_model=MatrixOut, responses={**ERRORS, **csv_doc()},
            summary="Agreement between every pair of states in one year (heat map data)")
async def matrix_endpoint(
    request: Request,
    year: Annotated[int | None, Query(ge=1946, le=2100, description="Default: the latest "
                                      "year with recorded votes.")] = None,
    states: Annotated[list[str] | None, Query(max_length=LIMITS["max_states"],
                                              description="Only these states (repeat); "
                                              "default: every state.")] = None,
    measure: Annotated[Measure, Query()] = "agreement",
    issue: IssueQ = None,
    body: BodyQ = "GA",
    important: ImportantQ = None,
    min_votes: MinVotesQ = 10,
    format: FormatQ = Format.json,
) -> Response:
    ctx = ctx_of(request)

    def compute() -> Payload:
        from comity.analysis.align import alignment_matrix

        m = alignment_matrix(year, states=states or None, measure=measure, body=body,
                             issue=issue, important=important, min_votes=min_votes,
                             store=ctx.store)
        w = m.wide
        n_col = "n_coincidence" if measure == "coincidence" else "n"
        table = pd.DataFrame({
            "state_a": w["state_a"].astype(str), "state_b": w["state_b"].astype(str),
            "value": w[measure], "lo": w.get(f"lo_{measure}", np.nan),
            "hi": w.get(f"hi_{measure}", np.nan), "n": w[n_col], "n_absent": w["n_absent"],
            "n_nonmember": w["n_nonmember"]})
        period = w["period"].iloc[0] if len(w) else (year or str(m.query.get("start"))[:4])
        codes = sorted(set(table["state_a"]) | set(table["state_b"]))
        data = {"query": plain(m.query), "measure": measure, "period": plain(period),
                "states": codes, "rows": records(table)}
        return Payload(MatrixOut, data, table, f"matrix_{plain(period)}")

    return await answer(request, format.value, compute)


@router.get("/cohesion", response_model=CohesionOut, responses={**ERRORS, **csv_doc()},
            summary="How cohesively a bloc votes (Hix-Noury-Roland index), per period")
async def cohesion_endpoint(
    request: Request,
    bloc: Annotated[list[str], Query(min_length=1, max_length=LIMITS["max_parties"],
                                     description="Bloc key, name or alias (repeat).")],
    from_: FromQ = None,
    to: ToQ = None,
    by: ByQ = "year",
    issue: IssueQ = None,
    body: BodyQ = "GA",
    important: ImportantQ = None,
    bootstrap: BootQ = DEFAULT_BOOTSTRAP,
    seed: SeedQ = 0,
    ci: CiQ = 0.95,
    min_votes: MinVotesQ = 10,
    min_members: Annotated[int, Query(ge=1, le=200)] = 2,
    format: FormatQ = Format.json,
) -> Response:
    ctx = ctx_of(request)
    for t in bloc:
        if not t.strip() or len(t) > 80:
            raise ComityError(f"bloc names must be 1 to 80 characters, got {t!r}")
    cost = _check_work(bootstrap, len(bloc), from_, to, by)

    def compute() -> Payload:
        from comity.analysis.align import cohesion

        res = cohesion(*bloc, period=by, start=from_, end=to, issue=issue, body=body,
                       important=important, bootstrap=bootstrap, seed=seed, ci=ci,
                       min_votes=min_votes, min_members=min_members, store=ctx.store)
        data = plain(res.to_dict())
        return Payload(CohesionOut, data, res.to_frame(), "cohesion")

    return await answer(request, format.value, compute, cost=cost)
