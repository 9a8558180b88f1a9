"""Download the voting files (or take them from a local path or a URL), then ingest them.

What is fetched
---------------
By default the newest release of each group in ``comity/data/releases.toml``:

* ``ga``: the UN Digital Library's General Assembly voting CSV (record 4060887);
* ``sc``: its Security Council voting CSV (record 4055387);

  both from their real addresses (:mod:`comity.ingest.library`): the newest file in the
  Library's file list (JSON), else the known names, newest first; a refusal by the Library
  (HTTP 401/403/429, or a web page instead of the file) is an error naming the URL to open in
  a browser and saying to run ``comity ingest`` on the saved file;
* ``voeten``: Voeten's data as published in the ``unvotes`` R package 0.3.0 and the 2016
  Dataverse file (R data files, written out as CSV before ingest: needs the ``rdata`` or
  ``pyreadr`` package);
* ``unxml``: the UNxml/GAresolutions JSON extract (sessions 74–80, ES-10, ES-11, S-32).

``only`` (``{"ga", "sc"}``...) restricts the groups. A user ``releases.toml`` (in
``platformdirs.user_config_dir("comity")``, or the file named by ``$COMITY_RELEASES``) adds
releases or corrects URLs and checksums (see the packaged file's header).

``source`` (``comity fetch --from``) replaces the defaults:

* a local file or directory: ingested as it is, exactly as ``comity ingest PATH`` would
  (``only`` then keeps the files whose detected format belongs to the groups);
* an ``http(s)`` URL of a file: downloaded into the cache, then ingested;
* an ``http(s)`` URL of a directory listing (an HTML page of links, as served by most static
  servers, e.g. ``python -m http.server``): every file it links to (subdirectories included,
  up to 3 levels and 2,000 files) is mirrored into the cache, then the mirror is ingested.

Downloads
---------
Into the cache directory (``cache_dir``, else ``$COMITY_CACHE``, else
``platformdirs.user_cache_dir("comity")``): ``<cache>/<group>/<name>`` for releases,
``<cache>/mirror/<host_port>/<path>`` for URLs. A file is written to ``<name>.part`` and renamed
only when complete and checked: its size against ``Content-Length`` and the release's ``size``,
its sha256 against the release's ``sha256`` (when known). A broken transfer (connection
dropped, timeout) is retried ``retries`` times, each retry resuming with an HTTP ``Range``
request from the bytes already on disk; a server that ignores ``Range`` (answers 200) or
refuses it (416) makes the download restart cleanly from zero. When the retries are spent the
``.part`` file is kept, so that the next ``comity fetch`` resumes it. A checksum mismatch
deletes the ``.part`` (the bytes are wrong: the next run starts over). A complete cached file
that matches what is known is not downloaded again.

Every failure is a :class:`~comity.errors.FetchError` naming the URL and what went wrong
(HTTP status, timeout, bytes received vs expected, expected vs got sha256).
"""

from __future__ import annotations

import hashlib
import os
import re
import tomllib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import unquote, urljoin, urlsplit

if TYPE_CHECKING:  # imported where a download runs: reading the release table needs none
    import httpx

from comity.errors import ComityError, FetchError


class Store(Protocol):
    """What :func:`fetch` needs of the store it fills (:class:`comity.store.Store`, which
    sits above this wing and is not imported here)."""

    def ingest(self, paths: Any, *, progress: Any = None, verified: Any = None) -> Any: ...

GROUPS = ("ga", "sc", "voeten", "unxml")
#: detected formats (``comity.ingest.sources.detect.KINDS``) per group, for ``only`` on local paths
GROUP_KINDS = {
    "ga": {"undl_ga"},
    "sc": {"undl_sc", "sc_drafts", "unsc_vetoes", "sc_membership"},
    "voeten": {"voeten2016", "unvotes_votes", "unvotes_roll_calls", "unvotes_issues"},
    "unxml": {"unxml"},
}
MAX_LISTED_FILES = 2000
MAX_DEPTH = 3

#: ``progress(event, name, done_bytes, total_bytes_or_None)``; events: ``start``, ``bytes``,
#: ``done``, ``cached``, ``retry``, ``ingest``.
Progress = Callable[[str, str, int, int | None], None]


