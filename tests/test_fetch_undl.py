"""``comity fetch`` of the official UN Digital Library files, against a local HTTP server on
127.0.0.1 that imitates the Library's paths: ``/record/<id>/files/<name>`` and the file list
``/api/v1/file?recid=<id>`` (JSON). The server can refuse (403), redirect, answer a web page,
cut a body short (with or without announcing its length) and serve wrong bytes; every case is
tested, and a failed fetch leaves the store as it was."""

from __future__ import annotations

import contextlib
import hashlib
import json
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from typer.testing import CliRunner

from comity.errors import FetchError
from comity.ingest import download as F
from comity.ingest import library as L
from comity.store.db import Store
from tests.test_ingest_bad import store_fingerprint

UNDL = Path(__file__).resolve().parent / "fixtures" / "undl"
GA = (UNDL / "2026_02_06_ga_voting.csv").read_bytes()
GA_V4 = (UNDL / "2025_09_19_ga_voting.csv").read_bytes()
SC = (UNDL / "2026_02_06_sc_voting.csv").read_bytes()
GA_FILE = "/record/4060887/files/2026_02_06_ga_voting.csv"
SC_FILE = "/record/4055387/files/2026_02_06_sc_voting.csv"
GA_LIST = "/api/v1/file?recid=4060887"
SC_LIST = "/api/v1/file?recid=4055387"


@dataclass
class Route:
    body: bytes = b""
    status: int = 200
    ctype: str = "application/octet-stream"
    location: str | None = None  # answer a redirect to this path
    cut_after: int | None = None  # send this many bytes, then close (once per ``cuts``)
    cuts: int = 1
    announce_length: bool = True  # send Content-Length (of the whole body)


@dataclass
class Library:
    url: str
    routes: dict[str, Route] = field(default_factory=dict)
    log: list[tuple[str, str | None]] = field(default_factory=list)


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        lib: Library = self.server.state  # type: ignore[attr-defined]
        lib.log.append((self.path, self.headers.get("Range")))
        r = lib.routes.get(self.path) or lib.routes.get(self.path.split("?")[0])
        if r is None:
            self.send_error(404)
            return
        if r.location is not None:
            self.send_response(302)
            self.send_header("Location", r.location)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if r.status != 200:
            self.send_error(r.status)
            return
        data, start = r.body, 0
        rng = self.headers.get("Range")
        if rng and rng.startswith("bytes=") and (r.cut_after is None or r.cuts <= 0):
            start = int(rng[6:].split("-")[0])
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
        else:
            self.send_response(200)
        body = data[start:]
        self.send_header("Content-Type", r.ctype)
        if r.announce_length:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if r.cut_after is not None and r.cuts > 0:
            r.cuts -= 1
            try:
                self.wfile.write(body[: r.cut_after])
                self.wfile.flush()
            finally:
                self.close_connection = True
                self.connection.shutdown(2)
            return
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.wfile.write(body)
        if not r.announce_length:
            self.close_connection = True


@pytest.fixture
def library() -> Iterator[Library]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.daemon_threads = True
    lib = Library(url=f"http://127.0.0.1:{httpd.server_address[1]}")
    httpd.state = lib  # type: ignore[attr-defined]
    t = threading.Thread(target=httpd.serve_forever, daemon=True)
    t.start()
    try:
        yield lib
    finally:
        httpd.shutdown()
        httpd.server_close()
        t.join(timeout=5)


def _sha(b: bytes) -> str:
    return hashlib.sha256(b).hexdigest()


def _listing(*entries: dict) -> Route:
    return Route(json.dumps(list(entries)).encode(), ctype="application/json")


def _entry(name: str, ext: str = ".csv", **extra: object) -> dict:
    return {"name": name, "format": ext, "description": "", **extra}


def _releases(lib: Library, tmp_path: Path) -> dict:
    """The packaged releases, with the Library's address pointing at the test server."""
    rel = F.load_releases(tmp_path / "no-user-file.toml")
    for g in ("ga", "sc"):
        rel[g]["library"] = lib.url
    return rel


def _db(tmp_path: Path) -> Path:
    db = tmp_path / "s.duckdb"
    Store(db).close()
    return db


