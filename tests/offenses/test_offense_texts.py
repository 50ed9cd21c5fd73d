"""Holds, unknowns, level hints, precedence and the public API."""

from __future__ import annotations

import csv
import dataclasses
from pathlib import Path

import pytest

import casebycase.offenses as offenses
from casebycase.offenses import (
    CATEGORIES,
    LEVELS,
    Classification,
    classify,
    load_catalog,
    normalize_level,
)

DATA = Path(__file__).parent / "data"
SPEC_CATEGORIES = (
    "human_trafficking",
    "sex_trafficking",
    "child_exploitation",
    "homicide",
    "sexual_assault",
    "violent_felony",
    "drug_felony",
    "other_felony",
    "dwi",
    "misdemeanor",
    "immigration_crime",
    "ordinance",
    "unknown",
)


def test_enumerations_match_the_request_format() -> None:
    assert CATEGORIES == SPEC_CATEGORIES
    assert LEVELS == ("felony", "misdemeanor", "infraction")


def test_public_names() -> None:
    for name in (
        "Classification",
        "classify",
        "load_catalog",
        "load_catalog_from",
        "CATEGORIES",
        "LEVELS",
        "Catalog",
        "CatalogError",
    ):
        assert hasattr(offenses, name)
    fields = [f.name for f in dataclasses.fields(Classification)]
    assert fields == ["category", "level", "entry", "citation", "title", "matched_by", "is_hold"]
    found = classify("RSMo 566.209")
    with pytest.raises(dataclasses.FrozenInstanceError):
        found.category = "unknown"  # type: ignore[misc]


def test_every_entry_is_consistent() -> None:
    catalog = load_catalog()
    assert len(catalog) > 200
    ids = [entry.id for entry in catalog.entries]
    assert len(ids) == len(set(ids))
    for entry in catalog.entries:
        assert entry.category in CATEGORIES
        assert set(entry.by_level) <= set(LEVELS)
        assert set(entry.by_level.values()) <= set(CATEGORIES)
        assert not entry.hold or entry.category == "unknown"
        assert catalog.entry(entry.id) is entry


@pytest.mark.parametrize(
    ("text", "entry"),
    [
        ("ICE DETAINER", "hold:ice-detainer"),
        ("IMMIGRATION DETAINER", "hold:ice-detainer"),
        ("IMMIGRATION DETAINER (JAIL)", "hold:ice-detainer"),
        ("INS DETAINER", "hold:ice-detainer"),
        ("FEDERAL DETAINER", "hold:federal-detainer"),
        ("US MARSHAL HOLD", "hold:us-marshal"),
        ("US MARSHAL HOLD (JAIL) PROB VIOL/ POSS COCAINE", "hold:us-marshal"),
        ("USMAR: FELON IN POSS OF FIREARM", "hold:us-marshal"),
        ("P&P HOLD", "hold:probation-parole"),
        ("P&P HOLD (JAIL) PROB VIOL/ DOMESTIC ASSAULT 2ND", "hold:probation-parole"),
        ("PROBATION DETAINER: NONSUPPORT, STEALING 4TH", "hold:probation-parole"),
        ("PAROLE VIOLATION", "hold:parole-violation"),
        ("JUVENILE DETAINER", "hold:juvenile-detainer"),
        ("TDC BENCH WARRANT", "hold:prison-bench-warrant"),
        ("WRIT OF ATTACHMENT", "hold:writ-of-attachment"),
    ],
)
def test_holds_are_not_offenses(text: str, entry: str) -> None:
    found = classify(description=text, level="F")
    assert found == Classification(
        "unknown", None, entry, found.citation, found.title, "description", True
    )


def test_hold_words_inside_an_offense_text_do_not_make_a_hold() -> None:
    found = classify(description="PROB VIOL: DOMESTIC ASSAULT 2ND")
    assert not found.is_hold
    assert found.category == "violent_felony"


