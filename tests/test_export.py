"""``comity export`` (issue 17, part 4): the files, their types, and ``CODEBOOK.md``, which
lists exactly the exported columns (both come from one spec, :data:`comity.store.export.TABLES`).
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import duckdb
import pytest

from comity.store.export import TABLES, codebook
from tests.test_cosponsorship import write_sponsor_file


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from comity.store.db import Store
    from tests import minidata as M

    d = M.write_all(tmp_path_factory.mktemp("expdata"))
    (d / "75.json.gz").unlink()
    write_sponsor_file(d)
    path = tmp_path_factory.mktemp("expdb") / "e.duckdb"
    with Store(path) as s:
        s.ingest([d])
    return path


def _export(db: Path, out: Path, fmt: str) -> list[str]:
    from comity.store.db import Store

    with Store(db, read_only=True) as s:
        return s.export(out, fmt)


def _codebook_tables(text: str) -> dict[str, list[tuple[str, str]]]:
    """``{table: [(column, type), ...]}`` as the codebook lists them."""
    out: dict[str, list[tuple[str, str]]] = {}
    current = None
    for line in text.splitlines():
        m = re.match(r"^## (\w+)$", line)
        if m:
            current = m.group(1)
            out[current] = []
            continue
        m = re.match(r"^\| `([^`]+)` \| (\w+) \|", line)
        if m and current is not None:
            out[current].append((m.group(1), m.group(2)))
    return out


def _columns(path: Path) -> list[tuple[str, str]]:
    if path.suffix == ".parquet":
        rows = duckdb.sql(f"DESCRIBE SELECT * FROM read_parquet('{path}')").fetchall()
    else:  # CSV: the header, and the types DuckDB infers from the text
        rows = duckdb.sql(f"DESCRIBE SELECT * FROM read_csv('{path}', header = true)"
                          ).fetchall()
    return [(r[0], r[1]) for r in rows]


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_codebook_lists_exactly_the_exported_columns(db: Path, tmp_path: Path,
                                                      fmt: str) -> None:
    out = tmp_path / fmt
    files = _export(db, out, fmt)
    assert files[-1] == str(out / "CODEBOOK.md")
    book = _codebook_tables((out / "CODEBOOK.md").read_text())
    names = {Path(f).stem for f in files[:-1]}
    assert set(book) == names == {t.name for t in TABLES}
    for name, cols in book.items():
        got = _columns(out / f"{name}.{fmt}")
        assert [c for c, _ in got] == [c for c, _ in cols], name
        if fmt == "parquet":  # the declared types are the stored ones
            assert got == cols, name
    # the same text as the spec renders (no drift possible)
    counts = {n: int(duckdb.sql(f"SELECT count(*) FROM '{out}/{n}.{fmt}'").fetchall()[0][0])
              for n in names}
    assert (out / "CODEBOOK.md").read_text() == codebook(fmt, counts)


def test_every_column_is_documented() -> None:
    for t in TABLES:
        assert t.description
        for c in t.columns:
            assert c.meaning and c.source and c.type in {"VARCHAR", "INTEGER", "DATE",
                                                         "BOOLEAN", "BIGINT"}, (t.name, c)
        assert len({c.name for c in t.columns}) == len(t.columns)


def test_votes_need_no_join(db: Path, tmp_path: Path) -> None:
    _export(db, tmp_path / "p", "parquet")
    _export(db, tmp_path / "c", "csv")
    row = duckdb.sql(f"""SELECT rid, symbol, date, session, year, state, state_name, vote
                         FROM '{tmp_path}/p/votes.parquet'
                         WHERE rid = 'A/RES/75/4' AND state = 'USA'""").fetchall()
    assert row == [("A/RES/75/4", "A/RES/75/4", dt.date(2020, 12, 1), 75, 2020, "USA",
                    "United States", "N")]
    # the same row in CSV, the date written YYYY-MM-DD (read back as a date)
    got = duckdb.sql(f"""SELECT date, session, year, state_name FROM read_csv(
                           '{tmp_path}/c/votes.csv', header = true)
                         WHERE rid = 'A/RES/75/4' AND state = 'USA'""").fetchall()
    assert got == [(dt.date(2020, 12, 1), 75, 2020, "United States")]
    text = (tmp_path / "c" / "votes.csv").read_text().splitlines()
    assert text[0].startswith("rid,symbol,date,session,year,body,state,state_name,vote")
    assert re.search(r",\d{4}-\d{2}-\d{2},", text[1])
    n_null = duckdb.sql(f"SELECT count(*) FROM '{tmp_path}/p/votes.parquet' "
                        "WHERE state_name IS NULL OR date IS NULL").fetchall()[0][0]
    assert n_null == 0


def test_sponsors_are_exported(db: Path, tmp_path: Path) -> None:
    _export(db, tmp_path, "parquet")
    rows = duckdb.sql(f"SELECT rid, date, state, state_name, kind FROM "
                      f"'{tmp_path}/sponsors.parquet' WHERE rid = 'A/RES/75/1'").fetchall()
    assert rows == [("A/RES/75/1", dt.date(2020, 10, 1), "FRA", "France", "additional"),
                    ("A/RES/75/1", dt.date(2020, 10, 1), "USA", "United States", "sponsor")]


def test_old_store_without_sponsors_exports_an_empty_table(db: Path, tmp_path: Path) -> None:
    import shutil

    old = tmp_path / "old.duckdb"
    shutil.copy(db, old)
    con = duckdb.connect(str(old))
    con.execute("DROP TABLE sponsors")
    con.close()
    _export(old, tmp_path / "out", "parquet")
    cols = _columns(tmp_path / "out" / "sponsors.parquet")
    assert [c for c, _ in cols] == [c.name for c in next(t for t in TABLES
                                                         if t.name == "sponsors").columns]
    assert duckdb.sql(f"SELECT count(*) FROM '{tmp_path}/out/sponsors.parquet'"
                      ).fetchall()[0][0] == 0
    assert "0 rows." in (tmp_path / "out" / "CODEBOOK.md").read_text()