# -- the file list ---------------------------------------------------------------------------
def test_parse_file_list_forms() -> None:
    pat = F.load_releases(Path("/nonexistent"))["ga"]["pattern"]
    data = {"files": [
        _entry("2024_09_12_ga_resolutions_voting", size=10),
        _entry("2025_03_31_ga_voting", size=11),
        _entry("2025_03_31_ga_voting_corr1", checksum="md5:" + "a" * 32),
        {"full_name": "2025_9_19_ga_voting.csv", "url": "/record/4060887/files/x.csv?ln=en",
         "checksum": "b" * 64, "size": "12"},
        _entry("2026_02_06_ga_voting_md", ".md"),
        _entry("readme", ".txt"),
        "not an object",
    ]}
    got = L.parse_file_list(data, group="ga", library="http://lib", record=4060887,
                            pattern=pat)
    assert [f.name for f in got] == ["2025_9_19_ga_voting.csv",
                                     "2025_03_31_ga_voting_corr1.csv",
                                     "2025_03_31_ga_voting.csv",
                                     "2024_09_12_ga_resolutions_voting.csv"]
    assert got[0].url == "http://lib/record/4060887/files/x.csv?ln=en"
    assert (got[0].sha256, got[0].md5, got[0].size) == ("b" * 64, None, 12)
    assert (got[1].md5, got[1].sha256) == ("a" * 32, None)
    assert got[1].url == "http://lib/record/4060887/files/2025_03_31_ga_voting_corr1.csv"
    assert got[3].size == 10 and got[0].version == "2025-09-19"
    assert L.parse_file_list("nonsense", group="ga", library="x", record=1, pattern=pat) == []


def test_newest_file_from_the_list_downloaded_and_ingested(library: Library,
                                                           tmp_path: Path) -> None:
    library.routes[GA_LIST] = _listing(
        _entry("2025_7_23_ga_voting", size=len(GA_V4)),
        _entry("2026_02_06_ga_voting", size=len(GA), checksum=_sha(GA)),
        _entry("2026_02_06_ga_voting_md", ".md"))
    library.routes[SC_LIST] = _listing(
        _entry("2025_11_25_sc_voting"),
        {"name": "2026_02_06_sc_voting.csv", "url": SC_FILE, "size": len(SC)})
    library.routes[GA_FILE] = Route(GA)
    library.routes[SC_FILE] = Route(SC)
    with Store(tmp_path / "s.duckdb") as s:
        rep = F.fetch(s, releases=_releases(library, tmp_path), cache_dir=tmp_path / "c",
                      only=["ga", "sc"])
        assert [f.status for f in rep.files] == ["downloaded", "downloaded"]
        assert [f.url for f in rep.files] == [library.url + GA_FILE, library.url + SC_FILE]
        assert (tmp_path / "c" / "ga" / "2026_02_06_ga_voting.csv").read_bytes() == GA
        assert {x["source"] for x in rep.ingest["loaded"]} == {"undl_ga", "undl_sc"}
        assert any("newest file in the Library's file list: 2026_02_06_ga_voting.csv" in n
                   for n in rep.notes)
        assert rep.to_dict()["notes"] == list(rep.notes)
    # only the list and the newest files were asked for
    assert {p for p, _ in library.log} == {GA_LIST, SC_LIST, GA_FILE, SC_FILE}


@pytest.mark.parametrize("answer", [Route(status=500), Route(b"<html>busy</html>",
                                                             ctype="text/html"),
                                    Route(status=403), _listing()])
def test_unreadable_list_falls_back_to_the_known_names(library: Library, tmp_path: Path,
                                                       answer: Route) -> None:
    library.routes[GA_LIST] = answer
    library.routes[GA_FILE] = Route(GA)
    with Store(tmp_path / "s.duckdb") as s:
        rep = F.fetch(s, releases=_releases(library, tmp_path), cache_dir=tmp_path / "c",
                      only=["ga"])
    assert [f.url for f in rep.files] == [library.url + GA_FILE]
    assert any("using the known file names" in n for n in rep.notes)
    assert any("took the known file 2026_02_06_ga_voting.csv" in n for n in rep.notes)


def test_newest_known_name_gone_takes_the_previous(library: Library, tmp_path: Path) -> None:
    previous = "/record/4060887/files/2025_9_19_ga_voting.csv"
    library.routes[previous] = Route(GA_V4)  # the list and the newest name answer 404
    with Store(tmp_path / "s.duckdb") as s:
        rep = F.fetch(s, releases=_releases(library, tmp_path), cache_dir=tmp_path / "c",
                      only=["ga"])
        assert s.counts()["recorded"] > 0
    assert [f.url for f in rep.files] == [library.url + previous]
    assert any("is gone (HTTP 404)" in n and "2025_9_19_ga_voting.csv" in n for n in rep.notes)
    # every known name gone: the error names the record page to open
    del library.routes[previous]
    with Store(tmp_path / "t.duckdb") as s, pytest.raises(FetchError) as info:
        F.fetch(s, releases=_releases(library, tmp_path), cache_dir=tmp_path / "c2",
                only=["ga"])
    msg = str(info.value)
    assert f"{library.url}/record/4060887" in msg and "comity ingest" in msg


