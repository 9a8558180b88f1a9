"""Endpoints over the optional analyses: ideal points, claims, shifts, clusters.

Their modules are imported inside the handlers: an installation without one of them still
serves everything else, and the endpoint answers 503 saying what is missing.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from types import ModuleType
from typing import Annotated, Any, Literal

import pandas as pd
from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from comity.errors import ComityError
from comity.web.api_align import (
    BodyQ,
    FromQ,
    IssueQ,
    Measure,
    MinVotesQ,
    SeedQ,
    ToQ,
    _years,
)
from comity.web.common import (
    ERRORS,
    LIMITS,
    NotFound,
    Payload,
    Unavailable,
    answer,
    ctx_of,
    optional_module,
    render,
)
from comity.web.models import AnalysisOut, ClaimIn, ClaimOut, IdealPointsOut
from comity.web.tables import Format, csv_doc, plain, records

router = APIRouter(prefix="/api", tags=["analyses"])

FormatQ = Annotated[Format, Query(description="json (default) or csv (the main table).")]


# ------------------------------------------------------------------------- helpers
def _accepted(fn: Callable[..., Any], kwargs: dict[str, Any]) -> dict[str, Any]:
    """The keyword arguments ``fn`` accepts (all of them if it takes ``**kwargs``); None values
    are left out so that the function's own defaults apply."""
    try:
        params = inspect.signature(fn).parameters
    except (TypeError, ValueError):  # pragma: no cover - builtins
        return {k: v for k, v in kwargs.items() if v is not None}
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values()):
        return {k: v for k, v in kwargs.items() if v is not None}
    return {k: v for k, v in kwargs.items() if k in params and v is not None}


def _function(module: ModuleType, names: Sequence[str]) -> Callable[..., Any]:
    for n in names:
        fn = getattr(module, n, None)
        if callable(fn):
            return fn  # type: ignore[no-any-return]
    raise Unavailable(f"{module.__name__} has none of {', '.join(n + '()' for n in names)} in "
                      "this version of comity; this endpoint is not available yet")


# ------------------------------------------------------------------------- ideal points
@router.get("/idealpoints", response_model=IdealPointsOut, responses={**ERRORS, **csv_doc()},
            summary="Dynamic ideal points of states over time (from a cached fit)")
async def idealpoints(
    request: Request,
    state: Annotated[list[str] | None, Query(max_length=50, description="States (repeat); "
                                             "default: all.")] = None,
    from_: Annotated[int | None, Query(alias="from", ge=1, le=3000,
                                       description="First period (session or year).")] = None,
    to: Annotated[int | None, Query(ge=1, le=3000, description="Last period.")] = None,
    dim: Annotated[int, Query(ge=1, le=10)] = 1,
    name: Annotated[str | None, Query(min_length=1, max_length=60, pattern=r"^[\w.:-]+$",
                                      description="Name of the cached fit (default: the most "
                                      "recent one).")] = None,
    format: FormatQ = Format.json,
) -> Response:
    """Ideal points stored by ``comity.store.fitcache.store_fit`` (the server never fits a
    model): ``estimate``, ``se`` and the 95% interval per state and period."""
    ctx = ctx_of(request)

    def compute() -> Payload:
        from comity.world import states as st

        optional_module("analysis.idealpoints")  # the estimator (503 without it, as /api/info says)
        load_fit = _function(optional_module("analysis.fitstore"), ("load_fit",))
        fit_name = name or _latest_fit(ctx)

        def load() -> tuple[pd.DataFrame, dict[str, Any]]:
            fit = load_fit(ctx.store, fit_name)
            if fit is None:
                raise NotFound(
                    f"no cached ideal-point fit named {fit_name!r} in this store: fit and "
                    "store one first with the comity idealpoints command")
            frame = fit.to_frame() if hasattr(fit, "to_frame") else fit
            meta = getattr(fit, "cache_meta_", None)
            if not isinstance(meta, dict):
                meta = fit.summary() if hasattr(fit, "summary") else {}
            return frame, plain(dict(meta))

        frame, meta = ctx.results.get_or_compute(("fit", fit_name), load)
        f = frame
        missing: list[str] = []
        if state:
            codes = [st.lookup(s) for s in state]
            have = set(f["state"].astype(str))
            missing = [c for c in codes if c not in have]
            f = f[f["state"].isin(codes)]
        if "dim" in f.columns:
            f = f[f["dim"] == dim]
        if from_ is not None:
            f = f[f["period"] >= from_]
        if to is not None:
            f = f[f["period"] <= to]
        cols = [c for c in ("state", "period", "dim", "estimate", "se", "lo", "hi", "n_votes")
                if c in f.columns]
        f = f[cols].reset_index(drop=True)
        data = {"name": fit_name, "meta": {**meta, "missing_states": missing},
                "rows": records(f)}
        return Payload(IdealPointsOut, data, f, f"idealpoints_{fit_name}")

    return await answer(request, format.value, compute)


