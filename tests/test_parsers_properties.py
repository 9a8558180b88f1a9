"""Property tests (hypothesis) for the parsers: whatever votes a file holds come out exactly."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from comity.sources.base import normalize_symbol, split_part
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
    from comity.sources.scrape import parse_scrape

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
    from comity.sources.voeten import parse_voeten2016

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
