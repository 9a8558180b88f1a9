"""Blocs of states with dated membership: EU, NATO, G7, BRICS, the UN regional groups, ...

A :class:`Bloc` is a named set of :class:`Membership` periods. A state is a member on a day
``d`` when ``start <= d < end`` for one of its periods. Periods are **half-open**, as in
:mod:`comity.world.states`: ``end`` is the day membership ended, the first day *not* a member (the
United Kingdom's EU period ends on 2020-02-01, its withdrawal having taken effect at the end of
31 January 2020; the China seat passes from TWN to CHN on 1971-10-25, both as ``end`` of one and
``start`` of the other). ``None`` means open (since always / still a member). A state may have
several periods (Morocco in the AU).

The built-in blocs live in ``comity/data/blocs.toml`` (see :func:`builtin_blocs`); users add
their own with :func:`load_bloc_file` (TOML, YAML or CSV) and pass them as ``extra`` to
:func:`get_bloc`, :func:`blocs_table` and :func:`memberships_frame`.

File layout (TOML and YAML share it)::

    [nordic]                           # bloc key (lower case id)
    name = "Nordic countries"          # optional display name (default: the key)
    aliases = ["Norden"]               # optional
    description = "..."                # optional
    source = "norden.org"              # optional default source for the entries
    memberships = [
      { state = "DNK", from = "1952-03-16", to = "", source = "...", note = "..." },
      "NOR",                           # a bare code or name: member without dates
    ]

A list form ``blocs = [{key = "nordic", ...}]`` is accepted too. CSV files have the columns
``bloc,state,from,to,source,note`` (``from``, ``to``, ``source`` and ``note`` optional). States
may be given as codes or names; names are mapped with :func:`comity.world.states.lookup` when that
module is available.

This module only describes who belongs to what and when; it computes no alignment statistics.
"""

from __future__ import annotations

import csv
import difflib
import functools
import importlib.resources
import io
import itertools
import re
import tomllib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from comity.errors import ComityError, DataFormatError, UnknownBlocError

__all__ = [
    "HISTORICAL_CODES",
    "ISO3_CODES",
    "KNOWN_CODES",
    "Bloc",
    "Membership",
    "blocs_table",
    "builtin_blocs",
    "get_bloc",
    "is_bloc",
    "load_bloc_file",
    "memberships_frame",
]

_ISO3_TEXT = """
    ABW AFG AGO AIA ALA ALB AND ARE ARG ARM ASM ATA ATF ATG AUS AUT AZE BDI BEL BEN BES BFA BGD
    BGR BHR BHS BIH BLM BLR BLZ BMU BOL BRA BRB BRN BTN BVT BWA CAF CAN CCK CHE CHL CHN CIV CMR
    COD COG COK COL COM CPV CRI CUB CUW CXR CYM CYP CZE DEU DJI DMA DNK DOM DZA ECU EGY ERI ESH
    ESP EST ETH FIN FJI FLK FRA FRO FSM GAB GBR GEO GGY GHA GIB GIN GLP GMB GNB GNQ GRC GRD GRL
    GTM GUF GUM GUY HKG HMD HND HRV HTI HUN IDN IMN IND IOT IRL IRN IRQ ISL ISR ITA JAM JEY JOR
    JPN KAZ KEN KGZ KHM KIR KNA KOR KWT LAO LBN LBR LBY LCA LIE LKA LSO LTU LUX LVA MAC MAF MAR
    MCO MDA MDG MDV MEX MHL MKD MLI MLT MMR MNE MNG MNP MOZ MRT MSR MTQ MUS MWI MYS MYT NAM NCL
    NER NFK NGA NIC NIU NLD NOR NPL NRU NZL OMN PAK PAN PCN PER PHL PLW PNG POL PRI PRK PRT PRY
    PSE PYF QAT REU ROU RUS RWA SAU SDN SEN SGP SGS SHN SJM SLB SLE SLV SMR SOM SPM SRB SSD STP
    SUR SVK SVN SWE SWZ SXM SYC SYR TCA TCD TGO THA TJK TKL TKM TLS TON TTO TUN TUR TUV TWN TZA
    UGA UKR UMI URY USA UZB VAT VCT VEN VGB VIR VNM VUT WLF WSM YEM ZAF ZMB ZWE
"""

