"""The official files of the UN Digital Library: their addresses, the newest version, refusals.

The UN Dag Hammarskjöld Library publishes its voting data as files of two records:

* General Assembly voting data: record **4060887**, files ``2024_09_12_ga_resolutions_voting.csv``
  (v1), ``2025_03_31_ga_voting_corr1.csv`` (v2), ``2025_7_23_ga_voting.csv`` (v3),
  ``2025_9_19_ga_voting.csv`` (v4), ``2026_02_06_ga_voting.csv`` (v5);
* Security Council voting data: record **4055387**, files ``2025_7_21_sc_voting.csv``,
  ``2025_11_25_sc_voting.csv``, ``2026_02_06_sc_voting.csv``;

each at ``https://digitallibrary.un.org/record/<record>/files/<name>``. The Library lists a
record's files as JSON at ``https://digitallibrary.un.org/api/v1/file?recid=<record>`` (a list
of objects with ``name`` and ``format`` or a full name, ``url``, ``size``, and where given a
``checksum``). :func:`fetch_library_file` reads that list, keeps the voting CSVs of the group
(``pattern`` of the group in ``releases.toml``: the date at the start of the name, ``_corrN``
corrections preferred), and downloads the newest; when the list cannot be read it falls back
to the known names of ``releases.toml``, newest first (an older known file is taken only when
a newer one is gone, 404, and the report's notes say so). The size and checksum the list gives
are checked (sha256, or md5 for a 32-digit checksum).

The Library may refuse automated downloads (HTTP 401/403/429, or a web page instead of the
file, e.g. after a redirect to a challenge page). The error then says exactly which URL to open
in a browser, and to run ``comity ingest`` on the saved file.

``library`` (default :data:`LIBRARY`; ``$COMITY_UNDL_URL`` overrides it) lets a mirror, or a
test server, stand in for the Library with the same paths.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urljoin, urlsplit

import httpx

from comity.errors import FetchError
from comity.ingest.download import Downloaded, HTTPStatusError, RemoteFile, download

LIBRARY = "https://digitallibrary.un.org"
REFUSED = (401, 403, 429, 451)
USER_AGENT = "comity (UN voting data research tool; python-httpx)"


def library_url(cfg: dict) -> str:
    """The Library's base URL for a group: ``$COMITY_UNDL_URL``, the group's ``library``, or
    :data:`LIBRARY`."""
    return (os.environ.get("COMITY_UNDL_URL") or cfg.get("library") or LIBRARY).rstrip("/")


def file_url(library: str, record: str | int, name: str) -> str:
    return f"{library}/record/{record}/files/{quote(name)}"


def file_list_url(library: str, record: str | int) -> str:
    return f"{library}/api/v1/file?recid={record}"


def record_url(library: str, record: str | int) -> str:
    return f"{library}/record/{record}"


def _name_key(name: str, pattern: re.Pattern) -> tuple[date, int] | None:
    """(date at the start of the name, correction number) for a file of the group."""
    m = pattern.match(name)
    if m is None:
        return None
    y, mo, d = (int(m.group(i)) for i in (1, 2, 3))
    corr = m.groupdict().get("corr")
    try:
        return date(y, mo, d), int(corr) if corr else 0
    except ValueError:
        return None


def _checksum(value: Any) -> tuple[str | None, str | None]:
    """(sha256, md5) from a checksum field (``sha256:…``, ``md5:…`` or bare hex)."""
    if not isinstance(value, str):
        return None, None
    v = value.strip().lower()
    algo, _, hexd = v.rpartition(":")
    if not re.fullmatch(r"[0-9a-f]+", hexd):
        return None, None
    if len(hexd) == 64 and algo in ("", "sha256", "sha-256"):
        return hexd, None
    if len(hexd) == 32 and algo in ("", "md5"):
        return None, hexd
    return None, None


def parse_file_list(data: Any, *, group: str, library: str, record: str | int,
                    pattern: str) -> list[RemoteFile]:
    """The group's voting files in a Library file list (JSON), newest first."""
    entries = data
    if isinstance(data, dict):
        entries = next((data[k] for k in ("files", "data", "results") if isinstance(
            data.get(k), list)), [])
    if not isinstance(entries, list):
        return []
    rx = re.compile(pattern, re.IGNORECASE)
    found: list[tuple[tuple[date, int], RemoteFile]] = []
    for e in entries:
        if not isinstance(e, dict):
            continue
        name = str(e.get("full_name") or e.get("name") or "")
        fmt = str(e.get("format") or e.get("extension") or "")
        if name and fmt and not name.lower().endswith(fmt.lower().lstrip(".")):
            name = f"{name}.{fmt.lstrip('.')}"
        url = e.get("url") or e.get("href")
        if not name and isinstance(url, str):
            name = unquote(urlsplit(url).path.rsplit("/", 1)[-1])
        key = _name_key(name, rx)
        if key is None:
            continue
        url = urljoin(library + "/", url) if isinstance(url, str) and url else \
            file_url(library, record, name)
        size = e.get("size")
        sha, md5 = _checksum(e.get("checksum") or e.get("sha256") or e.get("md5"))
        found.append((key, RemoteFile(
            group=group, name=name, url=url, sha256=sha, md5=md5,
            size=int(size) if isinstance(size, int | float | str) and str(size).isdigit()
            and int(size) > 0 else None, version=key[0].isoformat(), subdir=group)))
    found.sort(key=lambda t: t[0], reverse=True)
    return [rf for _, rf in found]


