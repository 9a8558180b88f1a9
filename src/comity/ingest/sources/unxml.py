"""The UN Department for General Assembly and Conference Management's resolution extract
(``UNxml/GAresolutions``, ``data_extract/*.json``): JSON Lines, one resolution per line.

Quirks handled here:

* every resolution of a session is listed; those adopted without a vote have
  ``adoption_type`` "Without a vote" (kept as metadata: ``adoption = without_vote``, no vote
  rows); a few split resolutions have a blank ``adoption_type`` (recorded when they carry
  lists or numeric totals);
* state NAMES only, and only Y/N/A are listed: absent or non-voting members are not, so the
  merge step infers them from membership (``lists_only_yna``);
* ``adoption_date`` mixes ``2019-10-10 00:00:00`` and ``1 December 2020`` (with no-break
  spaces); totals are text, "N.A." or blank (either means 0 on a recorded vote whose other
  totals are given, e.g. 16 session-74 votes);
* repeated lines (the same resolution twice, with the same vote but sometimes fuller sponsor
  or SDG metadata) are kept once, the fuller copy winning; a state listed twice in one list is kept
  once; both are noted in ``quality``. A state in two different lists is an error.
* ``sponsors`` and ``additional_sponsors`` (see :func:`_sponsor_rows`) are state names mixed
  with "(on behalf of the Group of ...)" suffixes, words split or glued by the PDF extraction
  (``GE RMANY``, ``SOLOMON`` + ``ISLANDS``, ``UNITED STATES AND VIET NAM``) and texts that name
  no sponsoring state ("Submitted by the Chair of the Committee"). Names are resolved with the
  resolution's date like the vote lists; a mended name is noted ``sponsor_name_repaired``, a
  text that is not a state ``sponsor_not_a_state``, a name that maps to no state
  ``sponsor_unknown`` (kept out of ``sponsors``, never guessed).

Every field used is checked for its JSON type and range before anything is built (see
:func:`_check_object`): a wrong type, a negative or huge count, an impossible date or a session
out of range is a :class:`~comity.errors.DataFormatError` naming the file, line and field.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from comity.errors import DataFormatError
from comity.ingest.sources import _common as C
from comity.ingest.sources._io import decode_utf8, label, read_bytes
from comity.ingest.sources.base import SPONSOR_COLUMNS, SourceData, normalize_symbol

REQUIRED = ["symbol", "title", "adoption_date", "MS_in_favour", "MS_against", "MS_abstaining"]
_LISTS = (("MS_in_favour", "Y"), ("MS_against", "N"), ("MS_abstaining", "A"))
_COUNTS = (("MS_in_favour_count", "yes"), ("MS_against_count", "no"),
           ("MS_abstaining_count", "abstain"))


_VOTE_FIELDS = ("title", "adoption_date", "adoption_type", "MS_in_favour_count",
                "MS_against_count", "MS_abstaining_count", "MS_in_favour", "MS_against",
                "MS_abstaining")


def _vote_part(obj: dict, code_of: dict[str, str]) -> tuple:
    """The vote an object records, with state names resolved (spellings vary)."""
    out = []
    for f in _VOTE_FIELDS:
        v = obj.get(f)
        if f in ("MS_in_favour", "MS_against", "MS_abstaining"):
            v = sorted({code_of.get(str(x).strip(), str(x)) for x in v or []})
        out.append(json.dumps(v, sort_keys=True))
    return tuple(out)


def _filled(obj: dict) -> int:
    return sum(1 for v in obj.values() if v not in (None, "", [], "N.A."))


def parse_unxml(path: str | Path) -> SourceData:
    file = label(path)
    text = decode_utf8(read_bytes(path, expected="JSON Lines with one resolution per line"), path)
    objs: list[dict] = []
    lines: list[int] = []
    loads = json.loads
    required = frozenset(REQUIRED)
    for i, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj = loads(line)
        except json.JSONDecodeError as exc:
            raise DataFormatError(f"invalid JSON ({exc.msg} at column {exc.colno})",
                                  file=file, row=i, expected="one JSON object per line") from None
        except RecursionError:
            m = _DEEP.search(line)
            raise DataFormatError("JSON nested too deeply to read", file=file, row=i,
                                  field=m.group(1) if m else None,
                                  expected="one JSON object per line, its values texts, "
                                  "numbers or lists of texts") from None
        if not isinstance(obj, dict):
            raise DataFormatError("line is not a JSON object", file=file, row=i,
                                  expected="one JSON object per line")
        if not required.issubset(obj.keys()):
            f = next(f for f in REQUIRED if f not in obj)
            raise DataFormatError("required field missing", file=file, row=i, field=f,
                                  expected=f"every object to have {', '.join(REQUIRED)}")
        _check_object(obj, file, i)
        objs.append(obj)
        lines.append(i)
    if not objs:
        raise DataFormatError("no resolutions in file", file=file,
                              expected="JSON Lines with one resolution per line")
    names = _Names(objs, file)
    try:
        return _parse_objects(objs, lines, names, file)
    except Exception:
        # every listed name is resolved (without dates) before anything else is checked:
        # an unknown name is the error reported, whatever else is wrong
        names.code_of()
        raise


_DEEP = re.compile(r'"([^"\\]{1,100})"\s*:\s*(?:[\[{]\s*){100}')
"""The field whose value opens 100 lists or objects in a row (named in the error)."""
MAX_COUNT = 250
"""The largest tally accepted (the Assembly has 193 members)."""
MAX_SESSION = 200
_FIRST_DATE = datetime(1945, 10, 24)
_DATE_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d", "%d %B %Y")
_TEXT_FIELDS = ("title", "adoption_type", "agenda_item", "agenda_item_name")
_SPONSOR_FIELDS = (("sponsors", "sponsor"), ("additional_sponsors", "additional"))


def _kind(v: Any) -> str:
    """The JSON type of a value, as a reader of the file would name it."""
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "a boolean"
    return {dict: "an object", list: "a list", str: "a string", int: "a number",
            float: "a number"}.get(type(v), type(v).__name__)


def _check_object(obj: dict, file: str, line: int) -> None:
    """Reject an object whose fields have the wrong JSON type or an impossible value: every
    field that is read is checked here, so that nothing malformed reaches the frames."""
    def bad(field: str, message: str, expected: str) -> DataFormatError:
        return DataFormatError(message, file=file, row=line, field=field, expected=expected)

    sym = obj["symbol"]
    if not isinstance(sym, str):
        raise bad("symbol", f"{_kind(sym)} instead of a string",
                  "a resolution symbol such as A/RES/79/1")
    if len(sym) > 100:
        raise bad("symbol", f"a text of {len(sym)} characters",
                  "a resolution symbol such as A/RES/79/1")
    for f in _TEXT_FIELDS:
        v = obj.get(f)
        if v is not None and not isinstance(v, str):
            raise bad(f, f"{_kind(v)} instead of a string", "a text (or null)")
    ses = obj.get("session")
    if ses is not None:
        if isinstance(ses, bool) or not isinstance(ses, int | str):
            raise bad("session", f"{_kind(ses)} instead of a session",
                      "a session such as 'Seventy-ninth session' or 79")
        num = ses if isinstance(ses, int) else (
            int(ses.strip()) if re.fullmatch(r"\s*[-+]?\d{1,30}\s*", ses) else None)
        if num is not None and not 1 <= num <= MAX_SESSION:
            raise bad("session", f"session {num} is out of range",
                      f"a session number from 1 to {MAX_SESSION}")
    d = obj["adoption_date"]
    if not isinstance(d, str):
        raise bad("adoption_date", f"{_kind(d)} instead of a date",
                  "'YYYY-MM-DD HH:MM:SS' or 'D Month YYYY'")
    text = " ".join(d.replace("\xa0", " ").split())
    when = None
    for fmt in _DATE_FORMATS:
        try:
            when = datetime.strptime(text, fmt)
            break
        except ValueError:
            continue
    if when is None:
        raise bad("adoption_date", f"unparseable date {d[:40]!r}",
                  "'YYYY-MM-DD HH:MM:SS' or 'D Month YYYY'")
    if not _FIRST_DATE <= when <= datetime.now():
        raise bad("adoption_date", f"impossible date {when.date().isoformat()}",
                  "a date between 1945-10-24 and today")
    for f, _ in _COUNTS:
        v = obj.get(f)
        if v is None:
            continue
        if isinstance(v, bool) or not isinstance(v, int | str):
            raise bad(f, f"{_kind(v)} instead of a count",
                      f"a whole number from 0 to {MAX_COUNT}, 'N.A.' or blank")
        raw = v.strip() if isinstance(v, str) else str(v)
        if raw in ("", "N.A.", "NA"):
            continue
        if not re.fullmatch(r"[-+]?\d+", raw):
            raise bad(f, f"{raw[:40]!r} is not a number",
                      f"a whole number from 0 to {MAX_COUNT}, 'N.A.' or blank")
        if len(raw) > 6 or not 0 <= int(raw) <= MAX_COUNT:
            raise bad(f, f"count {raw[:40]} is out of range",
                      f"a whole number from 0 to {MAX_COUNT}, 'N.A.' or blank")
    for f, _ in _LISTS:
        _check_names(obj[f], f, file, line, "a list of state names", 200)
    for f, _ in _SPONSOR_FIELDS:
        if obj.get(f) is not None:
            _check_names(obj[f], f, file, line, "a list of sponsor names (or null)", 2000)
    subj = obj.get("subjects")
    if subj is not None:
        if not isinstance(subj, list):
            raise bad("subjects", f"{_kind(subj)} instead of a list",
                      "a list of subject terms")
        for x in subj:
            ok = isinstance(x, str) or (isinstance(x, list) and all(isinstance(y, str)
                                                                    for y in x))
            if not ok:
                raise bad("subjects", f"{_kind(x)} in the list",
                          "subject terms as strings or lists of strings")


def _check_names(v: Any, field: str, file: str, line: int, expected: str,
                 longest: int) -> None:
    if not isinstance(v, list):
        raise DataFormatError(f"{_kind(v)} instead of a list", file=file, row=line,
                              field=field, expected=expected)
    for x in v:
        if not isinstance(x, str):
            raise DataFormatError(f"{_kind(x)} in the list", file=file, row=line,
                                  field=field, expected=expected)
        if len(x) > longest:
            raise DataFormatError(f"a name of {len(x)} characters", file=file, row=line,
                                  field=field, expected=expected)


class _Names:
    """The undated resolution of every listed name, made only when needed: to compare
    repeated objects, or to report an unknown name before any other error."""

    def __init__(self, objs: list[dict], file: str) -> None:
        self.objs, self.file = objs, file
        self._code_of: dict[str, str] | None = None

    def code_of(self) -> dict[str, str]:
        if self._code_of is None:
            from comity.world.states import resolve

            all_names = sorted({str(x).strip() for o in self.objs for f, _ in _LISTS
                                for x in o[f]})
            self._code_of = dict(zip(all_names, resolve(
                pd.Series(all_names, dtype=object), kind="name", file=self.file).tolist(),
                strict=True)) if all_names else {}
        return self._code_of


def _parse_objects(objs: list[dict], lines: list[int], names: _Names,
                   file: str) -> SourceData:
    quality: list[dict] = []
    # repeated objects are kept once: when their vote (date, adoption, totals, lists, title)
    # is the same, the more complete one is kept and the differing metadata is noted
    seen: dict[str, int] = {}
    keep_objs: list[dict] = []
    keep_lines: list[int] = []
    keep_syms: list[str] = []
    for obj, ln in zip(objs, lines, strict=True):
        sym = normalize_symbol(obj["symbol"])
        if sym is None:
            raise DataFormatError("empty symbol", file=file, row=ln, field="symbol",
                                  expected="a resolution symbol such as A/RES/79/1")
        if sym not in seen:
            seen[sym] = len(keep_objs)
            keep_objs.append(obj)
            keep_lines.append(ln)
            keep_syms.append(sym)
            continue
        j = seen[sym]
        prev, prev_line = keep_objs[j], keep_lines[j]
        code_of = names.code_of()
        if _vote_part(prev, code_of) != _vote_part(obj, code_of):
            diff = [f for f in _VOTE_FIELDS if prev.get(f) != obj.get(f)]
            raise DataFormatError(
                f"{sym} appears again with a different vote (first at line {prev_line}; "
                f"differs in {', '.join(diff)})", file=file, row=ln, field=diff[0],
                expected="repeated resolutions to record the same vote")
        other = sorted(k for k in set(prev) | set(obj) if prev.get(k) != obj.get(k))
        quality.append({"key": sym, "kind": "duplicate_record",
                        "detail": f"{file}: line {ln} repeats line {prev_line}"
                                  + (f" (metadata differs: {', '.join(other)}; kept the "
                                     "fuller one)" if other else " (identical); kept once")})
        if _filled(obj) > _filled(prev):
            keep_objs[j], keep_lines[j] = obj, ln

    recs = []
    # vote rows: record (index into recs), listed name, list (index into _LISTS)
    vote_rec: list[int] = []
    vote_name: list = []
    vote_list: list[int] = []
    for r, (obj, ln, sym) in enumerate(zip(keep_objs, keep_lines, keep_syms, strict=True)):
        counts = {}
        for f, out in _COUNTS:
            got = obj.get(f)
            raw = "" if got is None else str(got).strip()
            if raw in ("", "N.A.", "NA"):
                counts[out] = None if raw else ""
            else:
                try:
                    counts[out] = int(raw)
                except ValueError:
                    raise DataFormatError(f"{raw!r} is not a number", file=file, row=ln,
                                          field=f, expected="an integer, 'N.A.' or blank") from None
        has_lists = any(obj[f] for f, _ in _LISTS)
        has_counts = any(isinstance(v, int) and v > 0 for v in counts.values())
        atype = str(obj.get("adoption_type", "") or "").strip().lower()
        recorded = "recorded" in atype or (atype == "" and (has_lists or has_counts))
        if recorded and any(isinstance(v, int) for v in counts.values()):
            for out in ("yes", "no", "abstain"):
                if counts[out] in ("", None):
                    counts[out] = 0  # the source writes "" or "N.A." for 0 on recorded votes
        for out in ("yes", "no", "abstain"):
            if counts[out] == "":
                counts[out] = None
        subjects = obj.get("subjects") or []
        subj = "; ".join(s[0] if isinstance(s, list) else s for s in subjects if s)
        agenda = obj.get("agenda_item_name") or obj.get("agenda_item") or None
        recs.append({
            "key": sym, "body": "GA", "symbol": sym, "title": obj.get("title") or None,
            "agenda": agenda, "subjects": subj or None, "adoption_date": obj["adoption_date"],
            "adoption": "recorded" if recorded else "without_vote", "row": ln,
            "link": None, **counts,
        })
        if not has_lists:
            continue
        seen_in: dict[str, str] = {}
        for k, (f, val) in enumerate(_LISTS):
            listed = obj[f]
            uniq = list(dict.fromkeys(listed))
            if len(uniq) != len(listed):
                quality.append({"key": sym, "kind": "duplicate_listing",
                                "detail": f"{file} line {ln}: {len(listed) - len(uniq)} "
                                          f"name(s) repeated in {f}; kept once"})
            if seen_in:
                clash = seen_in.keys() & set(uniq)
                if clash:
                    nm = sorted(clash)[0]
                    raise DataFormatError(f"{nm!r} is listed both as {seen_in[nm]} and {val}",
                                          file=file, row=ln, field=f,
                                          expected="each state in at most one list")
            seen_in.update(dict.fromkeys(uniq, val))
            vote_rec.extend([r] * len(uniq))
            vote_name.extend(uniq)
            vote_list.extend([k] * len(uniq))
    res = pd.DataFrame(recs)
    res["date"] = C.parse_dates(
        res["adoption_date"].astype(str).str.replace("\xa0", " ").str.strip(),
        ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d", "%d %B %Y"])
    bad = res["date"].isna()
    if bad.any():
        i = int(np.argmax(bad.to_numpy()))
        raise DataFormatError(f"unparseable date {res['adoption_date'].iloc[i]!r}", file=file,
                              row=int(res["row"].iloc[i]), field="adoption_date",
                              expected="'YYYY-MM-DD HH:MM:SS' or 'D Month YYYY'")
    C.check_date_range(res["date"], file=file, field="adoption_date", rows=res["row"])
    sym = res["symbol"]
    res["session"] = C.session_from_symbol(sym).fillna(C.session_from_date(res["date"]))
    res["special"] = C.special_from_symbol(sym)
    # (the adoption_date column is left out by finish_resolutions)
    # split resolutions adopted in one vote: the tallies are those of the joint vote
    votes = _votes(res, keep_syms, keep_lines, vote_rec, vote_name, vote_list, names, file,
                   quality)
    sponsors = _sponsor_rows(keep_objs, keep_lines, keep_syms, res["date"], file, quality)
    q = pd.DataFrame(quality, columns=["key", "kind", "detail"])
    return SourceData(
        source="unxml", file=file, resolutions=C.finish_resolutions(res),
        votes=C.finish_votes(votes), lists_only_yna=True, quality=q, rows_read=len(objs),
        sponsors=sponsors,
    )


def _votes(res: pd.DataFrame, syms: list[str], rows: list[int], vote_rec: list[int],
           vote_name: list, vote_list: list[int], names: _Names, file: str,
           quality: list[dict]) -> pd.DataFrame:
    """The vote rows (key, state, vote, row), state names resolved with the vote's date."""
    n = len(vote_rec)
    if n and set(map(type, vote_name)) == {str}:
        # vectorised: each distinct (spelling, date epoch) is resolved once
        from comity.errors import UnknownStateError

        rec = np.asarray(vote_rec, dtype=np.int64)
        name_codes, spellings = C.dict_factorize(pa.array(vote_name, type=pa.string()),
                                                 pc.utf8_trim_whitespace)
        row_of_rec = np.asarray(rows, dtype=np.int64)
        try:
            states = C.resolve_factorized(
                name_codes, np.asarray(spellings, dtype=object).astype(str), rec,
                res["date"].reset_index(drop=True), kind="name", file=file,
                rows=row_of_rec[rec])
        except UnknownStateError:
            names.code_of()  # the undated error first, as before
            states = None  # the per-row path below raises the exact error
        if states is not None and not C.has_repeats(
                rec * (len(states.categories) + 1) + states.codes):
            vote_codes = np.asarray(vote_list, dtype=np.int64)
            return pd.DataFrame({
                "key": _str_take(syms, rec),
                "state": _str_take([str(c) for c in states.categories], states.codes),
                "vote": _str_take([v for _, v in _LISTS], vote_codes),
                "row": row_of_rec[rec],
            })
    # general path (no votes, non-text names, a state listed under two spellings, errors)
    from comity.world.states import resolve

    votes = pd.DataFrame({"key": [syms[r] for r in vote_rec], "name": vote_name,
                          "vote": [_LISTS[k][1] for k in vote_list],
                          "row": [rows[r] for r in vote_rec]})
    votes["name"] = votes["name"].astype(str).str.strip()
    if len(votes):
        vdates = votes["key"].map(pd.Series(res["date"].to_numpy(), index=res["key"]))
        votes["state"] = resolve(votes["name"], kind="name", file=file, dates=vdates,
                                 rows=votes["row"]).to_numpy()
        dup = votes.duplicated(["key", "state"], keep=False)
        if dup.any():
            d = votes[dup]
            if d.groupby(["key", "state"])["vote"].nunique().max() > 1:
                first = d.iloc[0]
                raise DataFormatError(
                    f"state {first.state} listed with two different votes on {first.key}",
                    file=file, row=int(first.row), field="MS_in_favour",
                    expected="each state in at most one list")
            g = d.groupby("key")["name"].apply(lambda s: ", ".join(sorted(set(s))))
            for k, nm in g.items():
                quality.append({"key": k, "kind": "duplicate_listing",
                                "detail": f"{file}: spellings {nm} name the same state; "
                                          "kept once"})
            votes = votes.drop_duplicates(["key", "state"])
    else:
        votes["state"] = pd.Series(dtype=object)
    return votes


