"""The 287(g) agency directory on hand-written excerpts of the ICE lists and the FBI roster."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

import pytest

from casebycase.replay.agencies import Agency, Directory, build_directory, normalize, parse_signed


@pytest.fixture
def mo(data: Path) -> Directory:
    return build_directory(data, "mo")


def agency(d: Directory, name: str) -> Agency:
    [found] = [a for a in d.agencies if a.name == name]
    return found


def test_only_the_state_asked_for(mo: Directory) -> None:
    assert mo.state == "MO" and mo.newest == dt.date(2026, 5, 18)
    assert {a.state for a in mo.agencies} == {"MO"}
    assert len(mo.agencies) == 8
    assert not any("Example" in a.name for a in mo.agencies)


def test_models_signing_dates_and_snapshots(mo: Directory) -> None:
    christian = agency(mo, "Christian County Sheriff's Office")
    assert set(christian.agreements) == {"JEM", "TFM", "WSO"}
    jem = christian.agreements["JEM"]
    assert (jem.signed, jem.first_seen, jem.last_seen, jem.current) == (
        dt.date(2025, 3, 21),
        dt.date(2025, 4, 30),
        dt.date(2025, 11, 26),
        False,
    )
    wso = christian.agreements["WSO"]
    assert wso.signed == dt.date(2025, 3, 26) and wso.current  # newest list's date wins
    assert wso.signed_values == {dt.date(2025, 3, 26), dt.date(2025, 5, 8)}
    tfm = christian.agreements["TFM"]
    assert (tfm.signed, tfm.first_seen) == (dt.date(2025, 7, 7), dt.date(2025, 7, 18))
    assert christian.pending["TFM"] == (dt.date(2025, 5, 15), dt.date(2025, 7, 7))
    hallsville = agency(mo, "Hallsville Police Department")
    assert hallsville.county == "Boone County"
    assert hallsville.agreements["TFM"].signed == dt.date(2026, 4, 15)


def test_spelling_quirks(mo: Directory) -> None:
    douglas = agency(mo, "Douglas County Sheriff's Office")
    assert douglas.names == {"Dogulas County Sheriff's Office", "Douglas County Sheriff's Office"}
    assert douglas.agreements["TFM"].first_seen == dt.date(2025, 11, 26)
    assert agency(mo, "Saint Ann Police Department").name.endswith("Department")  # trimmed
    q = mo.quirks
    assert q["rows with extra spaces in the agency name, trimmed"] >= 4
    assert q["rows with extra spaces in SUPPORT TYPE, trimmed"] == 2
    assert q["malformed SIGNED repaired ('05/082025' -> 2025-05-08)"] == 1
    assert q["malformed SIGNED repaired ('7/72025' -> 2025-07-07)"] == 1
    assert q["rows typing a sheriff's office 'Municipality' (TYPE not used)"] == 2
    assert any(k.startswith("misspelled agency merged") for k in q)


def test_fbi_roster_matches(mo: Directory) -> None:
    def fbi(name: str) -> tuple[str, str, str] | None:
        f = agency(mo, name).fbi
        return None if f is None else (f.ori, f.type, f.matched_by)

    assert fbi("Christian County Sheriff's Office") == (
        "MO0220000",
        "County",
        "ORI from 287g-watch",
    )
    assert fbi("Saint Mary Police Department") == ("MO0970200", "City", "ORI from 287g-watch")
    assert fbi("Douglas County Sheriff's Office") == (
        "MO0340000",
        "County",
        "county name (sheriff) and county",
    )
    assert fbi("Washington County Sheriff's Office") == (
        "MO1110000",
        "County",
        "county name (sheriff) and county",
    )
    assert fbi("Saint Ann Police Department") == (
        "MO0956500",
        "City",
        "city name (police) and county",
    )
    assert fbi("Missouri Highway Patrol") == ("MOMHP0000", "State Police", "full name")
    assert fbi("Oak Grove Village Police Department") is None  # Oak Grove is in Jackson Co.
    assert mo.quirks["agency not found in the FBI roster"] == 1


def test_to_dict_is_plain_data(mo: Directory) -> None:
    d = mo.to_dict()
    assert d["newest_list"] == "2026-05-18"
    first = d["agencies"][0]
    assert set(first) == {"name", "state", "county", "spellings", "agreements", "pending", "fbi"}


def test_normalize_and_parse_signed() -> None:
    assert normalize("Saint Mary Police Department ") == "st mary police"
    assert normalize("Phelps County Sheriff's Department") == "phelps county sheriff"
    assert normalize("Ste. Genevieve County Sheriff's Office") == "ste genevieve county sheriff"
    quirks: Counter[str] = Counter()
    assert parse_signed("2025-12-02 00:00:00", quirks) == dt.date(2025, 12, 2)
    assert parse_signed("", quirks) is None
    assert parse_signed("soon", quirks) is None
    assert quirks == {"SIGNED not a date, ignored ('soon')": 1}


def test_unknown_state(data: Path) -> None:
    with pytest.raises(ValueError, match="unknown state"):
        build_directory(data, "XX")