#: ISO 3166-1 alpha-3 codes (all 249 officially assigned codes).
ISO3_CODES: frozenset[str] = frozenset(_ISO3_TEXT.split())

#: Codes of states that no longer exist, used for their UN seats and bloc memberships.
HISTORICAL_CODES: frozenset[str] = frozenset(
    {
        "SUN",  # Union of Soviet Socialist Republics
        "YUG",  # Socialist Federal Republic of Yugoslavia
        "SCG",  # Federal Republic of Yugoslavia / Serbia and Montenegro (2000-2006)
        "CSK",  # Czechoslovakia
        "DDR",  # German Democratic Republic
        "YAR",  # Yemen Arab Republic (North Yemen)
        "YMD",  # People's Democratic Republic of Yemen (South Yemen)
        "ZAN",  # Zanzibar (1963-1964)
        "TWN",  # Republic of China (also ISO 3166-1)
    }
)

#: Every code accepted in the built-in bloc file.
KNOWN_CODES: frozenset[str] = ISO3_CODES | HISTORICAL_CODES

_MIN_DAY = np.datetime64("0001-01-01", "D")
_MAX_DAY = np.datetime64("9999-12-31", "D")
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_CODE_RE = re.compile(r"^[A-Za-z]{3}$")
_ENTRY_FIELDS = ("state", "from", "to", "source", "note")
_ENTRY_SYNONYMS = {"start": "from", "end": "to"}
_BLOC_FIELDS = ("key", "name", "aliases", "description", "source", "memberships", "members")
_CSV_COLUMNS = ("bloc", *_ENTRY_FIELDS)
_EXTENSIONS = {".toml": "toml", ".yaml": "yaml", ".yml": "yaml", ".csv": "csv"}


# --------------------------------------------------------------------------- dataclasses
@dataclass(frozen=True)
class Membership:
    """One period during which ``state`` belonged to a bloc: ``start <= day < end``.

    ``start`` is the first day as a member, ``end`` the first day no longer a member (the day
    membership ended); ``None`` means open-ended. ``source`` names the treaty or official page,
    ``note`` any caveat (approximate dates, suspensions that are not modelled, ...).
    """

    state: str
    start: date | None = None
    end: date | None = None
    source: str = ""
    note: str = ""

    def __post_init__(self) -> None:
        if self.start is not None and self.end is not None and self.start >= self.end:
            raise ValueError(
                f"membership of {self.state}: end {self.end} is not after start {self.start}"
            )

    def active_on(self, when: date) -> bool:
        """True if the state was a member on day ``when``."""
        return (self.start is None or self.start <= when) and (self.end is None or when < self.end)