def _str_take(values: list[str], codes: np.ndarray) -> pd.Series:
    """``values[codes]`` as a pandas string column (built by Arrow)."""
    return pa.array(values, type=pa.string()).take(pa.array(codes)).to_pandas()


# ------------------------------------------------------------------------------ sponsors
_NOT_A_STATE = re.compile(
    r"^(SUBMITTED\b|INTRODUCED\b|THE REPRESENTATIVE\b|ON THE BASIS\b|WAS SUBMITTED\b|"
    r"ANNEX\b|THE AMENDMENT\b)|\bON THE BASIS OF\b|\bON BEHALF OF THE BUREAU\b|"
    r"\(IN ITS CAPACITY AS\b", re.IGNORECASE)
"""Texts in the sponsor lists that name no sponsoring state: the Chair, the Bureau or a
committee submitted the draft (a state acting as chair of a body is not its own sponsor)."""
_BEHALF = re.compile(r"\s*,\s*(?:ON|OF) BEHALF OF.*$", re.IGNORECASE)
_BEHALF_OPEN = re.compile(r"\(\s*(?:ON|OF) BEHALF OF\b", re.IGNORECASE)
_NOISE = re.compile(r"\s*\(\s*(?:THE)?\s*\)|[\s,.;:]+$", re.IGNORECASE)
_LIST_SEP = re.compile(r"\s*[,.;]\s*")
_AND = re.compile(r"\s+(?i:and)\s+")
_GLUED_AND = re.compile(r"(?<=[A-Z])AND\s+")
_INVERTED = (  # "BOLIVARIAN REPUBLIC OF VENEZUELA", "VENEZUELA (BOLIVARIAN REPUBLIC)"
    (re.compile(r"^(.+? OF) (.+)$", re.IGNORECASE), r"\2 (\1)"),
    (re.compile(r"^(.+) \(([^()]+?)\)$"), r"\1 (\2 OF)"),
)