@pytest.mark.parametrize(
    ("code", "text", "level"),
    [
        (None, None, None),
        (None, "", "F"),
        (None, "   ", None),
        (None, "CONTEMPT-NONPAYMENT OF CHILD SUPPORT3806", "M"),
        (None, "TRAFFICKING", None),
        (None, "ASSAULT", "F"),
        (None, "SOMETHING NOBODY WROTE BEFORE", "F1"),
        ("19.02", None, "F"),
        ("RSMo 999.999", None, None),
        ("OOC WARRANT", None, None),
    ],
)
def test_unknown_is_an_answer(code: str | None, text: str | None, level: str | None) -> None:
    found = classify(code, text, level)
    assert found.category == "unknown"
    assert found.entry is None
    assert found.matched_by is None
    assert not found.is_hold


def test_an_unmatched_text_with_a_felony_level_is_not_guessed() -> None:
    assert classify(description="UNHEARD OF CONDUCT", level="felony").category == "unknown"


@pytest.mark.parametrize(
    ("hint", "expected"),
    [
        ("F", "felony"),
        ("F*", "felony"),
        ("F1", "felony"),
        ("F3", "felony"),
        ("FS", "felony"),
        ("S", "felony"),
        ("2", "felony"),
        ("felony", "felony"),
        ("Class D Felony", "felony"),
        ("MA", "misdemeanor"),
        ("MC", "misdemeanor"),
        ("A", "misdemeanor"),
        ("C", "misdemeanor"),
        ("M*", "misdemeanor"),
        ("misdemeanor", "misdemeanor"),
        ("Class B misdemeanor", "misdemeanor"),
        ("infraction", "infraction"),
        (None, None),
        ("", None),
        ("X", None),
        ("P", None),
        ("*", None),
        ("Q7", None),
    ],
)
def test_level_hints(hint: str | None, expected: str | None) -> None:
    assert normalize_level(hint) == expected


def test_level_hint_splits_generic_entries() -> None:
    assert classify(description="THEFT").category == "unknown"
    assert classify(description="THEFT", level="F").category == "other_felony"
    assert classify(description="THEFT", level="B").category == "misdemeanor"
    assert classify(description="THEFT", level="infraction").category == "misdemeanor"


def test_a_fixed_level_wins_over_the_hint() -> None:
    found = classify(description="MURDER 2ND DEGREE", level="misdemeanor")
    assert (found.category, found.level) == ("homicide", "felony")


def test_level_is_filled_from_the_hint_when_the_entry_does_not_fix_it() -> None:
    assert classify(description="DRIVING WHILE INTOXICATED", level="F3").level == "felony"
    assert classify("TX PC 49.04").level is None


def test_code_wins_over_description() -> None:
    found = classify("RSMo 566.209", "ARMED CRIMINAL ACTION")
    assert (found.category, found.matched_by) == ("sex_trafficking", "code")


def test_an_unknown_code_falls_back_to_the_description() -> None:
    found = classify("RSMo 999.999", "ARMED CRIMINAL ACTION")
    assert (found.category, found.matched_by) == ("violent_felony", "description")


def test_input_is_normalized_before_the_cache() -> None:
    catalog = load_catalog()
    a = catalog.classify(" rsmo 566.209 ", "  armed   criminal action ", " f ")
    b = catalog.classify("RSMO 566.209", "ARMED CRIMINAL ACTION", "F")
    assert a is b


def test_audited_real_lines() -> None:
    """Real charge lines (a few dozen, from the audit) and what they must give."""
    with (DATA / "audited_lines.csv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) >= 40
    wrong = []
    for row in rows:
        found = classify(row["code"] or None, row["description"], row["level"] or None)
        expected = (
            row["category"],
            row["result_level"] or None,
            row["entry"] or None,
            row["is_hold"] == "true",
        )
        got = (found.category, found.level, found.entry, found.is_hold)
        if got != expected:
            wrong.append((row["description"], expected, got))
    assert wrong == []