@dataclass(frozen=True)
class RemoteFile:
    """One file of a release: where it lives and what it must be."""

    group: str
    name: str
    url: str
    sha256: str | None = None
    size: int | None = None
    version: str = ""
    convert: str | None = None
    md5: str | None = None
    object: str | None = None
    csv: str | None = None
    subdir: str = ""


@dataclass(frozen=True)
class Downloaded:
    """A file in the cache: where, its sha256, and how it got there."""

    url: str
    path: Path
    sha256: str
    size: int
    status: str  # "downloaded", "resumed", "cached"
    #: what the bytes were checked against: "sha256", "md5" (a recorded checksum matched),
    #: or "unverified" (no checksum known: only the transfer's length was checked)
    verified: str = "unverified"

    def to_dict(self) -> dict:
        return {"url": self.url, "path": str(self.path), "sha256": self.sha256,
                "size": self.size, "status": self.status, "verified": self.verified}


@dataclass(frozen=True)
class FetchReport:
    """What a fetch did: the files it downloaded (or found cached) and the ingest report."""

    source: str
    files: tuple[Downloaded, ...] = ()
    ingested: tuple[str, ...] = ()
    ingest: dict = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    def to_dict(self) -> dict:
        return {"source": self.source, "files": [f.to_dict() for f in self.files],
                "ingested": list(self.ingested), "ingest": self.ingest,
                "notes": list(self.notes)}


# -- configuration -------------------------------------------------------------------------
def user_releases_path() -> Path:
    """``$COMITY_RELEASES`` or ``releases.toml`` in the user config directory."""
    env = os.environ.get("COMITY_RELEASES")
    if env:
        return Path(env)
    from platformdirs import user_config_dir

    return Path(user_config_dir("comity", appauthor=False)) / "releases.toml"


def default_cache_dir(override: str | Path | None = None) -> Path:
    """``override``, else ``$COMITY_CACHE``, else the user cache directory (platformdirs)."""
    if override is not None:
        return Path(override)
    env = os.environ.get("COMITY_CACHE")
    if env:
        return Path(env)
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("comity", appauthor=False))


def _load_toml(text: str, file: str) -> dict:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ComityError(f"{file}: not valid TOML ({exc})") from None


def load_releases(user_file: str | Path | None = None) -> dict[str, dict]:
    """Groups of releases: the packaged file merged with the user's (see module docstring)."""
    text = resources.files("comity.ingest").joinpath("data/releases.toml").read_text("utf-8")
    groups: dict[str, dict] = _load_toml(text, "comity/data/releases.toml").get("groups", {})
    path = Path(user_file) if user_file is not None else user_releases_path()
    if path.is_file():
        user = _load_toml(path.read_text("utf-8"), str(path)).get("groups", {})
        for key, g in user.items():
            base = dict(groups.get(key, {"releases": []}))
            rel = {r.get("version"): r for r in base.get("releases", [])}
            for r in g.get("releases", []):
                rel[r.get("version")] = r
            base.update({k: v for k, v in g.items() if k != "releases"})
            base["releases"] = list(rel.values())
            groups[key] = base
    for key, g in groups.items():
        for r in g.get("releases", []):
            for f in r.get("files", []):
                if not f.get("name") or not f.get("url"):
                    raise ComityError(f"releases: group {key!r} release {r.get('version')!r}: "
                                      "every file needs a name and a url")
    return groups


def load_known(user_file: str | Path | None = None) -> list[dict]:
    """The ``[[known]]`` entries (name, sha256, size) of the packaged release table and the
    user's: files whose bytes are known besides the releases (the staged copies)."""
    text = resources.files("comity.ingest").joinpath("data/releases.toml").read_text("utf-8")
    out = list(_load_toml(text, "comity/data/releases.toml").get("known", []))
    path = Path(user_file) if user_file is not None else user_releases_path()
    if path.is_file():
        out += list(_load_toml(path.read_text("utf-8"), str(path)).get("known", []))
    return [k for k in out if isinstance(k, dict) and k.get("name")]


