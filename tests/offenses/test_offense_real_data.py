"""Coverage on the real Travis County and Boone County charge lines (skipped without data)."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import pytest

from casebycase.offenses import Classification, classify

REAL = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "real"
TRAVIS = REAL / "travis-county-tx-ice-detainers" / "booking_charges_1991-2016.csv"
BOONE = REAL / "boone-county-mo-jail-roster"

pytestmark = pytest.mark.skipif(
    not TRAVIS.is_file(), reason=f"real data not found at {REAL} (../shared beside the repo)"
)

# Measured shares minus a small margin; raise them when the catalog improves.
TRAVIS_BY_LINE, TRAVIS_BY_TEXT = 0.94, 0.95
BOONE_BY_LINE, BOONE_BY_TEXT = 0.85, 0.74


def _rows(path: Path) -> Iterator[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        yield from csv.DictReader(handle)


def _travis() -> list[tuple[str, Classification]]:
    return [
        (r["charge_literal"].strip(), classify(r["charge_code"], r["charge_literal"], r["level"]))
        for r in _rows(TRAVIS)
    ]


def _boone() -> list[tuple[str, Classification]]:
    out = [
        (r["Charge Description"].strip(), classify(None, r["Charge Description"]))
        for r in _rows(BOONE / "current_detainees_2023-04_deidentified.csv")
    ]
    out += [
        (r["Charge description"].strip(), classify(r["Charge number"], r["Charge description"]))
        for r in _rows(BOONE / "seven_am_report_2023-04-25_deidentified.csv")
    ]
    return out


def _shares(lines: list[tuple[str, Classification]]) -> tuple[float, float, int]:
    charges = [(text, found) for text, found in lines if not found.is_hold]
    done = [text for text, found in charges if found.category != "unknown"]
    texts = {text for text, _ in charges}
    return len(done) / len(charges), len(set(done)) / len(texts), len(lines) - len(charges)


def test_travis_coverage() -> None:
    lines = _travis()
    by_line, by_text, holds = _shares(lines)
    assert len(lines) == 24839
    assert holds >= 9602 + 146  # every ICE and federal detainer line is a hold
    assert by_line >= TRAVIS_BY_LINE
    assert by_text >= TRAVIS_BY_TEXT


def test_boone_coverage() -> None:
    lines = _boone()
    by_line, by_text, holds = _shares(lines)
    assert len(lines) == 753 + 19
    assert holds >= 3  # the three immigration detainer lines
    assert by_line >= BOONE_BY_LINE
    assert by_text >= BOONE_BY_TEXT


def test_travis_code_and_text_agree() -> None:
    """Where both the DPS offense code and the literal are recognised, they agree."""
    disagree = set()
    for r in _rows(TRAVIS):
        by_code = classify(r["charge_code"], None, r["level"])
        by_text = classify(None, r["charge_literal"], r["level"])
        if by_code.matched_by == "code" and by_code.category != by_text.category:
            disagree.add((r["charge_code"], r["charge_literal"].strip()))
    assert disagree == set()
