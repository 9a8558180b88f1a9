"""Check comity's two agreement numbers against a published agreement-with-US series.

    python bench/agreement_reference.py --reference FILE [--db PATH | --data DIR]

``FILE`` is a published country-year table of agreement with the United States, as ``.rda``
(e.g. ``unvoting.rda`` of the R package ``qss`` — Imai, *Quantitative Social Science*,
Table 3.8, built from the Voeten / Bailey–Strezhnev–Voeten UNGA data: ``Year, CountryAbb,
CountryName, idealpoint, PctAgreeUS, PctAgreeRUSSIA``) or ``.csv`` with the columns ``Year``,
``CountryName`` and ``PctAgreeUS``. The file is read from the path given and never copied
into the repository.

For every country-year of the reference, comity's ``identical`` (share of identical votes)
and ``agreement`` (1 − |d|/2) with the USA on the GA votes of that year are computed on the
store, and the last line is JSON: ``{"bench": "agreement_reference", "pairs", "r_identical",
"r_agreement", "median_abs_diff_identical", "median_abs_diff_agreement", "years"}``. The
published "percent agreement" is the share of identical votes, so ``identical`` should match
it closely (median absolute difference ≈ 0.02) and ``agreement`` should not (it gives half
credit for an abstention).
"""

from __future__ import annotations

import argparse
import json
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _store import add_store_options, ensure_store


def _reference(path: Path) -> pd.DataFrame:
    if path.suffix.lower() in (".rda", ".rdata"):
        import rdata  # a dependency of comity (the Voeten .rda files)

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            obj = next(iter(rdata.conversion.convert(rdata.parser.parse_file(path)).values()))
        df = pd.DataFrame({c: np.asarray(obj[c]) for c in obj.columns})
    else:
        df = pd.read_csv(path)
    missing = {"Year", "CountryName", "PctAgreeUS"} - set(df.columns)
    if missing:
        raise SystemExit(f"{path}: missing columns {sorted(missing)}")
    return df


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_store_options(ap)
    ap.add_argument("--reference", type=Path, required=True)
    a = ap.parse_args()
    from comity.analysis import alignment_matrix
    from comity.store import Store
    from comity.world import states as st

    ref = _reference(a.reference)
    codes = {}
    for name in ref["CountryName"].unique():
        try:
            codes[name] = st.lookup(str(name))
        except Exception:  # a name comity does not know is left out
            codes[name] = None
    ref["code"] = ref["CountryName"].map(codes)
    y0, y1 = int(ref["Year"].min()), int(ref["Year"].max())
    db, tmp = ensure_store(a.db, a.data)
    try:
        with Store(db, read_only=True) as s:
            panel = s.panel(body="GA", start=f"{y0}-01-01", end=f"{y1}-12-31")
        m = alignment_matrix(panel=panel, start=y0, end=y1, period="year",
                             measure=["identical", "agreement"], min_votes=1).wide
        us = m[(m["state_a"] == "USA") | (m["state_b"] == "USA")].copy()
        us["other"] = np.where(us["state_a"] == "USA", us["state_b"], us["state_a"])
        us["year"] = us["period"].astype(int)
        j = ref.merge(us[["year", "other", "identical", "agreement"]],
                      left_on=["Year", "code"], right_on=["year", "other"])
        j = j[j["code"] != "USA"].dropna(subset=["PctAgreeUS", "identical", "agreement"])
        out = {"bench": "agreement_reference", "pairs": len(j),
               "unmapped_names": sorted(str(k) for k, v in codes.items() if v is None)}
        for col in ("identical", "agreement"):
            out[f"r_{col}"] = round(float(np.corrcoef(j["PctAgreeUS"], j[col])[0, 1]), 4)
            out[f"median_abs_diff_{col}"] = round(float(np.median(np.abs(
                j["PctAgreeUS"] - j[col]))), 4)
        out["years"] = [y0, y1]
        print(json.dumps(out))
    finally:
        if tmp is not None:
            tmp.cleanup()


if __name__ == "__main__":
    main()