def known_files(releases: dict[str, dict] | None = None) -> dict[str, tuple[str | None,
                                                                             int | None]]:
    """File name → (sha256, size) for every file of every release and every ``[[known]]``
    entry whose sha256 or size is recorded (a name recorded with two different checksums is
    left out: it cannot verify anything)."""
    groups = releases if releases is not None else load_releases()
    entries: list[dict] = [f for g in groups.values() for r in g.get("releases", [])
                           for f in r.get("files", [])]
    entries += load_known()
    out: dict[str, tuple[str | None, int | None]] = {}
    clash: set[str] = set()
    for f in entries:
        sha = str(f.get("sha256") or "").lower() or None
        size = int(f.get("size") or 0) or None
        if sha is None and size is None:
            continue
        name = str(f["name"])
        if name in out and out[name] != (sha, size):
            clash.add(name)
        out[name] = (sha, size)
    return {k: v for k, v in out.items() if k not in clash}


def known_checksums(releases: dict[str, dict] | None = None) -> dict[str, str]:
    """sha256 → file name of every file whose bytes the release table records."""
    try:
        files = known_files(releases)
    except ComityError:  # a broken user file: nothing is known rather than no ingest
        return {}
    return {sha: name for name, (sha, _) in files.items() if sha}


def newest_files(only: Iterable[str] | None = None,
                 releases: dict[str, dict] | None = None) -> list[RemoteFile]:
    """The files of the newest release (latest ``date``) of each group in ``only``."""
    groups = releases if releases is not None else load_releases()
    wanted = _check_only(only)
    out: list[RemoteFile] = []
    for key in GROUPS:
        if key not in wanted or key not in groups:
            continue
        rels = groups[key].get("releases", [])
        if not rels:
            continue
        rel = max(rels, key=lambda r: str(r.get("date", "")))
        for f in rel.get("files", []):
            out.append(RemoteFile(
                group=key, name=str(f["name"]), url=str(f["url"]),
                sha256=(str(f.get("sha256") or "").lower() or None),
                size=(int(f.get("size") or 0) or None), version=str(rel.get("version", "")),
                convert=f.get("convert"), object=f.get("object"), csv=f.get("csv"),
                subdir=key))
    return out


def _check_only(only: Iterable[str] | None) -> set[str]:
    if only is None:
        return set(GROUPS)
    wanted = {o.strip().lower() for o in only if o.strip()}
    bad = wanted - set(GROUPS)
    if bad:
        raise ComityError(f"--only: unknown group(s) {', '.join(sorted(bad))} "
                          f"(expected some of {', '.join(GROUPS)})")
    return wanted


# -- download ------------------------------------------------------------------------------
class _Broken(Exception):
    """A transfer that ended before all the bytes arrived (retried/resumed)."""


class HTTPStatusError(FetchError):
    """A server answered with an error status (``status``); the message names the URL."""

    def __init__(self, url: str, status: int, reason: str = "") -> None:
        self.url = url
        self.status = status
        super().__init__(f"{url}: HTTP {status} {reason}".rstrip())


