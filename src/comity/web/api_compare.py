"""Two states or blocs compared: ``GET /api/compare`` and the dashboard's Compare page
(``/compare``).

The numbers come from :func:`comity.analysis.comparison.compare`; the answer has the keys of
``comity compare --json`` (:class:`~comity.web.models.CompareOut`), co-sponsorship included
(``cosponsorship``: the Jaccard index of the texts the two states sponsored, per year, and
the votes where one voted No on the other's text; the page's Co-sponsorship section);
``format=csv`` gives every divergent vote (not only the first ``top``). A query spans at most
:data:`MAX_YEARS` calendar years (without ``from``: the 80 years up to ``to``, or up to this
year); the computed result is kept in the context's cache of results, so that the JSON and the
CSV of one query, or two values of ``top``, are computed once.
"""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import FileResponse, Response

from comity.errors import ComityError
from comity.web.api_align import (
    DEFAULT_BOOTSTRAP,
    BodyQ,
    BootQ,
    FromQ,
    Measure,
    MinVotesQ,
    SeedQ,
    StrictQ,
    ToQ,
    _check_work,
)
from comity.web.common import ERRORS, LIMITS, Payload, answer, ctx_of, known_params
from comity.web.models import CompareOut
from comity.web.tables import Format, csv_doc

router = APIRouter(tags=["compare"], dependencies=[Depends(known_params)])

MAX_YEARS = 80
"""The longest span of one query, in calendar years."""

MAX_TOPICS = 10
"""Keyword topics a query may add to the default list."""


def _span(from_: str | None, to: str | None) -> tuple[str, str | None]:
    """``from`` (defaulted to 79 years before ``to``) and ``to``; more than
    :data:`MAX_YEARS` years is refused."""
    y1 = int(to[:4]) if to else date.today().year
    if from_ is None:
        from_ = str(max(1946, y1 - MAX_YEARS + 1))
    years = y1 - max(int(from_[:4]), 1946) + 1
    if years > MAX_YEARS:
        raise ComityError(f"from {from_} to {to or y1} is {years} years; at most {MAX_YEARS} "
                          "per request (narrow from/to, or use the CLI)")
    return from_, to


@router.get("/api/compare", response_model=CompareOut, responses={**ERRORS, **csv_doc(
    "Every divergent vote as CSV (with format=csv).")},
    summary="Two states or blocs: trend, position matrix, topics, divergent votes")
async def compare_endpoint(
    request: Request,
    a: Annotated[str, Query(min_length=1, max_length=80, examples=["USA"],
                            description="A state (USA, Russia) or bloc (EU, NATO).")],
    b: Annotated[str, Query(min_length=1, max_length=80, examples=["RUS"],
                            description="The state or bloc to compare it with.")],
    from_: FromQ = None,
    to: ToQ = None,
    body: BodyQ = "GA",
    measure: Annotated[Measure, Query(description="The measure of the trend, the whole "
                                      "period and the topics.")] = "agreement",
    topic: Annotated[list[str] | None, Query(
        max_length=MAX_TOPICS, description="Keyword topics added to the default list "
        "(repeat; each searched in titles, agenda items and subjects).")] = None,
    bootstrap: BootQ = DEFAULT_BOOTSTRAP,
    seed: SeedQ = 0,
    min_votes: MinVotesQ = 10,
    top: Annotated[int, Query(ge=0, le=LIMITS["max_limit"], description="Rows of the "
                              "divergent and shared-minority tables.")] = 25,
    strict: StrictQ = False,
    format: Annotated[Format, Query(description="json (default) or csv (every divergent "
                                    "vote).")] = Format.json,
) -> Response:
    ctx = ctx_of(request)
    for t in (a, b):
        if not t.strip():
            raise ComityError(f"party names must not be blank, got {t!r}")
    words = tuple(dict.fromkeys(w.strip() for w in topic or () if w.strip()))
    for w in words:
        if len(w) > 60:
            raise ComityError(f"a topic is at most 60 characters, got {len(w)}")
    start, end = _span(from_, to)
    cost = _check_work(bootstrap, 2, start, end, "year")

    def compute() -> Payload:
        from comity.analysis.comparison import compare

        key = ("compare", a.strip(), b.strip(), start, end, body, measure, words, bootstrap,
               seed, min_votes, strict)
        res = ctx.results.get_or_compute(key, lambda: compare(
            a.strip(), b.strip(), start=start, end=end, body=body, measure=measure,
            topics=list(words), bootstrap=bootstrap, seed=seed, min_votes=min_votes,
            strict=strict, store=ctx.store))
        res = dataclasses.replace(res, top=top)
        data: dict[str, Any] = res.to_dict()
        data["query"]["top"] = top
        name = f"divergent_{res.parties[0].code}_{res.parties[1].code}"
        return Payload(CompareOut, data, lambda: res.divergent, name)

    return await answer(request, format.value, compute, cost=cost)


@router.get("/compare", include_in_schema=False)
async def compare_page() -> Response:
    """The dashboard's Compare page (its state lives in the query string)."""
    from comity.web.app import PAGE_CSP, STATIC

    return FileResponse(STATIC / "compare.html", media_type="text/html",
                        headers={"Content-Security-Policy": PAGE_CSP,
                                 "X-Content-Type-Options": "nosniff"})
