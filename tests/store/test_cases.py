"""A case's whole life through the service, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import inspect

from casebycase.cases.model import Actor
from casebycase.cases.service import (
    CaseService,
    DecisionError,
    Forbidden,
    IllegalTransition,
    NotFound,
)
from casebycase.store.store import Store
from casebycase.store.tables import metadata

from .conftest import COUNSEL, DETAINER, OFFICER, OTHER_AGENCY, SUPERVISOR, Clock


def test_migrated_schema_matches_tables(store: Store) -> None:
    found = set(inspect(store.engine).get_table_names())
    assert set(metadata.tables) <= found
    for name, table in metadata.tables.items():
        columns = {c["name"] for c in inspect(store.engine).get_columns(name)}
        assert columns == {c.name for c in table.columns}, name


def test_full_life_of_a_case(service: CaseService, clock: Clock) -> None:
    case = service.intake(DETAINER, OFFICER)
    assert case["state"] == "recommended"
    assert case["recommended_outcome"] == "refer"
    assert case["pack"] == "boone-county-so" and len(case["pack_digest"]) == 64
    assert {e["tag"] for e in case["events"]} == {
        "case:request:received",
        "case:recommendation:issued",
    }
    clock.advance(hours=1)
    decided = service.decide(
        case["id"], OFFICER, "decline", ["notify_subject"], "No judicial warrant; county practice"
    )
    assert decided["state"] == "decided" and decided["decisions"][0]["departs"] is True
    with pytest.raises(IllegalTransition, match="needs a supervisor's review"):
        service.close(case["id"], OFFICER)
    reviewed = service.review(case["id"], SUPERVISOR, approve=True, note="agreed")
    assert reviewed["state"] == "reviewed"
    closed = service.close(case["id"], OFFICER)
    assert closed["state"] == "closed"
    reopened = service.reopen(case["id"], COUNSEL, "a judicial warrant arrived")
    assert reopened["state"] == "recommended" and reopened["decided_outcome"] is None
    assert [r["reason"] for r in reopened["reopenings"]] == ["a judicial warrant arrived"]
    tags = [e["tag"] for e in reopened["events"]]
    assert tags == [
        "case:request:received",
        "case:recommendation:issued",
        "case:decision:recorded",
        "case:review:approved",
        "case:case:closed",
        "case:case:reopened",
    ]
    assert service.verify_audit() == []


def test_departure_without_reason_is_refused_and_nothing_changes(service: CaseService) -> None:
    case = service.intake(DETAINER, OFFICER)
    with pytest.raises(DecisionError, match="departs from the recommendation"):
        service.decide(case["id"], OFFICER, "comply", [], "  ")
    again = service.get(case["id"], OFFICER)
    assert again["state"] == "recommended" and again["decisions"] == []
    assert len(again["events"]) == 2


def test_following_the_recommendation_needs_no_reason(service: CaseService) -> None:
    case = service.intake(DETAINER, OFFICER)
    decided = service.decide(case["id"], OFFICER, "refer")
    assert decided["decisions"][0]["departs"] is False


def test_returned_review_goes_back_for_a_new_decision(service: CaseService) -> None:
    case = service.intake(DETAINER, OFFICER)
    service.decide(case["id"], OFFICER, "comply", [], "serious charge")
    returned = service.review(case["id"], SUPERVISOR, approve=False, note="no basis")
    assert returned["state"] == "recommended"
    with pytest.raises(IllegalTransition, match="cannot approve a case that is recommended"):
        service.review(case["id"], SUPERVISOR, approve=True)


def test_other_agency_cannot_see_or_touch_the_case(service: CaseService) -> None:
    case = service.intake(DETAINER, OFFICER)
    with pytest.raises(NotFound):
        service.get(case["id"], OTHER_AGENCY)
    with pytest.raises(NotFound):
        service.decide(case["id"], OTHER_AGENCY, "refer")
    assert service.find(OTHER_AGENCY) == []
    assert [c["id"] for c in service.find(OFFICER)] == [case["id"]]
    with pytest.raises(Forbidden, match="may not open cases for 'boone-county-so'"):
        service.intake(DETAINER, OTHER_AGENCY)


def test_roles(service: CaseService) -> None:
    case = service.intake(DETAINER, OFFICER)
    service.decide(case["id"], OFFICER, "refer")
    with pytest.raises(Forbidden, match="a officer may not review"):
        service.review(case["id"], OFFICER, approve=True)


def test_deadlines_due_and_overdue(service: CaseService, clock: Clock) -> None:
    case = service.intake(DETAINER, OFFICER)
    stored = {d["action"]: d for d in case["deadlines"]}
    # 48 hours from booking (2026-03-05 02:10 CST) to verify status (RSMo 544.472)
    assert stored["verify_status"]["due_at"] == "2026-03-07T08:10:00+00:00"
    # an I-247A's own calendar 48 hours govern its hold (8 CFR 287.7(d) is only a ceiling)
    assert "release_if_not_collected_i247a" in stored
    assert "release_if_not_collected_287_7d" not in stored
    clock.now = dt.datetime(2026, 3, 7, 9, 0, tzinfo=dt.UTC)
    due = service.due(OFFICER, within=dt.timedelta(days=7))
    overdue = {d.action for d in due if d.overdue}
    assert "verify_status" in overdue
    assert service.due(OTHER_AGENCY, within=dt.timedelta(days=7)) == []


def test_invalid_request_stores_nothing(service: CaseService, store: Store) -> None:
    bad = {**DETAINER, "subject": {**DETAINER["subject"], "place_of_birth": "Honduras"}}
    with pytest.raises(Exception, match="place_of_birth"):
        service.intake(bad, OFFICER)
    with store.transaction() as tx:
        assert tx.count_cases() == 0


def test_expunge_keeps_the_chain_verifiable(service: CaseService) -> None:
    case = service.intake(DETAINER, OFFICER)
    service.decide(case["id"], OFFICER, "refer")
    removed = service.expunge(case["id"], COUNSEL)
    assert removed == 3
    after = service.get(case["id"], COUNSEL)
    assert after["request"] == {"expunged": True}
    assert all(e["payload"] is None for e in after["events"][:-1])
    assert service.verify_audit() == []


def test_four_eyes_at_the_service(service: CaseService) -> None:
    case = service.intake(DETAINER, OFFICER)
    service.decide(case["id"], SUPERVISOR, "decline", [], "county practice")
    with pytest.raises(Forbidden, match="four eyes"):
        service.review(case["id"], SUPERVISOR, approve=True)
    other = Actor("sergeant-2", "supervisor", "boone-county-so")
    assert service.review(case["id"], other, approve=True)["state"] == "reviewed"


def test_a_stale_version_loses(service: CaseService, store: Store) -> None:
    case = service.intake(DETAINER, OFFICER)
    with store.transaction() as tx:
        row = tx.case(case["id"])
        assert row is not None and row["version"] == 0
        assert tx.change_case(case["id"], 0, state="decided")
        assert not tx.change_case(case["id"], 0, state="closed")  # someone came first
        assert tx.case(case["id"])["version"] == 1  # type: ignore[index]


def test_expunge_removes_every_free_text(service: CaseService, store: Store) -> None:
    case = service.intake(DETAINER, OFFICER)
    service.decide(case["id"], OFFICER, "decline", ["private action"], "private reason")
    service.review(case["id"], SUPERVISOR, approve=True, note="private note")
    service.close(case["id"], OFFICER)
    service.reopen(case["id"], COUNSEL, "private reopening")
    with pytest.raises(Forbidden):
        service.expunge(case["id"], SUPERVISOR)
    service.expunge(case["id"], COUNSEL)
    text = str(service.get(case["id"], COUNSEL))
    for secret in ("BCSO-2026-0031", "S-0107", "private", "DWI"):
        assert secret not in text, secret
    assert service.verify_audit() == []
    again = service.intake(DETAINER, OFFICER)  # its id and keys are gone with it
    assert again["id"] != case["id"]


def test_command_line_expunges(store_url: str, service: CaseService) -> None:
    from typer.testing import CliRunner

    from casebycase.cases.users import Users
    from casebycase.cli import app

    case = service.intake(DETAINER, OFFICER)
    accounts = Users(service.store, service.clock)
    admin = Actor("cli", "policy_admin", "boone-county-so")
    accounts.add("counsel.cruz", "counsel", "boone-county-so", admin)
    accounts.add("dep.ames", "officer", "boone-county-so", admin)
    runner = CliRunner()
    refused = runner.invoke(
        app, ["cases", "expunge", case["id"], "--as", "dep.ames", "--database", store_url]
    )
    assert refused.exit_code == 2 and "may not expunge" in refused.output
    done = runner.invoke(
        app, ["cases", "expunge", case["id"], "--as", "counsel.cruz", "--database", store_url]
    )
    assert done.exit_code == 0, done.output
    assert service.get(case["id"], COUNSEL)["request"] == {"expunged": True}
    assert service.verify_audit() == []
