"""Shared fixtures: the real staged data (``COMITY_TEST_DATA``) and a store built from it."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def data_dir() -> Path:
    env = os.environ.get("COMITY_TEST_DATA")
    return Path(env) if env else (ROOT / ".." / "shared" / "data").resolve()


@pytest.fixture(scope="session")
def real_data() -> Path:
    d = data_dir()
    if not (d / "README.md").exists():
        pytest.skip(f"real data not found at {d} (set COMITY_TEST_DATA)")
    return d


@pytest.fixture(scope="session")
def full_store(real_data: Path, tmp_path_factory: pytest.TempPathFactory):
    """A store with every staged file ingested once for the whole session."""
    from comity.store.db import Store

    path = tmp_path_factory.mktemp("store") / "full.duckdb"
    with Store(path) as s:
        report = s.ingest([real_data])
    store = Store(path, read_only=True)
    store.report = report  # type: ignore[attr-defined]
    yield store
    store.close()


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium through Playwright (never a browser download); skipped without."""
    from tests.browser import CHROMIUM, LAUNCH_ARGS

    if not CHROMIUM.exists():
        pytest.skip("Chromium not installed at /usr/bin/chromium (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        yield b
        b.close()


@pytest.fixture(scope="session")
def mini_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small store built from ``tests/minidata.py`` (hand-made files of every format)."""
    from comity.store.db import Store
    from tests import minidata as M

    d = M.write_all(tmp_path_factory.mktemp("mini") / "data")
    db = tmp_path_factory.mktemp("db") / "mini.duckdb"
    with Store(db) as s:
        s.ingest([d])
    return db


@pytest.fixture
def tmp_db(tmp_path: Path) -> Path:
    return tmp_path / "test.duckdb"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def live_server(full_store) -> Iterator[str]:
    """``comity serve`` on the full store, on a free loopback port; yields its base URL."""
    httpx = pytest.importorskip("httpx")
    pytest.importorskip("uvicorn")
    port = _free_port()
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT / "src"),
                                                     env.get("PYTHONPATH", "")) if p)
    proc = subprocess.Popen(
        [sys.executable, "-m", "comity.cli", "serve", "--host", "127.0.0.1", "--port",
         str(port), "--db", str(full_store.path), "--log-level", "warning"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                out = proc.stdout.read().decode() if proc.stdout else ""
                pytest.fail(f"comity serve exited with {proc.returncode}: {out}")
            try:
                if httpx.get(base + "/api/info", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("comity serve did not answer within 60 s")
            time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
