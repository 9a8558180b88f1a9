"""Property tests (hypothesis) for the parsers: whatever votes a file holds come out exactly."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from comity.ingest.sources.base import normalize_symbol, split_part
from tests import minidata as M

STATES = [("UNITED STATES", "USA", 2), ("CANADA", "CAN", 20), ("FRANCE", "FRA", 220),
          ("SWEDEN", "SWE", 380), ("BRAZIL", "BRA", 140), ("INDIA", "IND", 750)]

votes_grid = st.lists(
    st.lists(st.sampled_from(["Y", "A", "N", "X", ""]), min_size=len(STATES),
             max_size=len(STATES)),
    min_size=1, max_size=8)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(grid=votes_grid, gz=st.booleans())
def test_scrape_roundtrip(grid: list[list[str]], gz: bool) -> None:
    from comity.ingest.sources.scrape import parse_scrape

    rows = []
    for i, cells in enumerate(grid):
        y, n, a, x = (cells.count(c) for c in "YNAX")
        rows.append(["General Assembly", f"19{80 + i}-12-01", f"Test {i}",
                     f"A/RES/{35 + i}/{i + 1}",
                     str(y + n + a + x), str(x), str(a), str(n), str(y),
                     f"https://digitallibrary.un.org/record/{i}", str(1000 + i), *cells])
    with tempfile.TemporaryDirectory() as d:
        p = M.write_csv(Path(d) / "s.csv", M.SCRAPE_META + "," + ",".join(s[0] for s in STATES),
                        rows, gz=gz)
        sd = parse_scrape(p)
    got = {(r.key, r.state): r.vote for r in sd.votes.itertuples()}
    want = {(str(1000 + i), STATES[j][1]): c for i, cells in enumerate(grid)
            for j, c in enumerate(cells) if c}
    assert got == want
    t = sd.resolutions.set_index("key")
    for i, cells in enumerate(grid):
        assert t.loc[str(1000 + i), "abstain"] == cells.count("A")
        assert t.loc[str(1000 + i), "non_voting"] == cells.count("X")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(grid=st.lists(st.lists(st.sampled_from([1, 2, 3, 8, 9]), min_size=len(STATES),
                              max_size=len(STATES)), min_size=1, max_size=8))
def test_voeten2016_roundtrip(grid: list[list[int]]) -> None:
    from comity.ingest.sources.voeten import parse_voeten2016

    rows = []
    for i, codes in enumerate(grid):
        for (_, _, cow), v in zip(STATES, codes, strict=True):
            rows.append(f"{100 + i},{40 + i},{v},{cow},1,0,12/1/{1985 + i},R/{40 + i}/{i + 1},"
                        f"0,0,0,0,0,0,{1985 + i}.0")
    with tempfile.TemporaryDirectory() as d:
        sd = parse_voeten2016(M.write_csv(Path(d) / "v.csv", M.VOETEN_HEADER, rows))
    letters = {1: "Y", 2: "A", 3: "N", 8: "X"}
    got = {(str(r.key), str(r.state)): str(r.vote) for r in sd.votes.itertuples()}
    want = {(str(100 + i), STATES[j][1]): letters[c] for i, codes in enumerate(grid)
            for j, c in enumerate(codes) if c != 9}
    assert got == want


symbol_text = st.from_regex(r"(A/RES/[0-9]{1,2}/[0-9]{1,3}[A-D]?|R/[0-9]{2}/[0-9]{1,4}|"
                            r"S/RES/[0-9]{1,4}\((19|20)[0-9]{2}\))", fullmatch=True)


@given(symbol_text)
def test_normalize_symbol_idempotent(s: str) -> None:
    once = normalize_symbol(s)
    assert normalize_symbol(once) == once
    assert normalize_symbol(" " + s.lower() + " ") == once


@given(symbol_text)
def test_split_part_rejoins(s: str) -> None:
    sym = normalize_symbol(s)
    base, part = split_part(sym)
    assert sym.startswith(base)
    if not sym.startswith("S/"):
        assert base + part == sym.replace("[", "").replace("]", "")


# -- the vectorised helpers agree with the plain computations they replace ----------------
int_arrays = st.lists(st.integers(-5, 60), max_size=60) | st.lists(
    st.integers(0, 10**12), max_size=20)


@given(int_arrays, st.booleans())
def test_unique_index_inverse_is_np_unique(values: list[int], sort: bool) -> None:
    import numpy as np

    from comity.ingest.sources._common import has_repeats, unique_index_inverse

    a = np.array(sorted(values) if sort else values, dtype=np.int64)
    want = np.unique(a, return_index=True, return_inverse=True)
    got = unique_index_inverse(a)
    for w, g in zip(want, got, strict=True):
        assert np.array_equal(w, g) and w.dtype == g.dtype
    assert has_repeats(a) == (len(set(values)) < len(values))


@given(st.lists(st.sampled_from(["yes", " yes", "No ", "no", "abstain", "", " é "]),
                max_size=30), st.integers(1, 4))
def test_dict_factorize_is_factorize(values: list[str], chunks: int) -> None:
    import numpy as np
    import pyarrow as pa

    from comity.ingest.sources._common import dict_factorize, strip_lower

    arr = pa.chunked_array([pa.array(values[i::chunks], type=pa.string())
                            for i in range(chunks)], type=pa.string())
    codes, uniq = dict_factorize(arr, strip_lower)
    want_codes, want_uniq = pd.factorize(arr.to_pandas().str.strip().str.lower())
    assert np.array_equal(codes, want_codes) and list(uniq) == list(want_uniq)


@given(st.lists(st.lists(st.sampled_from(["a", "b,", "c"]), min_size=1, max_size=4)
                .map("".join), min_size=2, max_size=12),
       st.sampled_from(["\n", "", "\n\n", "\r\n"]), st.integers(1, 9), st.data())
def test_select_rows_is_line_split(lines: list[str], end: str, step: int, data) -> None:
    import numpy as np

    import comity.ingest.sources._io as io_

    text = ("\n".join(lines) + end).encode()
    n_rows = len(lines) - 1
    rows = np.array(data.draw(st.lists(st.integers(0, n_rows - 1), max_size=5)), dtype=np.int64)
    old, io_._SCAN_STEP = io_._SCAN_STEP, step
    try:
        got = io_.select_rows(text, n_rows, rows)
    finally:
        io_._SCAN_STEP = old
    if b"\r" in text or end == "\n\n":
        assert got is None
    else:
        assert got == ("\n".join([lines[0], *(lines[r + 1] for r in rows)]) + "\n").encode()


@given(st.lists(st.sampled_from(["1", " 22 ", "", "N.A.", "NA", "007", "123456789012345",
                                 "1.0", "x", "-3", "1e3"]), max_size=12), st.booleans())
def test_to_int_arrow_path_is_pandas_path(values: list[str], allow_blank: bool) -> None:
    from comity.errors import DataFormatError
    from comity.ingest.sources._common import to_int

    def run(s: pd.Series) -> object:
        try:
            return to_int(s, file="f", field="x", allow_blank=allow_blank).tolist()
        except DataFormatError as exc:
            return str(exc), exc.row

    assert run(pd.Series(values, dtype="str")) == run(pd.Series(values, dtype=object))


@given(st.lists(st.sampled_from(["2019-10-10 00:00:00", "1 December 2020", "2020-12-01", "",
                                 "31 February 2020", "garbage", "1999-01-02"]), max_size=10))
def test_parse_dates_positions_are_labels(values: list[str]) -> None:
    from comity.ingest.sources._common import _parse_dates_by_label, parse_dates

    s = pd.Series(values, dtype="str", index=range(5, 5 + len(values)))
    formats = ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d", "%d %B %Y"]
    todo = s.notna() & (s.astype(str).str.strip() != "")
    pd.testing.assert_series_equal(parse_dates(s, formats),
                                   _parse_dates_by_label(s, formats, todo))


@given(st.lists(symbol_text.map(normalize_symbol) | st.sampled_from(
    ["A/RES/377(V)[A-C]", "A/RES/ES-11/1", "A/RES/S-32/2", "", "A/RES/12(XIV)A"]), max_size=8))
def test_session_from_symbol_loop_is_pandas(symbols: list[str]) -> None:
    from comity.ingest.sources._common import _session_from_symbol_pandas, session_from_symbol

    s = pd.Series(symbols, dtype=object)
    pd.testing.assert_series_equal(session_from_symbol(s),
                                   _session_from_symbol_pandas(s.astype(str)))
