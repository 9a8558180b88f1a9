"""Endpoints over the store and the reference tables: info, states, blocs, resolutions, votes,
Security Council vetoes and membership."""

from __future__ import annotations

import importlib.util
from datetime import date
from pathlib import Path
from typing import Annotated, Literal

import pandas as pd
from fastapi import APIRouter, Depends, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import Response

from comity.errors import ComityError
from comity.web.common import ERRORS, LIMITS, NotFound, Payload, answer, ctx_of, known_params
from comity.web.models import (
    BlocDetailOut,
    BlocsOut,
    CouncilOut,
    InfoOut,
    ResolutionsOut,
    StatesOut,
    VetoesOut,
    VotesOut,
)
from comity.web.tables import Format, csv_doc, plain, records

router = APIRouter(prefix="/api", tags=["data"], dependencies=[Depends(known_params)])

FormatQ = Annotated[Format, Query(description="json (default) or csv (a table download).")]
IssueCode = Literal["me", "nu", "di", "hr", "co", "ec"]
Body = Literal["GA", "SC", "both"]

DAY_PATTERN = r"^\d{4}-\d{2}-\d{2}$"
AtQ = Annotated[str | None, Query(pattern=DAY_PATTERN, description="Members on this date "
                                  "(YYYY-MM-DD; default: today).")]


