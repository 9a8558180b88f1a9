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
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from comity.errors import DataFormatError
from comity.ingest.sources import _common as C
from comity.ingest.sources._io import decode_utf8, label, read_bytes
from comity.ingest.sources.base import SourceData, normalize_symbol

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
    text = decode_utf8(read_bytes(path), path)
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
        if not isinstance(obj, dict):
            raise DataFormatError("line is not a JSON object", file=file, row=i,
                                  expected="one JSON object per line")
        if not required.issubset(obj.keys()):
            f = next(f for f in REQUIRED if f not in obj)
            raise DataFormatError("required field missing", file=file, row=i, field=f,
                                  expected=f"every object to have {', '.join(REQUIRED)}")
        for f, _ in _LISTS:
            if not isinstance(obj[f], list):
                raise DataFormatError(f"{type(obj[f]).__name__} instead of a list", file=file,
                                      row=i, field=f, expected="a list of state names")
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
            raw = str(obj.get(f, "") or "").strip()
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
        subj = "; ".join(s[0] if isinstance(s, list) and s else str(s) for s in subjects)
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
    q = pd.DataFrame(quality, columns=["key", "kind", "detail"])
    return SourceData(
        source="unxml", file=file, resolutions=C.finish_resolutions(res),
        votes=C.finish_votes(votes), lists_only_yna=True, quality=q, rows_read=len(objs),
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