def _clean(name: str) -> str:
    return " ".join(name.replace("\xa0", " ").split())


def _strip_behalf(name: str) -> str:
    """``name`` without its "(on behalf of ...)" groups (parentheses may nest) and without a
    trailing ", on behalf of ..."."""
    out = name
    while (m := _BEHALF_OPEN.search(out)) is not None:
        depth, end = 0, len(out)
        for i in range(m.start(), len(out)):
            depth += {"(": 1, ")": -1}.get(out[i], 0)
            if depth == 0:
                end = i + 1
                break
        out = out[:m.start()].rstrip() + out[end:]
    return _BEHALF.sub("", out)


def _segment(piece: str, ok: Callable[[str], bool]) -> list[str] | None:
    """``piece`` cut at its "and"s into state names ("Trinidad and Tobago and Uruguay"), the
    fewest names first; None if no cut gives only names."""
    toks = _AND.split(piece)
    best: list[list[str] | None] = [[]] + [None] * len(toks)
    for i in range(1, len(toks) + 1):
        for j in range(i):
            cand = " and ".join(toks[j:i])
            prev = best[j]
            if ok(cand) and prev is not None and (
                    best[i] is None or len(prev) + 1 < len(best[i] or ())):
                best[i] = [*prev, cand]
    return best[-1]