# -- refusals, redirects, damage ------------------------------------------------------------
@pytest.mark.parametrize("route", [Route(status=403), Route(status=429),
                                   Route(b"<!DOCTYPE html><html><body>Are you a robot?"
                                         b"</body></html>", ctype="text/html")])
def test_refusal_says_which_url_to_open(library: Library, tmp_path: Path,
                                        route: Route) -> None:
    library.routes[GA_LIST] = _listing(_entry("2026_02_06_ga_voting"))
    library.routes[GA_FILE] = route
    db = _db(tmp_path)
    before = store_fingerprint(db)
    with Store(db) as s, pytest.raises(FetchError) as info:
        F.fetch(s, releases=_releases(library, tmp_path), cache_dir=tmp_path / "c",
                only=["ga"])
    msg = str(info.value)
    assert "refused the automated download" in msg
    assert f"Open {library.url}{GA_FILE} in a browser" in msg
    assert f"{library.url}/record/4060887" in msg and "`comity ingest <saved file>`" in msg
    assert "\n" not in msg
    assert store_fingerprint(db) == before
    assert not list((tmp_path / "c").rglob("*.csv")) and not list((tmp_path / "c").rglob(
        "*.part"))


def test_redirect_to_the_storage_is_followed(library: Library, tmp_path: Path) -> None:
    library.routes[GA_LIST] = _listing(_entry("2026_02_06_ga_voting", size=len(GA)))
    library.routes[GA_FILE] = Route(location="/storage/ab/cd/2026_02_06_ga_voting.csv")
    library.routes["/storage/ab/cd/2026_02_06_ga_voting.csv"] = Route(GA)
    with Store(tmp_path / "s.duckdb") as s:
        rep = F.fetch(s, releases=_releases(library, tmp_path), cache_dir=tmp_path / "c",
                      only=["ga"])
    assert rep.files[0].status == "downloaded" and rep.files[0].sha256 == _sha(GA)
    assert [p for p, _ in library.log][-2:] == [GA_FILE,
                                               "/storage/ab/cd/2026_02_06_ga_voting.csv"]


def test_truncated_body_kept_then_resumed(library: Library, tmp_path: Path) -> None:
    library.routes[GA_LIST] = _listing(_entry("2026_02_06_ga_voting", size=len(GA)))
    library.routes[GA_FILE] = Route(GA, cut_after=1000)
    db = _db(tmp_path)
    before = store_fingerprint(db)
    with Store(db) as s, pytest.raises(FetchError) as info:
        F.fetch(s, releases=_releases(library, tmp_path), cache_dir=tmp_path / "c",
                only=["ga"], retries=0, timeout=5)
    msg = str(info.value)
    assert library.url + GA_FILE in msg and "1000 bytes" in msg and ".part" in msg
    assert store_fingerprint(db) == before
    part = tmp_path / "c" / "ga" / "2026_02_06_ga_voting.csv.part"
    assert part.stat().st_size == 1000
    # the next fetch resumes from byte 1000 and ingests
    with Store(db) as s:
        rep = F.fetch(s, releases=_releases(library, tmp_path), cache_dir=tmp_path / "c",
                      only=["ga"], retries=0, timeout=5)
        assert rep.files[0].status == "resumed" and rep.files[0].sha256 == _sha(GA)
        assert s.counts()["recorded"] > 0
    assert library.log[-1] == (GA_FILE, "bytes=1000-")


def test_truncated_body_without_length_caught_by_the_listed_size(library: Library,
                                                                tmp_path: Path) -> None:
    # no Content-Length: only the size in the Library's file list tells the body is short
    library.routes[GA_LIST] = _listing(_entry("2026_02_06_ga_voting", size=len(GA)))
    library.routes[GA_FILE] = Route(GA[:700], announce_length=False)
    with Store(tmp_path / "s.duckdb") as s, pytest.raises(FetchError) as info:
        F.fetch(s, releases=_releases(library, tmp_path), cache_dir=tmp_path / "c",
                only=["ga"], retries=0, timeout=5)
    assert f"after 700 of {len(GA)} bytes" in str(info.value)
    assert len(list((tmp_path / "c").rglob("*.part"))) == 1
    library.routes[GA_FILE] = Route(GA, announce_length=False)
    with Store(tmp_path / "s.duckdb") as s:
        rep = F.fetch(s, releases=_releases(library, tmp_path), cache_dir=tmp_path / "c",
                      only=["ga"], retries=0, timeout=5)
    assert rep.files[0].status == "resumed" and rep.files[0].sha256 == _sha(GA)
    assert library.log[-1] == (GA_FILE, "bytes=700-")
    # a file list that states a size the body never reaches: the bytes are refused
    library.routes[GA_LIST] = _listing(_entry("2026_02_06_ga_voting", size=len(GA) - 5))
    with Store(tmp_path / "t.duckdb") as s, pytest.raises(FetchError) as info:
        F.fetch(s, releases=_releases(library, tmp_path), cache_dir=tmp_path / "c3",
                only=["ga"], retries=0, timeout=5)
    assert f"expected {len(GA) - 5}" in str(info.value)
    assert not list((tmp_path / "c3").rglob("*.part"))