def _latest_fit(ctx: Any) -> str:
    """The name of the most recently stored ideal-point fit (NotFound if there is none)."""
    tables = ctx.store.query("SELECT count(*) AS n FROM information_schema.tables "
                             "WHERE table_name = 'ideal_points'")
    if int(tables["n"].iloc[0]):
        got = ctx.store.query("SELECT name FROM ideal_points GROUP BY name "
                              "ORDER BY max(fitted_at) DESC LIMIT 1")
        if len(got):
            return str(got["name"].iloc[0])
    raise NotFound("no cached ideal-point fit in this store: fit and store one first with "
                   "the comity idealpoints command (comity.store.fitcache.store_fit)")


# ------------------------------------------------------------------------- claims
BODY_ERROR: dict[int | str, dict[str, str]] = {
    400: {"description": "The request body is not valid JSON."}}

def _verdict(v: Any) -> str:
    return str(getattr(v, "value", v))


@router.post("/claims", response_model=ClaimOut, responses={**ERRORS, **BODY_ERROR, **csv_doc(
    "The evidence table as CSV (with format=csv).")},
    summary="Evaluate a claim ('USA closer to RUS than to EU in 2025'): verdict, effect, CI, "
            "evidence")
async def claims(request: Request, claim: ClaimIn, format: FormatQ = Format.json) -> Response:
    ctx = ctx_of(request)

    def compute() -> Payload:
        mod = optional_module("claims")
        evaluate = _function(mod, ("evaluate",))

        def run() -> Any:
            kwargs = _accepted(evaluate, {"store": ctx.store, "measure": claim.measure,
                                          "body": claim.body, "bootstrap": claim.bootstrap,
                                          "seed": claim.seed})
            return evaluate(claim.text, **kwargs)

        key = ("claim", claim.text.strip(), claim.measure, claim.body, claim.bootstrap,
               claim.seed)
        result = ctx.results.get_or_compute(key, run)
        evidence = getattr(result, "evidence", None)
        if not isinstance(evidence, pd.DataFrame):
            evidence = pd.DataFrame(evidence if isinstance(evidence, list) else [])
        full = result.to_dict() if hasattr(result, "to_dict") else {}
        n = getattr(result, "n", None)
        sentence = getattr(result, "sentence", None)
        data = {
            "text": claim.text, "sentence": sentence() if callable(sentence) else None,
            "verdict": _verdict(getattr(result, "verdict", "")),
            "measure": plain(getattr(result, "measure", None)),
            "effect": plain(getattr(result, "effect", None)),
            "lo": plain(getattr(result, "lo", None)), "hi": plain(getattr(result, "hi", None)),
            "n": None if n is None else plain(int(n)),
            "evidence": records(evidence), "result": plain(full),
        }
        return Payload(ClaimOut, data, evidence, "claim_evidence")

    return await run_in_threadpool(lambda: render(compute(), format.value))


# ------------------------------------------------------------------------- shifts
YEARS_PATTERN = r"^\d{4}(-\d{4})?$"


def _shifts_payload(result: Any, rows: pd.DataFrame, query: dict[str, Any],
                    filename: str) -> Payload:
    d = plain(result.to_dict()) if hasattr(result, "to_dict") else {}
    return Payload(AnalysisOut, {"query": plain(query), "rows": records(rows), "result": d},
                   rows, filename)


@router.get("/shifts", response_model=AnalysisOut, responses={**ERRORS, **csv_doc()},
            summary="Change points in the agreement of a with b, vote by vote")
