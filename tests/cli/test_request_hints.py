"""Request-level conventions: enum errors suggest the value meant; requester agencies in any
letter case."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from casebycase import RequestError, parse_request
from casebycase.request import PURPOSES, REQUESTER_AGENCIES, nearest, request_schema

REQUEST: dict[str, Any] = {
    "agency": "boone-county-so",
    "received_at": "2026-03-05T16:20:00-06:00",
    "requester": {"agency": "ICE", "component": "ERO"},
    "kind": "detainer",
    "purpose": "civil_immigration",
    "subject": {"ref": "S-1", "in_custody": True},
}


def _refused(**changes: Any) -> str:
    data = copy.deepcopy(REQUEST)
    data.update(changes)
    with pytest.raises(RequestError) as caught:
        parse_request(data)
    return str(caught.value)


@pytest.mark.parametrize(
    "given,meant",
    [
        ("civil", "civil_immigration"),
        ("Civil", "civil_immigration"),
        ("immigration", "civil_immigration"),
        ("crim", "criminal"),
        ("criminl", "criminal"),
        ("unknwn", "unknown"),
    ],
)
def test_purpose_hint(given: str, meant: str) -> None:
    message = _refused(purpose=given)
    assert f"purpose: '{given}' is not an allowed value" in message
    assert f"did you mean '{meant}'?" in message


def test_hint_prefers_prefix_over_spelling() -> None:
    assert nearest("civil", list(PURPOSES)) == "civil_immigration"
    assert nearest("detain", ["detainer", "transfer", "status_check"]) == "detainer"
    assert nearest("federal", list(REQUESTER_AGENCIES)) == "other_federal"
    assert nearest("zzz", list(PURPOSES)) is None


def test_no_guess_lists_the_values() -> None:
    message = _refused(purpose="zzz")
    assert "use one of: criminal, civil_immigration, unknown" in message


@pytest.mark.parametrize("given", ["ice", "Ice", "ICE", "iCe"])
def test_requester_agency_in_any_case(given: str) -> None:
    data = copy.deepcopy(REQUEST)
    data["requester"]["agency"] = given
    assert parse_request(data).requester.agency == "ICE"


def test_other_requester_agencies_case_insensitive() -> None:
    for name in REQUESTER_AGENCIES:
        data = copy.deepcopy(REQUEST)
        data["requester"]["agency"] = name.swapcase()
        assert parse_request(data).requester.agency == name


def test_unknown_requester_agency_still_refused_with_hint() -> None:
    message = _refused(requester={"agency": "ICEE"})
    assert "requester.agency: 'ICEE' is not an allowed value" in message
    assert "did you mean 'ICE'?" in message


def test_schema_lists_canonical_agencies() -> None:
    schema = request_schema()
    agency = schema["$defs"]["Requester"]["properties"]["agency"]
    assert agency["enum"] == list(REQUESTER_AGENCIES)
