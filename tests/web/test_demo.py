"""The demo data: users for each role, a few dozen cases, chains that verify."""

from __future__ import annotations

from fastapi.testclient import TestClient

from casebycase.cases.service import CaseService
from casebycase.demo import ROLES, seed
from casebycase.store.store import Store

from .conftest import CHEAP, Clock


def test_demo_seed(store: Store, clock: Clock, client: TestClient) -> None:
    users = seed(store, clock, CHEAP)
    assert {u.role for u in users} == set(ROLES)
    with store.transaction() as tx:
        assert 30 <= tx.count_cases() <= 60
    assert CaseService(store, clock).verify_audit() == []
    officer = next(u for u in users if u.username == "officer@boone-county-so")
    cases = client.get("/api/cases", headers={"Authorization": f"Bearer {officer.token}"})
    assert cases.status_code == 200 and len(cases.json()) >= 5
    assert {c["agency"] for c in cases.json()} == {"boone-county-so"}
    state = next(u for u in users if u.username == "state.auditor")
    seen = client.get("/api/cases", headers={"Authorization": f"Bearer {state.token}"})
    assert len({c["agency"] for c in seen.json()}) >= 4
    login = client.post(
        "/api/login", json={"username": officer.username, "password": officer.password}
    )
    assert login.status_code == 200
