"""Endpoints over the optional analyses: ideal points, claims, shifts, clusters.

Their modules are imported inside the handlers: an installation without one of them still
serves everything else, and the endpoint answers 503 saying what is missing.
"""

from __future__ import annotations

import hashlib
import inspect
from collections.abc import Callable, Sequence
from types import ModuleType
from typing import Annotated, Any, Literal

import pandas as pd
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import ValidationError as PydanticValidationError
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
    error_status,
    known_params,
    optional_module,
    render,
    run_bounded,
)
from comity.web.models import (
    MAX_ARTICLE_TEXT,
    AnalysisOut,
    ArticleOut,
    ClaimIn,
    ClaimOut,
    ErrorOut,
    IdealPointsOut,
)
from comity.web.tables import Format, csv_doc, plain, records

router = APIRouter(prefix="/api", tags=["analyses"], dependencies=[Depends(known_params)])

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
        # a fit by session takes years too: 2015 means session 70 (opened in September 2015)
        by_session = meta.get("period_kind", "session") == "session"

        def as_period(v: int) -> int:
            return v - 1945 if by_session and v > 1000 else v

        if from_ is not None:
            f = f[f["period"] >= as_period(from_)]
        if to is not None:
            f = f[f["period"] <= as_period(to)]
        if f.empty and len(frame):
            # never 0 rows in silence: say what the fit holds
            per = frame["period"]
            asked = f"from {from_ if from_ is not None else 'its start'} to " \
                f"{to if to is not None else 'its end'}"
            raise NotFound(
                f"the fit {fit_name!r} has no ideal points {asked}"
                + (f" for {', '.join(codes)}" if state else "")
                + f" in dimension {dim}: it covers {'sessions' if by_session else 'years'} "
                f"{int(per.min())}-{int(per.max())}"
                + (f" ({int(per.min()) + 1945}-{int(per.max()) + 1945})" if by_session else "")
                + f" and {int(frame['dim'].max()) if 'dim' in frame.columns else 1} "
                "dimension(s)")
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
MAX_CLAIMS = 50
"""Claims evaluated per request; the rest of an article is listed as skipped."""

OVER_LIMIT = f"over the limit of {MAX_CLAIMS} claims per request"

MAX_BODY = (1 << 20) + 4096
"""Largest request body of ``POST /api/claims`` (bytes): an article of 1,000,000 characters
and the other fields; a larger body is refused (413) before it is read whole."""

EXCERPT = 200
"""At most this many characters of the submitted text are echoed in an error message."""

BODY_ERROR: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorOut, "description": "The request body is not valid JSON."},
    413: {"model": ErrorOut, "description": f"The request body is larger than {MAX_BODY:,} "
                                            "bytes."},
    415: {"model": ErrorOut, "description": "The request body is not JSON."},
}

CLAIM_BODY = {"requestBody": {"required": True, "content": {
    "application/json": {"schema": ClaimIn.model_json_schema()}}}}


def _verdict(v: Any) -> str:
    return str(getattr(v, "value", v))


class _BadBody(Exception):
    def __init__(self, status: int, detail: str, error: str) -> None:
        super().__init__(detail)
        self.status, self.detail, self.error = status, detail, error


async def _read_body(request: Request, limit: int = MAX_BODY) -> bytes:
    """The request body, read in chunks and refused (413) as soon as it passes ``limit``
    bytes (or when Content-Length announces more): a larger body is never held whole."""
    too_big = _BadBody(413, f"the request body is larger than {limit:,} bytes (an article "
                       f"may have at most {MAX_ARTICLE_TEXT:,} characters)", "RequestTooLarge")
    length = request.headers.get("content-length", "")
    if length.strip().isdigit() and int(length) > limit:
        raise too_big
    ctype = request.headers.get("content-type", "")
    if ctype:
        mime = ctype.split(";", 1)[0].strip().lower()
        if not (mime == "application/json" or (mime.startswith("application/")
                                                and mime.endswith("+json"))):
            raise _BadBody(415, "the request body must be JSON (Content-Type: "
                           "application/json)", "UnsupportedMediaType")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise too_big
        chunks.append(chunk)
    return b"".join(chunks)


