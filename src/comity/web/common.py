"""Plumbing shared by the routers: the context, errors, caching and serialisation."""

from __future__ import annotations

import gzip
import importlib
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType
from typing import Any
from urllib.parse import parse_qsl

import pandas as pd
from fastapi import Request
from fastapi.responses import Response
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from comity.errors import (
    ComityError,
    StoreError,
    UnknownBlocError,
    UnknownStateError,
)
from comity.web.context import WebContext
from comity.web.models import ErrorOut
from comity.web.tables import csv_response

JSON_MEDIA = "application/json"

#: Bounds on inputs and result sizes (also reported by /api/info).
LIMITS: dict[str, int] = {
    "max_limit": 1000,
    "max_offset": 1_000_000,
    "max_bootstrap": 5000,
    "max_parties": 10,
    "max_states": 250,
    "max_bootstrap_work": 2_000_000,  # draws x pairs x periods for one alignment query
    "expensive_work": 50_000,  # above this, a request runs in the bounded pool of heavy work
    "max_expensive": 4,  # heavy requests running or waiting at once; more get 503
    "timeout_seconds": 30,  # any request running longer gets 503
}


class Busy(Exception):
    """The server is at its limit of expensive requests: answered with 503 + Retry-After."""


class Unavailable(Exception):
    """An optional analysis module is not installed (yet): answered with 503."""


class NotFound(Exception):
    """A named record does not exist: answered with 404."""


def error_status(exc: Exception) -> int:
    if isinstance(exc, UnknownStateError | UnknownBlocError | NotFound):
        return 404
    if isinstance(exc, StoreError | Unavailable | Busy):
        return 503
    return 422


def error_body(exc: Exception) -> dict[str, str]:
    return {"detail": str(exc), "error": type(exc).__name__}


ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorOut, "description": "Unknown state, bloc or record (named in detail)."},
    422: {"description": "Invalid input: the message names the parameter and what was "
                         "expected."},
    503: {"model": ErrorOut, "description": "Store or optional module unavailable."},
}


def known_params(request: Request) -> None:
    """Router dependency: a query parameter the route does not declare is a 422 naming it and
    listing the accepted ones (``/api/alignment?start=2015`` must not silently answer
    1946-2026)."""
    if not request.url.path.startswith("/api/"):
        return  # pages keep their state in the query string for their own script
    route = request.scope.get("route")
    dependant = getattr(route, "dependant", None)
    if dependant is None:
        return
    accepted: set[str] = set()
    stack = [dependant]
    while stack:
        d = stack.pop()
        accepted |= {p.alias for p in d.query_params}
        stack.extend(d.dependencies)
    unknown = sorted(set(request.query_params) - accepted)
    if unknown:
        from fastapi import HTTPException

        raise HTTPException(status_code=422, detail=(
            f"unknown query parameter{'s' if len(unknown) > 1 else ''} "
            f"{', '.join(repr(u[:40]) for u in unknown[:5])}; this route accepts: "
            f"{', '.join(sorted(accepted)) or 'none'}"))


def ctx_of(request: Request) -> WebContext:
    ctx: WebContext = request.app.state.ctx
    return ctx


def optional_module(name: str) -> ModuleType:
    """``comity.<name>``, or :class:`Unavailable` with a message saying what is missing."""
    try:
        return importlib.import_module(f"comity.{name}")
    except ModuleNotFoundError as exc:
        if exc.name not in (f"comity.{name}", name):
            raise
        raise Unavailable(
            f"the comity.{name} module is not installed in this version of comity, so "
            f"this endpoint is not available yet") from None


def attr(module: ModuleType, name: str) -> Any:
    fn = getattr(module, name, None)
    if fn is None:
        raise Unavailable(f"{module.__name__} has no {name}() in this version of comity; "
                          "this endpoint is not available yet")
    return fn


@dataclass
class Payload:
    """What a handler computed: a JSON document (validated against ``model``) and the table
    offered as CSV."""

    model: type[BaseModel]
    data: dict[str, Any]
    table: pd.DataFrame | Callable[[], pd.DataFrame] | None = None  # a callable: built lazily
    filename: str = "comity"


def render(payload: Payload, fmt: str) -> Response:
    if fmt == "csv":
        table = payload.table() if callable(payload.table) else payload.table
        return csv_response(table if table is not None else pd.DataFrame(), payload.filename)
    body = payload.model.model_validate(payload.data).model_dump_json()
    return Response(content=body, media_type=JSON_MEDIA)


def cache_key(path: str, query_string: bytes | str) -> tuple[str, tuple[tuple[str, str], ...]]:
    """The cache key of a GET: the path and the query items sorted by name (the order of a
    repeated parameter, e.g. ``b``, is kept: it orders the answer)."""
    qs = query_string.decode("latin-1") if isinstance(query_string, bytes) else query_string
    items = sorted(parse_qsl(qs, keep_blank_values=True), key=lambda kv: kv[0])
    return path, tuple(items)