def _read(name: str, ok: Callable[[str], bool]) -> list[str] | None:
    """The states a sponsor entry that does not resolve as it stands names, read as it is
    most likely meant (None: none): without its "(on behalf of ...)" or a leading "THE", as a
    list ("Chile, Dominican Republic", "United States and Viet Nam"), with a split word joined
    ("GE RMANY"), two glued names separated ("ANGOLA BAHAMAS", "UNITED KINGDOMAND URUGUAY")
    or an inverted name turned ("ISLAMIC REPUBLIC OF IRAN"). Called first with an ``ok`` that
    records what it is asked and always answers no, so that every candidate is resolved in
    one batch."""
    base = _NOISE.sub("", _strip_behalf(name)).strip()
    bases = [b for b in dict.fromkeys((base, re.sub(r"^THE\s*", "", base,
                                                    flags=re.IGNORECASE))) if b]
    hits = [ok(b) for b in bases]  # every candidate is asked (no short cut): see above
    for b, hit in zip(bases, hits, strict=True):
        if hit:
            return [b]
    for b in bases:
        readings: list[list[str] | None] = []
        pieces = [x for x in _LIST_SEP.split(b) if x]
        segs = [_segment(x, ok) for x in pieces]
        readings.append(None if any(g is None for g in segs)
                        else [n for g in segs for n in g or ()])
        glued = [x for x in _GLUED_AND.split(b) if x]
        readings.append(glued if len(glued) > 1 and all([ok(x) for x in glued]) else None)
        words = b.split(" ")
        for i in range(1, len(words)):
            joined = " ".join(words[:i]) + " ".join(words[i:])
            readings.append([joined] if ok(joined) else None)
            halves = [" ".join(words[:i]), " ".join(words[i:])]
            readings.append(halves if all([ok(x) for x in halves]) else None)
        if len(words) == 2:
            readings.append(["-".join(words)] if ok("-".join(words)) else None)
        for pat, rep in _INVERTED:
            turned = pat.sub(rep, b)
            readings.append([turned] if turned != b and ok(turned) else None)
        found = next((r for r in readings if r), None)
        if found:
            return found
    return None


