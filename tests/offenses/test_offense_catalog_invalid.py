"""One broken catalog file per error kind, and the words each message must contain."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest

from casebycase.offenses import CatalogError, load_catalog_from
from casebycase.offenses.catalog import CATALOG_FILES

INVALID = Path(__file__).parent / "invalid"

CASES: dict[str, list[str]] = {
    "unknown_category.yaml": [
        "unknown_category.yaml:4",
        "'mo:566.209'",
        "unknown category 'sex_traffic'",
        "did you mean 'sex_trafficking'",
    ],
    "unknown_by_level_category.yaml": [
        "'text:theft'",
        "unknown category 'other_felonny'",
        "did you mean 'other_felony'",
    ],
    "bad_regex.yaml": [
        "bad_regex.yaml:4",
        "'text:rape'",
        "not a valid regular expression",
        "missing )",
    ],
    "duplicate_id.yaml": [
        "duplicate_id.yaml:10",
        "duplicate entry id 'text:dup'",
        "first defined at duplicate_id.yaml:4",
    ],
    "unknown_abbreviation.yaml": [
        "'text:assault'",
        "unknown abbreviation '{ASSLT}'",
        "did you mean '{ASSAULT}'",
    ],
    "bad_code.yaml": ["'mo:bad'", "bad code pattern 'RSMo five'", "not a citation"],
    "bad_range.yaml": ["'mo:566-backwards'", "ends before it starts"],
    "unknown_key.yaml": ["'text:theft'", "unknown key 'categroy'", "did you mean 'category'"],
    "unknown_level.yaml": ["'text:theft'", "unknown level 'felon'", "felony, misdemeanor"],
    "no_patterns.yaml": ["'text:nothing'", "needs 'codes' or 'descriptions'"],
    "duplicate_key.yaml": ["duplicate_key.yaml:8:5", "duplicate key 'category'", "first at line 7"],
    "yaml_syntax.yaml": ["yaml_syntax.yaml:6:11", "not valid YAML"],
    "hold_with_category.yaml": ["'hold:ice'", "a hold entry has no category"],
    "missing_entries.yaml": [
        "missing_entries.yaml",
        "'entries' is required",
        "unknown key 'entry'",
        "did you mean 'entries'",
    ],
    "bad_id.yaml": ["'Bad Id'", "not of the form 'prefix:name'"],
    "empty.yaml": ["empty.yaml", "the file is empty"],
}


def test_every_broken_file_has_a_case() -> None:
    assert {p.name for p in INVALID.glob("*.yaml")} == set(CASES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_broken_file_is_refused_with_a_teaching_message(name: str) -> None:
    with pytest.raises(CatalogError) as caught:
        load_catalog_from([INVALID / name])
    message = str(caught.value)
    assert message.startswith("offense catalog cannot be loaded:")
    for words in CASES[name]:
        assert words in message, f"{words!r} not in:\n{message}"


def test_all_problems_are_reported_at_once() -> None:
    with pytest.raises(CatalogError) as caught:
        load_catalog_from([INVALID / "unknown_category.yaml", INVALID / "bad_regex.yaml"])
    assert len(caught.value.problems) == 2


def test_duplicate_ids_across_files_name_both_files(tmp_path: Path) -> None:
    bundled = resources.files("casebycase.offenses").joinpath("catalog", "missouri.yaml")
    extra = tmp_path / "extra.yaml"
    extra.write_text(
        "catalog: extra\njurisdiction: test\nentries:\n"
        "  - id: mo:566.209\n    citation: RSMo 566.209\n    title: Again\n"
        "    category: sex_trafficking\n    codes: ['RSMo 566.209']\n",
        encoding="utf-8",
    )
    with pytest.raises(CatalogError) as caught:
        load_catalog_from([bundled, extra])
    message = str(caught.value)
    assert "duplicate entry id 'mo:566.209'" in message
    assert "extra.yaml:4" in message
    assert "first defined at missouri.yaml:" in message


def test_bad_abbreviation_table(tmp_path: Path) -> None:
    table = tmp_path / "abbreviations.yaml"
    table.write_text("abbreviations:\n  ASSAULT: 'AS(SAULT'\n  lower: 'x'\n", encoding="utf-8")
    with pytest.raises(CatalogError) as caught:
        load_catalog_from([], abbreviations=table)
    message = str(caught.value)
    assert "abbreviation 'ASSAULT'" in message and "not a valid regular expression" in message
    assert "upper-case" in message


def test_the_bundled_files_load() -> None:
    folder = resources.files("casebycase.offenses").joinpath("catalog")
    catalog = load_catalog_from([folder.joinpath(name) for name in CATALOG_FILES])
    assert len(catalog) > 200
