"""Checksums (issue 19, item 3): every file whose bytes are known has its sha256 and size in
the release table; every download is checked (mirrors too); what cannot be checked is said to
be unverified, in the fetch report and in the store's ``ingests`` row."""

from __future__ import annotations

import gzip
import hashlib
import re
from pathlib import Path

import pytest

from comity.errors import FetchError
from comity.ingest import download as F
from comity.store.db import Store
from tests.test_fetch import Server, server  # noqa: F401  (the HTTP server fixture)

SUPP = (b"resolution,date,body,state,vote,source_url\n"
        b"A/RES/ES-11/7,2025-02-24,GA,USA,N,\nA/RES/ES-11/7,2025-02-24,GA,UKR,Y,\n")


def test_every_known_file_has_sha256_and_size() -> None:
    groups = F.load_releases(user_file="/nonexistent")
    for key in ("voeten", "unxml"):
        for rel in groups[key]["releases"]:
            for f in rel["files"]:
                assert re.fullmatch(r"[0-9a-f]{64}", f["sha256"]), f["name"]
                assert f["size"] > 0, f["name"]
    # the UN Digital Library's bulk files could not be read offline: unknown, and said so
    for key in ("ga", "sc"):
        for rel in groups[key]["releases"]:
            assert rel["verified"] is False
            assert all(f["sha256"] == "" and f["size"] == 0 for f in rel["files"])
    known = {k["name"]: k for k in F.load_known(user_file="/nonexistent")}
    assert known["voeten_unvotes_published_2016.csv.gz"]["sha256"].startswith("55cbe103")


def test_staged_copies_match_the_table(real_data: Path) -> None:
    for k in F.load_known(user_file="/nonexistent"):
        p = real_data / k["source"].removeprefix("shared/data/")
        assert p.stat().st_size == k["size"]
        assert hashlib.sha256(p.read_bytes()).hexdigest() == k["sha256"]


def test_download_says_how_it_was_checked(server: Server, tmp_path: Path) -> None:  # noqa: F811
    server.files["/a.csv"] = SUPP
    sha = hashlib.sha256(SUPP).hexdigest()
    d = F.download(server.url + "/a.csv", tmp_path / "a.csv", retries=0)
    assert d.verified == "unverified" and d.to_dict()["verified"] == "unverified"
    d = F.download(server.url + "/a.csv", tmp_path / "b.csv", sha256=sha.upper(), retries=0)
    assert d.verified == "sha256"
    d = F.download(server.url + "/a.csv", tmp_path / "b.csv", sha256=sha, retries=0)
    assert d.status == "cached" and d.verified == "sha256"


def test_mirror_checked_against_the_table(server: Server, tmp_path: Path,  # noqa: F811
                                          real_data: Path) -> None:
    # a mirrored file that the table knows by name, with other bytes: refused
    server.files["/m/S-32.json.gz"] = gzip.compress(b'{"symbol": "x"}\n')
    with Store(tmp_path / "s.duckdb") as s, pytest.raises(FetchError, match="expected 679"):
        F.fetch(s, source=server.url + "/m/S-32.json.gz", cache_dir=tmp_path / "cache")
    # with its real bytes: verified, and the store says so
    server.files["/m/S-32.json.gz"] = (real_data / "unxml" / "S-32.json.gz").read_bytes()
    server.files["/m/supp.csv"] = SUPP
    with Store(tmp_path / "s.duckdb") as s:
        a = F.fetch(s, source=server.url + "/m/S-32.json.gz", cache_dir=tmp_path / "cache")
        b = F.fetch(s, source=server.url + "/m/supp.csv", cache_dir=tmp_path / "cache")
        rows = dict(s.con.execute("SELECT regexp_extract(file, '[^/]+$'), verified "
                                  "FROM ingests").fetchall())
    assert a.files[0].verified == "sha256" and not a.notes
    assert b.files[0].verified == "unverified"
    assert any("supp.csv: unverified" in n for n in b.notes)
    assert rows == {"S-32.json.gz": "sha256", "supp.csv": "unverified"}


def test_local_ingest_recognises_known_files(real_data: Path, tmp_path: Path) -> None:
    other = tmp_path / "supp.csv"
    other.write_bytes(SUPP)
    with Store(tmp_path / "s.duckdb") as s:
        s.ingest([real_data / "unxml" / "S-32.json.gz", other])
        rows = dict(s.con.execute("SELECT regexp_extract(file, '[^/]+$'), verified "
                                  "FROM ingests").fetchall())
        info = s.info()
    assert rows == {"S-32.json.gz": "sha256", "supp.csv": "unverified"}
    assert {r["verified"] for r in info["ingests"]} == {"sha256", "unverified"}