def _resolvable(names: list[str], file: str) -> set[str]:
    """The names (undated) that map to a state."""
    from comity.errors import UnknownStateError
    from comity.world.states import resolve

    todo = sorted(set(names))
    for _ in range(3):
        if not todo:
            return set()
        try:
            resolve(pd.Series(todo, dtype=object), kind="name", file=file)
            return set(todo)
        except UnknownStateError as exc:
            drop = set(exc.spellings)
            todo = [n for n in todo if n not in drop]
    return set()


def _sponsor_rows(objs: list[dict], lines: list[int], syms: list[str], dates: pd.Series,
                  file: str, quality: list[dict]) -> pd.DataFrame:
    """One row per state and sponsored resolution (``key, state, kind, row``); entries that
    name no state, or no known state, are noted in ``quality`` (module docstring)."""
    groups: list[tuple[int, str, list[str], list[str]]] = []  # record, kind, raw, clean
    for r, obj in enumerate(objs):
        for f, kind in _SPONSOR_FIELDS:
            raw = [x for x in obj.get(f) or [] if _clean(x)]
            if raw:
                groups.append((r, kind, raw, [_clean(x) for x in raw]))
    if not groups:
        return pd.DataFrame({c: pd.Series(dtype=object if c != "row" else np.int64)
                             for c in SPONSOR_COLUMNS})
    good = _resolvable([c for g in groups for c in g[3]], file)
    # every reading of every entry that does not resolve as it stands, resolved at once
    asked: set[str] = set()

    def record(x: str) -> bool:
        asked.add(x)
        return False

    for _, _, _, clean in groups:
        for c in clean:
            if c not in good and not _NOT_A_STATE.search(c):
                _read(c, record)
    good |= _resolvable(sorted(asked), file)

    rec: list[int] = []
    names: list[str] = []
    kinds: list[str] = []

    def note(r: int, kind: str, detail: str) -> None:
        quality.append({"key": syms[r], "kind": kind,
                        "detail": f"{file} line {lines[r]}: {detail}"})

    for r, kind, raw, clean in groups:
        field = "sponsors" if kind == "sponsor" else "additional_sponsors"
        for c, x in zip(clean, raw, strict=True):
            if c in good:
                parts = [c]
            elif _NOT_A_STATE.search(c):
                note(r, "sponsor_not_a_state", f"{field} entry {x[:120]!r} names no "
                     "sponsoring state; not counted")
                continue
            else:
                parts = _read(c, good.__contains__) or []
                if not parts:
                    note(r, "sponsor_unknown", f"{field} entry {x[:120]!r} names no known "
                         "state; not counted")
                    continue
                note(r, "sponsor_name_repaired", f"{field} entry {x[:120]!r} read as "
                     + " + ".join(repr(q) for q in parts))
            rec.extend([r] * len(parts))
            names.extend(parts)
            kinds.extend([kind] * len(parts))
    return _resolve_sponsors(rec, names, kinds, syms, lines, dates, file, quality)


