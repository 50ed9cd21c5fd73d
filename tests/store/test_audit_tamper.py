"""`audit verify` names the first bad event after edits, deletions, insertions, reorders."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import text

from casebycase.cases.service import CaseService
from casebycase.store.store import Store

from .conftest import DETAINER, OFFICER


def _three_cases(service: CaseService) -> None:
    for i in range(3):
        service.intake({**DETAINER, "id": f"BCSO-{i}"}, OFFICER)


def _sql(store: Store, *statements: str) -> None:
    with store.engine.begin() as conn:
        for statement in statements:
            conn.execute(text(statement))


TAMPER: dict[str, tuple[Callable[[Store], None], int, str]] = {
    "edit payload": (lambda s: _sql(s, "UPDATE audit_events SET payload = "
                                       "'{\"outcome\": \"comply\", \"rules\": []}' WHERE seq = 4"),
                     4, "payload was altered"),
    "edit field": (lambda s: _sql(s, "UPDATE audit_events SET actor = 'officer:someone' "
                                     "WHERE seq = 3"), 3, "fields were altered"),
    "delete": (lambda s: _sql(s, "DELETE FROM audit_events WHERE seq = 2"), 3, "deleted"),
    "insert": (lambda s: _sql(s, "INSERT INTO audit_events (agency, seq, tag, actor, at, "
                                 "payload_hash, prev_hash, hash) SELECT agency, 7, tag, actor, "
                                 "at, payload_hash, hash, hash FROM audit_events WHERE seq = 6"),
               7, "altered"),
    "reorder": (lambda s: _sql(s, "UPDATE audit_events SET id = 1000 WHERE seq = 2",
                               "UPDATE audit_events SET id = 2 WHERE seq = 5",
                               "UPDATE audit_events SET id = 5 WHERE id = 1000"),
                3, "out of order"),
}


@pytest.mark.parametrize("how", sorted(TAMPER))
def test_tampering_is_detected(how: str, service: CaseService, store: Store) -> None:
    _three_cases(service)
    assert service.verify_audit() == []
    tamper, seq, words = TAMPER[how]
    tamper(store)
    found = service.verify_audit()
    assert len(found) == 1, found
    assert found[0].agency == "boone-county-so"
    assert found[0].seq == seq, found[0]
    assert words in found[0].why
