"""Statute citations as written: parsing, and what is refused."""

from __future__ import annotations

import pytest

from casebycase.offenses import Citation, parse_citation
from casebycase.offenses.citations import parse_code_pattern


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("RSMo 566.209", Citation("mo", "566.209")),
        ("566.209", Citation("mo", "566.209")),
        ("RSMo § 566.210.1", Citation("mo", "566.210", ("1",))),
        ("RSMO 571.030.1(4)", Citation("mo", "571.030", ("1", "4"))),
        ("Section 566.209, RSMo", Citation("mo", "566.209")),
        ("Mo. Rev. Stat. § 566.206", Citation("mo", "566.206")),
        ("565.076-003Y202013", Citation("mo", "565.076")),
        ("579.015-001Y202235|", Citation("mo", "579.015")),
        ("18 U.S.C. 1591", Citation("us", "18-1591")),
        ("18 USC §1591(a)", Citation("us", "18-1591", ("a",))),
        ("18 U.S.C. § 2252A(a)(5)(B)", Citation("us", "18-2252A", ("a", "5", "b"))),
        ("8 U.S.C. 1326", Citation("us", "8-1326")),
        ("8 usc 1324(a)(1)(A)(ii)", Citation("us", "8-1324", ("a", "1", "a", "ii"))),
        ("INA 276", Citation("us", "8-1326")),
        ("TX PC 20A.02", Citation("txpc", "20A.02")),
        ("Texas Penal Code 19.02", Citation("txpc", "19.02")),
        ("Tex. Penal Code § 22.02(a)(2)", Citation("txpc", "22.02", ("a", "2"))),
        ("TX HSC 481.115", Citation("txhsc", "481.115")),
        ("Tex. Health & Safety Code 481.1151", Citation("txhsc", "481.1151")),
        ("13990031", Citation("txoc", "13990031")),
        ("TXOC 35990014A", Citation("txoc", "35990014A")),
    ],
)
def test_citations_are_parsed(text: str, expected: Citation) -> None:
    assert parse_citation(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        None,
        "",
        "  ",
        "19.02",
        "43.032",
        "4200",
        "OOC WARRANT",
        "FAILURE TO APPEAR",
        "PC 187",
        "USC 1326",
        "1326",
        "RSMo five",
    ],
)
def test_ambiguous_or_foreign_codes_are_not_citations(text: str | None) -> None:
    assert parse_citation(text) is None


def test_missouri_marker_allows_short_chapters() -> None:
    assert parse_citation("RSMo 43.032") == Citation("mo", "43.032")


def test_decimal_sections_order_digit_by_digit() -> None:
    pattern = parse_code_pattern("TX HSC 481.115 to 481.1161")
    assert pattern.matches(Citation("txhsc", "481.1151"))
    assert pattern.matches(Citation("txhsc", "481.116"))
    assert not pattern.matches(Citation("txhsc", "481.117"))


def test_us_code_range_includes_letter_sections() -> None:
    pattern = parse_code_pattern("18 U.S.C. 2251 to 2260A")
    assert pattern.matches(Citation("us", "18-2252A"))
    assert pattern.matches(Citation("us", "18-2260A"))
    assert not pattern.matches(Citation("us", "18-2261"))
    assert not pattern.matches(Citation("us", "8-2252"))


def test_subsection_patterns_need_the_subsection() -> None:
    pattern = parse_code_pattern("18 U.S.C. 1594(c)")
    assert pattern.matches(Citation("us", "18-1594", ("c",)))
    assert pattern.matches(Citation("us", "18-1594", ("c", "1")))
    assert not pattern.matches(Citation("us", "18-1594"))
    assert not pattern.matches(Citation("us", "18-1594", ("b",)))


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("RSMo 566.220 to 566.200", "ends before it starts"),
        ("TXOC 13990031 to 13990040", "ranges are not allowed"),
        ("RSMo 566.200 to 18 U.S.C. 1591", "not a section of the same code"),
        ("RSMo 566.210.1 to 566.211", "cannot name subsections"),
        ("Penal Code 19.02", "not a citation"),
    ],
)
def test_bad_code_patterns_say_why(text: str, words: str) -> None:
    with pytest.raises(ValueError, match=words):
        parse_code_pattern(text)
