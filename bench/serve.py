"""Benchmark: ``comity serve`` (2 workers) answering alignment queries for random pairs and
years, under concurrent load from a generator on the same machine (loopback only).

    python bench/serve.py [--db PATH | --data DIR] [--requests N] [--concurrency C]

* The server: ``python -m comity.cli serve --host 127.0.0.1 --port <free> --workers 2`` on the
  store (without ``--db`` a temporary store is built from ``--data``, default
  ``$COMITY_TEST_DATA`` or ``../shared/data``).
* The queries: ``GET /api/alignment?a=X&b=Y&from=YEAR&to=YEAR&bootstrap=0`` for a random pair
  of 30 states and a random year between ``--first`` and ``--last`` (default 1993 to the last
  full year of data), drawn with ``--seed``; about 13,000 distinct queries, so most requests of
  a run are new to the server's response cache and are answered from the year's all-dyad
  table (the fast path of :mod:`comity.web.api_align`).
* The load: a small asyncio HTTP/1.1 client (keep-alive, ``--concurrency`` connections, each
  sending its next request when the previous answer is in). ``--warmup`` requests (not timed)
  first, so that each worker has computed the all-dyad table of every year; then
  ``--requests`` timed requests. Latency is measured per request, from sending to the last
  byte of the answer. Every answer must be a 200 with a JSON body; a sample of ``--check``
  answers is compared with :func:`comity.analysis.align.alignment` called directly.

* The comparison of two states (``GET /api/compare``, :mod:`comity.web.api_compare`), after
  the load: ``--compare`` (default ``a=USA&b=RUS&from=1946&to=2025``, the API's default
  bootstrap draws: ``DEFAULT_BOOTSTRAP`` of :mod:`comity.web.api_align`, 2,000) asked once on
  the warm server (``compare_first_ms``: computed, as no request asked it before), then
  ``--compare-repeats`` times (``compare_warm_ms``, the median: answered from the caches; the
  first time on the other worker is a computation too), and USA against six other states over
  the same years, each asked once (``compare_other_pairs_ms``: the median of those first
  computations). One answer is compared with :func:`comity.analysis.comparison.compare`
  called directly.

* The mixed load (issue 19), after the comparison. First a *cached typical mix*: about 50
  typical GET queries (:func:`typical_mix`: alignment of six pairs over 1946- and 1991-last
  year with ``bootstrap=0`` and with the default bootstrap, of four pairs in one year and of
  EU-USA; ``/api/states``, ``/api/blocs``, ``/api/info``, two blocs, four pages of
  ``/api/resolutions?limit=20``, the votes on one resolution, ``/api/vetoes``,
  ``/api/council``; ``/api/compare`` for 2 pairs; ``/api/matrix`` of the last year (every
  dyad, about 2 MB) and of 8 states in 2000; five ``/api/cohesion`` queries). Warm-up, not
  timed (``cached_warmup`` requests, ``cached_warmup_seconds``): each query asked on new
  connections (which go to either worker) until ``4 x --workers`` answers in a row came
  within 50 ms with a 200, i.e. from the response caches (at most 40 asks; 4 queries at a
  time, so that no worker refuses an expensive first computation). Then
  ``--mix-requests`` requests drawn at random from the mix over ``--concurrency`` keep-alive
  connections: ``cached_rps`` (requests / wall seconds), ``cached_p50_ms``,
  ``cached_p99_ms``, ``cached_requests``, ``cached_errors`` (not a 200 with a JSON body),
  ``cached_queries`` (distinct queries of the mix).
  Then *cheap queries under expensive ones*: a stream of cheap uncached queries
  (``/api/alignment``, a random pair of the 30 states, one random year of the range above,
  ``bootstrap=0`` and a distinct ``seed`` each time, so that the response cache cannot answer
  while the numbers come from the year's all-dyad table), open loop at ``--cheap-rate`` per
  second, each on a new connection of its own; after a warm-up (``cheap_warmup`` requests:
  USA-FRA in each year, asked as the mix above until ``4 x --workers`` answers in a row
  came within 50 ms, so that each worker has the all-dyad table of every year), first
  ``--cheap-idle`` of them alone
  (``cheap_p50_idle_ms``, ``cheap_p99_idle_ms``: the baseline), then while ``--heavy`` (48)
  expensive requests, sent all at once on their own connections, are unanswered
  (:func:`heavy_paths`: cohesion of 10 blocs over 40 years and alignment of USA with 5
  states over 1946-last year, alternately, all with ``bootstrap=5000`` and a distinct seed,
  each at the API's limit of 2,000,000 units of work): ``cheap_p50_under_heavy_ms``,
  ``cheap_p99_under_heavy_ms``, ``cheap_max_under_heavy_ms``, ``cheap_requests`` (those
  under the heavy load), ``cheap_errors`` (not a 200 with a JSON body, or no answer; both
  streams), ``cheap_rate``; and the outcomes of the expensive ones, ``heavy_statuses``
  (``{"200": n, "503_retry_after": n, "other": n}``: the server runs at most
  ``LIMITS["max_expensive"]`` = 4 per worker and refuses more with a 503 and Retry-After;
  one running over 30 s is a 503 too), ``heavy_requests`` and ``heavy_seconds`` (from
  sending them to the last answer).

Bounded: at most ``--warmup + --requests`` requests (plus ``--compare-repeats + 7``), then
the mix (``--mix-requests``, plus at most 40 x its size in warm-up), then ``--heavy`` +
``--cheap-idle`` + at most ``--cheap-max`` requests (plus at most 40 per year in warm-up);
loopback only, and each phase stops after ``--timeout`` seconds. The last line is JSON:
``{"bench": "serve", "rps", "p99_ms", "p50_ms", "p90_ms", "max_ms", "requests", "errors",
"concurrency", "workers", "warmup", "warmup_seconds", "distinct_queries", "seconds",
"checked", "compare_query", "compare_first_ms", "compare_warm_ms", "compare_other_pairs_ms",
"compare_checked", "cached_rps", "cached_p50_ms", "cached_p99_ms", "cached_requests",
"cached_errors", "cached_queries", "cached_warmup", "cached_warmup_seconds",
"cheap_p50_idle_ms", "cheap_p99_idle_ms", "cheap_p50_under_heavy_ms",
"cheap_p99_under_heavy_ms", "cheap_max_under_heavy_ms", "cheap_requests", "cheap_errors",
"cheap_rate", "cheap_warmup", "heavy_requests", "heavy_statuses", "heavy_seconds"}``
(``rps`` = timed requests / wall seconds). Targets: ``rps`` >= 200 with ``p99_ms`` < 100 on
2 cores (goal: >= 1,000 requests/s); ``compare_warm_ms`` < 300; ``cached_rps`` >= 5,000;
``cheap_p99_under_heavy_ms`` < 100.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import quote, urlencode

from _store import add_store_options, ensure_store

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

HOST = "127.0.0.1"
STATES = ("USA", "RUS", "CHN", "FRA", "GBR", "DEU", "JPN", "IND", "BRA", "ZAF", "TUR", "SAU",
          "IRN", "ISR", "UKR", "MEX", "NGA", "EGY", "IDN", "CUB", "PRK", "SYR", "VEN", "PAK",
          "KOR", "CAN", "AUS", "ARG", "SWE", "KEN")


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def get_json(url: str, timeout: float = 30) -> dict:
    with urllib.request.urlopen(url, timeout=timeout) as r:  # loopback only
        return json.loads(r.read())


def start_server(db: Path, port: int, workers: int) -> subprocess.Popen:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT / "src"),
                                                     env.get("PYTHONPATH", "")) if p)
    proc = subprocess.Popen(
        [sys.executable, "-m", "comity.cli", "serve", "--host", HOST, "--port", str(port),
         "--db", str(db), "--workers", str(workers), "--log-level", "warning"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 90
    while True:
        if proc.poll() is not None:
            err = proc.stderr.read().decode() if proc.stderr else ""
            raise SystemExit(f"comity serve exited with {proc.returncode}: {err}")
        try:
            get_json(f"http://{HOST}:{port}/api/info", timeout=2)
            return proc
        except OSError:
            if time.monotonic() > deadline:
                proc.terminate()
                raise SystemExit("comity serve did not answer within 90 s") from None
            time.sleep(0.2)


async def load(port: int, paths: list[str], concurrency: int, timeout: float
               ) -> tuple[list[float], int, float]:
    """Send ``paths`` over ``concurrency`` keep-alive connections; (latencies s, errors, wall
    seconds)."""
    it = iter(paths)
    latencies: list[float] = []
    errors = 0
    host_line = f"Host: {HOST}:{port}\r\n"

    async def one_connection() -> None:
        nonlocal errors
        reader, writer = await asyncio.open_connection(HOST, port)
        try:
            for path in it:
                t0 = time.perf_counter()
                writer.write(f"GET {path} HTTP/1.1\r\n{host_line}\r\n".encode())
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n")[1:]:
                    if line[:15].lower() == b"content-length:":
                        length = int(line[15:])
                body = await reader.readexactly(length)
                latencies.append(time.perf_counter() - t0)
                if not head.startswith(b"HTTP/1.1 200") or not body.startswith(b"{"):
                    errors += 1
        finally:
            writer.close()

    t0 = time.perf_counter()
    await asyncio.wait_for(asyncio.gather(*(one_connection() for _ in range(concurrency))),
                           timeout=timeout)
    return latencies, errors, time.perf_counter() - t0


def timed_get(url: str, timeout: float = 60) -> tuple[float, dict]:
    """(milliseconds to the last byte, JSON body) of one GET on a new connection."""
    t0 = time.perf_counter()
    with urllib.request.urlopen(url, timeout=timeout) as r:  # loopback only
        body = r.read()
    return (time.perf_counter() - t0) * 1000, json.loads(body)


def bench_compare(base: str, db: Path, query: str, repeats: int) -> dict:
    """The figures of ``GET /api/compare`` (module docstring) and one answer checked against
    :func:`comity.analysis.comparison.compare`."""
    from urllib.parse import parse_qs

    first, got = timed_get(f"{base}/api/compare?{query}")
    warm = [timed_get(f"{base}/api/compare?{query}")[0] for _ in range(repeats)]
    q = {k: v[0] for k, v in parse_qs(query).items()}
    others = []
    for b in ("CHN", "FRA", "IND", "BRA", "ZAF", "CUB"):
        other = dict(q, a="USA", b=b)
        others.append(timed_get(f"{base}/api/compare?{urlencode(other)}")[0])
    from comity.analysis.comparison import compare
    from comity.store.db import Store
    from comity.web.api_align import DEFAULT_BOOTSTRAP

    with Store(db, read_only=True) as s:
        ref = compare(q["a"], q["b"], start=q.get("from"), end=q.get("to"),
                      bootstrap=int(q.get("bootstrap", DEFAULT_BOOTSTRAP)),
                      seed=int(q.get("seed", 0)),
                      store=s).to_dict()
    same = got["overall"] == json.loads(json.dumps(ref["overall"])) and \
        got["divergent_total"] == ref["divergent_total"] and \
        got["matrix"] == json.loads(json.dumps(ref["matrix"]))
    if not same:
        raise SystemExit(f"/api/compare?{query} differs from compare()")
    return {"compare_query": query, "compare_first_ms": round(first, 1),
            "compare_warm_ms": round(statistics.median(warm), 2),
            "compare_other_pairs_ms": round(statistics.median(others), 1),
            "compare_checked": 1}


def typical_mix(base: str, last: int) -> list[str]:
    """About 50 typical GET queries of the API (the cached mix; module docstring)."""
    paths: list[str] = []

    def align(a: str, b: str, y0: int, y1: int, boot: int | None) -> str:
        q: dict[str, object] = {"a": a, "b": b, "from": y0, "to": y1}
        if boot is not None:
            q["bootstrap"] = boot
        return "/api/alignment?" + urlencode(q)

    for a, b in (("USA", "RUS"), ("USA", "CHN"), ("FRA", "DEU"), ("IND", "PAK"),
                 ("BRA", "ARG"), ("GBR", "USA")):
        for y0 in (1946, 1991):
            for boot in (0, None):  # None: the default bootstrap
                paths.append(align(a, b, y0, last, boot))
    paths += [align("USA", "RUS", last, last, 0), align("USA", "ISR", last, last, 0),
              align("CHN", "IND", 2000, 2000, 0), align("FRA", "GBR", 2010, 2010, 0),
              align("EU", "USA", 2000, last, 0)]
    paths += ["/api/states", "/api/blocs", "/api/info", "/api/blocs/eu", "/api/blocs/nato",
              "/api/resolutions?limit=20", "/api/resolutions?limit=20&offset=20",
              "/api/resolutions?limit=20&search=nuclear", "/api/resolutions?limit=20&body=SC",
              "/api/vetoes", f"/api/council?year={last}"]
    rows = get_json(f"{base}/api/resolutions?limit=1&body=GA&year={last}")["rows"]
    if rows:
        paths.append(f"/api/resolutions/{quote(rows[0]['symbol'], safe='/')}/votes")
    paths += [f"/api/compare?a=USA&b=RUS&from=1946&to={last}",
              f"/api/compare?a=USA&b=CHN&from=1990&to={last}",
              f"/api/matrix?year={last}",
              "/api/matrix?year=2000&" + urlencode(
                  [("states", s) for s in ("USA", "RUS", "CHN", "FRA", "GBR", "DEU", "IND",
                                           "BRA")]),
              "/api/cohesion?bloc=EU", "/api/cohesion?bloc=NATO",
              "/api/cohesion?bloc=EU&bootstrap=0", f"/api/cohesion?bloc=G77&from=2000&to={last}",
              "/api/cohesion?bloc=EU&bloc=NATO&bloc=G77&bootstrap=0"]
    return paths


async def warm_mix(port: int, mix: list[Callable[[], str]], need: int, cap: int) -> int:
    """Ask each query of ``mix`` (a function giving the path, the same or a new one each
    time) on new connections, one after the other, until ``need``
    answers in a row were a 200 within 50 ms (from a response cache: a new connection
    goes to either worker, so a worker that has not computed the answer yet is very likely
    met before; at most ``cap`` asks); 4 queries at a time (so that no worker gets more
    expensive first computations than it accepts). The number of requests sent."""
    todo = iter(mix)
    sent = 0

    async def worker() -> None:
        nonlocal sent
        for path in todo:
            streak = 0
            for _ in range(cap):
                sec, status, _, _ = await fetch_once(port, path())
                sent += 1
                streak = streak + 1 if status == 200 and sec < 0.05 else 0
                if streak >= need:
                    break

    await asyncio.gather(*(worker() for _ in range(4)))
    return sent


def bench_cached(port: int, mix: list[str], requests: int, concurrency: int, workers: int,
                 rng: random.Random, timeout: float) -> dict:
    """The cached typical mix (module docstring): warm-up, then ``requests`` draws."""
    t0 = time.perf_counter()
    warm = asyncio.run(asyncio.wait_for(
        warm_mix(port, [lambda p=p: p for p in mix], 4 * workers, 40), timeout))
    wsec = time.perf_counter() - t0
    paths = [rng.choice(mix) for _ in range(requests)]
    lat, errors, wall = asyncio.run(load(port, paths, concurrency, timeout))
    ms = [x * 1000 for x in lat]
    return {"cached_rps": round(len(lat) / wall, 1),
            "cached_p50_ms": round(statistics.median(ms), 2),
            "cached_p99_ms": round(pct(ms, 99), 2),
            "cached_requests": len(lat), "cached_errors": errors,
            "cached_queries": len(set(mix)), "cached_warmup": warm,
            "cached_warmup_seconds": round(wsec, 2)}


HEAVY_BLOCS = ("eu", "nato", "g77", "nam", "oic", "au", "asean", "arab_league", "brics", "west")
HEAVY_PAIRS = ("RUS", "CHN", "FRA", "IND", "BRA")


def heavy_paths(n: int, last: int) -> list[str]:
    """``n`` expensive queries, each at the limit of work (draws x parties x years =
    2,000,000), with a distinct seed: cohesion of 10 blocs over 40 years and alignment of USA
    with 5 states over 1946-``last``, alternately."""
    out = []
    for i in range(n):
        draws = [("bootstrap", 5000), ("seed", 7000 + i)]
        if i % 2 == 0:
            q = [("bloc", b) for b in HEAVY_BLOCS]
            out.append("/api/cohesion?" + urlencode([*q, ("from", last - 39), ("to", last),
                                                     *draws]))
        else:
            q = [("a", "USA")] + [("b", b) for b in HEAVY_PAIRS]
            out.append("/api/alignment?" + urlencode([*q, ("from", 1946), ("to", last),
                                                      *draws]))
    return out


async def fetch_once(port: int, path: str) -> tuple[float, int, bool, bytes]:
    """One GET on a new connection: (seconds to the last byte, status, Retry-After given,
    body)."""
    t0 = time.perf_counter()
    reader, writer = await asyncio.open_connection(HOST, port)
    try:
        writer.write(f"GET {path} HTTP/1.1\r\nHost: {HOST}:{port}\r\n"
                     "Connection: close\r\n\r\n".encode())
        head = await reader.readuntil(b"\r\n\r\n")
        length = 0
        retry_after = False
        for line in head.split(b"\r\n")[1:]:
            low = line.lower()
            if low.startswith(b"content-length:"):
                length = int(line[15:])
            elif low.startswith(b"retry-after:"):
                retry_after = True
        body = await reader.readexactly(length)
        return time.perf_counter() - t0, int(head[9:12]), retry_after, body
    finally:
        writer.close()


async def cheap_stream(port: int, cheap: Iterator[str], rate: float, until: Callable[[], bool],
                       cap: int) -> tuple[list[float], int]:
    """Open-loop stream of cheap queries, ``rate`` per second, each on a new connection, until
    ``until()`` (or ``cap`` requests): (latencies s, errors)."""
    lat: list[float] = []
    errors = 0

    async def one(path: str) -> None:
        nonlocal errors
        try:
            sec, status, _, body = await fetch_once(port, path)
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            errors += 1
            return
        lat.append(sec)
        if status != 200 or not body.startswith(b"{"):
            errors += 1

    tasks = []
    t0 = time.perf_counter()
    for i in range(cap):
        if until():
            break
        delay = t0 + i / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.ensure_future(one(next(cheap))))
    await asyncio.gather(*tasks)
    return lat, errors


async def heavy_and_cheap(port: int, heavy: list[str], cheap: Iterator[str], rate: float,
                          cap: int) -> tuple[dict[str, int], float, list[float], int]:
    """The ``heavy`` requests all at once, each on its own connection, and the cheap stream
    while any of them is unanswered: (statuses, heavy seconds, cheap latencies, cheap
    errors)."""
    statuses = {"200": 0, "503_retry_after": 0, "other": 0}
    pending = len(heavy)
    t0 = time.perf_counter()
    t_end = t0

    async def one(path: str) -> None:
        nonlocal pending, t_end
        try:
            _, status, retry_after, _ = await fetch_once(port, path)
            key = "200" if status == 200 else "503_retry_after" \
                if status == 503 and retry_after else "other"
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            key = "other"
        statuses[key] += 1
        pending -= 1
        t_end = time.perf_counter()

    heavy_tasks = [asyncio.ensure_future(one(p)) for p in heavy]
    await asyncio.sleep(0)
    lat, errors = await cheap_stream(port, cheap, rate, lambda: pending == 0, cap)
    await asyncio.gather(*heavy_tasks)
    return statuses, t_end - t0, lat, errors


def bench_heavy(port: int, n_heavy: int, last: int, years: list[int], rate: float, cap: int,
                idle: int, workers: int, rng: random.Random, timeout: float) -> dict:
    """Cheap uncached queries alone, then under ``n_heavy`` expensive requests (module
    docstring)."""
    seeds = iter(range(1_000_000, 2_000_000))

    def cheap() -> Iterator[str]:
        while True:  # a distinct seed: never in the response cache; same numbers (bootstrap=0)
            a, b = rng.sample(STATES, 2)
            y = rng.choice(years)
            yield "/api/alignment?" + urlencode({"a": a, "b": b, "from": y, "to": y,
                                                 "bootstrap": 0, "seed": next(seeds)})

    gen = cheap()
    # new connections go to either worker: make sure each has the all-dyad table of every
    # year (the keep-alive connections of the first phase may all have gone to one worker)
    warm = asyncio.run(asyncio.wait_for(warm_mix(port, [
        lambda y=y: "/api/alignment?" + urlencode({"a": "USA", "b": "FRA", "from": y, "to": y,
                                                   "bootstrap": 0, "seed": next(seeds)})
        for y in years], 4 * workers, 40), timeout))
    idle_lat, idle_err = asyncio.run(asyncio.wait_for(
        cheap_stream(port, gen, rate, lambda: False, idle), timeout))
    statuses, hsec, lat, errors = asyncio.run(asyncio.wait_for(
        heavy_and_cheap(port, heavy_paths(n_heavy, last), gen, rate, cap), timeout))
    ms = [x * 1000 for x in lat] or [float("nan")]
    ims = [x * 1000 for x in idle_lat] or [float("nan")]
    return {"cheap_p50_idle_ms": round(statistics.median(ims), 2),
            "cheap_p99_idle_ms": round(pct(ims, 99), 2),
            "cheap_p50_under_heavy_ms": round(statistics.median(ms), 2),
            "cheap_p99_under_heavy_ms": round(pct(ms, 99), 2),
            "cheap_max_under_heavy_ms": round(max(ms), 2),
            "cheap_requests": len(lat), "cheap_errors": errors + idle_err,
            "cheap_rate": rate, "cheap_warmup": warm, "heavy_requests": n_heavy,
            "heavy_statuses": statuses,
            "heavy_seconds": round(hsec, 2)}


def pct(xs: list[float], q: float) -> float:
    s = sorted(xs)
    return s[min(len(s) - 1, round(q / 100 * (len(s) - 1)))]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_store_options(ap)
    ap.add_argument("--requests", type=int, default=20000)
    ap.add_argument("--warmup", type=int, default=3000)
    ap.add_argument("--concurrency", type=int, default=16)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--first", type=int, default=1993)
    ap.add_argument("--last", type=int, default=None)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--check", type=int, default=10)
    ap.add_argument("--timeout", type=float, default=600)
    ap.add_argument("--compare", default="a=USA&b=RUS&from=1946&to=2025",
                    help="query string of the /api/compare request timed after the load")
    ap.add_argument("--compare-repeats", type=int, default=20)
    ap.add_argument("--mix-requests", type=int, default=30000,
                    help="timed requests of the cached typical mix")
    ap.add_argument("--heavy", type=int, default=48,
                    help="expensive requests sent at once in the mixed-load phase")
    ap.add_argument("--cheap-rate", type=float, default=200,
                    help="cheap uncached queries per second (open loop) in that phase")
    ap.add_argument("--cheap-max", type=int, default=20000,
                    help="at most this many cheap queries under the heavy load")
    ap.add_argument("--cheap-idle", type=int, default=400,
                    help="cheap queries at the same rate before the heavy load (baseline)")
    args = ap.parse_args()
    if not 1 <= args.requests <= 1_000_000 or not 1 <= args.concurrency <= 512:
        raise SystemExit("--requests must be 1..1,000,000 and --concurrency 1..512")
    if not (1 <= args.mix_requests <= 1_000_000 and 0 <= args.heavy <= 512
            and 1 <= args.cheap_rate <= 5000 and 1 <= args.cheap_max <= 1_000_000
            and 0 <= args.cheap_idle <= 100_000):
        raise SystemExit("--mix-requests must be 1..1,000,000, --heavy 0..512, --cheap-rate "
                         "1..5,000, --cheap-max 1..1,000,000 and --cheap-idle 0..100,000")

    db, tmp = ensure_store(args.db, args.data)
    port = free_port()
    proc = start_server(db, port, args.workers)
    try:
        base = f"http://{HOST}:{port}"
        info = get_json(base + "/api/info")
        ga_last = next(b["last"] for b in info["bodies"] if b["body"] == "GA")
        last = args.last or int(ga_last[:4]) - (0 if ga_last[5:7] == "12" else 1)
        rng = random.Random(args.seed)
        years = list(range(args.first, last + 1))

        def query() -> tuple[str, str, int]:
            a, b = rng.sample(STATES, 2)
            return a, b, rng.choice(years)

        def path(a: str, b: str, y: int) -> str:
            return "/api/alignment?" + urlencode({"a": a, "b": b, "from": y, "to": y,
                                                  "bootstrap": 0})

        # warm-up: every year several times (both workers build their yearly tables)
        warm = [path(*query()) for _ in range(args.warmup)]
        for y in years:
            warm += [path("USA", "FRA", y)] * (2 * args.workers)
        _, werr, wsec = asyncio.run(load(port, warm, args.concurrency, args.timeout))
        queries = [query() for _ in range(args.requests)]
        paths = [path(*q) for q in queries]
        lat, errors, wall = asyncio.run(load(port, paths, args.concurrency, args.timeout))

        # a sample of answers against the Python API
        checked = 0
        if args.check:
            from comity.analysis.align import alignment
            from comity.store.db import Store

            with Store(db, read_only=True) as s:
                for a, b, y in rng.sample(queries, min(args.check, len(queries))):
                    got = get_json(base + path(a, b, y))["rows"]
                    ref = alignment(a, b, start=y, end=y, bootstrap=0, store=s).to_frame()
                    want = ref["value"].tolist()
                    ok = len(got) == len(want) and all(
                        (g["value"] is None and w != w) or abs(g["value"] - w) < 1e-12
                        for g, w in zip(got, want, strict=True))
                    if not ok:
                        raise SystemExit(f"answer differs from alignment() for {a} {b} {y}")
                    checked += 1
        comp = bench_compare(base, db, args.compare, max(1, min(args.compare_repeats, 1000)))

        # the mixed load: the cached typical mix, then cheap queries under expensive ones
        rng2 = random.Random(args.seed + 1)
        cached = bench_cached(port, typical_mix(base, last), args.mix_requests,
                              args.concurrency, args.workers, rng2, args.timeout)
        heavy = bench_heavy(port, args.heavy, last, years, args.cheap_rate, args.cheap_max,
                            args.cheap_idle, args.workers, rng2, args.timeout)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
        if tmp is not None:
            tmp.cleanup()

    ms = [x * 1000 for x in lat]
    out = {
        "bench": "serve",
        "rps": round(len(lat) / wall, 1),
        "p99_ms": round(pct(ms, 99), 2),
        "p50_ms": round(statistics.median(ms), 2),
        "p90_ms": round(pct(ms, 90), 2),
        "max_ms": round(max(ms), 2),
        "requests": len(lat),
        "errors": errors + werr,
        "concurrency": args.concurrency,
        "workers": args.workers,
        "warmup": len(warm),
        "warmup_seconds": round(wsec, 2),
        "distinct_queries": len(set(paths)),
        "seconds": round(wall, 3),
        "checked": checked,
        **comp,
        **cached,
        **heavy,
    }
    print(f"{len(lat)} requests in {wall:.2f} s with {args.concurrency} connections to "
          f"{args.workers} workers: {out['rps']} requests/s, p50 {out['p50_ms']} ms, "
          f"p99 {out['p99_ms']} ms, {out['errors']} errors; /api/compare?{args.compare}: "
          f"first {out['compare_first_ms']} ms, warm {out['compare_warm_ms']} ms, other pairs "
          f"{out['compare_other_pairs_ms']} ms", file=sys.stderr)
    print(f"cached mix of {out['cached_queries']} queries: {out['cached_rps']} requests/s, p50 "
          f"{out['cached_p50_ms']} ms, p99 {out['cached_p99_ms']} ms, {out['cached_errors']} "
          f"errors; {out['heavy_requests']} expensive requests at once "
          f"({out['heavy_statuses']}, {out['heavy_seconds']} s): {out['cheap_requests']} "
          f"cheap uncached queries p50 {out['cheap_p50_under_heavy_ms']} ms, p99 "
          f"{out['cheap_p99_under_heavy_ms']} ms (idle: p99 {out['cheap_p99_idle_ms']} ms), "
          f"{out['cheap_errors']} errors", file=sys.stderr)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
