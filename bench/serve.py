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
  the load: ``--compare`` (default ``a=USA&b=RUS&from=1946&to=2025``, the default 1,000
  bootstrap draws) asked once on the warm server (``compare_first_ms``: computed, as no
  request asked it before), then ``--compare-repeats`` times (``compare_warm_ms``, the median:
  answered from the caches; the first time on the other worker is a computation too), and
  USA against six other states over the same years, each asked once
  (``compare_other_pairs_ms``: the median of those first computations). One answer is
  compared with :func:`comity.analysis.comparison.compare` called directly.

Bounded: at most ``--warmup + --requests`` requests (plus ``--compare-repeats + 7``),
loopback only, and the run stops after ``--timeout`` seconds. The last line is JSON:
``{"bench": "serve", "rps", "p99_ms", "p50_ms", "p90_ms", "max_ms", "requests", "errors",
"concurrency", "workers", "warmup", "distinct_queries", "seconds", "checked",
"compare_query", "compare_first_ms", "compare_warm_ms", "compare_other_pairs_ms",
"compare_checked"}`` (``rps`` = timed requests / wall seconds). Targets: ``rps`` >= 200 with
``p99_ms`` < 100 on 2 cores (goal: >= 1,000 requests/s); ``compare_warm_ms`` < 300.
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
from pathlib import Path
from urllib.parse import urlencode

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

    with Store(db, read_only=True) as s:
        ref = compare(q["a"], q["b"], start=q.get("from"), end=q.get("to"),
                      bootstrap=int(q.get("bootstrap", 1000)), seed=int(q.get("seed", 0)),
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
    args = ap.parse_args()
    if not 1 <= args.requests <= 1_000_000 or not 1 <= args.concurrency <= 512:
        raise SystemExit("--requests must be 1..1,000,000 and --concurrency 1..512")

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
    }
    print(f"{len(lat)} requests in {wall:.2f} s with {args.concurrency} connections to "
          f"{args.workers} workers: {out['rps']} requests/s, p50 {out['p50_ms']} ms, "
          f"p99 {out['p99_ms']} ms, {out['errors']} errors; /api/compare?{args.compare}: "
          f"first {out['compare_first_ms']} ms, warm {out['compare_warm_ms']} ms, other pairs "
          f"{out['compare_other_pairs_ms']} ms", file=sys.stderr)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