async def shifts(
    request: Request,
    a: Annotated[str, Query(min_length=1, max_length=80, description="State or bloc.")],
    b: Annotated[str, Query(min_length=1, max_length=80, description="State or bloc.")],
    from_: FromQ = None,
    to: ToQ = None,
    issue: IssueQ = None,
    body: BodyQ = "GA",
    method: Annotated[Literal["pelt", "binseg"], Query()] = "pelt",
    min_size: Annotated[int, Query(ge=2, le=2000, description="Shortest segment (votes).")]
    = 30,
    bootstrap: Annotated[int, Query(ge=0, le=2000, description="Draws for the interval of "
                                    "each change's size.")] = 200,
    seed: SeedQ = 0,
    format: FormatQ = Format.json,
) -> Response:
    """One row per change point (``date``, ``mean_before``, ``mean_after``, ``size`` with its
    interval); ``result`` also holds the segments and the query."""
    ctx = ctx_of(request)

    def compute() -> Payload:
        fn = _function(optional_module("analysis.shifts"), ("change_points",))
        res = fn(a, b, start=from_, end=to, issue=issue, body=body, method=method,
                 min_size=min_size, bootstrap=bootstrap, seed=seed, store=ctx.store)
        q = {"a": a, "b": b, "from": from_, "to": to, "issue": issue, "body": body,
             "method": method, "min_size": min_size, "bootstrap": bootstrap, "seed": seed}
        return _shifts_payload(res, res.to_frame(), q, "shifts")

    return await answer(request, format.value, compute)


@router.get("/shifts/movers", response_model=AnalysisOut, responses={**ERRORS, **csv_doc()},
            summary="States whose alignment with a reference changed most between two periods")
async def movers(
    request: Request,
    reference: Annotated[str, Query(min_length=1, max_length=80,
                                    description="Reference state or bloc.")],
    period_a: Annotated[str, Query(pattern=YEARS_PATTERN,
                                   description="First period: a year or YYYY-YYYY.")],
    period_b: Annotated[str, Query(pattern=YEARS_PATTERN,
                                   description="Second period: a year or YYYY-YYYY.")],
    measure: Annotated[Measure, Query()] = "agreement",
    issue: IssueQ = None,
    body: BodyQ = "GA",
    top: Annotated[int, Query(ge=1, le=250, description="Rows of the ranking.")] = 20,
    bootstrap: Annotated[int, Query(ge=0, le=2000)] = 200,
    seed: SeedQ = 0,
    min_votes: MinVotesQ = 10,
    format: FormatQ = Format.json,
) -> Response:
    """States ranked by the change of their alignment with ``reference`` (``value_a``,
    ``value_b``, ``change`` with its interval, ``direction``)."""
    ctx = ctx_of(request)

    def compute() -> Payload:
        fn = _function(optional_module("analysis.shifts"), ("movers",))
        res = fn(reference, period_a, period_b, measure=measure, issue=issue, body=body,
                 top=top, bootstrap=bootstrap, seed=seed, min_votes=min_votes,
                 store=ctx.store)
        q = {"reference": reference, "period_a": period_a, "period_b": period_b,
             "measure": measure, "issue": issue, "body": body, "top": top,
             "bootstrap": bootstrap, "seed": seed, "min_votes": min_votes}
        return _shifts_payload(res, res.to_frame().head(top), q, "movers")

    return await answer(request, format.value, compute)


@router.get("/shifts/switches", response_model=AnalysisOut, responses={**ERRORS, **csv_doc()},
            summary="Vote switches on recurring resolutions")