def _parse_claim(raw: bytes) -> ClaimIn:
    """The body as :class:`ClaimIn`; errors name the field and the rule, never the input."""
    try:
        return ClaimIn.model_validate_json(raw)
    except PydanticValidationError as exc:
        errors = exc.errors(include_url=False, include_input=False, include_context=False)
        if any(e.get("type") == "json_invalid" for e in errors):
            raise _BadBody(400, "the request body is not valid JSON: " + "; ".join(
                str(e.get("msg", ""))[:200] for e in errors), "JSONDecodeError") from None
        parts = []
        for e in errors[:10]:
            loc = ".".join(str(x)[:40] for x in ("body", *e.get("loc", ())))
            parts.append(f"{loc}: {str(e.get('msg', ''))[:300]}")
        raise _BadBody(422, "; ".join(parts), "RequestValidationError") from None


def _excerpt(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= EXCERPT else flat[:EXCERPT - 1] + "…"


def _scrub(message: str, text: str, limit: int = EXCERPT) -> str:
    """``message`` with every run of more than ``limit`` characters copied from ``text``
    (as sent, with its whitespace collapsed, or quoted by ``repr``) cut out: the first one
    to an excerpt of ``limit // 2`` characters, the others whole; at most 4,000 characters
    in all."""
    if len(message) > 20_000:
        message = message[:20_000]
    if len(text) > limit:
        hays = (text, " ".join(text.split()), repr(text)[1:-1])
        step = limit // 2  # a copied run longer than ``limit`` holds a whole aligned block
        out: list[str] = []
        done = 0  # message[:done] is settled
        shown = False
        j = 0
        while j + step <= len(message):
            block = message[j:j + step]
            hay = next((h for h in hays if block in h), None)
            if hay is None:
                j += step
                continue
            lo, hi = j, j + step
            hi = _grow(message, hay, lo, hi, right=True)
            lo = _grow(message, hay, lo, hi, right=False)
            if hi - lo > limit:
                out.append(message[done:lo])
                keep = 0 if shown else limit // 2  # one excerpt per message
                shown = True
                out.append(f"{message[lo:lo + keep]}… [{hi - lo - keep:,} more characters "
                           "of the text]")
                done = hi
            j = max(hi, j + step)
            j += (-j) % step  # back to the grid of blocks
        out.append(message[done:])
        message = "".join(out)
    return message if len(message) <= 4000 else message[:3999] + "…"


def _grow(message: str, hay: str, lo: int, hi: int, *, right: bool) -> int:
    """Extend ``message[lo:hi]`` (a substring of ``hay``) to the right (or left) as far as
    it stays one, by doubling then bisecting (a longer run holds every shorter one); the
    new ``hi`` (or ``lo``)."""
    def fits(edge: int) -> bool:
        return (message[lo:edge] if right else message[edge:hi]) in hay

    end = len(message) if right else 0
    good = hi if right else lo
    bad: int | None = None
    span = 1
    while good != end:
        cand = min(end, good + span) if right else max(end, good - span)
        if not fits(cand):
            bad = cand
            break
        good = cand
        span *= 2
    while bad is not None and abs(bad - good) > 1:
        mid = (good + bad) // 2
        if fits(mid):
            good = mid
        else:
            bad = mid
    return good


def _error_response(exc: Exception, text: str) -> JSONResponse:
    body: dict[str, Any] = {"detail": _scrub(str(exc), text), "error": type(exc).__name__}
    candidates = getattr(exc, "candidates", None)
    if candidates:
        body["candidates"] = [str(c)[:80] for c in list(candidates)[:20]]
    return JSONResponse(body, status_code=error_status(exc))


def _check_bounded(text: str, *, store: Any, options: dict[str, Any]) -> Any:
    """:func:`comity.claims.check.check` with at most :data:`MAX_CLAIMS` claims evaluated
    (the others are listed in ``skipped`` as over the limit)."""
    check = _function(optional_module("claims.check"), ("check",))
    return check(text, store=store, max_claims=MAX_CLAIMS, **options)


def _evidence_frame(result: Any) -> pd.DataFrame:
    evidence = getattr(result, "evidence", None)
    if isinstance(evidence, pd.DataFrame):
        return evidence
    return pd.DataFrame(evidence if isinstance(evidence, list) else [])


def _article_evidence(checked: Any) -> pd.DataFrame:
    """One table of every claim's evidence, each row with ``claim`` (1-based, the order of
    ``claims``) and ``sentence``."""
    parts = []
    for i, c in enumerate(checked.claims, start=1):
        ev = _evidence_frame(c.result).copy()
        ev.insert(0, "sentence", c.read.sentence)
        ev.insert(0, "claim", i)
        parts.append(ev)
    parts = [p for p in parts if len(p)]
    if not parts:
        return pd.DataFrame(columns=["claim", "sentence"])
    return pd.concat(parts, ignore_index=True, sort=False)


def _claim_payload(text: str, result: Any) -> Payload:
    if hasattr(result, "claims") and hasattr(result, "skipped"):  # a CheckedText
        data = plain(result.to_dict())
        return Payload(ArticleOut, data, lambda: _article_evidence(result), "claims_evidence")
    evidence = _evidence_frame(result)
    full = result.to_dict() if hasattr(result, "to_dict") else {}
    n = getattr(result, "n", None)
    sentence = getattr(result, "sentence", None)
    data = {
        "text": text, "sentence": sentence() if callable(sentence) else None,
        "reading": plain(full.get("reading", getattr(result, "reading", None))),
        "verdict": _verdict(getattr(result, "verdict", "")),
        "headline": plain(full.get("headline", getattr(result, "headline", None))),
        "measure": plain(getattr(result, "measure", None)),
        "effect": plain(getattr(result, "effect", None)),
        "lo": plain(getattr(result, "lo", None)), "hi": plain(getattr(result, "hi", None)),
        "n": None if n is None else plain(int(n)),
        "evidence": records(evidence), "result": plain(full),
    }
    return Payload(ClaimOut, data, evidence, "claim_evidence")


@router.post("/claims", response_model=ClaimOut | ArticleOut,
             responses={**ERRORS, **BODY_ERROR, **csv_doc(
                 "The evidence table as CSV (with format=csv); for an article one table of "
                 "every claim's evidence, each row with `claim` (1-based) and `sentence`.")},
             openapi_extra=CLAIM_BODY,
             summary="Check a claim, a sentence or an article ('USA closer to RUS than to EU "
                     "in 2025'): reading, verdict, effect, CI, evidence")
async def claims(request: Request, format: FormatQ = Format.json) -> Response:
    """The body is a ClaimIn (JSON, at most 1 MiB + 4 KiB; the text at most 65,536
    characters, 1,000,000 with `article: true`). A template claim or a sentence with one
    claim answers a ClaimOut; a text with several claims an ArticleOut (at most 50 claims
    are evaluated per request, the others are listed in `skipped`). An ambiguous name is an
    error whose `candidates` list the choices; an error message quotes at most 200
    characters of the text."""
    ctx = ctx_of(request)
    try:
        raw = await _read_body(request)
        claim = await run_in_threadpool(_parse_claim, raw)
    except _BadBody as exc:
        return JSONResponse({"detail": exc.detail, "error": exc.error},
                            status_code=exc.status)
    del raw
    text = claim.text.strip()
    options = {k: v for k, v in {"measure": claim.measure, "body": claim.body,
                                 "bootstrap": claim.bootstrap, "seed": claim.seed}.items()
               if v is not None}

    def compute() -> Response:
        def run() -> Any:
            return _check_bounded(text, store=ctx.store, options=options)

        digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
        key = ("claim", digest, len(text), claim.measure, claim.body, claim.bootstrap,
               claim.seed, claim.article)
        result = ctx.results.get_or_compute(key, run)
        return render(_claim_payload(claim.text, result), format.value)

    # the work: draws x sentences (an article runs in the bounded pool of heavy work)
    from comity.claims.reader import split_sentences

    cost = (claim.bootstrap if claim.bootstrap is not None else 2000) * 10 * max(
        1, len(split_sentences(text)))
    try:
        return await run_bounded(ctx, compute, cost)
    except ComityError as exc:
        return _error_response(exc, claim.text)


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