def _resolve_sponsors(rec: list[int], names: list[str], kinds: list[str], syms: list[str],
                      lines: list[int], dates: pd.Series, file: str,
                      quality: list[dict]) -> pd.DataFrame:
    """The sponsor names resolved with their resolution's date (a name with no meaning on
    that date is noted ``sponsor_unknown``); a state listed twice is kept once, as a sponsor
    rather than an additional sponsor."""
    from comity.errors import UnknownStateError
    from comity.world.states import resolve

    r = np.asarray(rec, dtype=np.int64)
    frame = pd.DataFrame({"r": r, "name": pd.Series(names, dtype=object),
                          "kind": pd.Series(kinds, dtype=object)})
    d = pd.Series(pd.to_datetime(dates).to_numpy())
    for _ in range(3):
        try:
            frame["state"] = resolve(frame["name"], kind="name", file=file,
                                     dates=d.iloc[frame["r"].to_numpy()].reset_index(drop=True),
                                     rows=pd.Series(np.asarray(lines)[frame["r"]])).to_numpy()
            break
        except UnknownStateError as exc:
            bad = frame["name"].isin(set(exc.spellings))
            for i in np.flatnonzero(bad.to_numpy()):  # the spelling may mean a state on
                try:                                  # another row's date: that row stays
                    resolve(frame["name"].iloc[[i]], kind="name", file=file,
                            dates=d.iloc[[frame["r"].iloc[i]]])
                    bad.iloc[i] = False
                except UnknownStateError:
                    pass
            for rr, nm in frame.loc[bad, ["r", "name"]].drop_duplicates().itertuples(
                    index=False):
                quality.append({"key": syms[rr], "kind": "sponsor_unknown",
                                "detail": f"{file} line {lines[rr]}: sponsor {nm!r} names "
                                          "no state on the resolution's date; not counted"})
            frame = frame[~bad].reset_index(drop=True)
    else:  # pragma: no cover - resolve names every unknown spelling at once
        frame = frame.iloc[:0].assign(state=pd.Series(dtype=object))
    frame = frame.assign(order=(frame["kind"] != "sponsor").astype(np.int8))
    frame = frame.sort_values(["r", "order"], kind="stable")
    dup = frame.duplicated(["r", "state"])
    if dup.any():
        for rr, n in frame[dup].groupby("r").size().items():
            quality.append({"key": syms[int(rr)], "kind": "duplicate_listing",
                            "detail": f"{file} line {lines[int(rr)]}: {n} sponsor name(s) "
                                      "name a state already listed; kept once"})
    frame = frame[~dup]
    return pd.DataFrame({
        "key": pd.Series([syms[i] for i in frame["r"]], dtype=object),
        "state": frame["state"].astype(object).to_numpy(),
        "kind": frame["kind"].to_numpy(dtype=object),
        "row": np.asarray(lines, dtype=np.int64)[frame["r"].to_numpy()],
    })
