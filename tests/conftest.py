"""Shared fixtures: the real staged data (``COMITY_TEST_DATA``) and a store built from it."""

from __future__ import annotations

import os
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
    from comity.store import Store

    path = tmp_path_factory.mktemp("store") / "full.duckdb"
    with Store(path) as s:
        report = s.ingest([real_data])
    store = Store(path, read_only=True)
    store.report = report  # type: ignore[attr-defined]
    yield store
    store.close()


@pytest.fixture
def tmp_db(tmp_path: Path) -> Path:
    return tmp_path / "test.duckdb"
