"""A source's "title" that is meeting-record text ("The President: We have heard…", as
unvotes' ``descr`` has for some votes) is never the resolution's title: another source's
title is taken, or none, and each is a ``quality`` row ``transcript_title`` (issue 18). The
issue classifier still reads those words (they name the draft)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from comity.analysis.issuecoding import corpus
from comity.ingest.merge import TRANSCRIPT
from comity.store.db import Store
from tests import minidata as M

SPEECH_10 = "The President: We have heard the last speaker in explanation of vote. A"
SPEECH_11 = "The Acting President: I shall now put to the vote operative paragraph 9. A"


@pytest.fixture()
def store(tmp_path: Path) -> Path:
    d = tmp_path / "data"
    M.write_all(d, gz=False)
    rows = [f'10,40,1,1985-12-10,R/40/100,0,0,PALESTINE,"{SPEECH_10}"',
            f'11,50,0,1995-11-20,R/50/20,0,0,HUMAN RIGHTS,"{SPEECH_11}"']
    M.write_csv(d / "un_roll_calls.csv", M.UNVOTES_RC_HEADER, rows)
    db = tmp_path / "s.duckdb"
    with Store(db) as s:
        s.ingest([d])
    return db


def test_transcript_is_never_a_title(store: Path) -> None:
    with Store(store, read_only=True) as s:
        t = s.query("SELECT symbol, title FROM resolutions WHERE symbol IN "
                    "('A/RES/40/100', 'A/RES/50/20') ORDER BY symbol")
        q = s.query("SELECT r.symbol, q.source, q.detail FROM quality q JOIN resolutions r "
                    "USING (rid) WHERE q.kind = 'transcript_title' ORDER BY r.symbol")
    # 1985: no other source has a title -> empty; 1995: the scrape's title
    t = t.astype(object).where(t.notna(), None)
    assert t.to_dict("records") == [{"symbol": "A/RES/40/100", "title": None},
                                    {"symbol": "A/RES/50/20", "title": "Human rights test"}]
    assert q["symbol"].tolist() == ["A/RES/40/100", "A/RES/50/20"]
    assert q["source"].tolist() == ["unvotes", "unvotes"]
    assert q["detail"].iloc[0].endswith("no other source has a title: left empty")
    assert q["detail"].iloc[1].endswith("the title is taken from another source")
    assert '("The President: We have heard the last speaker in explanation…")' \
        in q["detail"].iloc[0]


def test_the_classifier_still_reads_the_words(store: Path) -> None:
    df = corpus(store).set_index("symbol")
    assert df.loc["A/RES/40/100", "title"] == SPEECH_10
    assert SPEECH_10 in df.loc["A/RES/40/100", "text"]
    assert df.loc["A/RES/50/20", "title"] == "Human rights test"


@pytest.mark.parametrize(("title", "transcript"), [
    ("The President: We have heard the last speaker", True),
    ("The Acting President: Draft resolution C is entitled", True),
    ("  President : I shall now put to the vote", True),
    ("The Chairman (Mr. Smith, Sweden): A recorded vote", True),
    ("Chairperson: the Committee", True),
    ("The Secretary-General: I have the honour", True),
    ("Presidential elections in Haiti: assistance", False),
    ("Report of the President of the Assembly", False),
    ("Question of Palestine: the President's statement", False),
    ("The President of Mongolia: statement", False),
])
def test_what_counts_as_meeting_record_text(title: str, transcript: bool) -> None:
    assert bool(re.match(TRANSCRIPT, title)) is transcript
