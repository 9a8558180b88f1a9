"""A small synthetic store with enough votes for every command (clusters, ideal points, issue
training, shifts, ...): two blocs voting against each other on most texts, a pair voting
against both, every Voeten issue code, sessions 60-73 (2005-2018), written in the ``unvotes``
format next to the hand-written files of :mod:`tests.minidata`.

It also holds two roll calls whose description is a line of the meeting record ("The
President: ...") instead of a title: ``A/RES/70/5`` (a separate vote on a paragraph; the
adopted text ``A/RES/70/5`` has a title) and ``A/RES/70/906`` (nothing else
has that symbol).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from tests import minidata as M

WEST = [("US", "United States"), ("GB", "United Kingdom"), ("FR", "France"),
        ("DE", "Germany"), ("IT", "Italy"), ("CA", "Canada"), ("JP", "Japan"),
        ("AU", "Australia"), ("NL", "Netherlands"), ("BE", "Belgium"), ("DK", "Denmark"),
        ("NO", "Norway")]
EAST = [("RU", "Russia"), ("CN", "China"), ("CU", "Cuba"), ("IR", "Iran"), ("SY", "Syria"),
        ("KP", "North Korea"), ("BY", "Belarus"), ("VE", "Venezuela"), ("NI", "Nicaragua"),
        ("BO", "Bolivia"), ("LA", "Laos"), ("VN", "Vietnam")]
ODD = [("IL", "Israel"), ("PW", "Palau")]
ISSUES = {"me": "Palestine Israel Middle East settlements",
          "nu": "nuclear weapons test ban",
          "di": "disarmament arms conventional",
          "hr": "human rights situation",
          "co": "colonial territories self-determination",
          "ec": "economic development trade"}
NAMES = {"me": "Palestinian conflict", "nu": "Nuclear weapons and nuclear material",
         "di": "Arms control and disarmament", "hr": "Human rights", "co": "Colonialism",
         "ec": "Economic development"}
SESSIONS = range(60, 74)
PER_SESSION = 25


def write_synthetic(d: Path) -> Path:
    """Write the synthetic unvotes tables into ``d`` (own file names, so that they load as
    a second unvotes release beside :mod:`tests.minidata`'s)."""
    d.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(7)
    codes = list(ISSUES)
    votes, rolls, issues = [], [], []
    rcid = 1000
    for session in SESSIONS:
        year = session + 1945
        for k in range(PER_SESSION):
            rcid += 1
            issue = codes[(k + session) % 6]
            extra = codes[(k + session + 2) % 6] if k % 5 == 0 else None
            divisive = rng.random() < 0.7
            date = f"{year}-{10 + k % 3:02d}-{1 + k % 28:02d}"
            title = f"{ISSUES[issue]} {'and ' + ISSUES[extra] if extra else ''} text {k}"
            rolls.append(f"{rcid},{session},0,{date},R/{session}/{k + 1},0,0,"
                         f"{issue.upper()} {k},{title.strip()}")
            issues.append(f"{rcid},{issue},{NAMES[issue]}")
            if extra:
                issues.append(f"{rcid},{extra},{NAMES[extra]}")
            for iso, name in WEST + EAST + ODD:
                if (iso, name) in WEST:
                    v = "yes"
                elif (iso, name) in EAST:
                    v = "no" if divisive else "yes"
                else:
                    v = "abstain" if divisive else "no"
                if rng.random() < 0.1:
                    v = "abstain"
                votes.append(f"{rcid},{name},{iso},{v}")
    # transcript text as a description: a paragraph vote of A/RES/70/5, and A/RES/70/906 alone
    for rc, unres, para, descr in (
            (9001, "R/70/5", 1, "The President: I now put to the vote operative paragraph 2."),
            (9002, "R/70/906", 0, "The Acting President (spoke in French): We shall now take a "
                                "decision on draft resolution B.")):
        rolls.append(f'{rc},70,0,2015-12-20,{unres},0,{para},TRANSCRIPT,"{descr}"')
        for iso, name in WEST + EAST:
            votes.append(f"{rc},{name},{iso},{'yes' if (iso, name) in WEST else 'no'}")
    M.write_csv(d / "synth_un_votes.csv.gz", M.UNVOTES_VOTES_HEADER, votes, gz=True)
    M.write_csv(d / "synth_un_roll_calls.csv.gz", M.UNVOTES_RC_HEADER, rolls, gz=True)
    M.write_csv(d / "synth_un_roll_call_issues.csv.gz", M.UNVOTES_ISSUES_HEADER, issues,
                gz=True)
    return d


def build_store(tmp: Path) -> Path:
    """A store of :mod:`tests.minidata`'s files plus the synthetic tables."""
    from comity.store.db import Store

    mini = M.write_all(tmp / "mini")
    synth = write_synthetic(tmp / "synth")
    db = tmp / "newcomer.duckdb"
    with Store(db) as s:
        s.ingest([mini])
        s.ingest([synth])
    return db