def sha256_of(path: str | Path) -> str:
    """The file's sha256 (hex), read in 1 MiB blocks (hashlib releases the GIL on each)."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _content_range_start(value: str | None) -> int | None:
    m = re.match(r"bytes\s+(\d+)-", value or "")
    return int(m.group(1)) if m else None


def md5_of(path: Path) -> str:
    h = hashlib.md5(usedforsecurity=False)
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def download(
    url: str,
    dest: str | Path,
    *,
    sha256: str | None = None,
    size: int | None = None,
    md5: str | None = None,
    client: httpx.Client | None = None,
    timeout: float = 60.0,
    retries: int = 3,
    progress: Progress | None = None,
) -> Downloaded:
    """Download ``url`` to ``dest`` (via ``dest.part``), resuming and checking; see module doc."""
    import httpx

    dest = Path(dest)
    if sha256 is not None:
        sha256 = sha256.lower()
    dest.parent.mkdir(parents=True, exist_ok=True)
    name = dest.name
    if dest.is_file():
        got_size = dest.stat().st_size
        got_sha = sha256_of(dest)
        if (size is None or got_size == size) and (sha256 is None or got_sha == sha256) \
                and (md5 is None or md5_of(dest) == md5.lower()):
            if progress:
                progress("cached", name, got_size, got_size)
            return Downloaded(url, dest, got_sha, got_size, "cached",
                              _verified_by(sha256, md5))
        dest.unlink()  # a cached copy that no longer matches: fetch it again
    part = dest.with_name(dest.name + ".part")
    own = client is None
    cl = client or httpx.Client(follow_redirects=True, timeout=httpx.Timeout(timeout))
    resumed = False
    try:
        attempt = 0
        while True:
            offset = part.stat().st_size if part.exists() else 0
            try:
                total, appended = _transfer(cl, url, part, offset, size, name, progress)
                resumed = resumed or appended
                break
            except (httpx.TransportError, _Broken) as exc:
                attempt += 1
                have = part.stat().st_size if part.exists() else 0
                if attempt > retries:
                    spent = f"{retries} retr{'y' if retries == 1 else 'ies'} spent"
                    if isinstance(exc, httpx.TimeoutException):
                        what = f"timed out (no data for {timeout:g} s) after {have} bytes"
                    elif isinstance(exc, httpx.ConnectError):
                        what = f"cannot connect ({exc})"
                        keep_hint = (f". Offline? Download {url} by hand (any browser), then "
                                     f"run `comity ingest FILE` (or `comity fetch --from "
                                     f"FILE`) on the downloaded file")
                    else:
                        what = f"broken ({exc}) after {have} bytes"
                    if size:
                        what += f" of {size}"
                    keep = (f". The partial file {part} is kept: run `comity fetch` again to "
                            "resume") if have else ""
                    if not have and part.exists():
                        part.unlink()
                    if isinstance(exc, httpx.ConnectError):
                        keep += keep_hint
                    raise FetchError(f"{url}: download {what}; {spent}{keep}") from None
                if progress:
                    progress("retry", name, have, size)
    finally:
        if own:
            cl.close()
    got_size = part.stat().st_size
    if (size is not None and got_size != size) or (total is not None and got_size != total):
        part.unlink()
        raise FetchError(f"{url}: got {got_size} bytes, expected {size or total}; the partial "
                         "file was deleted (the next fetch starts over)")
    got_sha = sha256_of(part)
    if sha256 is not None and got_sha != sha256.lower():
        part.unlink()
        raise FetchError(f"{url}: sha256 mismatch: expected {sha256.lower()}, got {got_sha}; "
                         "the download was deleted (the next fetch starts over)")
    if md5 is not None and (got_md5 := md5_of(part)) != md5.lower():
        part.unlink()
        raise FetchError(f"{url}: md5 mismatch: expected {md5.lower()}, got {got_md5}; "
                         "the download was deleted (the next fetch starts over)")
    part.replace(dest)
    if progress:
        progress("done", name, got_size, got_size)
    return Downloaded(url, dest, got_sha, got_size, "resumed" if resumed else "downloaded",
                      _verified_by(sha256, md5))


def _verified_by(sha256: str | None, md5: str | None) -> str:
    return "sha256" if sha256 else "md5" if md5 else "unverified"


def _transfer(cl: httpx.Client, url: str, part: Path, offset: int, size: int | None,
              name: str, progress: Progress | None) -> tuple[int | None, bool]:
    """One GET (ranged from ``offset`` when > 0) written to ``part``.

    Returns the expected total size (None if unknown) and whether the bytes were appended to
    a partial file (a resumed transfer) rather than written from zero.
    """
    import httpx

    # identity encoding: the bytes on the wire are the file's, so Content-Length, Range offsets
    # and the sha256 all refer to the same bytes
    headers = {"Accept-Encoding": "identity"}
    if offset:
        headers["Range"] = f"bytes={offset}-"
    try:
        with cl.stream("GET", url, headers=headers) as r:
            if r.status_code == 416 and offset:
                refused = True  # file changed, or the part is bogus: restart from zero
            else:
                refused = False
                total, appended = _write_body(r, url, part, offset, size, name, progress)
    except httpx.InvalidURL as exc:
        raise FetchError(f"{url}: invalid URL ({exc})") from None
    except httpx.UnsupportedProtocol as exc:
        raise FetchError(f"{url}: unsupported URL ({exc})") from None
    if refused:
        part.unlink()
        return _transfer(cl, url, part, 0, size, name, progress)
    return total, appended


def _write_body(r: httpx.Response, url: str, part: Path, offset: int, size: int | None,
                name: str, progress: Progress | None) -> tuple[int | None, bool]:
    if r.status_code >= 400:
        raise HTTPStatusError(url, r.status_code, r.reason_phrase)
    length = r.headers.get("content-length")
    n = int(length) if length and length.isdigit() else None
    if offset and r.status_code == 206 and \
            _content_range_start(r.headers.get("content-range")) == offset:
        mode, done = "ab", offset
    else:
        mode, done = "wb", 0  # the server ignored the range: start over cleanly
    total = (done + n) if n is not None else size
    if progress:
        progress("start", name, done, total)
    with part.open(mode) as fh:
        for chunk in r.iter_raw():  # as received: nothing is lost if the connection drops
            fh.write(chunk)
            done += len(chunk)
            if progress:
                progress("bytes", name, done, total)
    if total is not None and done < total:
        raise _Broken(f"connection closed after {done} of {total} bytes")
    return total, mode == "ab"


# -- directory listings --------------------------------------------------------------------
_HREF = re.compile(r"""href\s*=\s*["']([^"'#?]+)["']""", re.IGNORECASE)


def list_directory(url: str, client: httpx.Client, *, depth: int = 0) -> list[str]:
    """URLs of the files an HTML directory listing links to (below ``url`` only)."""
    import httpx

    try:
        r = client.get(url)
    except httpx.TimeoutException:
        raise FetchError(f"{url}: timed out reading the directory listing") from None
    except httpx.TransportError as exc:
        raise FetchError(f"{url}: cannot read the directory listing ({exc})") from None
    if r.status_code >= 400:
        raise FetchError(f"{url}: HTTP {r.status_code} {r.reason_phrase}".rstrip())
    base = str(r.url)
    if not base.endswith("/"):
        base += "/"
    out: list[str] = []
    for href in dict.fromkeys(_HREF.findall(r.text)):
        full = urljoin(base, href)
        if not full.startswith(base) or full == base:
            continue  # parent directories, other sites, sorting links
        if full.endswith("/"):
            if depth + 1 < MAX_DEPTH:
                out.extend(list_directory(full, client, depth=depth + 1))
        else:
            out.append(full)
        if len(out) > MAX_LISTED_FILES:
            raise FetchError(f"{url}: the listing links to more than {MAX_LISTED_FILES} files")
    return out


def _is_url(source: str) -> bool:
    return bool(re.match(r"^https?://", source, re.IGNORECASE))


def _mirror_path(cache: Path, url: str) -> Path:
    """Where a mirrored file goes: ``cache/mirror/HOST/PATH``. The path is URL-decoded
    *first* (so ``%2e%2e`` and ``..%2f`` are seen as the ``..`` they are), split on ``/`` and
    ``\\``, and refused (:class:`FetchError`) when it climbs out (``..``), holds a NUL, or
    would land anywhere but inside the mirror folder (an absolute or drive path)."""
    sp = urlsplit(url)
    host = re.sub(r"[^A-Za-z0-9._-]", "_", sp.netloc) or "_"
    path = unquote(unquote(sp.path))  # twice: a doubly encoded %252e%252e is '..' too
    if "\x00" in path:
        raise FetchError(f"{url[:200]}: the path holds a NUL byte; refused")
    parts = [p for p in re.split(r"[/\\]+", path) if p not in ("", ".")]
    if ".." in parts or any(re.match(r"^[A-Za-z]:", p) for p in parts):
        raise FetchError(f"{url[:200]}: the path leaves the listing ('..' or a drive); refused "
                         "(nothing is written outside the cache)")
    base = (cache / "mirror" / host).resolve()
    out = base.joinpath(*parts) if parts else base / "index"
    if not out.resolve().is_relative_to(base):
        raise FetchError(f"{url[:200]}: the path resolves outside the cache; refused")
    return out


# -- R data files --------------------------------------------------------------------------
def convert_rdata(path: Path, obj: str, out: Path) -> Path:
    """Write R object ``obj`` of an ``.rda``/``.RData`` file as CSV (values unchanged).

    Uses the ``rdata`` package, else ``pyreadr``; neither is a hard dependency of comity.
    Factors become their labels, ``Date`` columns ISO dates, whole-number doubles integers.
    """
    import pandas as pd

    reader: Callable[[str], dict] | None = None
    try:
        import rdata  # type: ignore[import-not-found]

        def reader(p: str) -> dict:
            classes = {**rdata.conversion.DEFAULT_CLASS_MAP, "Date": _r_date}
            return dict(rdata.read_rda(p, constructor_dict=classes))
    except ImportError:
        try:
            import pyreadr  # type: ignore[import-not-found]

            def reader(p: str) -> dict:
                return dict(pyreadr.read_r(p))
        except ImportError:
            raise FetchError(
                f"{path}: converting R data files needs the 'rdata' (or 'pyreadr') package: "
                "pip install rdata; or fetch the CSV copies with --from") from None
    try:
        frames = reader(str(path))
    except Exception as exc:
        raise FetchError(f"{path}: not a readable R data file ({exc})") from None
    if obj not in frames:
        raise FetchError(f"{path}: no R object {obj!r} (has {', '.join(map(str, frames))})")
    df = pd.DataFrame(frames[obj])
    for c in df.columns:
        col = df[c]
        if isinstance(col.dtype, pd.CategoricalDtype):
            df[c] = col.astype(object)
        elif pd.api.types.is_float_dtype(col) and col.notna().any() and \
                bool(((col.dropna() % 1) == 0).all()):
            df[c] = col.astype("Int64")
        elif pd.api.types.is_datetime64_any_dtype(col):
            df[c] = col.dt.strftime("%Y-%m-%d")
    out.parent.mkdir(parents=True, exist_ok=True)
    df.to_csv(out, index=False)
    return out


def _r_date(obj: object, attrs: object) -> object:
    """R ``Date`` (days since 1970-01-01, NA = NaN) → datetime64 values."""
    import numpy as np
    import pandas as pd

    days = np.asarray(obj, dtype="float64")
    return pd.to_datetime(days, unit="D", origin="unix").to_numpy()


# -- fetch + ingest -------------------------------------------------------------------------
def fetch(
    store: Store,
    *,
    source: str | Path | None = None,
    only: Iterable[str] | None = None,
    cache_dir: str | Path | None = None,
    releases: dict[str, dict] | None = None,
    timeout: float = 60.0,
    retries: int = 3,
    progress: Progress | None = None,
    ingest_progress: Callable[[str, int, int], None] | None = None,
) -> FetchReport:
    """Download (or take) the voting files and ingest them into ``store`` (a Store)."""
    import httpx

    wanted = _check_only(only)
    from comity.ingest.sources._io import label as _label

    if source is not None and not _is_url(str(source)):
        path = Path(source)
        if not path.exists():
            raise FetchError(f"--from {source}: no such file or directory, and not an "
                             "http(s) URL")
        paths = [path] if only is None else _filter_local(path, wanted)
        rep = store.ingest(paths, progress=ingest_progress)
        return FetchReport(source=str(source), ingested=tuple(map(str, paths)),
                           ingest=rep.to_dict())
    cache = default_cache_dir(cache_dir)
    files: list[Downloaded] = []
    to_ingest: list[Path] = []
    notes: list[str] = []
    checked: dict[str, str] = {}  # file to ingest → how its download was verified
    with httpx.Client(follow_redirects=True, timeout=httpx.Timeout(timeout)) as cl:
        if source is None:
            label = "releases"
            groups = releases if releases is not None else load_releases()
            library = [k for k in GROUPS if k in wanted and groups.get(k, {}).get("record_id")]
            if library:
                from comity.ingest.library import fetch_library_file

                for key in library:
                    d, how = fetch_library_file(key, groups[key], cache / key, cl,
                                                timeout=timeout, retries=retries,
                                                progress=progress)
                    files.append(d)
                    to_ingest.append(d.path)
                    checked[_label(d.path)] = d.verified
                    notes.extend(how)
            for rf in newest_files(wanted - set(library), groups):
                d = download(rf.url, cache / rf.subdir / rf.name, sha256=rf.sha256,
                             size=rf.size, client=cl, timeout=timeout, retries=retries,
                             progress=progress)
                files.append(d)
                if rf.convert == "rdata":
                    out = d.path.with_name(rf.csv or d.path.stem + ".csv")
                    if d.status != "cached" or not out.is_file():
                        convert_rdata(d.path, rf.object or d.path.stem, out)
                    to_ingest.append(out)
                    checked[_label(out)] = d.verified  # written from the checked file
                elif rf.convert:
                    raise FetchError(f"{rf.url}: unknown conversion {rf.convert!r}")
                else:
                    to_ingest.append(d.path)
                    checked[_label(d.path)] = d.verified
        else:
            label = str(source)
            urls = _urls_of(str(source), cl)
            # a mirrored file whose name the release table knows is checked against it
            known = known_files(releases)
            for u in urls:
                dest = _mirror_path(cache, u)
                sha, size = known.get(dest.name, (None, None))
                d = download(u, dest, sha256=sha, size=size, client=cl, timeout=timeout,
                             retries=retries, progress=progress)
                files.append(d)
                to_ingest.append(d.path)
                checked[_label(d.path)] = d.verified
            # a mirror may hold other files (READMEs...): keep the recognised ones
            to_ingest = [p for p in to_ingest
                         if (_kind_group(p) in wanted if only is not None else _known(p))]
    if not to_ingest:
        raise FetchError(f"{label}: nothing to ingest" + (f" for --only {','.join(sorted(wanted))}"
                                                           if only is not None else ""))
    for d in files:
        if d.verified == "unverified":
            notes.append(f"{d.path.name}: unverified (no checksum is known for it; only its "
                         "length was checked)")
    rep = store.ingest(to_ingest, progress=ingest_progress, verified=checked)
    return FetchReport(source=label, files=tuple(files),
                       ingested=tuple(map(str, to_ingest)), ingest=rep.to_dict(),
                       notes=tuple(notes))


def _urls_of(url: str, cl: httpx.Client) -> list[str]:
    """A directory listing's file URLs, or ``[url]`` for a file."""
    import httpx

    if url.endswith("/"):
        return list_directory(url, cl)
    try:
        with cl.stream("GET", url) as r:
            ctype = r.headers.get("content-type", "")
            final = str(r.url)
            status, reason = r.status_code, r.reason_phrase
    except httpx.TimeoutException:
        raise FetchError(f"{url}: timed out") from None
    except httpx.TransportError as exc:
        raise FetchError(f"{url}: {exc}") from None
    if status >= 400:
        raise FetchError(f"{url}: HTTP {status} {reason}".rstrip())
    if ctype.startswith("text/html"):
        return list_directory(final if final.endswith("/") else final + "/", cl)
    return [url]


def _known(path: Path) -> bool:
    from comity.ingest.sources.detect import detect_format

    return detect_format(path) is not None


def _kind_group(path: Path) -> str | None:
    from comity.ingest.sources.detect import detect_format

    kind = detect_format(path)
    for g, kinds in GROUP_KINDS.items():
        if kind in kinds:
            return g
    return None


def _filter_local(path: Path, wanted: set[str]) -> list[Path]:
    files = sorted(q for q in path.rglob("*") if q.is_file()) if path.is_dir() else [path]
    keep = [f for f in files if _kind_group(f) in wanted]
    if not keep:
        raise FetchError(f"--from {path}: no file of the group(s) "
                         f"{', '.join(sorted(wanted))}")
    return keep


__all__ = [
    "GROUPS",
    "Downloaded",
    "FetchReport",
    "RemoteFile",
    "convert_rdata",
    "default_cache_dir",
    "download",
    "fetch",
    "known_checksums",
    "known_files",
    "list_directory",
    "load_known",
    "load_releases",
    "newest_files",
    "user_releases_path",
]