@dataclass(frozen=True)
class Bloc:
    """A bloc of states with dated membership.

    Attributes
    ----------
    key:
        lower-case identifier (``"eu"``, ``"un_weog"``).
    name:
        display name (``"European Union"``).
    aliases:
        other names it is known by (``"EEC"``, ``"EC"``); :func:`get_bloc` matches key, name
        and aliases case-insensitively.
    description:
        what the bloc is, which predecessors it includes and its known limitations.
    memberships:
        the membership periods, in file order.
    source_file:
        the user file it was loaded from, ``None`` for a built-in bloc.
    """

    key: str
    name: str
    aliases: tuple[str, ...] = ()
    description: str = ""
    memberships: tuple[Membership, ...] = ()
    source_file: str | None = None

    def members_at(self, when: date | datetime | str | pd.Timestamp | np.datetime64) -> list[str]:
        """Sorted codes of the states that were members on day ``when``."""
        day = _as_date(when)
        return sorted({m.state for m in self.memberships if m.active_on(day)})

    def is_member(self, state: str, when: date | datetime | str | pd.Timestamp) -> bool:
        """True if ``state`` (a canonical code) was a member on day ``when``."""
        day = _as_date(when)
        return any(m.state == state and m.active_on(day) for m in self.memberships)

    def membership_matrix(self, states: Sequence[str], dates: Sequence[Any]) -> np.ndarray:
        """Boolean array ``(len(states), len(dates))``: was ``states[i]`` a member on ``dates[j]``?

        ``dates`` may hold ``date``/``datetime`` objects, ISO strings, pandas Timestamps or be a
        ``datetime64`` array or ``DatetimeIndex``; times of day are ignored and missing dates
        (NaT) give False. States that never belonged to the bloc give rows of False. Computed by
        broadcasting over all dates at once.
        """
        days = _as_day_array(dates)
        codes = np.asarray([str(s) for s in states], dtype=str).reshape(-1)
        out_shape = (codes.size, days.size)
        if not self.memberships or codes.size == 0 or days.size == 0:
            return np.zeros(out_shape, dtype=bool)
        m_state = np.asarray([m.state for m in self.memberships], dtype=str)
        keep = np.isin(m_state, codes)
        if not keep.any():
            return np.zeros(out_shape, dtype=bool)
        ms = [m for m, k in zip(self.memberships, keep, strict=True) if k]
        m_state = m_state[keep]
        start = np.asarray(
            [_MIN_DAY if m.start is None else np.datetime64(m.start, "D") for m in ms],
            dtype="datetime64[D]",
        )
        end = np.asarray(
            [_MAX_DAY if m.end is None else np.datetime64(m.end, "D") for m in ms],
            dtype="datetime64[D]",
        )
        # (n_memberships, n_dates): is each period active on each date (NaT compares False)
        active = (start[:, None] <= days[None, :]) & (days[None, :] < end[:, None])
        # (n_states, n_memberships): which periods belong to which requested state
        owner = codes[:, None] == m_state[None, :]
        return owner @ active  # boolean matrix product = any period active

    def ever_members(self) -> list[str]:
        """Sorted codes of every state that was a member at some time."""
        return sorted({m.state for m in self.memberships})

    def first_date(self) -> date | None:
        """Earliest start of any membership (``None`` if no period has a start)."""
        starts = [m.start for m in self.memberships if m.start is not None]
        return min(starts) if starts else None

    def to_frame(self) -> pd.DataFrame:
        """One row per membership: ``bloc, state, start, end, source, note``."""
        return _memberships_to_frame([self])


