"""The claim reader (issue 14): the sentence corpus, the article, property tests, and the CLI
on sentences and articles."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from comity.claims.grammar import (
    ClaimSyntaxError,
    CloserClaim,
    IsolationClaim,
    MovedClaim,
    NeutralityClaim,
    Period,
    parse_claim,
)
from comity.claims.reader import (
    AmbiguousNameError,
    read_sentence,
    read_text,
    reading_text,
    split_sentences,
)
from tests.claims.corpus import HERE, diff, load

CASES = load()
ARTICLE = load("article_expected.jsonl")


def test_corpus_is_large_and_varied() -> None:
    kinds = [c["kind"] for r in CASES for c in r.get("claims", [])]
    assert len(CASES) >= 80
    assert sum("skip" in r for r in CASES) >= 15 and sum("error" in r for r in CASES) >= 5
    for kind, least in (("closer", 45), ("moved", 18), ("cohesion", 8), ("ranking", 6),
                        ("isolation", 6), ("neutrality", 5)):
        assert kinds.count(kind) >= least, kind


@pytest.mark.parametrize("case", CASES, ids=lambda r: r["sentence"][:60])
def test_sentence(case: dict) -> None:
    s = case["sentence"]
    if "error" in case:
        with pytest.raises(ClaimSyntaxError) as exc:
            read_sentence(s)
        if case.get("choices"):
            assert set(exc.value.candidates) >= set(case["choices"]) or all(
                c.replace("term:", "") in str(exc.value) for c in case["choices"])
        return
    got = read_sentence(s)
    if "skip" in case:
        assert got == [], [g.reading for g in got]
        (why,) = read_text(s).skipped
        assert why.why
        return
    assert len(got) == len(case["claims"]), [g.reading for g in got]
    for g, e in zip(got, case["claims"], strict=True):
        assert not diff(g.claim, e), diff(g.claim, e)
        # the reading names every party the claim holds
        assert reading_text(g.claim) == g.reading


def test_the_headline_reads_as_now() -> None:
    (c,) = read_sentence("US Politics and Diplomacy Is Now More Aligned with Russia Than "
                         "The Europeans")
    assert c.reading == "USA closer to RUS than to EU, now"
    assert c.claim == CloserClaim("USA", "RUS", "bloc:eu", period=Period.now())
    assert "'now': the latest 12 months of data" in c.notes


def test_article_claims_in_order() -> None:
    text = (HERE / "article.txt").read_text("utf-8")
    r = read_text(text)
    assert [c.sentence for c in r.claims] == [a["sentence"] for a in ARTICLE]
    for got, exp in zip(r.claims, ARTICLE, strict=True):
        assert not diff(got.claim, exp["claims"][0])
    assert len(text.split()) >= 1450
    assert all(s.why for s in r.skipped) and len(r.skipped) > 40


def test_ambiguous_leader_and_tense() -> None:
    with pytest.raises(ClaimSyntaxError, match="several terms"):
        read_sentence("Under Trump, the US voted more often with Israel than with Britain.")
    (c,) = read_sentence("Since Trump took office, the US has moved away from the EU.")
    assert isinstance(c.claim, MovedClaim) and c.claim.after.start == date(2025, 1, 20)
    (c,) = read_sentence("During Trump's first term, the US was closer to Israel than to "
                         "France.")
    assert (c.claim.period.start, c.claim.period.end) == (date(2017, 1, 20),
                                                          date(2021, 1, 19))


def test_terms_and_events_at_their_edges() -> None:
    """A term's window is its first day to the day before its successor's first day; a
    'before EVENT' window ends the day before the event."""
    (c,) = read_sentence("Under Biden, Washington voted more often with London than with Paris.")
    assert (c.claim.period.start, c.claim.period.end) == (date(2021, 1, 20),
                                                          date(2025, 1, 19))
    (c,) = read_sentence("The Group of 77 is far less cohesive today than it was during the "
                         "Cold War.")
    assert c.claim.than.end == date(1991, 12, 25) and c.claim.period.kind == "now"
    (c,) = read_sentence("Since the invasion of Ukraine, Hungary has drifted away from the EU.")
    assert c.claim.after == Period.since("2022-02-24")


def test_ambiguous_names_list_choices() -> None:
    with pytest.raises(AmbiguousNameError) as exc:
        read_sentence("NAM voted with China more often than with the US in 2024.")
    assert exc.value.candidates == ["NAM", "bloc:nam"]
    r = read_text("NAM voted with China more often than with the US in 2024. Russia is "
                  "isolated in 2022.")
    assert len(r.claims) == 1 and "ambiguous" in r.skipped[0].why


def test_new_kinds_round_trip_through_the_grammar() -> None:
    for c in (IsolationClaim("ISR", period=Period.year(2024), topic="gaza"),
              IsolationClaim("RUS", period=Period.now(), direction=-1),
              NeutralityClaim("IND", "RUS", "bloc:west", period=Period.year(2023), margin=0.1)):
        assert parse_claim(str(c)) == c


# ------------------------------------------------------------------------------ properties
NAMES = {"USA": ["the United States", "Washington", "America", "the US"],
         "RUS": ["Russia", "Moscow", "the Kremlin"], "CHN": ["China", "Beijing"],
         "FRA": ["France", "Paris"], "IND": ["India", "New Delhi"], "BRA": ["Brazil"],
         "bloc:eu": ["the EU", "the European Union", "Brussels", "the Europeans"],
         "bloc:g77": ["the Global South", "the Group of 77"], "bloc:nato": ["NATO"]}
VERBS = ["voted closer to {b} than to {c}", "was more aligned with {b} than with {c}",
         "sided with {b} rather than {c}", "voted with {b} more often than with {c}"]


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(sorted(NAMES)), st.sampled_from(sorted(NAMES)),
       st.sampled_from(sorted(NAMES)), st.data(), st.integers(1950, 2025),
       st.sampled_from(VERBS))
def test_generated_closer_sentences(a: str, b: str, c: str, data: st.DataObject, year: int,
                                    verb: str) -> None:
    if len({a, b, c}) < 3:
        return
    name = {k: data.draw(st.sampled_from(v)) for k, v in NAMES.items()}
    text = f"In {year}, {name[a]} {verb.format(b=name[b], c=name[c])}."
    (got,) = read_sentence(text)
    assert got.claim == CloserClaim(a, b, c, period=Period.year(year)), got.reading


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_any_text_is_read_or_skipped(text: str) -> None:
    """Arbitrary text never crashes the reader: every sentence is a claim or skipped."""
    r = read_text(text)
    seen = {c.sentence for c in r.claims} | {s.sentence for s in r.skipped}
    assert seen == set(split_sentences(text))  # every sentence is accounted for
    for c in r.claims:
        assert parse_claim(str(c.claim)) == c.claim


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(["Russia is isolated in 2022", "The US voted with Israel "
                                 "rather than France in 2024", "It rained in Geneva"]),
                min_size=1, max_size=6))
def test_sentences_are_split(parts: list[str]) -> None:
    text = ". ".join(parts) + "."
    assert len(split_sentences(text)) == len(parts)
    assert len(read_text(text).claims) == sum(p != "It rained in Geneva" for p in parts)


# ------------------------------------------------------------------------------------ CLI
def test_cli_sentence_and_article(mini_db: Path, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from comity.cli import app

    run = CliRunner()
    db = str(mini_db)
    r = run.invoke(app, ["claim", "In 1985 the US voted closer to Canada than to Russia",
                         "--db", db, "--min-votes", "1", "--bootstrap", "50", "--json"])
    assert r.exit_code == 0, r.output
    one = json.loads(r.stdout)
    assert one["reading"] == "USA closer to CAN than to RUS, 1985, GA, measure agreement"
    assert one["claim"]["kind"] == "closer"
    art = tmp_path / "a.txt"
    art.write_text("In 1985 the US voted closer to Canada than to Russia. It rained. Canada "
                   "was isolated in 1985.", "utf-8")
    r = run.invoke(app, ["claim", "--file", str(art), "--db", db, "--min-votes", "1",
                         "--bootstrap", "50", "--json"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert set(out) == {"claims", "skipped"}
    assert [c["reading"] for c in out["claims"]] == [
        "USA closer to CAN than to RUS, 1985, GA, measure agreement",
        "CAN isolated, 1985, GA, measure opposed"]
    assert out["skipped"] == [{"sentence": "It rained.",
                               "why": "no parties: names no state or group"}]
    assert set(out["claims"][0]) >= {"sentence", "reading", "kind", "parties", "period",
                                     "before", "topic", "verdict", "effect", "lo", "hi", "n",
                                     "measure", "robustness", "evidence"}
    assert "NaN" not in r.stdout and "NaT" not in r.stdout
    r = run.invoke(app, ["claim", "--file", "-", "--db", db, "--min-votes", "1",
                         "--bootstrap", "20"], input=art.read_text("utf-8"))
    assert r.exit_code == 0 and "2 claims found, 1 sentence skipped" in r.stdout
    assert "read as: USA closer to CAN than to RUS, 1985, GA, measure agreement" in r.stdout


def test_cli_sentence_errors(mini_db: Path, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from comity.cli import app

    run = CliRunner()
    r = run.invoke(app, ["claim", "NAM voted with China more than with Canada in 1985",
                         "--db", str(mini_db)])
    assert isinstance(r.exception, AmbiguousNameError) and r.exception.exit_code == 4
    assert r.exception.candidates == ["NAM", "bloc:nam"]
    r = run.invoke(app, ["claim", "--db", str(mini_db)])
    assert r.exit_code != 0 and "give a CLAIM or --file" in str(r.exception)
    bad = tmp_path / "b.txt"
    bad.write_bytes(b"caf\xe9")
    r = run.invoke(app, ["claim", "--file", str(bad), "--db", str(mini_db)])
    assert "not UTF-8" in str(r.exception)
