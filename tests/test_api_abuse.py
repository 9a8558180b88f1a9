"""The REST API under load and abuse (issue 19): work bounded by its real cost, expensive work
apart from cheap queries, 503 + Retry-After when saturated, HEAD, no server paths."""

from __future__ import annotations

import asyncio
import threading
import time
from pathlib import Path

import pytest

fastapi = pytest.importorskip("fastapi")
from fastapi.testclient import TestClient  # noqa: E402

from comity.web import create_app  # noqa: E402
from comity.web.common import LIMITS, Busy, run_bounded  # noqa: E402


@pytest.fixture(scope="module")
def client(mini_db: Path):
    with TestClient(create_app(mini_db)) as c:
        yield c


def test_by_all_counts_every_year(client) -> None:
    """One period over 80 years resamples as many votes as 80 yearly periods: by=all no longer
    slips under the work limit (5000 draws x 9 pairs x 80 years > 2,000,000)."""
    params = {"a": "USA", "b": ["RUS", "CHN", "FRA", "GBR", "CAN", "MEX", "IND", "BRA", "JPN"],
              "from": "1946", "to": "2025", "by": "all", "bootstrap": 5000}
    r = client.get("/api/alignment", params=params)
    assert r.status_code == 422 and "too much work" in r.json()["detail"]
    params["from"] = "2020"  # 5000 x 9 x 6 = 270,000: within the limit
    assert "too much work" not in client.get("/api/alignment", params=params).text


def test_saturated_heavy_pool_answers_503_with_retry_after(client) -> None:
    ctx = client.app.state.ctx
    taken = [ctx.heavy_slots.acquire(blocking=False) for _ in range(LIMITS["max_expensive"])]
    assert all(taken)
    try:
        r = client.get("/api/alignment", params={"a": "USA", "b": "CAN", "from": "1980",
                                                 "to": "1990", "bootstrap": 5000})
        assert r.status_code == 503 and r.headers["retry-after"] == "5"
        assert "expensive requests" in r.json()["detail"]
        # a cheap query (no interval) still answers; the default (the CLI's 2,000 draws
        # over every year) is heavy work and waits its turn like any other
        assert client.get("/api/alignment", params={"a": "USA", "b": "CAN",
                                                    "bootstrap": 0}).status_code == 200
        assert client.get("/api/alignment", params={"a": "USA", "b": "CAN"}).status_code == 503
    finally:
        for _ in taken:
            ctx.heavy_slots.release()


def test_cheap_queries_are_not_starved_by_heavy_work(mini_db: Path) -> None:
    """While the heavy pool is busy for seconds, a cheap query answers at once."""
    from comity.web.context import WebContext

    ctx = WebContext(mini_db)
    gate = threading.Event()

    async def scenario() -> tuple[float, list[str]]:
        heavy = [asyncio.ensure_future(run_bounded(ctx, lambda: gate.wait(10) and "heavy",
                                                   LIMITS["expensive_work"] + 1))
                 for _ in range(LIMITS["max_expensive"])]
        await asyncio.sleep(0.05)
        with pytest.raises(Busy):
            await run_bounded(ctx, lambda: "one too many", LIMITS["expensive_work"] + 1)
        t = time.perf_counter()
        cheap = await run_bounded(ctx, lambda: "cheap", 10)
        dt = time.perf_counter() - t
        gate.set()
        done = await asyncio.gather(*heavy)
        assert cheap == "cheap"
        return dt, done

    try:
        dt, done = asyncio.run(scenario())
    finally:
        ctx.close()
    assert dt < 0.5, dt
    assert done == ["heavy"] * LIMITS["max_expensive"]


def test_timeout_answers_busy(mini_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from comity.web.context import WebContext

    monkeypatch.setitem(LIMITS, "timeout_seconds", 0.2)
    ctx = WebContext(mini_db)
    try:
        with pytest.raises(Busy, match=r"longer than 0\.2 s"):
            asyncio.run(run_bounded(ctx, lambda: time.sleep(1.0), 10))
    finally:
        ctx.close()


def test_head_answers_like_get(client) -> None:
    for path in ("/api/info", "/api/states?format=csv", "/"):
        g, h = client.get(path), client.head(path)
        assert h.status_code == g.status_code == 200
        assert h.content == b"" and h.headers["content-type"] == g.headers["content-type"]


def test_info_shows_no_server_paths(client) -> None:
    d = client.get("/api/info").json()
    assert "/" not in d["db"]
    assert all("/" not in row["file"] and "\\" not in row["file"] for row in d["ingests"])
    assert d["features"] == {"claims": True, "idealpoints": True, "shifts": True,
                             "clusters": True}


def test_unknown_query_parameters_are_rejected(client) -> None:
    """/api/alignment?start=2015 used to answer 1946-2026 silently (issue 18)."""
    r = client.get("/api/alignment", params={"a": "USA", "b": "CAN", "start": "2015"})
    assert r.status_code == 422
    detail = r.json()["detail"]
    assert "unknown query parameter 'start'" in detail and "from" in detail and "to" in detail
    assert client.get("/api/alignment", params={"a": "USA", "b": "CAN", "from": "1980"}
                      ).status_code == 200
    assert client.get("/api/states", params={"format": "csv", "x": "1"}).status_code == 422


def test_cached_answer_is_gzipped_once_and_reads_back(client) -> None:
    """A cached answer to a client that accepts gzip is the gzip of the same bytes, made
    once (kept for the next hit), with Vary; a client that does not accept gzip gets the
    plain bytes."""
    import gzip as gz

    from comity.web.common import CachedGetMiddleware, _accepts_gzip

    params = {"at": "2020-01-01"}
    plain_body = client.get("/api/states", params=params,
                            headers={"Accept-Encoding": "identity"}).content
    assert len(plain_body) >= CachedGetMiddleware.GZIP_MIN
    r1 = client.get("/api/states", params=params, headers={"Accept-Encoding": "gzip"})
    assert r1.headers["content-encoding"] == "gzip" and r1.headers["vary"] == "Accept-Encoding"
    assert r1.content == plain_body  # httpx decodes it: the same bytes
    r2 = client.get("/api/states", params=params, headers={"Accept-Encoding": "gzip"})
    assert r2.content == plain_body
    mw = client.app.middleware_stack
    while not isinstance(mw, CachedGetMiddleware):
        mw = mw.app
    (body, packed), = [v for v in mw._gz.values() if v[0] == plain_body]
    assert gz.decompress(packed) == plain_body and body == plain_body
    r3 = client.get("/api/states", params=params, headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in r3.headers and r3.content == plain_body

    def scope(v: bytes) -> dict:
        return {"headers": [(b"accept-encoding", v)]}

    assert _accepts_gzip(scope(b"gzip, deflate, br"))
    assert _accepts_gzip(scope(b"br;q=1.0, *;q=0.5"))
    assert not _accepts_gzip(scope(b"gzip;q=0"))
    assert not _accepts_gzip(scope(b"br, deflate"))
    assert not _accepts_gzip({"headers": []})