def known_files(group: str, cfg: dict, library: str, record: str | int) -> list[RemoteFile]:
    """The group's files named in ``releases.toml``, newest release first (at the Library's
    address for the record when ``library`` is not the Library's own)."""
    out = []
    for rel in sorted(cfg.get("releases", []), key=lambda r: str(r.get("date", "")),
                      reverse=True):
        for f in rel.get("files", []):
            name = str(f["name"])
            # the release's own URL, unless the Library's address was changed (a mirror)
            url = str(f.get("url") or "") if library == LIBRARY else ""
            out.append(RemoteFile(
                group=group, name=name, url=url or file_url(library, record, name),
                sha256=(str(f.get("sha256") or "").lower() or None),
                size=(int(f.get("size") or 0) or None), version=str(rel.get("version", "")),
                subdir=group))
    return out


def refusal(url: str, record_page: str, why: str) -> FetchError:
    return FetchError(
        f"{url}: the UN Digital Library refused the automated download ({why}). Open {url} "
        f"in a browser (the record page is {record_page}), save the file, then run "
        "`comity ingest <saved file>`")


def _looks_like_html(path: Path) -> bool:
    with path.open("rb") as fh:
        head = fh.read(1024).lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html", b"<head", b"<?xml"))


def fetch_library_file(
    group: str, cfg: dict, dest_dir: Path, client: httpx.Client, *, timeout: float,
    retries: int, progress: Callable | None = None,
) -> tuple[Downloaded, list[str]]:
    """Download the newest voting file of ``group`` (see the module docstring); returns the
    download and notes on how the file was chosen."""
    library = library_url(cfg)
    record = cfg["record_id"]
    page = record_url(library, record)
    pattern = cfg.get("pattern") or rf"^(\d{{4}})_(\d{{1,2}})_(\d{{1,2}})_{group}_.*\.csv$"
    notes: list[str] = []
    listing = file_list_url(library, record)
    candidates: list[RemoteFile] = []
    try:
        r = client.get(listing, headers={"Accept": "application/json",
                                         "User-Agent": USER_AGENT})
        if r.status_code >= 400:
            notes.append(f"{group}: the Library's file list {listing} answered HTTP "
                         f"{r.status_code}; using the known file names")
        else:
            try:
                candidates = parse_file_list(r.json(), group=group, library=library,
                                             record=record, pattern=pattern)
            except ValueError:
                notes.append(f"{group}: the Library's file list {listing} is not JSON; using "
                             "the known file names")
            else:
                if candidates:
                    notes.append(f"{group}: newest file in the Library's file list: "
                                 f"{candidates[0].name} ({candidates[0].url})")
                else:
                    notes.append(f"{group}: the Library's file list {listing} names no voting "
                                 "file; using the known file names")
    except httpx.HTTPError as exc:
        notes.append(f"{group}: the Library's file list {listing} could not be read "
                     f"({type(exc).__name__}); using the known file names")
    from_list = bool(candidates)
    if not candidates:
        candidates = known_files(group, cfg, library, record)
        if not candidates:
            raise FetchError(f"{page}: no file list and no known file name for group {group!r}")
    tried = []
    for i, rf in enumerate(candidates):
        try:
            d = download(rf.url, dest_dir / rf.name, sha256=rf.sha256, md5=rf.md5,
                         size=rf.size, client=client, timeout=timeout, retries=retries,
                         progress=progress)
        except HTTPStatusError as exc:
            if exc.status in REFUSED:
                raise refusal(rf.url, page, f"HTTP {exc.status}") from None
            if exc.status == 404:
                tried.append(rf.url)
                if i + 1 < len(candidates):
                    notes.append(f"{group}: {rf.url} is gone (HTTP 404); trying the previous "
                                 f"{'listed' if from_list else 'known'} version "
                                 f"{candidates[i + 1].name}")
                continue
            raise
        if _looks_like_html(d.path):
            d.path.unlink()
            raise refusal(rf.url, page, "a web page came back instead of the CSV file")
        if not from_list:
            notes.append(f"{group}: took the known file {rf.name} ({rf.url})")
        return d, notes
    raise FetchError(f"{page}: none of the {'listed' if from_list else 'known'} files could be "
                     f"downloaded ({', '.join(tried)} gave HTTP 404); open {page} in a "
                     "browser, save the newest voting CSV, then run `comity ingest <saved "
                     "file>`")
