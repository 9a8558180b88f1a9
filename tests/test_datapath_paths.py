"""One query through every path (issue 21): the Python API on the store, on a ready-made
panel, the CLI and the web API give the same rows, at the first and last day of the window.

The mini store (``tests/minidata.py``) holds three GA votes: 1985-12-10 (USA N, CAN A),
1995-11-20 (USA Y, CAN Y) and 2020-12-01 (USA Y, CAN X).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from comity.analysis.align import alignment
from comity.errors import AlignmentError
from comity.store.db import Store

# (start, end) → (n, value, n_absent) of USA–CAN agreement over the whole window
CASES = [
    (("1985-12-10", "1985-12-10"), (1, 0.5, 0)),   # a one-day window: its vote counts
    (("1985-12-10", "1995-11-20"), (2, 0.75, 0)),  # both edges on a vote
    (("1985-12-11", "1995-11-20"), (1, 1.0, 0)),   # starts the day after the first vote
    (("1985-12-09", "1995-11-19"), (1, 0.5, 0)),   # ends the day before the second
    (("1995-11-20", "2020-12-01"), (1, 1.0, 1)),   # CAN non-voting on the last day: absent
]


def _row(frame_or_rows) -> tuple:
    r = frame_or_rows
    return (int(r["n"]), float(r["value"]), int(r["n_absent"]))


@pytest.mark.parametrize(("window", "want"), CASES)
def test_every_path_gives_the_same_rows(mini_db: Path, window: tuple[str, str],
                                        want: tuple) -> None:
    from fastapi.testclient import TestClient

    from comity.cli import app
    from comity.web import create_app

    start, end = window
    kw = {"start": start, "end": end, "period": "all", "min_votes": 1, "bootstrap": 0}
    with Store(mini_db, read_only=True) as s:
        via_store = alignment("USA", "CAN", store=s, **kw).to_frame()
        panel = s.panel(body="GA")
    via_panel = alignment("USA", "CAN", panel=panel, **kw).to_frame()
    assert _row(via_store.iloc[0]) == _row(via_panel.iloc[0]) == want
    assert len(via_store) == len(via_panel) == 1

    r = CliRunner().invoke(app, ["align", "USA", "CAN", "--db", str(mini_db), "--json",
                                 "--from", start, "--to", end, "--by", "all", "--min-votes", "1",
                                 "--bootstrap", "0"])
    assert r.exit_code == 0, r.output
    rows = json.loads(r.stdout)["rows"]
    assert [_row(x) for x in rows] == [want]

    with TestClient(create_app(mini_db)) as c:
        resp = c.get("/api/alignment", params={"a": "USA", "b": "CAN", "from": start,
                                               "to": end, "by": "all", "min_votes": 1,
                                               "bootstrap": 0})
    assert resp.status_code == 200, resp.text
    assert [_row(x) for x in resp.json()["rows"]] == [want]


def test_every_path_refuses_an_empty_window(mini_db: Path) -> None:
    """No vote between two votes: every path says so, none returns a zero row."""
    from fastapi.testclient import TestClient

    from comity.cli import app
    from comity.web import create_app

    kw = {"start": "1985-12-11", "end": "1995-11-19", "period": "all", "min_votes": 1,
          "bootstrap": 0}
    with Store(mini_db, read_only=True) as s:
        with pytest.raises(AlignmentError):
            alignment("USA", "CAN", store=s, **kw)
        panel = s.panel(body="GA")
    with pytest.raises(AlignmentError):
        alignment("USA", "CAN", panel=panel, **kw)
    r = CliRunner().invoke(app, ["align", "USA", "CAN", "--db", str(mini_db), "--json",
                                 "--from", kw["start"], "--to", kw["end"], "--by", "all",
                                 "--min-votes", "1", "--bootstrap", "0"])
    assert r.exit_code != 0 and isinstance(r.exception, AlignmentError)
    with TestClient(create_app(mini_db)) as c:
        resp = c.get("/api/alignment", params={"a": "USA", "b": "CAN", "from": kw["start"],
                                               "to": kw["end"], "by": "all", "min_votes": 1,
                                               "bootstrap": 0})
    assert resp.status_code in (400, 404, 422)