def _day(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ComityError(f"at={text!r} is not a valid date (expected YYYY-MM-DD)") from None


RESOLUTION_COLUMNS = ("rid", "body", "session", "date", "symbol", "title", "issues",
                      "important", "amend", "para", "adoption", "outcome", "yes", "no",
                      "abstain", "non_voting", "sources", "link", "issues_predicted")


def _has(module: str) -> bool:
    return importlib.util.find_spec(f"comity.{module}") is not None


@router.get("/info", response_model=InfoOut, responses={**ERRORS},
            summary="Provenance: what data, which files (sha256), when loaded")
async def info(request: Request) -> Response:
    ctx = ctx_of(request)

    def compute() -> Payload:
        from comity import __version__
        from comity.analysis.align import ISSUES
        from comity.analysis.measures import MEASURES

        i = ctx.store.info()
        data = {
            "version": __version__, "db": Path(str(i["db"])).name, "counts": i["counts"],
            "bodies": plain(i["bodies"]), "sources": plain(i["sources"]),
            # file names only: the server's folders are nobody's business
            "ingests": [{**row, "file": Path(str(row.get("file") or "")).name}
                        for row in plain(i["ingests"])],
            "quality": i["quality"], "measures": list(MEASURES), "issues": dict(ISSUES),
            "features": {m: _has(mod) for m, mod in (
                ("claims", "claims"), ("idealpoints", "analysis.idealpoints"),
                ("shifts", "analysis.shifts"), ("clusters", "analysis.clustering"))},
            "limits": LIMITS,
        }
        return Payload(InfoOut, data)

    return await answer(request, "json", compute)


def _memberships() -> dict[str, list[dict]]:
    from comity.world import states as st

    m = st.memberships_table()
    out: dict[str, list[dict]] = {}
    for r in m.itertuples(index=False):
        out.setdefault(str(r.code), []).append(
            {"start": plain(r.start), "end": plain(r.end), "kind": plain(r.kind),
             "note": plain(r.note)})
    return out


@router.get("/states", response_model=StatesOut, responses={**ERRORS, **csv_doc()},
            summary="States with their UN membership periods")
async def states(
    request: Request,
    at: Annotated[str | None, Query(pattern=DAY_PATTERN, description="Only states that were "
                                    "UN members on this date (YYYY-MM-DD).")] = None,
    format: FormatQ = Format.json,
) -> Response:
    ctx = ctx_of(request)
    day = _day(at)

    def compute() -> Payload:
        df = ctx.store.states_at(None if day is None else day.isoformat())
        mem = _memberships()
        rows = records(df, ("code", "name", "member_from", "member_to", "predecessor", "kind"))
        for r in rows:
            r["memberships"] = mem.get(r["code"], [])
        table = df[[c for c in ("code", "name", "member_from", "member_to", "predecessor",
                                "kind") if c in df.columns]].copy()
        table["memberships"] = [
            ";".join(f"{p['start'] or ''}/{p['end'] or ''} {p['kind'] or ''}".strip()
                     for p in mem.get(c, [])) for c in table["code"]]
        data = {"at": None if day is None else day.isoformat(), "count": len(rows),
                "rows": rows}
        return Payload(StatesOut, data, table, "states")

    return await answer(request, format.value, compute)


def _bloc_row(b: object, day: date) -> dict:
    from comity.world.blocs import Bloc

    assert isinstance(b, Bloc)
    members = b.members_at(day)
    return {"key": b.key, "name": b.name, "aliases": list(b.aliases),
            "description": b.description, "n_members": len(members),
            "first_date": plain(b.first_date()), "members": members}


@router.get("/blocs", response_model=BlocsOut, responses={**ERRORS, **csv_doc()},
            summary="Built-in blocs and their members on a date")
async def blocs(
    request: Request,
    at: AtQ = None,
    format: FormatQ = Format.json,
) -> Response:
    day = _day(at) or date.today()

    def compute() -> Payload:
        from comity.world.blocs import builtin_blocs

        rows = [_bloc_row(b, day) for _, b in sorted(builtin_blocs().items())]
        table = pd.DataFrame(rows)
        return Payload(BlocsOut, {"at": day.isoformat(), "rows": rows}, table, "blocs")

    return await answer(request, format.value, compute)


@router.get("/blocs/{name}", response_model=BlocDetailOut, responses={**ERRORS, **csv_doc()},
            summary="One bloc with its full membership history")
async def bloc(
    request: Request,
    name: Annotated[str, PathParam(max_length=80, description="Key, name or alias (EU, "
                                   "NATO, 'Arab League').")],
    at: AtQ = None,
    format: FormatQ = Format.json,
) -> Response:
    day = _day(at) or date.today()

    def compute() -> Payload:
        from comity.world.blocs import get_bloc

        b = get_bloc(name)
        row = _bloc_row(b, day)
        hist = b.to_frame()
        row["memberships"] = records(hist, ("state", "start", "end", "source", "note"))
        return Payload(BlocDetailOut, row, hist, f"bloc_{b.key}")

    return await answer(request, format.value, compute)


@router.get("/resolutions", response_model=ResolutionsOut, responses={**ERRORS, **csv_doc()},
            summary="Recorded votes: search, filters, paging")
async def resolutions(
    request: Request,
    search: Annotated[str | None, Query(max_length=200, description="Text in the title, "
                                        "symbol, agenda or subjects (case-insensitive).")]
    = None,
    session: Annotated[int | None, Query(ge=1, le=3000, description="GA session (SC: year)")]
    = None,
    year: Annotated[int | None, Query(ge=1945, le=2100)] = None,
    issue: Annotated[IssueCode | None, Query(description="Voeten's issue code.")] = None,
    body: Annotated[Body, Query()] = "both",
    limit: Annotated[int, Query(ge=1, le=LIMITS["max_limit"])] = 50,
    offset: Annotated[int, Query(ge=0, le=LIMITS["max_offset"])] = 0,
    format: FormatQ = Format.json,
) -> Response:
    ctx = ctx_of(request)

    def compute() -> Payload:
        key = ("resolutions", search or None, session, year, issue, body)

        def full() -> pd.DataFrame:
            return ctx.store.resolutions(search=search or None, session=session, year=year,
                                         issue=issue, body=body)

        df = ctx.results.get_or_compute(key, full)
        page = df.iloc[offset:offset + limit]
        page = page[[c for c in RESOLUTION_COLUMNS if c in page.columns]]
        data = {"total": len(df), "limit": limit, "offset": offset, "rows": records(page)}
        return Payload(ResolutionsOut, data, page, "resolutions")

    return await answer(request, format.value, compute)


@router.get("/resolutions/{symbol:path}/votes", response_model=VotesOut,
            responses={**ERRORS, **csv_doc()},
            summary="Every state's vote on one resolution (symbol like A/RES/68/262)")
async def resolution_votes(
    request: Request,
    symbol: Annotated[str, PathParam(min_length=1, max_length=80,
                                     description="Symbol (A/RES/68/262, S/RES/2758) or rid.")],
    format: FormatQ = Format.json,
) -> Response:
    ctx = ctx_of(request)

    def compute() -> Payload:
        found = ctx.store.find_resolution(symbol)
        if found.empty:
            raise NotFound(f"no recorded vote with symbol {symbol!r} in the store")
        res = records(found.head(1))[0]
        votes = ctx.store.votes_on(str(res["rid"]))
        counts = {k: int((votes["vote"] == k).sum()) for k in ("Y", "N", "A", "X")}
        data = {"resolution": res, "matches": len(found),
                "also": [str(x) for x in found["rid"].iloc[1:21]], "counts": counts,
                "rows": records(votes, ("state", "name", "vote", "inferred", "source"))}
        return Payload(VotesOut, data, votes, f"votes_{res['rid']}")

    return await answer(request, format.value, compute)


VETO_NOTE = ("A veto is a permanent member's no on a failed Security Council draft. The votes "
             "on drafts (1994 onwards) give the tally and whether the draft had the nine votes "
             "it needed (decisive); earlier vetoes come from the veto list alone, without a "
             "tally (null). See comity.analysis.security_council.")


@router.get("/vetoes", response_model=VetoesOut, responses={**ERRORS, **csv_doc()},
            summary="Security Council vetoes (from failed drafts in the store)")
async def vetoes(
    request: Request,
    state: Annotated[str | None, Query(max_length=80, description="Code or name (RUS "
                                       "includes the USSR).")] = None,
    from_: Annotated[int | None, Query(alias="from", ge=1945, le=2100)] = None,
    to: Annotated[int | None, Query(ge=1945, le=2100)] = None,
    decisive_only: Annotated[bool, Query(description="Only drafts that had the required "
                                         "majority (as the UN's veto list).")] = True,
    format: FormatQ = Format.json,
) -> Response:
    ctx = ctx_of(request)

    def compute() -> Payload:
        from comity.analysis.security_council import vetoes as sc_vetoes

        df = sc_vetoes(ctx.store, state=state or None, start_year=from_, end_year=to,
                       decisive_only=decisive_only)
        q = {"state": state, "from": from_, "to": to, "decisive_only": decisive_only}
        return Payload(VetoesOut, {"query": q, "note": VETO_NOTE, "rows": records(df)}, df,
                       "vetoes")

    return await answer(request, format.value, compute)


@router.get("/council", response_model=CouncilOut, responses={**ERRORS, **csv_doc()},
            summary="Security Council members in a year (P5 + elected, inferred from votes)")
async def council(
    request: Request,
    year: Annotated[int, Query(ge=1946, le=2100)],
    format: FormatQ = Format.json,
) -> Response:
    ctx = ctx_of(request)

    def compute() -> Payload:
        from comity.analysis.security_council import council as sc_council

        c = sc_council(ctx.store, year)
        data = {"year": c.year, "resolutions": c.resolutions, "members": records(c.members)}
        return Payload(CouncilOut, data, c.members, f"council_{c.year}")

    return await answer(request, format.value, compute)
