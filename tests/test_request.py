"""The request model: the spec's example parses; bad input is refused with the field path."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from casebycase import RequestError, parse_request
from casebycase.request import NATIONAL_ORIGIN_FIELDS, request_schema

SPEC_EXAMPLE: dict[str, Any] = {
    "id": "CPD-2026-0117",
    "agency": "columbia-pd",
    "received_at": "2026-03-02T14:05:00-06:00",
    "requester": {"agency": "ICE", "component": "HSI", "office": "Kansas City"},
    "kind": "investigation_support",
    "purpose": "criminal",
    "documents": [],
    "judicial_warrant": False,
    "subject": {"ref": "S-0042", "in_custody": False, "charged": False},
    "offenses": [
        {
            "code": "RSMo 566.209",
            "description": "TRAFFICKING FOR SEXUAL EXPLOITATION",
            "category": "sex_trafficking",
            "level": "felony",
            "status": "suspected",
        }
    ],
    "notes": "HSI asks for two officers for a sting on Mar 9.",
}


def _refused(data: dict[str, Any]) -> str:
    with pytest.raises(RequestError) as caught:
        parse_request(data)
    return str(caught.value)


def test_spec_example_parses() -> None:
    r = parse_request(SPEC_EXAMPLE)
    assert r.kind == "investigation_support"
    assert r.categories == frozenset({"sex_trafficking"})
    assert r.to_dict()["offenses"][0]["category"] == "sex_trafficking"


def test_derived_facts() -> None:
    data = copy.deepcopy(SPEC_EXAMPLE)
    data["subject"] = {
        "in_custody": True,
        "booked_at": "2026-03-01T14:05:00-06:00",
        "release_at": "2026-03-03T02:05:00-06:00",
    }
    r = parse_request(data)
    assert r.hours_since_booking == 24.0
    assert r.hours_until_release == 12.0


@pytest.mark.parametrize("field", sorted(NATIONAL_ORIGIN_FIELDS))
def test_national_origin_refused_at_top(field: str) -> None:
    message = _refused({**SPEC_EXAMPLE, field: "x"})
    assert f"{field}: '{field}' is refused" in message
    assert "Parada" in message


def test_national_origin_refused_at_any_depth() -> None:
    data = copy.deepcopy(SPEC_EXAMPLE)
    data["subject"]["place_of_birth"] = "Mexico"
    data["offenses"][0]["nationality"] = "x"
    data["extra"] = {"deep": [{"language": "es"}]}
    message = _refused(data)
    assert "subject.place_of_birth" in message
    assert "offenses[0].nationality" in message
    assert "extra.deep[0].language" in message
    assert "national origin may never be a factor" in message


def test_unknown_field_suggests_nearest() -> None:
    message = _refused({**SPEC_EXAMPLE, "recieved_at": "x"})
    assert "recieved_at: unknown field" in message and "did you mean 'received_at'" in message
    data = copy.deepcopy(SPEC_EXAMPLE)
    data["subject"]["in_custdy"] = True
    assert "did you mean 'in_custody'" in _refused(data)


def test_bad_enum_suggests_value() -> None:
    message = _refused({**SPEC_EXAMPLE, "kind": "detainr"})
    assert "kind: 'detainr' is not an allowed value" in message
    assert "did you mean 'detainer'" in message


def test_missing_required_fields() -> None:
    data = {k: v for k, v in SPEC_EXAMPLE.items() if k not in ("agency", "received_at")}
    message = _refused(data)
    assert "agency: required field is missing" in message
    assert "received_at: required field is missing" in message


def test_datetime_needs_offset() -> None:
    message = _refused({**SPEC_EXAMPLE, "received_at": "2026-03-02T14:05:00"})
    assert "received_at: datetime has no UTC offset" in message


def test_bool_is_strict() -> None:
    message = _refused({**SPEC_EXAMPLE, "judicial_warrant": "yes"})
    assert "judicial_warrant: expected true or false" in message


def test_subject_ref_is_not_a_name() -> None:
    data = copy.deepcopy(SPEC_EXAMPLE)
    data["subject"]["ref"] = "John Smith"
    assert "never a name" in _refused(data)


def test_not_an_object() -> None:
    with pytest.raises(RequestError, match="expected an object"):
        parse_request(["not", "a", "request"])  # type: ignore[arg-type]


def test_documents_listed_once() -> None:
    assert "listed twice" in _refused({**SPEC_EXAMPLE, "documents": ["I-200", "I-200"]})


def test_schema_has_the_contract_fields() -> None:
    schema = request_schema()
    assert set(schema["required"]) == {"agency", "received_at", "requester", "kind", "purpose"}
    assert schema["additionalProperties"] is False
    for name in NATIONAL_ORIGIN_FIELDS:
        assert name not in schema["properties"]


def test_dates_outside_the_era_are_refused() -> None:
    message = _refused({**SPEC_EXAMPLE, "received_at": "0001-01-01T00:00:00+14:00"})
    assert "received_at: datetime is outside the years 1900-2200" in message


def test_request_agency_is_never_a_path() -> None:
    from casebycase import PackNotFound, evaluate

    request = parse_request({**SPEC_EXAMPLE, "agency": "../packs/columbia-pd"})
    with pytest.raises(PackNotFound, match="no pack has this id"):
        evaluate(request)
