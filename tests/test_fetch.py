"""``comity fetch`` against a local HTTP server on 127.0.0.1 started by the test.

The server (stdlib ``http.server`` in a thread) serves the real staged data
(``COMITY_TEST_DATA``, default ``../shared/data``) and hand-made files, supports ``Range``,
and can misbehave on purpose: drop the connection half-way, answer 404, ignore ``Range``,
or stall (timeout).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from typer.testing import CliRunner

from comity.errors import FetchError
from comity.ingest import download as F
from comity.store.db import Store
from tests import minidata as M
from tests.test_ingest_bad import store_fingerprint

UNDL = Path(__file__).resolve().parent / "fixtures" / "undl"


@dataclass
class Behaviour:
    """How the server treats one path (``/name``); all off by default."""

    drop_after: int | None = None  # send this many bytes, then close (once per counter)
    drops: int = 1  # how many requests are dropped
    ignore_range: bool = False  # answer 200 with the whole file to a Range request
    stall: float = 0.0  # seconds to wait before answering
    status: int | None = None  # answer this status instead


@dataclass
class Server:
    url: str
    root: Path
    files: dict[str, bytes]
    behaviour: dict[str, Behaviour] = field(default_factory=dict)
    log: list[tuple[str, str | None]] = field(default_factory=list)  # (path, Range header)


class _Handler(SimpleHTTPRequestHandler):
    server_state: Server

    def log_message(self, *args: object) -> None:  # keep pytest output clean
        pass

    def do_GET(self) -> None:
        st = self.server.state  # type: ignore[attr-defined]
        path = self.path.split("?")[0]
        st.log.append((path, self.headers.get("Range")))
        b = st.behaviour.get(path, Behaviour())
        if b.stall:
            time.sleep(b.stall)
        if b.status:
            self.send_error(b.status)
            return
        if path in st.files:
            self._send_bytes(st.files[path], b)
            return
        local = (st.root / path.lstrip("/")).resolve()
        if local.is_file() and st.root.resolve() in local.parents:
            self._send_bytes(local.read_bytes(), b)
            return
        super().do_GET()  # directory listings (HTML) and 404s

    def _send_bytes(self, data: bytes, b: Behaviour) -> None:
        rng = self.headers.get("Range")
        start = 0
        if rng and not b.ignore_range and rng.startswith("bytes="):
            start = int(rng[6:].split("-")[0])
            if start >= len(data):
                self.send_response(416)
                self.send_header("Content-Range", f"bytes */{len(data)}")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
        else:
            self.send_response(200)
        body = data[start:]
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Accept-Ranges", "bytes")
        self.end_headers()
        if b.drop_after is not None and b.drops > 0:
            b.drops -= 1
            try:
                self.wfile.write(body[: b.drop_after])
                self.wfile.flush()
            finally:
                self.close_connection = True
                self.connection.shutdown(2)
            return
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.wfile.write(body)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    root = tmp_path / "www"
    root.mkdir()
    state = Server(url="", root=root, files={})

    def handler(*args, **kwargs):
        return _Handler(*args, directory=str(root), **kwargs)

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    httpd.state = state  # type: ignore[attr-defined]
    state.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    t = threading.Thread(target=httpd.serve_forever, daemon=True)
    t.start()
    try:
        yield state
    finally:
        httpd.shutdown()
        httpd.server_close()
        t.join(timeout=5)


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _releases(files: dict[str, tuple[str, bytes | None]]) -> dict:
    """A releases mapping (as :func:`F.load_releases` returns) for groups of served files."""
    out: dict = {}
    for group, (url, data) in files.items():
        name = url.rsplit("/", 1)[-1]
        out[group] = {"releases": [{"version": "t", "date": "2026-01-01", "files": [
            {"name": name, "url": url, "sha256": _sha(data) if data else "",
             "size": len(data) if data else 0}]}]}
    return out


# -- downloads -------------------------------------------------------------------------------------
def test_download_and_ingest_official_files(server: Server, tmp_path: Path) -> None:
    ga = (UNDL / "2026_02_06_ga_voting.csv").read_bytes()
    scf = (UNDL / "2026_02_06_sc_voting.csv").read_bytes()
    server.files["/ga/2026_02_06_ga_voting.csv"] = ga
    server.files["/sc/2026_02_06_sc_voting.csv"] = scf
    rel = _releases({"ga": (server.url + "/ga/2026_02_06_ga_voting.csv", ga),
                     "sc": (server.url + "/sc/2026_02_06_sc_voting.csv", scf)})
    events: list[str] = []
    with Store(tmp_path / "s.duckdb") as s:
        rep = F.fetch(s, releases=rel, cache_dir=tmp_path / "cache",
                      progress=lambda e, n, d, t: events.append(e))
        assert [f.status for f in rep.files] == ["downloaded", "downloaded"]
        assert rep.files[0].sha256 == _sha(ga)
        assert (tmp_path / "cache" / "ga" / "2026_02_06_ga_voting.csv").read_bytes() == ga
        assert {x["source"] for x in rep.ingest["loaded"]} == {"undl_ga", "undl_sc"}
        assert s.counts()["recorded"] == 9
        assert "start" in events and "done" in events
        # again: served from the cache, nothing new to ingest
        rep2 = F.fetch(s, releases=rel, cache_dir=tmp_path / "cache", only=["ga"])
        assert [f.status for f in rep2.files] == ["cached"]
        assert rep2.ingest["loaded"] == [] and len(rep2.ingest["unchanged"]) == 1
    assert not list((tmp_path / "cache").rglob("*.part"))


def test_dropped_connection_resumes(server: Server, tmp_path: Path) -> None:
    data = (UNDL / "2026_02_06_ga_voting.csv").read_bytes()
    server.files["/f.csv"] = data
    half = len(data) // 2
    server.behaviour["/f.csv"] = Behaviour(drop_after=half)
    d = F.download(server.url + "/f.csv", tmp_path / "c" / "f.csv", sha256=_sha(data),
                   size=len(data), retries=2, timeout=5)
    assert d.status == "resumed" and d.sha256 == _sha(data)
    assert d.path.read_bytes() == data
    assert server.log == [("/f.csv", None), ("/f.csv", f"bytes={half}-")]


def test_broken_download_kept_then_resumed_by_the_next_run(server: Server,
                                                           tmp_path: Path) -> None:
    data = bytes(range(256)) * 400
    server.files["/big.bin"] = data
    server.behaviour["/big.bin"] = Behaviour(drop_after=30000)
    dest = tmp_path / "c" / "big.bin"
    with pytest.raises(FetchError) as info:
        F.download(server.url + "/big.bin", dest, retries=0, timeout=5)
    msg = str(info.value)
    assert server.url + "/big.bin" in msg and "30000 bytes" in msg and ".part" in msg
    part = dest.with_name("big.bin.part")
    assert part.stat().st_size == 30000 and not dest.exists()
    # a new run (a restarted process) resumes from the partial file
    d = F.download(server.url + "/big.bin", dest, sha256=_sha(data), retries=0, timeout=5)
    assert d.status == "resumed" and dest.read_bytes() == data and not part.exists()
    assert server.log[-1] == ("/big.bin", "bytes=30000-")


def test_server_ignoring_range_restarts_cleanly(server: Server, tmp_path: Path) -> None:
    data = b"x" * 50000 + b"y" * 50000
    server.files["/r.bin"] = data
    server.behaviour["/r.bin"] = Behaviour(drop_after=20000, ignore_range=True)
    d = F.download(server.url + "/r.bin", tmp_path / "r.bin", sha256=_sha(data), retries=1,
                   timeout=5)
    assert d.status == "downloaded" and d.path.read_bytes() == data
    assert server.log[-1] == ("/r.bin", "bytes=20000-")  # asked, but got the whole file


def test_refused_range_restarts_cleanly(server: Server, tmp_path: Path) -> None:
    data = b"abc" * 1000
    server.files["/s.bin"] = data
    dest = tmp_path / "s.bin"
    dest.with_name("s.bin.part").write_bytes(b"z" * 5000)  # longer than the file: bogus
    d = F.download(server.url + "/s.bin", dest, sha256=_sha(data), retries=0, timeout=5)
    assert d.path.read_bytes() == data and d.status == "downloaded"


def test_404(server: Server, tmp_path: Path) -> None:
    with pytest.raises(FetchError) as info:
        F.download(server.url + "/nope.csv", tmp_path / "nope.csv", retries=0)
    assert "HTTP 404" in str(info.value) and server.url + "/nope.csv" in str(info.value)
    assert not (tmp_path / "nope.csv").exists()
    assert not (tmp_path / "nope.csv.part").exists()
    with Store(tmp_path / "s.duckdb") as s, pytest.raises(FetchError, match="HTTP 404"):
        F.fetch(s, source=server.url + "/nope.csv", cache_dir=tmp_path / "cache")


def test_wrong_checksum(server: Server, tmp_path: Path) -> None:
    data = (UNDL / "2026_02_06_sc_voting.csv").read_bytes()
    server.files["/sc.csv"] = data
    wrong = "0" * 64
    dest = tmp_path / "sc.csv"
    with pytest.raises(FetchError) as info:
        F.download(server.url + "/sc.csv", dest, sha256=wrong, retries=0)
    msg = str(info.value)
    assert f"expected {wrong}" in msg and f"got {_sha(data)}" in msg
    assert server.url + "/sc.csv" in msg
    assert not dest.exists() and not dest.with_name("sc.csv.part").exists()
    # a wrong size is caught too
    with pytest.raises(FetchError, match="expected 10"):
        F.download(server.url + "/sc.csv", dest, size=10, retries=0)
    # and the store is untouched by a fetch whose download fails its check
    db = tmp_path / "s.duckdb"
    Store(db).close()
    before = store_fingerprint(db)
    rel = {"sc": {"releases": [{"version": "t", "date": "2026-01-01", "files": [
        {"name": "sc.csv", "url": server.url + "/sc.csv", "sha256": _sha(b"other bytes")}]}]}}
    with Store(db) as s, pytest.raises(FetchError, match="sha256 mismatch"):
        F.fetch(s, releases=rel, cache_dir=tmp_path / "cache")
    assert store_fingerprint(db) == before


def test_slow_server_times_out(server: Server, tmp_path: Path) -> None:
    server.files["/slow.csv"] = b"a,b\n1,2\n"
    server.behaviour["/slow.csv"] = Behaviour(stall=1.5)
    t0 = time.monotonic()
    with pytest.raises(FetchError) as info:
        F.download(server.url + "/slow.csv", tmp_path / "slow.csv", timeout=0.2, retries=1)
    assert time.monotonic() - t0 < 1.4
    assert "timed out" in str(info.value) and server.url + "/slow.csv" in str(info.value)
    assert len([p for p, _ in server.log if p == "/slow.csv"]) == 2  # tried, retried


# -- --from ---------------------------------------------------------------------------------------
def _copy_tree(src: Path, dest: Path, names: list[str]) -> None:
    for n in names:
        p = dest / n
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes((src / n).read_bytes())


def test_from_url_directory_listing_equals_local_ingest(server: Server, real_data: Path,
                                                        tmp_path: Path) -> None:
    names = ["un_dl_scrape_ga_sc_wide_1946-2021.csv.gz", "unxml/ES-10.json.gz",
             "unxml/ES-11.json.gz", "unxml/S-32.json.gz", "README.md"]
    _copy_tree(real_data, server.root, names)
    with Store(tmp_path / "a.duckdb") as a:
        rep = F.fetch(a, source=server.url + "/", cache_dir=tmp_path / "cache")
        got = (a.counts(), a.quality_summary())
    assert len(rep.files) == 5 and {f.status for f in rep.files} == {"downloaded"}
    assert {x["source"] for x in rep.ingest["loaded"]} == {"scrape", "unxml"}
    mirrored = tmp_path / "cache" / "mirror"
    assert len(list(mirrored.rglob("*.gz"))) == 4
    with Store(tmp_path / "b.duckdb") as b:
        b.ingest([server.root])
        assert (b.counts(), b.quality_summary()) == got
    # --only on a mirror keeps the groups asked for
    with Store(tmp_path / "c.duckdb") as c:
        rep = F.fetch(c, source=server.url, only=["unxml"], cache_dir=tmp_path / "cache")
        assert {x["source"] for x in rep.ingest["loaded"]} == {"unxml"}
        assert {f.status for f in rep.files} == {"cached"}


def test_from_url_single_file(server: Server, tmp_path: Path) -> None:
    server.files["/x/2025_07_23_ga_voting.csv"] = (UNDL / "2025_07_23_ga_voting.csv").read_bytes()
    with Store(tmp_path / "s.duckdb") as s:
        rep = F.fetch(s, source=server.url + "/x/2025_07_23_ga_voting.csv",
                      cache_dir=tmp_path / "cache")
        assert [x["source"] for x in rep.ingest["loaded"]] == ["undl_ga"]
        assert s.counts()["recorded"] == 4


def _fp(db: Path) -> str:
    """Store fingerprint without the ingest timestamps."""
    with Store(db) as s:
        s.con.execute('UPDATE ingests SET "at" = NULL')
    return store_fingerprint(db)


def test_from_local_path_is_ingest(tmp_path: Path) -> None:
    d = M.write_all(tmp_path / "mini")
    with Store(tmp_path / "a.duckdb") as a:
        F.fetch(a, source=d)
    with Store(tmp_path / "b.duckdb") as b:
        b.ingest([d])
    assert _fp(tmp_path / "a.duckdb") == _fp(tmp_path / "b.duckdb")


@pytest.mark.slow
def test_from_real_data_dir_is_ingest(real_data: Path, tmp_path: Path, full_store) -> None:
    """`comity fetch --from ../shared/data` does what `comity ingest ../shared/data` does."""
    with Store(tmp_path / "a.duckdb") as a:
        rep = F.fetch(a, source=real_data)
        assert a.counts() == full_store.counts()
        assert a.quality_summary() == full_store.quality_summary()
    assert {x["source"] for x in rep.ingest["loaded"]} == {
        x["source"] for x in full_store.report.loaded}


def test_from_local_with_only(tmp_path: Path) -> None:
    d = M.write_all(tmp_path / "mini")
    with Store(tmp_path / "a.duckdb") as a:
        rep = F.fetch(a, source=d, only=["voeten"])
        assert {x["source"] for x in rep.ingest["loaded"]} == {"voeten2016", "unvotes"}
    with Store(tmp_path / "b.duckdb") as b, pytest.raises(FetchError, match="no file"):
        F.fetch(b, source=d, only=["sc"])
    with Store(tmp_path / "c.duckdb") as c:
        with pytest.raises(FetchError, match="no such file"):
            F.fetch(c, source=tmp_path / "missing")
        from comity.errors import ComityError

        with pytest.raises(ComityError, match="unknown group"):
            F.fetch(c, source=d, only=["ga", "bogus"])


# -- releases, cache, CLI ------------------------------------------------------------------------
def test_packaged_releases_newest(tmp_path: Path) -> None:
    rel = F.load_releases(tmp_path / "none.toml")
    files = F.newest_files(None, rel)
    groups = {f.group for f in files}
    assert groups == {"ga", "sc", "voeten", "unxml"}
    ga = [f for f in files if f.group == "ga"]
    assert [f.name for f in ga] == ["2026_02_06_ga_voting.csv"]
    assert ga[0].url == ("https://digitallibrary.un.org/record/4060887/files/"
                         "2026_02_06_ga_voting.csv")
    assert ga[0].sha256 is None and ga[0].size is None
    names = [f["name"] for r in rel["ga"]["releases"] for f in r["files"]]
    assert names == ["2024_09_12_ga_resolutions_voting.csv", "2025_03_31_ga_voting_corr1.csv",
                     "2025_7_23_ga_voting.csv", "2025_9_19_ga_voting.csv",
                     "2026_02_06_ga_voting.csv"]
    assert rel["ga"]["record_id"] == 4060887 and rel["sc"]["record_id"] == 4055387
    assert [f["name"] for r in rel["sc"]["releases"] for f in r["files"]] == [
        "2025_7_21_sc_voting.csv", "2025_11_25_sc_voting.csv", "2026_02_06_sc_voting.csv"]
    sc = [f for f in files if f.group == "sc"]
    assert "4055387" in sc[0].url
    ux = [f for f in files if f.group == "unxml"]
    assert len(ux) == 10 and all(f.sha256 and f.size for f in ux)
    assert all("42a69b67bb92d23969fc45bba151320b82eb8e52" in f.url for f in ux)
    vo = [f for f in files if f.group == "voeten"]
    assert {f.convert for f in vo} == {"rdata"}
    assert any("73ca68e96bcb8dafef6686aad11fb810bf97be15" in f.url for f in vo)
    assert any("7eb7034314ff79c49c9e0785fcd9d216fa04cf14" in f.url for f in vo)


def test_user_releases_override(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    user = tmp_path / "releases.toml"
    user.write_text('''
[[groups.ga.releases]]
version = "6"
date = "2026-09-01"
files = [ { name = "2026_09_01_ga_voting.csv", url = "http://mirror.invalid/ga6.csv", \
sha256 = "AB", size = 5 } ]

[[groups.sc.releases]]
version = "6"
date = "2026-02-06"
files = [ { name = "2026_02_06_sc_voting.csv", url = "http://mirror.invalid/sc.csv" } ]
''', encoding="utf-8")
    monkeypatch.setenv("COMITY_RELEASES", str(user))
    files = {f.group: f for f in F.newest_files(["ga", "sc"], F.load_releases())}
    assert files["ga"].url == "http://mirror.invalid/ga6.csv"
    assert files["ga"].sha256 == "ab" and files["ga"].size == 5
    assert files["sc"].url == "http://mirror.invalid/sc.csv"
    assert len(F.load_releases()["ga"]["releases"]) == 6


def test_cache_dir_precedence(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COMITY_CACHE", str(tmp_path / "env"))
    assert F.default_cache_dir() == tmp_path / "env"
    assert F.default_cache_dir(tmp_path / "opt") == tmp_path / "opt"
    monkeypatch.delenv("COMITY_CACHE")
    assert "comity" in str(F.default_cache_dir())


def test_cli_fetch_json(server: Server, tmp_path: Path) -> None:
    from comity.cli import app

    server.files["/2026_02_06_sc_voting.csv"] = (UNDL / "2026_02_06_sc_voting.csv").read_bytes()
    db = tmp_path / "s.duckdb"
    res = CliRunner().invoke(app, ["fetch", "--from", server.url + "/2026_02_06_sc_voting.csv",
                                   "--cache-dir", str(tmp_path / "cache"), "--db", str(db),
                                   "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert set(out) == {"source", "files", "ingested", "ingest", "notes"}
    assert set(out["files"][0]) == {"url", "path", "sha256", "size", "status", "verified"}
    assert out["files"][0]["verified"] == "unverified"  # no checksum known for the file
    assert any("unverified" in n for n in out["notes"])
    assert out["ingest"]["loaded"][0]["source"] == "undl_sc"
    # the plain output, with a progress bar on stderr
    res = CliRunner().invoke(app, ["fetch", "--from", server.url + "/2026_02_06_sc_voting.csv",
                                   "--cache-dir", str(tmp_path / "cache"), "--db", str(db)])
    assert res.exit_code == 0 and "cached" in res.stdout and "unverified" in res.stdout


def test_cli_fetch_error_exit_code(server: Server, tmp_path: Path) -> None:
    import sys

    from comity.cli import main

    argv = sys.argv
    sys.argv = ["comity", "fetch", "--from", server.url + "/missing.csv", "--cache-dir",
                str(tmp_path / "c"), "--db", str(tmp_path / "s.duckdb")]
    try:
        with pytest.raises(SystemExit) as info:
            main()
    finally:
        sys.argv = argv
    assert info.value.code == FetchError.exit_code


def test_convert_rdata(tmp_path: Path) -> None:
    rdata = pytest.importorskip("rdata")
    import pandas as pd

    if not hasattr(rdata, "write_rda"):
        pytest.skip("this rdata version cannot write R files")
    df = pd.DataFrame({"rcid": [3.0, 4.0],
                       "country": pd.Series(["United States", "Canada"], dtype=object),
                       "country_code": pd.Series(["US", "CA"], dtype=object),
                       "vote": pd.Categorical(["yes", "no"], categories=["yes", "abstain",
                                                                          "no"])})
    src = tmp_path / "un_votes.rda"
    rdata.write_rda(src, {"un_votes": df})
    out = F.convert_rdata(src, "un_votes", tmp_path / "unvotes_un_votes.csv")
    assert out.read_text().splitlines() == ["rcid,country,country_code,vote",
                                            "3,United States,US,yes", "4,Canada,CA,no"]
    with pytest.raises(FetchError, match="no R object"):
        F.convert_rdata(src, "x", tmp_path / "x.csv")


# -- issue 19: a listing cannot make a download land outside the cache ---------------------------
@pytest.mark.parametrize("path", [
    "/%2e%2e/%2e%2e/evil.csv", "/..%2f..%2fevil.csv", "/a/%2E%2E%2F%2E%2E%2Fevil.csv",
    "/a/..%5c..%5cevil.csv", "/%252e%252e/%252e%252e/evil.csv", "/a/%00evil.csv",
    "/C:%5cevil.csv", "/a/b/../../../evil.csv",
])
def test_mirror_path_refuses_every_escape(tmp_path: Path, path: str) -> None:
    with pytest.raises(FetchError, match="refused"):
        F._mirror_path(tmp_path / "cache", "http://127.0.0.1:1" + path)


def test_mirror_path_keeps_ordinary_names(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    got = F._mirror_path(cache, "http://127.0.0.1:8000/data/unxml/ES-11.json.gz")
    assert got == (cache / "mirror" / "127.0.0.1_8000" / "data" / "unxml" /
                   "ES-11.json.gz").resolve()
    assert F._mirror_path(cache, "http://h/a%20b.csv").name == "a b.csv"


def test_listing_with_escaping_links_writes_nothing_outside(server: Server,
                                                            tmp_path: Path) -> None:
    """A hostile listing (links that decode to '..') is refused; no file appears above the
    cache, the store stays empty."""
    evil = ('<a href="%2e%2e/%2e%2e/%2e%2e/owned.csv">x</a> '
            '<a href="..%2f..%2f..%2fowned2.csv">y</a>')
    server.files["/list/"] = evil.encode()
    server.files["/list/%2e%2e/%2e%2e/%2e%2e/owned.csv"] = b"a,b\n1,2\n"
    server.files["/list/..%2f..%2f..%2fowned2.csv"] = b"a,b\n1,2\n"
    cache = tmp_path / "deep" / "er" / "cache"
    with Store(tmp_path / "s.duckdb") as s, pytest.raises(FetchError, match="refused"):
        F.fetch(s, source=server.url + "/list/", cache_dir=cache)
    assert not list(tmp_path.rglob("owned*.csv"))


def test_offline_error_says_how_to_get_the_file_by_hand(tmp_path: Path) -> None:
    """No connection (a port nobody listens on): the error names the URL and the way round
    it, downloading by hand and ingesting the file (issue 18)."""
    import socket

    with socket.socket() as s:  # a free port, closed again: connections are refused
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"http://127.0.0.1:{port}/undl_ga.csv"
    with pytest.raises(FetchError) as ei:
        F.download(url, tmp_path / "x.csv", retries=0, timeout=2)
    msg = str(ei.value)
    assert msg.startswith(f"{url}: download cannot connect")
    assert f"Download {url} by hand" in msg
    assert "comity ingest FILE" in msg
    assert not (tmp_path / "x.csv.part").exists()
