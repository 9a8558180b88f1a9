"""Small hand-written files in each source format (written into a temp dir by tests)."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

VOETEN_HEADER = "rcid,session,vote,ccode,member,importantvote,date,unres,me,nu,di,hr,co,ec,year"
# rcid 10: 1985 vote; USA N, CAN A, USSR (365) Y, FRA N, SWE 8 (absent)
# rcid 11: 1995 vote; USA Y, CAN Y, RUS (365 after 1991) N, FRA Y, SWE Y
VOETEN_ROWS = [
    "10,40,3,2,1,1,12/10/1985,R/40/100,1,0,0,0,0,0,1985.0",
    "10,40,2,20,1,1,12/10/1985,R/40/100,1,0,0,0,0,0,1985.0",
    "10,40,1,365,1,1,12/10/1985,R/40/100,1,0,0,0,0,0,1985.0",
    "10,40,3,220,1,1,12/10/1985,R/40/100,1,0,0,0,0,0,1985.0",
    "10,40,8,380,1,1,12/10/1985,R/40/100,1,0,0,0,0,0,1985.0",
    "10,40,9,552,,1,12/10/1985,R/40/100,1,0,0,0,0,0,1985.0",
    "11,50,1,2,1,0,11/20/1995,R/50/20,0,0,0,1,0,0,1995.0",
    "11,50,1,20,1,0,11/20/1995,R/50/20,0,0,0,1,0,0,1995.0",
    "11,50,3,365,1,0,11/20/1995,R/50/20,0,0,0,1,0,0,1995.0",
    "11,50,1,220,1,0,11/20/1995,R/50/20,0,0,0,1,0,0,1995.0",
    "11,50,1,380,1,0,11/20/1995,R/50/20,0,0,0,1,0,0,1995.0",
]

UNVOTES_VOTES_HEADER = "rcid,country,country_code,vote"
UNVOTES_VOTES_ROWS = [
    "10,United States,US,no", "10,Canada,CA,abstain", "10,Russia,RU,yes", "10,France,FR,no",
    "11,United States,US,yes", "11,Canada,CA,yes", "11,Russia,RU,no", "11,France,FR,yes",
    "11,Sweden,SE,yes",
]
UNVOTES_RC_HEADER = "rcid,session,importantvote,date,unres,amend,para,short,descr"
UNVOTES_RC_ROWS = [
    '10,40,1,1985-12-10,R/40/100,0,0,PALESTINE,"QUESTION OF PALESTINE, A TEST"',
    "11,50,0,1995-11-20,R/50/20,0,0,HUMAN RIGHTS,HUMAN RIGHTS TEST",
]
UNVOTES_ISSUES_HEADER = "rcid,short_name,issue"
UNVOTES_ISSUES_ROWS = ["10,me,Palestinian conflict", "11,hr,Human rights"]

SCRAPE_META = ("Council,Date,Title,Resolution,TOTAL VOTES,NO-VOTE COUNT,ABSENT COUNT,NO COUNT,"
               "YES COUNT,Link,token")
SCRAPE_STATES = ["UNITED STATES", "CANADA", "RUSSIAN FEDERATION", "FRANCE", "SWEDEN", "CHINA"]
SCRAPE_ROWS = [
    # GA, 1995 resolution also in Voeten: 4 yes 1 no; non-voting 0; abstentions 0
    ["General Assembly", "1995-11-20", "Human rights test", "A/RES/50/20", "5", "0", "0", "1",
     "4", "https://digitallibrary.un.org/record/1", "1", "Y", "Y", "N", "Y", "Y", ""],
    # GA 2020 resolution: 3 yes, 1 no, 1 abstention (ABSENT COUNT), 1 non-voting
    ["General Assembly", "2020-12-01", "A 2020 test", "A/RES/75/10", "6", "1", "1", "1", "3",
     "https://digitallibrary.un.org/record/2", "2", "Y", "X", "N", "Y", "A", "Y"],
    # SC 2020 resolution
    ["Security Council", "2020-06-22", "Security Council resolution 2527 (2020)",
     "S/RES/2527(2020)", "5", "0", "1", "0", "4", "https://digitallibrary.un.org/record/3", "3",
     "Y", "", "A", "Y", "", "Y"],
]


def unxml_objects() -> list[dict]:
    base = {
        "resolution_number": "75/10.", "session": "Seventy-fifth session",
        "adoption_meeting": "40th plenary meeting", "originating_document": "A/75/L.1",
        "report_paragraph": "N.A.", "committee": "Without reference to a Main Committee",
        "agenda_item": "Agenda item 1", "agenda_item_name": "A test item", "pv": "A/75/PV.40",
        "sponsors": [], "additional_sponsors": [], "SDGs": [],
        "subjects": [["Test", "UNBIS Thesaurus"]],
    }
    return [
        {**base, "symbol": "A/RES/75/10", "title": "A 2020 test",
         "adoption_date": "1\u00a0December 2020", "adoption_type": "By a recorded vote",
         "MS_in_favour_count": "3", "MS_against_count": "1", "MS_abstaining_count": "1",
         "MS_in_favour": ["UNITED STATES OF AMERICA", "FRANCE", "CHINA"],
         "MS_against": ["RUSSIAN FEDERATION"], "MS_abstaining": ["SWEDEN"]},
        {**base, "symbol": "A/RES/75/11", "title": "Adopted without a vote",
         "adoption_date": "2020-12-01 00:00:00", "adoption_type": "Without a vote",
         "MS_in_favour_count": "N.A.", "MS_against_count": "N.A.", "MS_abstaining_count": "N.A.",
         "MS_in_favour": [], "MS_against": [], "MS_abstaining": []},
    ]


def write_csv(path: Path, header: str, rows: list, *, gz: bool = False,
              encoding: str = "utf-8") -> Path:
    lines = [header] + [r if isinstance(r, str) else ",".join(_q(c) for c in r) for r in rows]
    data = ("\n".join(lines) + "\n").encode(encoding)
    if gz:
        data = gzip.compress(data)
    path.write_bytes(data)
    return path


def _q(c: str) -> str:
    return f'"{c}"' if ("," in c or '"' in c) else c


def write_all(d: Path, *, gz: bool = True) -> Path:
    """Write one file of each format into ``d``."""
    d.mkdir(parents=True, exist_ok=True)
    sfx = ".csv.gz" if gz else ".csv"
    write_csv(d / f"voeten{sfx}", VOETEN_HEADER, VOETEN_ROWS, gz=gz)
    write_csv(d / f"un_votes{sfx}", UNVOTES_VOTES_HEADER, UNVOTES_VOTES_ROWS, gz=gz)
    write_csv(d / f"un_roll_calls{sfx}", UNVOTES_RC_HEADER, UNVOTES_RC_ROWS, gz=gz)
    write_csv(d / f"un_roll_call_issues{sfx}", UNVOTES_ISSUES_HEADER, UNVOTES_ISSUES_ROWS,
              gz=gz)
    write_csv(d / f"scrape{sfx}", SCRAPE_META + "," + ",".join(SCRAPE_STATES), SCRAPE_ROWS,
              gz=gz)
    text = "\n".join(json.dumps(o) for o in unxml_objects()) + "\n"
    (d / "75.json.gz").write_bytes(gzip.compress(text.encode()))
    (d / "README.md").write_text("not data\n")
    return d