async def run_bounded(ctx: WebContext, work: Callable[[], Any], cost: int) -> Any:
    """Run ``work`` off the event loop: cheap work (``cost`` at most
    ``LIMITS["expensive_work"]``) in the shared thread pool, expensive work in the context's
    own one-thread pool, at most ``LIMITS["max_expensive"]`` of them running or waiting (more:
    :class:`Busy`, 503 with Retry-After), so that a client sending many costly requests cannot
    starve cheap queries. Anything over ``LIMITS["timeout_seconds"]`` is answered with 503
    (the work itself finishes in its thread and frees its slot)."""
    import asyncio

    timeout = LIMITS["timeout_seconds"]
    if cost <= LIMITS["expensive_work"]:
        try:
            return await asyncio.wait_for(run_in_threadpool(work), timeout)
        except TimeoutError:
            raise Busy(f"the request took longer than {timeout} s") from None
    if not ctx.heavy_slots.acquire(blocking=False):
        raise Busy(f"{LIMITS['max_expensive']} expensive requests are already running or "
                   "waiting; retry in a few seconds, or lower bootstrap / narrow from-to")
    fut = asyncio.get_running_loop().run_in_executor(ctx.heavy, work)
    fut.add_done_callback(lambda _f: ctx.heavy_slots.release())
    try:
        return await asyncio.wait_for(asyncio.shield(fut), timeout)
    except TimeoutError:
        raise Busy(f"the request took longer than {timeout} s (lower bootstrap or narrow "
                   "from-to)") from None


async def answer(request: Request, fmt: str, compute: Callable[[], Payload], *,
                 fast: Callable[[], Payload | None] | None = None,
                 cache: bool = True, cost: int = 0) -> Response:
    """Serve ``compute()`` rendered as ``fmt``; GET answers are cached per query string (the
    store is read-only, so they never go stale). ``fast()``, when given, is tried first on the
    event loop: it must only read caches and return None when it cannot answer; the work
    (``compute``) runs off the loop, bounded by its ``cost`` (:func:`run_bounded`)."""
    ctx = ctx_of(request)
    key = cache_key(request.url.path, request.scope.get("query_string", b"")) if cache \
        else None
    if key is not None:
        hit = ctx.responses.get(key)
        if hit is not None:
            body, media, headers = hit
            return Response(content=body, media_type=media, headers=headers)
    payload = fast() if fast is not None else None
    if payload is not None:
        resp = render(payload, fmt)
    else:
        def work() -> Response:
            return render(compute(), fmt)

        resp = await run_bounded(ctx, work, cost)
    if key is not None:
        headers = {k: v for k, v in resp.headers.items() if k.lower() == "content-disposition"}
        ctx.responses.put(key, (resp.body, resp.media_type, headers))
    return resp


class HeadAsGetMiddleware:
    """``HEAD`` answers as ``GET`` does, headers included, without the body."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def send_head(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.body":
                message = {**message, "body": b"", "more_body": False}
                if getattr(send_head, "done", False):
                    return
                send_head.done = True  # type: ignore[attr-defined]
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, send_head)


class CachedGetMiddleware:
    """Pure ASGI middleware answering a repeated GET of the API from the response cache
    before routing and parameter validation (only answers that a validated request has put
    in the cache are served, byte for byte). A client that accepts gzip gets a compressed
    copy, made once per cached answer (not on every hit, as the gzip middleware outside
    would) and kept while that answer is."""

    #: answers shorter than this go uncompressed (as with the gzip middleware)
    GZIP_MIN = 4096
    #: compressed copies kept (the largest answers are the ones worth keeping)
    GZIP_KEEP = 256

    def __init__(self, app: Any, ctx: Any) -> None:
        self.app = app
        self.ctx = ctx
        self._gz: OrderedDict[str, tuple[bytes, bytes]] = OrderedDict()

    def _gzipped(self, key: str, body: bytes) -> bytes:
        got = self._gz.get(key)
        if got is not None and got[0] is body:
            self._gz.move_to_end(key)
            return got[1]
        gz = gzip.compress(body, compresslevel=6, mtime=0)
        self._gz[key] = (body, gz)
        while len(self._gz) > self.GZIP_KEEP:
            self._gz.popitem(last=False)
        return gz

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["method"] == "GET" and \
                scope["path"].startswith("/api/"):
            key = cache_key(scope["path"], scope.get("query_string", b""))
            hit = self.ctx.responses.get(key)
            if hit is not None:
                body, media, headers = hit
                ctype = media if "charset" in media or not media.startswith("text/") \
                    else media + "; charset=utf-8"
                extra: list[tuple[bytes, bytes]] = []
                if len(body) >= self.GZIP_MIN and _accepts_gzip(scope):
                    body = self._gzipped(key, body)
                    extra = [(b"content-encoding", b"gzip"), (b"vary", b"Accept-Encoding")]
                raw = [(b"content-type", ctype.encode()),
                       (b"content-length", str(len(body)).encode()), *extra]
                raw += [(k.lower().encode(), v.encode()) for k, v in headers.items()]
                await send({"type": "http.response.start", "status": 200, "headers": raw})
                await send({"type": "http.response.body", "body": body})
                return
        await self.app(scope, receive, send)


def _accepts_gzip(scope: Any) -> bool:
    """Does the request's Accept-Encoding allow gzip (``gzip`` or ``*`` with q > 0)?"""
    for name, value in scope.get("headers", ()):
        if name != b"accept-encoding":
            continue
        for part in value.decode("latin-1").lower().split(","):
            token, _, params = part.partition(";")
            if token.strip() not in ("gzip", "*"):
                continue
            q = params.strip().removeprefix("q=") if params.strip().startswith("q=") else "1"
            try:
                return float(q) > 0
            except ValueError:
                return False
    return False


__all__ = [
    "ERRORS",
    "LIMITS",
    "Busy",
    "ComityError",
    "NotFound",
    "Payload",
    "Unavailable",
    "answer",
    "attr",
    "ctx_of",
    "error_body",
    "error_status",
    "optional_module",
    "render",
    "run_bounded",
]