# --------------------------------------------------------------------------- dates
def _as_date(value: Any) -> date:
    """A calendar day from a date, datetime, ISO string, Timestamp or datetime64."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        ts = pd.Timestamp(value)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"not a date: {value!r} (expected YYYY-MM-DD)") from exc
    if pd.isna(ts):
        raise ValueError(f"not a date: {value!r} (expected YYYY-MM-DD)")
    return ts.date()


def _as_day_array(dates: Any) -> np.ndarray:
    """A 1-D ``datetime64[D]`` array from a sequence of dates (vectorised conversion)."""
    if isinstance(dates, (str, date, pd.Timestamp, np.datetime64)):
        raise TypeError("dates must be a sequence of dates, not a single date")
    arr = np.asarray(dates)
    if arr.dtype.kind == "M":
        return arr.astype("datetime64[D]").reshape(-1)
    if arr.size == 0:
        return np.empty(0, dtype="datetime64[D]")
    try:
        idx = pd.DatetimeIndex(pd.to_datetime(list(arr.reshape(-1))))
    except (TypeError, ValueError) as exc:
        raise ValueError(f"dates could not be read as dates: {exc}") from exc
    if idx.tz is not None:
        idx = idx.tz_localize(None)
    return idx.to_numpy().astype("datetime64[D]")


# --------------------------------------------------------------------------- parsing
@dataclass
class _Entry:
    """A membership entry as read from a file, before validation."""

    values: dict[str, Any]
    row: int | None  # CSV data row (1-based), None for TOML/YAML
    label: str  # where it is, for messages: "row 3" / "bloc 'x', membership 2"


@dataclass
class _BlocSpec:
    """A bloc as read from a file, before validation."""

    raw_key: Any
    name: Any
    aliases: Any
    description: Any
    source: Any
    entries: list[_Entry]
    label: str
    row: int | None = None


def _fail(
    message: str,
    file: str,
    *,
    row: int | None = None,
    field: str | None = None,
    expected: str | None = None,
) -> DataFormatError:
    return DataFormatError(message, file=file, row=row, field=field, expected=expected)


def _slug(value: str) -> str:
    """Bloc key from a name: lower case, runs of other characters -> ``_``."""
    return re.sub(r"[^0-9a-z]+", "_", value.casefold()).strip("_")


def _norm(value: str) -> str:
    """Loose form of a bloc name for matching: case-folded, letters and digits only."""
    return re.sub(r"[\W_]+", "", value.casefold())


def _parse_day(value: Any, file: str, entry: _Entry, field: str) -> date | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        if _DATE_RE.match(text):
            try:
                return date.fromisoformat(text)
            except ValueError:
                raise _fail(
                    f"{entry.label}: {text!r} is not a calendar date",
                    file,
                    row=entry.row,
                    field=field,
                    expected="a real date YYYY-MM-DD",
                ) from None
    raise _fail(
        f"{entry.label}: cannot read {value!r} as a date",
        file,
        row=entry.row,
        field=field,
        expected="YYYY-MM-DD or empty",
    )


def _text(value: Any, file: str, what: str, *, row: int | None = None, field: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise _fail(f"{what}: expected text, got {value!r}", file, row=row, field=field)
    return value.strip()


Resolver = Callable[[str], str | None]


def _builtin_resolver(value: str) -> str | None:
    code = value.strip()
    return code if code in KNOWN_CODES else None


def _user_resolver() -> tuple[Resolver, str]:
    """Map a state code or name to a canonical code; also says what was expected.

    Uses :func:`comity.world.states.lookup` when that module can be imported; otherwise accepts any
    three-letter code (upper-cased).
    """
    try:
        from comity.world.states import lookup  # lazy: states.py is optional at import time
    except ImportError:
        lookup = None

    def resolve(value: str) -> str | None:
        text = value.strip()
        if text.upper() in KNOWN_CODES:
            return text.upper()
        if lookup is None:
            return text.upper() if _CODE_RE.match(text) else None
        try:
            found = lookup(text)
        except (ComityError, LookupError, ValueError, TypeError):
            return None
        code = getattr(found, "code", found)
        return code if isinstance(code, str) and code else None

    if lookup is None:
        return resolve, "a three-letter state code (no state table to map names)"
    return resolve, "a state code or a name known to comity.world.states"


def _entry_from_item(item: Any, file: str, label: str) -> _Entry:
    if isinstance(item, str):
        return _Entry({"state": item}, None, label)
    if not isinstance(item, Mapping):
        raise _fail(
            f"{label}: expected a table/mapping or a state code, got {item!r}",
            file,
            field="memberships",
        )
    values: dict[str, Any] = {}
    for raw_field, val in item.items():
        name = _ENTRY_SYNONYMS.get(str(raw_field), str(raw_field))
        if name not in _ENTRY_FIELDS:
            raise _fail(
                f"{label}: unknown field {raw_field!r}",
                file,
                field=str(raw_field),
                expected="fields " + ", ".join(_ENTRY_FIELDS),
            )
        values[name] = val
    return _Entry(values, None, label)


def _specs_from_mapping(data: Any, file: str) -> list[_BlocSpec]:
    """Bloc specs from parsed TOML/YAML (mapping form or ``blocs = [...]`` list form)."""
    if data is None or (isinstance(data, (Mapping, list)) and not data):
        raise _fail("the file defines no blocs", file, expected="at least one bloc")
    if isinstance(data, Mapping) and set(data) == {"blocs"} and isinstance(data["blocs"], list):
        items: list[tuple[Any, Any, str]] = []
        for i, spec in enumerate(data["blocs"], start=1):
            if not isinstance(spec, Mapping):
                raise _fail(f"bloc {i}: expected a table/mapping, got {spec!r}", file)
            raw_key = spec.get("key", spec.get("name"))
            items.append((raw_key, spec, f"bloc {i}"))
        if not items:
            raise _fail("the file defines no blocs", file, expected="at least one bloc")
    elif isinstance(data, Mapping):
        items = [
            (str(k) if isinstance(k, (int, float)) else k, v, f"bloc {k!r}")
            for k, v in data.items()
        ]
    else:
        raise _fail(
            f"expected a mapping of bloc keys to definitions, got {type(data).__name__}",
            file,
        )
    specs = []
    for raw_key, spec, label in items:
        if not isinstance(spec, Mapping):
            raise _fail(f"{label}: expected a table/mapping, got {spec!r}", file)
        for fld in spec:
            if fld not in _BLOC_FIELDS:
                raise _fail(
                    f"{label}: unknown field {fld!r}",
                    file,
                    field=str(fld),
                    expected="fields " + ", ".join(_BLOC_FIELDS[:-1]),
                )
        raw_items = spec.get("memberships", spec.get("members"))
        if raw_items is None:
            raw_items = []
        if not isinstance(raw_items, list):
            raise _fail(
                f"{label}: memberships must be a list, got {raw_items!r}",
                file,
                field="memberships",
            )
        shown = label if raw_key is None else f"bloc {str(raw_key)!r}"
        entries = [
            _entry_from_item(item, file, f"{shown}, membership {j}")
            for j, item in enumerate(raw_items, start=1)
        ]
        specs.append(
            _BlocSpec(
                raw_key=raw_key,
                name=spec.get("name"),
                aliases=spec.get("aliases"),
                description=spec.get("description"),
                source=spec.get("source"),
                entries=entries,
                label=shown,
            )
        )
    return specs


def _specs_from_csv(text: str, file: str) -> list[_BlocSpec]:
    reader = csv.DictReader(io.StringIO(text, newline=""), strict=True)
    try:
        header = reader.fieldnames
        if not header:
            raise _fail("the file is empty", file, expected="a header bloc,state,from,to,...")
        columns = [(c or "").strip().lower() for c in header]
        for col in ("bloc", "state"):
            if col not in columns:
                raise _fail(
                    f"missing column {col!r}",
                    file,
                    field=col,
                    expected="columns " + ",".join(_CSV_COLUMNS),
                )
        for col in columns:
            if _ENTRY_SYNONYMS.get(col, col) not in _CSV_COLUMNS:
                raise _fail(
                    f"unknown column {col!r}",
                    file,
                    field=col,
                    expected="columns " + ",".join(_CSV_COLUMNS),
                )
        reader.fieldnames = columns
        specs: dict[str, _BlocSpec] = {}
        for record in reader:
            row = reader.line_num - 1
            if None in record:
                raise _fail("more fields than columns in the header", file, row=row)
            values = {
                _ENTRY_SYNONYMS.get(k, k): (v.strip() if isinstance(v, str) else v)
                for k, v in record.items()
            }
            if not any(values.values()):
                continue  # blank line
            bloc_name = values.pop("bloc", None) or ""
            if not _slug(bloc_name):
                raise _fail(
                    "missing bloc name", file, row=row, field="bloc", expected="a bloc name"
                )
            key = _slug(bloc_name)
            if key not in specs:
                specs[key] = _BlocSpec(
                    raw_key=bloc_name,
                    name=bloc_name,
                    aliases=None,
                    description=None,
                    source=None,
                    entries=[],
                    label=f"bloc {bloc_name!r}",
                    row=row,
                )
            specs[key].entries.append(_Entry(values, row, f"bloc {bloc_name!r}"))
    except csv.Error as exc:
        row = reader.line_num or None  # the record being read when parsing failed
        raise _fail(f"cannot parse CSV: {exc}", file, row=row) from None
    if not specs:
        raise _fail("the file has a header but no rows", file, expected="at least one bloc")
    return list(specs.values())


def _build_blocs(
    specs: Iterable[_BlocSpec],
    file: str,
    *,
    resolve: Resolver,
    expected_state: str,
    source_file: str | None,
    require_source: bool,
) -> dict[str, Bloc]:
    blocs: dict[str, Bloc] = {}
    for spec in specs:
        if spec.raw_key is None or not isinstance(spec.raw_key, str) or not _slug(spec.raw_key):
            raise _fail(
                f"{spec.label}: missing bloc name",
                file,
                row=spec.row,
                field="key",
                expected="a bloc key such as 'nordic'",
            )
        key = _slug(spec.raw_key)
        if key in blocs:
            raise _fail(f"{spec.label}: bloc {key!r} is defined twice", file, field="key")
        name = _text(spec.name, file, spec.label, field="name") or spec.raw_key.strip()
        aliases_raw = spec.aliases
        if aliases_raw is None:
            aliases_raw = []
        if isinstance(aliases_raw, str):
            aliases_raw = [aliases_raw]
        if not isinstance(aliases_raw, list) or not all(isinstance(a, str) for a in aliases_raw):
            raise _fail(
                f"{spec.label}: aliases must be a list of names",
                file,
                field="aliases",
                expected="a list of strings",
            )
        aliases = tuple(a.strip() for a in aliases_raw if a.strip())
        description = _text(spec.description, file, spec.label, field="description")
        default_source = _text(spec.source, file, spec.label, field="source")
        if not spec.entries:
            raise _fail(
                f"{spec.label}: no memberships",
                file,
                row=spec.row,
                field="memberships",
                expected="at least one member state",
            )
        memberships = [
            _build_membership(
                e,
                file,
                resolve=resolve,
                expected_state=expected_state,
                default_source=default_source,
                require_source=require_source,
            )
            for e in spec.entries
        ]
        _check_overlaps(memberships, spec.entries, file)
        blocs[key] = Bloc(
            key=key,
            name=name,
            aliases=aliases,
            description=description,
            memberships=tuple(memberships),
            source_file=source_file,
        )
    if not blocs:
        raise _fail("the file defines no blocs", file, expected="at least one bloc")
    return blocs


def _build_membership(
    entry: _Entry,
    file: str,
    *,
    resolve: Resolver,
    expected_state: str,
    default_source: str,
    require_source: bool,
) -> Membership:
    raw_state = entry.values.get("state")
    if raw_state is None or (isinstance(raw_state, str) and not raw_state.strip()):
        raise _fail(
            f"{entry.label}: missing state",
            file,
            row=entry.row,
            field="state",
            expected=expected_state,
        )
    if not isinstance(raw_state, str):
        raise _fail(
            f"{entry.label}: state {raw_state!r} is not text",
            file,
            row=entry.row,
            field="state",
            expected=expected_state,
        )
    state = resolve(raw_state)
    if state is None:
        raise _fail(
            f"{entry.label}: unknown state {raw_state.strip()!r}",
            file,
            row=entry.row,
            field="state",
            expected=expected_state,
        )
    start = _parse_day(entry.values.get("from"), file, entry, "from")
    end = _parse_day(entry.values.get("to"), file, entry, "to")
    if start is not None and end is not None and start >= end:
        raise _fail(
            f"{entry.label}: {state} 'to' {end} is not after 'from' {start}",
            file,
            row=entry.row,
            field="to",
            expected="'to' (the day membership ended, exclusive) after 'from'",
        )
    source = (
        _text(entry.values.get("source"), file, entry.label, row=entry.row, field="source")
        or default_source
    )
    if require_source and not source:
        raise _fail(f"{entry.label}: {state} has no source", file, field="source")
    note = _text(entry.values.get("note"), file, entry.label, row=entry.row, field="note")
    return Membership(state=state, start=start, end=end, source=source, note=note)


def _check_overlaps(memberships: list[Membership], entries: list[_Entry], file: str) -> None:
    by_state: dict[str, list[int]] = {}
    for i, m in enumerate(memberships):
        by_state.setdefault(m.state, []).append(i)
    for state, idx in by_state.items():
        if len(idx) < 2:
            continue
        order = sorted(idx, key=lambda i: memberships[i].start or date.min)
        for a, b in itertools.pairwise(order):
            prev, nxt = memberships[a], memberships[b]
            prev_end = prev.end or date.max
            if (nxt.start or date.min) < prev_end:
                later = max(a, b)
                other = min(a, b)
                where = (
                    f"row {entries[other].row}"
                    if entries[other].row is not None
                    else entries[other].label
                )
                raise _fail(
                    f"{entries[later].label}: period of {state} overlaps the period in "
                    f"{where} (duplicate membership)",
                    file,
                    row=entries[later].row,
                    field="from",
                    expected="periods of the same state that do not overlap",
                )


@functools.cache
def _yaml_loader() -> type:
    """A YAML SafeLoader that rejects duplicate keys (PyYAML silently keeps the last)."""
    import yaml

    class Loader(yaml.SafeLoader):
        pass

    def construct_mapping(loader: Any, node: Any, deep: bool = False) -> dict:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = loader.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r}", key_node.start_mark
                )
            seen.add(key)
        return yaml.SafeLoader.construct_mapping(loader, node, deep=deep)

    Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, construct_mapping)
    return Loader


def _parse_yaml(text: str, file: str) -> Any:
    try:
        import yaml
    except ImportError:  # pragma: no cover - pyyaml is a dependency
        raise _fail("reading YAML needs the 'pyyaml' package", file) from None
    try:
        return yaml.load(text, Loader=_yaml_loader())
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        context = getattr(exc, "context", None)
        text = f"{context}: {problem}" if context else str(problem)
        if mark is not None:
            text += f" (line {mark.line + 1}, column {mark.column + 1})"
        raise _fail(f"cannot parse YAML: {text}", file) from None


def _parse_toml(text: str, file: str) -> Any:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise _fail(f"cannot parse TOML: {exc}", file) from None


def load_bloc_file(path: str | Path) -> dict[str, Bloc]:
    """Read user-defined blocs from a ``.toml``, ``.yaml``/``.yml`` or ``.csv`` file.

    Returns a mapping ``key -> Bloc`` (``source_file`` set to ``path``) to pass as ``extra``
    to :func:`get_bloc` and friends. States may be codes or names (mapped with
    :func:`comity.world.states.lookup` when available). Raises :class:`DataFormatError`, naming the
    file, the row/entry and the field, for an unknown extension, an unreadable or unparsable
    file, an empty file, a missing bloc name or state, a bad date (impossible, or ``from``
    after ``to``), an unknown state, or two overlapping periods of one state in one bloc.
    """
    p = Path(path)
    file = str(p)
    kind = _EXTENSIONS.get(p.suffix.lower())
    if kind is None:
        raise _fail(
            f"unknown bloc file type {p.suffix or '(no extension)'!r}",
            file,
            expected="a .toml, .yaml, .yml or .csv file",
        )
    try:
        text = p.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise _fail("the file is not UTF-8 text", file) from None
    except OSError as exc:
        raise _fail(f"cannot read the file: {exc.strerror or exc}", file) from None
    if not text.strip():
        raise _fail("the file is empty", file, expected="at least one bloc")
    if kind == "csv":
        specs = _specs_from_csv(text, file)
    elif kind == "toml":
        specs = _specs_from_mapping(_parse_toml(text, file), file)
    else:
        specs = _specs_from_mapping(_parse_yaml(text, file), file)
    resolve, expected_state = _user_resolver()
    return _build_blocs(
        specs,
        file,
        resolve=resolve,
        expected_state=expected_state,
        source_file=file,
        require_source=False,
    )


# --------------------------------------------------------------------------- built-ins
@functools.cache
def _builtin() -> dict[str, Bloc]:
    resource = importlib.resources.files("comity.world").joinpath("data").joinpath("blocs.toml")
    file = "comity/data/blocs.toml (built-in)"
    specs = _specs_from_mapping(_parse_toml(resource.read_text(encoding="utf-8"), file), file)
    return _build_blocs(
        specs,
        file,
        resolve=_builtin_resolver,
        expected_state="an ISO 3166-1 alpha-3 or historical code",
        source_file=None,
        require_source=True,
    )


def builtin_blocs() -> dict[str, Bloc]:
    """The built-in blocs, ``key -> Bloc`` (parsed once, then cached)."""
    return dict(_builtin())


def _registry(extra: Mapping[str, Bloc] | None) -> dict[str, Bloc]:
    """Built-ins, overridden by ``extra`` blocs with the same key."""
    blocs = builtin_blocs()
    for bloc in (extra or {}).values():
        if not isinstance(bloc, Bloc):
            raise TypeError(f"extra must map names to Bloc objects, got {bloc!r}")
        blocs[bloc.key] = bloc
    return blocs


def _name_index(blocs: Mapping[str, Bloc], extra: Mapping[str, Bloc] | None) -> dict[str, str]:
    """Loose name -> bloc key; keys win over names, user blocs over built-ins."""
    index: dict[str, str] = {}
    user = {b.key for b in (extra or {}).values()}
    ordered = sorted(blocs.values(), key=lambda b: b.key not in user)  # user blocs first
    for level in ("key", "names"):
        for bloc in ordered:
            names = [bloc.key] if level == "key" else [bloc.name, *bloc.aliases]
            for n in names:
                index.setdefault(_norm(n), bloc.key)
    return index


def get_bloc(name: str, extra: Mapping[str, Bloc] | None = None) -> Bloc:
    """The bloc called ``name``: its key, display name or an alias, case-insensitively.

    ``extra`` (e.g. from :func:`load_bloc_file`) is searched first and overrides built-ins
    with the same key. Raises :class:`UnknownBlocError` listing close candidates.
    """
    blocs = _registry(extra)
    index = _name_index(blocs, extra)
    wanted = _norm(str(name))
    if wanted in index:
        return blocs[index[wanted]]
    candidates: list[str] = []
    for match in difflib.get_close_matches(wanted, list(index), n=8, cutoff=0.6):
        if index[match] not in candidates:
            candidates.append(index[match])
    if len(wanted) >= 3:
        for loose, key in index.items():
            if wanted in loose and key not in candidates:
                candidates.append(key)
    shown = ", ".join(f"{k} ({blocs[k].name})" for k in candidates[:5])
    hint = f"; did you mean: {shown}?" if shown else ""
    err = UnknownBlocError(f"unknown bloc {name!r}{hint} Known blocs: {', '.join(sorted(blocs))}")
    err.candidates = candidates[:5]  # type: ignore[attr-defined]
    raise err


def is_bloc(name: str, extra: Mapping[str, Bloc] | None = None) -> bool:
    """True if ``name`` names a built-in bloc or one in ``extra``."""
    try:
        get_bloc(name, extra)
    except UnknownBlocError:
        return False
    return True


# --------------------------------------------------------------------------- tables
def _memberships_to_frame(blocs: Iterable[Bloc]) -> pd.DataFrame:
    rows = [
        (b.key, m.state, m.start, m.end, m.source, m.note) for b in blocs for m in b.memberships
    ]
    frame = pd.DataFrame(rows, columns=["bloc", "state", "start", "end", "source", "note"])
    for col in ("start", "end"):
        frame[col] = pd.to_datetime(frame[col].astype(object))
    return frame


def blocs_table(extra: Mapping[str, Bloc] | None = None) -> pd.DataFrame:
    """One row per bloc: ``key, name, aliases, n_members_now, first_date``.

    ``aliases`` is a ``"; "``-joined string, ``n_members_now`` counts members today and
    ``first_date`` is the earliest membership start.
    """
    today = date.today()
    rows = [
        (
            b.key,
            b.name,
            "; ".join(b.aliases),
            len(b.members_at(today)),
            b.first_date(),
        )
        for b in sorted(_registry(extra).values(), key=lambda b: b.key)
    ]
    frame = pd.DataFrame(rows, columns=["key", "name", "aliases", "n_members_now", "first_date"])
    frame["first_date"] = pd.to_datetime(frame["first_date"].astype(object))
    frame["n_members_now"] = frame["n_members_now"].astype("int64")
    return frame


def memberships_frame(extra: Mapping[str, Bloc] | None = None) -> pd.DataFrame:
    """Every membership period of every bloc: ``bloc, state, start, end, source, note``.

    ``start``/``end`` are datetimes (``NaT`` = open-ended); periods are half-open,
    ``start <= day < end``.
    """
    return _memberships_to_frame(sorted(_registry(extra).values(), key=lambda b: b.key))
