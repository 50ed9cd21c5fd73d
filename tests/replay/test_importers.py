"""Importers on small hand-written fixtures: requests, recorded outcomes, rejected rows."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from casebycase.replay.dataset import Dataset, read_csv
from casebycase.replay.importers import DATASETS, DatasetError, load_dataset
from casebycase.replay.pa import facility_kind
from casebycase.request import NATIONAL_ORIGIN_FIELDS

ORIGIN_VALUES = ("Mexico", "MEXICO", "Honduras", "Guatemala", "GUATEMALA", "El Salvador")


def by_id(ds: Dataset) -> dict[str, Any]:
    return {i.request.id or "": i for i in ds.items}


def rejected(ds: Dataset) -> dict[str, str]:
    return {r.where: r.why for r in ds.rejected}


def test_travis_requests(data: Path) -> None:
    ds = load_dataset("travis", data)
    items = by_id(ds)
    assert sorted(items) == [f"travis-{n}" for n in (1, 11, 2, 3, 4, 5, 6)]
    assert ds.rows_read == 12 + 20
    dwi = items["travis-1"].request
    assert dwi.kind == "detainer" and dwi.requester.agency == "ICE"
    assert dwi.requester.component == "ERO" and dwi.documents == ("I-247",)
    assert dwi.received_at.isoformat() == "2010-03-14T12:00:00-05:00"
    assert dwi.subject.in_custody and dwi.subject.charged
    assert dwi.subject.booked_at == dwi.received_at
    [o] = dwi.offenses
    assert (o.code, o.description, o.category, o.level, o.status) == (
        "54040009",
        "DRIVING WHILE INTOXICATED",
        "dwi",
        "misdemeanor",
        "charged",
    )
    assert items["travis-1"].actual == "RELEASED TO ICE"
    assert items["travis-2"].request.offenses[0].category == "homicide"
    assert items["travis-2"].actual == "WARRANT WITHDRAWN"


def test_travis_holds_duplicates_and_dispositions(data: Path) -> None:
    items = by_id(load_dataset("travis", data))
    only_detainer = items["travis-3"]
    assert only_detainer.request.offenses == () and not only_detainer.request.subject.charged
    assert only_detainer.actual is None  # still in custody when the report was made
    repeated = items["travis-4"]
    assert len(repeated.request.offenses) == 1  # the ordinance line appears twice
    assert repeated.actual == "RELEASED TO ICE"  # not the ERROR IN ENTRY line
    federal = items["travis-5"]
    assert [o.description for o in federal.request.offenses] == ["ASSAULT W/BODILY INJURY-FAM VIOL"]
    assert federal.source["holds"] == ["FEDERAL DETAINER"]
    assert federal.actual == "RELEASED TO TDCJ-ID"
    assert items["travis-11"].request.subject.juvenile
    assert items["travis-11"].request.offenses[0].category == "sexual_assault"


def test_travis_rejected_rows_name_file_line_and_reason(data: Path) -> None:
    ds = load_dataset("travis", data)
    bookings = "bookings_with_ice_detainer_1991-2016_deidentified.csv"
    charges = "booking_charges_1991-2016.csv"
    assert rejected(ds) == {
        f"{bookings}:8": "booking_date is not a date: '2011-13-45'",
        f"{bookings}:9": "booking_seq is not a number: 'x8'",
        f"{bookings}:10": "booking has no ICE DETAINER line: not a detainer request",
        f"{bookings}:11": "booking has no charge lines: no detainer recorded",
        f"{bookings}:13": "booking_seq is repeated: 1",
        f"{charges}:20": "charge of an unknown booking: booking_seq 99",
        f"{charges}:21": "charge line has no code or text",
    }
    assert ds.reasons()["booking_date is not a date"] == 1


def test_travis_charge_statistics(data: Path) -> None:
    ds = load_dataset("travis", data)
    assert ds.charges is not None
    assert ds.charges.charges == 6  # deduplicated, hold lines excluded
    assert ds.charges.unclassified == 1
    assert ds.charges.unclassified_texts == {"MOTION TO REVOKE PROBATION": 1}
    assert items_unknown(ds) == ["travis-6"]


def items_unknown(ds: Dataset) -> list[str]:
    return [i.request.id or "" for i in ds.items if "unknown" in i.request.categories]


def test_pa(data: Path) -> None:
    ds = load_dataset("pa", data)
    items = by_id(ds)
    assert ds.rows_read == 13
    assert sorted(items) == [f"pa-{n}" for n in (10, 11, 14, 2, 3, 8, 9)]
    county = items["pa-2"]
    assert county.request.kind == "detainer" and county.request.documents == ("I-247",)
    assert county.request.received_at.isoformat() == "2008-01-15T12:00:00-05:00"
    assert county.request.offenses == ()
    assert county.actual == "Booked into Detention"
    assert items["pa-3"].actual == "Detainer Declined by LEA"
    assert items["pa-3"].source["facility_kind"] == "state_prison"
    assert items["pa-8"].request.subject.juvenile and items["pa-8"].actual is None
    assert items["pa-10"].request.documents == ("I-247D",)
    notify = items["pa-11"].request
    assert notify.kind == "release_notification" and notify.documents == ("I-247N",)
    assert rejected(ds) == {
        "pa_detainers.csv:4": "federal custody, not a state or local agency: ALLENWOOD (LOW) FCI",
        "pa_detainers.csv:5": "federal custody, not a state or local agency: "
        "MOSHANNON VALLEY CORRECTIONAL",
        "pa_detainers.csv:6": "federal custody, not a state or local agency: "
        "US MARSHALS, E.DIST.PA",
        "pa_detainers.csv:7": "date is not a date: '2012-02-30'",
        "pa_detainers.csv:12": "unknown detainer_type: 'I999 - Something Else'",
        "pa_detainers.csv:13": "det_facility is empty: no receiving agency",
    }  # line 14, S.C.I. FOREST, is a state prison: imported
    assert "pa-14" in items


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("MONTGOMERY CNTY JAIL, PA", "local"),
        ("ROUNDHOUSE PHI, PA", "local"),
        ("CURRAN FROMHOLD CORR.FAC.", "local"),
        ("SCI GRATERFORD, PA", "state_prison"),
        ("S.C.I., CRESSON, PA", "state_prison"),
        ("SRCF MERCER", "state_prison"),
        ("SCHUYLKILL COUNTY PRISON", "local"),
        ("SCHUYLKILL FED.CORR.INST.", "federal"),
        ("USP CANAAN", "federal"),
        ("LEWISBURG U.S. PEN.", "federal"),
        ("FDC PHILADELPHIA", "federal"),
        ("PHI DISTRICT OFFICE", "federal"),
        ("BERKS COUNTY FAMILY SHELTER", "federal"),
        ("YOUTH STUDY CENTER", "juvenile"),
        ("BETHANY CHILDRENS' HOME", "juvenile"),
    ],
)
def test_pa_facility_kinds(name: str, kind: str) -> None:
    assert facility_kind(name) == kind


def test_mn_sample(data: Path) -> None:
    ds = load_dataset("mn-sample", data)
    items = by_id(ds)
    assert sorted(items) == ["ddp-101", "ddp-102", "ddp-103"]
    convicted = items["ddp-101"].request
    assert convicted.documents == ("I-247A",) and convicted.kind == "detainer"
    assert convicted.received_at.isoformat() == "2026-02-11T12:00:00-06:00"
    [o] = convicted.offenses
    assert (o.description, o.category, o.status, o.code) == (
        "Sex Assault",
        "sexual_assault",
        "convicted",
        None,
    )
    assert convicted.subject.ref == "DDP-a1b2c3d4e5f6" and not convicted.subject.charged
    pending = items["ddp-102"].request
    assert pending.subject.charged and pending.offenses == ()
    assert items["ddp-103"].request.offenses[0].category == "unknown"
    assert all(i.actual == "Detainer Declined by LEA" for i in ds.items)
    assert rejected(ds) == {
        "st_cloud_denied.csv:5": "likely duplicate of another record: duplicate_likely is TRUE",
        "st_cloud_denied.csv:6": "detainer_prepare_date is not a date: '02/11/2026'",
        "st_cloud_denied.csv:7": "not an I-247A detainer: detainer_type "
        "'I247N - Request for Voluntary Notification of Release'",
    }
    assert ds.aggregates["mn_detainers_by_month.csv"][1] == {
        "month_year": "2026-01",
        "count": "310",
    }


def test_boone_roster(data: Path) -> None:
    ds = load_dataset("boone-roster", data)
    items = by_id(ds)
    assert sorted(items) == ["boone-roster-1", "boone-roster-2", "boone-roster-5"]
    murder = items["boone-roster-1"].request
    assert murder.agency == "boone-county-so" and murder.documents == ("I-247A",)
    assert murder.received_at.isoformat() == "2023-04-25T12:00:00-05:00"
    assert [(o.category, o.level) for o in murder.offenses] == [
        ("homicide", "felony"),
        ("violent_felony", "felony"),
    ]
    drugs = items["boone-roster-2"]
    assert len(drugs.request.offenses) == 1  # the trafficking line appears twice
    assert drugs.source["holds"] == ["P&P HOLD (JAIL) PROB VIOL/ POSS CONT SUB"]
    assert items["boone-roster-5"].request.subject.juvenile
    assert all(i.actual is None for i in ds.items)
    assert ds.skipped == {"person held without an immigration detainer (rows)": 2}
    assert rejected(ds) == {
        "current_detainees_2023-04_deidentified.csv:11": "person_seq is not a number: 'abc'",
        "current_detainees_2023-04_deidentified.csv:12": "Charge Description is empty",
    }


@pytest.mark.parametrize("dataset", sorted(DATASETS))
def test_no_national_origin_in_any_output(data: Path, dataset: str) -> None:
    ds = load_dataset(dataset, data)
    assert ds.items
    for item in ds.items:
        text = json.dumps({"request": item.request.to_dict(), "source": item.source})
        assert not _keys(item.request.to_dict()) & NATIONAL_ORIGIN_FIELDS
        assert not {k.lower() for k in _keys(dict(item.source))} & {
            "race",
            "place_of_birth",
            "place of birth",
            "state of birth",
            "birth_country",
            "citizenship_country",
        }
        for value in ORIGIN_VALUES:
            assert value not in text, (item.request.id, value)


def _keys(value: Any) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in _keys(v)}
    if isinstance(value, list | tuple):
        return {k for v in value for k in _keys(v)}
    return set()


def test_read_csv_drops_origin_columns_and_numbers_lines(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text('a,Race,Place of birth,b\n1,W,"TEXAS,\nUSA",2\n\n3,B,MEXICO,4\n')
    assert list(read_csv(path)) == [(2, {"a": "1", "b": "2"}), (5, {"a": "3", "b": "4"})]


def test_unknown_dataset_and_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match="unknown data set"):
        load_dataset("nope", tmp_path)
    with pytest.raises(DatasetError, match="not found"):
        load_dataset("travis", tmp_path)
    (tmp_path / "eads-pa-detainers").mkdir()
    with pytest.raises(DatasetError, match="not readable"):
        load_dataset("pa", tmp_path)
