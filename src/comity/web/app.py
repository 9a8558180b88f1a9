"""The FastAPI application: JSON API under ``/api``, the dashboard at ``/``.

:func:`create_app` opens the store read-only (one DuckDB connection per worker thread) and
wires the routers. ``comity serve`` runs it with uvicorn (:mod:`comity.cli.serve`); several worker
processes get it from :func:`app_from_env`.
"""

from __future__ import annotations

import gc
import os
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from comity.errors import ComityError
from comity.web.common import (
    Busy,
    CachedGetMiddleware,
    HeadAsGetMiddleware,
    NotFound,
    Unavailable,
    error_body,
    error_status,
)
from comity.web.context import WebContext

STATIC = Path(__file__).resolve().parent / "static"

DESCRIPTION = """\
Read-only API over a comity store of recorded UN General Assembly and Security Council votes:
who stands with whom among nations.

* Every table answers JSON by default and CSV with `?format=csv`.
* Parties are states (codes `USA`, names `Russia`) or blocs (`EU`, `NATO`, `G77`...): see
  `/api/states` and `/api/blocs`. An unknown name is a 404 whose message names it and lists
  candidates; any other invalid input is a 422 that says what was expected.
* Measures: agreement, S, kappa, pi, coincidence; intervals are percentile bootstrap
  intervals over the resolutions of each period (`bootstrap` draws, `seed` for repeatability).
* Limits: `limit` <= 1000, `bootstrap` <= 5000 (and draws x pairs x years x measures
  <= 2,000,000, whatever `by`), at most 10 parties per query. Expensive requests (over 50,000
  units of that work, articles) run in their own bounded pool, at most 4 at once (more: 503
  with Retry-After); anything running over 30 s answers 503.
* `/api/claims`, `/api/idealpoints`, `/api/shifts` and `/api/clusters` need optional modules;
  they answer 503 when these are not installed (see `features` in `/api/info`).
"""

PAGE_CSP = ("default-src 'self'; script-src 'self' 'unsafe-eval'; style-src 'self' "
            "'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; "
            "frame-ancestors 'none'; base-uri 'self'; form-action 'self'")


def create_app(db_path: str | Path, *, cors_origins: Sequence[str] | None = None) -> FastAPI:
    """The app serving the store at ``db_path`` (opened read-only; must exist).

    ``cors_origins``: origins allowed to call the API from a browser page of another site
    (default: none, CORS off).
    """
    from comity import __version__
    from comity.web import api_align, api_compare, api_data, api_extra

    ctx = WebContext(db_path)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # The imported libraries leave millions of long-lived objects: keep them out of the
        # cyclic garbage collector's full passes, which otherwise stall a request for tens of
        # milliseconds now and then.
        gc.collect()
        gc.freeze()
        yield
        ctx.close()

    app = FastAPI(title="comity", version=__version__, description=DESCRIPTION,
                  lifespan=lifespan, docs_url=None, redoc_url=None)
    app.state.ctx = ctx

    async def comity_error(request: Request, exc: Exception) -> Response:
        headers = {"Retry-After": "5"} if isinstance(exc, Busy) else None
        return JSONResponse(error_body(exc), status_code=error_status(exc), headers=headers)

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        return JSONResponse({"detail": str(exc.detail), "error": "HTTPException"},
                            status_code=exc.status_code, headers=exc.headers)

    for exc_type in (ComityError, Unavailable, NotFound, Busy):
        app.add_exception_handler(exc_type, comity_error)
    app.add_exception_handler(StarletteHTTPException, http_error)

    # the last added is the outermost: CORS, then gzip, then the cache of GET answers
    app.add_middleware(CachedGetMiddleware, ctx=ctx)
    app.add_middleware(GZipMiddleware, minimum_size=4096)
    app.add_middleware(HeadAsGetMiddleware)
    if cors_origins:
        app.add_middleware(CORSMiddleware, allow_origins=list(cors_origins),
                           allow_methods=["GET", "POST"], allow_headers=["Content-Type"])

    app.include_router(api_data.router)
    app.include_router(api_align.router)
    app.include_router(api_extra.router)
    app.include_router(api_compare.router)

    @app.get("/", include_in_schema=False)
    async def index() -> Response:
        return FileResponse(STATIC / "index.html", media_type="text/html",
                            headers={"Content-Security-Policy": PAGE_CSP,
                                     "X-Content-Type-Options": "nosniff"})

    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    return app


def app_from_env() -> FastAPI:
    """App factory for uvicorn workers: the store is ``$COMITY_DB`` (or the default store) and
    the CORS origins ``$COMITY_CORS_ORIGINS`` (comma-separated; default none)."""
    from comity.store.db import default_db_path

    origins = [o.strip() for o in os.environ.get("COMITY_CORS_ORIGINS", "").split(",")
               if o.strip()]
    return create_app(default_db_path(), cors_origins=origins or None)