@pytest.mark.parametrize("checksum", ["sha256", "md5"])
def test_checksum_mismatch(library: Library, tmp_path: Path, checksum: str) -> None:
    other = b"other bytes"
    value = _sha(other) if checksum == "sha256" else "md5:" + hashlib.md5(other).hexdigest()
    library.routes[GA_LIST] = _listing(_entry("2026_02_06_ga_voting", checksum=value))
    library.routes[GA_FILE] = Route(GA)
    db = _db(tmp_path)
    before = store_fingerprint(db)
    with Store(db) as s, pytest.raises(FetchError, match=f"{checksum} mismatch") as info:
        F.fetch(s, releases=_releases(library, tmp_path), cache_dir=tmp_path / "c",
                only=["ga"])
    assert library.url + GA_FILE in str(info.value)
    assert store_fingerprint(db) == before
    assert not list((tmp_path / "c").rglob("2026_02_06_ga_voting.csv*"))


# -- CLI ---------------------------------------------------------------------------------------
def _user_releases(lib: Library, tmp_path: Path) -> Path:
    p = tmp_path / "releases.toml"
    p.write_text(f'[groups.ga]\nlibrary = "{lib.url}"\n\n[groups.sc]\nlibrary = "{lib.url}"\n',
                 encoding="utf-8")
    return p


def test_cli_fetch_from_the_library(library: Library, tmp_path: Path,
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    from comity.cli import app

    monkeypatch.setenv("COMITY_RELEASES", str(_user_releases(library, tmp_path)))
    library.routes[SC_LIST] = _listing(_entry("2026_02_06_sc_voting", size=len(SC)))
    library.routes[SC_FILE] = Route(SC)
    res = CliRunner().invoke(app, ["fetch", "--only", "sc", "--cache-dir",
                                   str(tmp_path / "c"), "--db", str(tmp_path / "s.duckdb"),
                                   "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["files"][0]["url"] == library.url + SC_FILE
    assert out["ingest"]["loaded"][0]["source"] == "undl_sc"
    assert out["notes"] and "file list" in out["notes"][0]


def test_cli_refusal_is_one_line(library: Library, tmp_path: Path,
                                 monkeypatch: pytest.MonkeyPatch,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    from comity.cli import main

    monkeypatch.setenv("COMITY_RELEASES", str(_user_releases(library, tmp_path)))
    library.routes[SC_FILE] = Route(status=403)
    monkeypatch.setattr(sys, "argv", ["comity", "fetch", "--only", "sc", "--cache-dir",
                                      str(tmp_path / "c"), "--db", str(tmp_path / "s.duckdb")])
    with pytest.raises(SystemExit) as info:
        main()
    assert info.value.code == FetchError.exit_code
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: ")
    assert f"Open {library.url}{SC_FILE} in a browser" in err[0]


def test_library_url_override(monkeypatch: pytest.MonkeyPatch) -> None:
    assert L.library_url({}) == "https://digitallibrary.un.org"
    assert L.library_url({"library": "http://mirror/"}) == "http://mirror"
    monkeypatch.setenv("COMITY_UNDL_URL", "http://127.0.0.1:9/")
    assert L.library_url({"library": "http://mirror"}) == "http://127.0.0.1:9"
    assert L.file_url("http://x", 4060887, "a b.csv") == "http://x/record/4060887/files/a%20b.csv"
    assert L.file_list_url("http://x", 4055387) == "http://x/api/v1/file?recid=4055387"


def test_only_sc_takes_the_council_files(tmp_path: Path) -> None:
    sc_dir = Path(__file__).resolve().parent / "fixtures" / "sc"
    with Store(tmp_path / "s.duckdb") as s:
        rep = F.fetch(s, source=sc_dir, only=["sc"])
        # the sheet, the veto list and the DPPA list; not the supplement beside them
        assert {x["source"] for x in rep.ingest["loaded"]} == {"sc_drafts", "unsc_vetoes",
                                                               "dppa_sc"}
        with pytest.raises(FetchError, match="no file"):
            F.fetch(s, source=sc_dir, only=["ga"])