async def switches(
    request: Request,
    state: Annotated[str | None, Query(max_length=80, description="A state (default: all).")]
    = None,
    session: Annotated[int | None, Query(ge=1, le=200, description="Later vote in this GA "
                                         "session.")] = None,
    year: Annotated[int | None, Query(ge=1946, le=2100, description="Later vote in this "
                                      "year.")] = None,
    body: BodyQ = "GA",
    include_absent: Annotated[bool, Query(description="Count X (absent) as a position.")]
    = False,
    max_gap: Annotated[int, Query(ge=1, le=20, description="Sessions between occurrences.")]
    = 3,
    limit: Annotated[int, Query(ge=1, le=LIMITS["max_limit"])] = 200,
    offset: Annotated[int, Query(ge=0, le=LIMITS["max_offset"])] = 0,
    format: FormatQ = Format.json,
) -> Response:
    """Where a state's vote on a recurring text changed from its previous occurrence (one row
    per switch, with both symbols, dates and votes); paged by ``limit``/``offset``. Give at
    least one of ``state``, ``session``, ``year``."""
    ctx = ctx_of(request)
    if not (state or session or year):
        raise ComityError("give a state, a session or a year: every switch of every state "
                          "in every session is too much for one request (use the CLI)")

    def compute() -> Payload:
        fn = _function(optional_module("analysis.shifts"), ("vote_switches",))

        def run() -> Any:
            return fn(state or None, session, year=year, body=body,
                      include_absent=include_absent, max_gap=max_gap, store=ctx.store)

        key = ("switches", state or None, session, year, body, include_absent, max_gap)
        res = ctx.results.get_or_compute(key, run)
        frame = res.to_frame()
        q = {"state": state, "session": session, "year": year, "body": body,
             "include_absent": include_absent, "max_gap": max_gap, "limit": limit,
             "offset": offset, "total": len(frame)}
        page = frame.iloc[offset:offset + limit]
        d = {"query": plain(dict(res.query)), "pairs": int(res.pairs), "n": len(frame)}
        return Payload(AnalysisOut, {"query": plain(q), "rows": records(page), "result": d},
                       page, "switches")

    return await answer(request, format.value, compute)


# ------------------------------------------------------------------------- clusters
@router.get("/clusters", response_model=AnalysisOut, responses={**ERRORS, **csv_doc()},
            summary="Blocs found in the data: clusters of states per period")
async def clusters(
    request: Request,
    year: Annotated[int | None, Query(ge=1946, le=2100, description="One year (default: the "
                                      "last full year of data).")] = None,
    from_: FromQ = None,
    to: ToQ = None,
    method: Annotated[Literal["hierarchical", "community"], Query()] = "hierarchical",
    k: Annotated[int | None, Query(ge=2, le=20, description="Number of major clusters "
                                   "(default: chosen by silhouette).")] = None,
    bootstrap: Annotated[int, Query(ge=0, le=50, description="Draws for the stability "
                                    "(adjusted Rand index).")] = 0,
    seed: SeedQ = 0,
    min_votes: Annotated[int, Query(ge=1, le=10000)] = 20,
    issue: IssueQ = None,
    body: BodyQ = "GA",
    format: FormatQ = Format.json,
) -> Response:
    """One row per (period, state) with its cluster; ``result`` holds the periods (k,
    silhouette, stability), the clusters with their members and the changes over time."""
    ctx = ctx_of(request)
    if year is not None and (from_ or to):
        raise ComityError("give either year or from/to, not both")
    periods = 1 if not (from_ or to) else _years(from_, to)
    if periods * (bootstrap + 1) > MAX_CLUSTER_WORK:
        raise ComityError(
            f"clustering {periods} year(s) with bootstrap={bootstrap} is too much work for one "
            f"request (years x (bootstrap + 1) = {periods * (bootstrap + 1)} > "
            f"{MAX_CLUSTER_WORK}): narrow from/to or lower bootstrap, or use the CLI")

    def compute() -> Payload:
        mod = optional_module("analysis.clustering")
        fn = _function(mod, ("clusters",))
        y = year
        if y is None and not (from_ or to):
            y = _last_full_year(ctx, body)
        res = fn("year", start=from_, end=to, year=y, method=method, k=k,
                 bootstrap=bootstrap, seed=seed, min_votes=min_votes, issue=issue, body=body,
                 store=ctx.store)
        q = {"year": y, "from": from_, "to": to, "method": method, "k": k,
             "bootstrap": bootstrap, "seed": seed, "min_votes": min_votes, "issue": issue,
             "body": body}
        return _shifts_payload(res, res.to_frame(), q, "clusters")

    return await answer(request, format.value, compute)


MAX_CLUSTER_WORK = 60


def _last_full_year(ctx: Any, body: str) -> int:
    """The last calendar year of ``body``'s recorded votes that the data cover to December
    (the latest year is often a few months of votes only)."""
    bodies = ctx.results.get_or_compute(("info",), ctx.store.info)["bodies"]
    lasts = [b["last"] for b in bodies if (body == "both" or b["body"] == body) and b["last"]]
    if not lasts:
        raise ComityError(f"the store holds no recorded {body} votes")
    last = max(lasts)
    return int(last[:4]) - (0 if last[5:7] == "12" else 1)
