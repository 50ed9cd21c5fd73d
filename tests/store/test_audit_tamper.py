"""The tamper catalogue: `audit verify` names the first bad event after each kind of
tampering, on SQLite and PostgreSQL (edit, delete, insert, reorder, NULL payload, truncated
tail, deleted chain, rewritten or deleted case records and deadlines)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import text

from casebycase.audit.chain import Head
from casebycase.cases.service import CaseService
from casebycase.store.store import Store

from .conftest import DETAINER, OFFICER, SUPERVISOR

AGENCY = "boone-county-so"


def _history(service: CaseService) -> None:
    """Events 1-6: three intakes; 7: a decision on the first case; 8: its review."""
    ids = [service.intake({**DETAINER, "id": f"BCSO-{i}"}, OFFICER)["id"] for i in range(3)]
    service.decide(ids[0], OFFICER, "decline", ["notify_subject"], "county practice")
    service.review(ids[0], SUPERVISOR, approve=True, note="agreed")


def _sql(store: Store, *statements: str) -> None:
    with store.engine.begin() as conn:
        for statement in statements:
            conn.execute(text(statement))


FIRST_CASE = "(SELECT id FROM cases WHERE reference = 'BCSO-0')"

TAMPER: dict[str, tuple[Callable[[Store], None], int, str]] = {
    "edit payload": (
        lambda s: _sql(
            s,
            "UPDATE audit_events SET payload = "
            '\'{"outcome": "comply", "rules": []}\' WHERE seq = 4',
        ),
        4,
        "payload was altered",
    ),
    "edit field": (
        lambda s: _sql(s, "UPDATE audit_events SET actor = 'officer:someone' WHERE seq = 3"),
        3,
        "fields were altered",
    ),
    "delete": (lambda s: _sql(s, "DELETE FROM audit_events WHERE seq = 2"), 3, "deleted"),
    "insert": (
        lambda s: _sql(
            s,
            "INSERT INTO audit_events (agency, seq, tag, actor, at, "
            "payload_hash, prev_hash, hash) SELECT agency, 9, tag, actor, "
            "at, payload_hash, hash, hash FROM audit_events WHERE seq = 8",
        ),
        9,
        "altered",
    ),
    "reorder": (
        lambda s: _sql(
            s,
            "UPDATE audit_events SET id = 1000 WHERE seq = 2",
            "UPDATE audit_events SET id = 2 WHERE seq = 5",
            "UPDATE audit_events SET id = 5 WHERE id = 1000",
        ),
        3,
        "out of order",
    ),
    "NULL payload": (
        lambda s: _sql(s, "UPDATE audit_events SET payload = NULL WHERE seq = 4"),
        4,
        "removed without an expunge event",
    ),
    "truncate tail": (
        lambda s: _sql(s, "DELETE FROM audit_events WHERE seq = 8"),
        8,
        "deleted from the end",
    ),
    "delete chain": (
        lambda s: _sql(s, f"DELETE FROM audit_events WHERE agency = '{AGENCY}'"),
        8,
        "whole chain was deleted",
    ),
    "rewrite decision": (
        lambda s: _sql(s, "UPDATE decisions SET outcome = 'comply'"),
        7,
        "decision record was altered",
    ),
    "rewrite decision reason": (
        lambda s: _sql(s, "UPDATE decisions SET reason = 'other'"),
        7,
        "decision record was altered",
    ),
    "delete decision": (lambda s: _sql(s, "DELETE FROM decisions"), 7, "decision row was deleted"),
    "rewrite review note": (
        lambda s: _sql(s, "UPDATE reviews SET note = 'rubber stamp'"),
        8,
        "review record was altered",
    ),
    "rewrite request": (
        lambda s: _sql(s, "UPDATE cases SET request = '{}' WHERE reference = 'BCSO-1'"),
        3,
        "request record was altered",
    ),
    "rewrite deadline": (
        lambda s: _sql(s, f"UPDATE deadlines SET due_at = NULL WHERE case_id = {FIRST_CASE}"),
        2,
        "recommendation record was altered",
    ),
    "delete deadline": (
        lambda s: _sql(s, f"DELETE FROM deadlines WHERE case_id = {FIRST_CASE}"),
        2,
        "recommendation record was altered",
    ),
    "rewrite case state": (
        lambda s: _sql(s, f"UPDATE cases SET state = 'closed' WHERE id = {FIRST_CASE}"),
        8,
        "case row was altered",
    ),
}


@pytest.mark.parametrize("how", sorted(TAMPER))
def test_tampering_is_detected(how: str, service: CaseService, store: Store) -> None:
    _history(service)
    assert service.verify_audit() == []
    tamper, seq, words = TAMPER[how]
    tamper(store)
    found = service.verify_audit()
    assert len(found) == 1, found
    assert found[0].agency == AGENCY
    assert found[0].seq == seq, found[0]
    assert words in found[0].why


def test_deleting_the_last_fifty_events_is_detected(service: CaseService, store: Store) -> None:
    for i in range(30):
        service.intake({**DETAINER, "id": f"BCSO-{i}"}, OFFICER)
    _sql(store, "DELETE FROM audit_events WHERE seq > 10")
    [found] = service.verify_audit()
    assert (found.seq, "deleted from the end" in found.why) == (11, True)


def test_a_published_head_catches_a_consistent_truncation(
    service: CaseService, store: Store
) -> None:
    _history(service)
    [case] = [c for c in service.find(OFFICER) if c["reference"] == "BCSO-0"]
    service.close(case["id"], OFFICER)  # event 9
    with store.read() as tx:
        published = tx.recorded_head(AGENCY)
        eighth = tx.events(AGENCY)[7]
    assert published is not None and published.seq == 9
    _sql(
        store,
        "DELETE FROM audit_events WHERE seq = 9",  # and cover the tracks
        f"UPDATE audit_heads SET seq = 8, hash = '{eighth.hash}'",
        f"UPDATE cases SET state = 'reviewed' WHERE id = {FIRST_CASE}",
    )
    assert service.verify_audit() == []  # consistent with the store's own (rewritten) head
    [found] = service.verify_audit(published={AGENCY: published})
    assert (found.seq, "published head is event 9" in found.why) == (9, True)
    assert service.verify_audit(published={AGENCY: Head(8, eighth.hash)}) == []


def test_verification_is_scoped_to_the_given_agencies(service: CaseService, store: Store) -> None:
    _history(service)
    _sql(store, "UPDATE decisions SET outcome = 'comply'")
    assert service.verify_audit(frozenset({"columbia-pd"})) == []
    assert len(service.verify_audit(frozenset({AGENCY}))) == 1


def test_a_chain_rewritten_before_its_published_head_is_detected(
    service: CaseService, store: Store
) -> None:
    _history(service)
    with store.read() as tx:
        sixth = tx.events(AGENCY)[5]
    assert service.verify_audit(published={AGENCY: Head(6, sixth.hash)}) == []
    [found] = service.verify_audit(published={AGENCY: Head(6, "f" * 64)})
    assert (found.seq, "chain was rewritten" in found.why) == (6, True)
