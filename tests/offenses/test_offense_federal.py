"""Federal: 18 U.S.C. chapter 77 and 110, immigration crimes, and their texts."""

from __future__ import annotations

import pytest

from casebycase.offenses import classify


@pytest.mark.parametrize(
    ("code", "category"),
    [
        ("18 U.S.C. 1581", "human_trafficking"),
        ("18 U.S.C. 1583", "human_trafficking"),
        ("18 U.S.C. 1584", "human_trafficking"),
        ("18 U.S.C. 1589", "human_trafficking"),
        ("18 U.S.C. 1590", "human_trafficking"),
        ("18 U.S.C. 1591", "sex_trafficking"),
        ("18 USC §1591(a)", "sex_trafficking"),
        ("18 U.S.C. 1592", "human_trafficking"),
        ("18 U.S.C. 1594(b)", "human_trafficking"),
        ("18 U.S.C. 1594(c)", "sex_trafficking"),
        ("18 U.S.C. 2251", "child_exploitation"),
        ("18 U.S.C. 2252A(a)(5)(B)", "child_exploitation"),
        ("18 U.S.C. 2260", "child_exploitation"),
        ("18 U.S.C. 2422(b)", "child_exploitation"),
        ("8 U.S.C. 1324", "immigration_crime"),
        ("8 U.S.C. 1325", "immigration_crime"),
        ("8 U.S.C. 1326", "immigration_crime"),
        ("8 U.S.C. 1327", "immigration_crime"),
        ("INA 276", "immigration_crime"),
        ("18 U.S.C. 1111", "homicide"),
        ("18 U.S.C. 1113", "violent_felony"),
        ("21 U.S.C. 841", "drug_felony"),
    ],
)
def test_sections(code: str, category: str) -> None:
    found = classify(code)
    assert (found.category, found.matched_by) == (category, "code")


@pytest.mark.parametrize(
    "code",
    ["18 U.S.C. 1594", "18 U.S.C. 1594(a)", "18 U.S.C. 1597", "18 U.S.C. 2261", "8 U.S.C. 1324a"],
)
def test_sections_the_catalog_does_not_decide(code: str) -> None:
    assert classify(code).category == "unknown"


def test_reentry_is_a_felony_and_entry_level_follows_the_hint() -> None:
    assert classify("8 U.S.C. 1326").level == "felony"
    assert classify("8 U.S.C. 1325").level is None
    assert classify("8 U.S.C. 1325", level="misdemeanor").level == "misdemeanor"


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("ILLEGAL REENTRY", "immigration_crime"),
        ("RE-ENTRY OF REMOVED ALIEN", "immigration_crime"),
        ("ILLEGAL ENTRY", "immigration_crime"),
        ("ALIEN SMUGGLING", "immigration_crime"),
        ("HARBORING ILLEGAL ALIENS", "immigration_crime"),
        ("SEX TRAFFICKING OF CHILDREN", "sex_trafficking"),
        ("FORCED LABOR", "human_trafficking"),
        ("PEONAGE", "human_trafficking"),
        ("HUMAN TRAFFICKING", "human_trafficking"),
    ],
)
def test_texts(text: str, category: str) -> None:
    assert classify(description=text).category == category


@pytest.mark.parametrize(
    "text", ["VISA OVERSTAY", "UNLAWFUL PRESENCE", "REMOVABLE ALIEN", "HARBORING RUNAWAY CHILD"]
)
def test_civil_status_is_not_an_immigration_crime(text: str) -> None:
    assert classify(description=text).category != "immigration_crime"
