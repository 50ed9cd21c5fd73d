"""The access matrix, generated from one table: every endpoint × role × the case's agency
being the user's own, another, or one given with ``--also`` (read only) — on SQLite and
PostgreSQL. Each cell gets a fresh case in the state its endpoint needs."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient

from casebycase.cases.model import Actor
from casebycase.cases.service import CaseService

from .conftest import DETAINER, problems

HOME, OTHER = "boone-county-so", "columbia-pd"
ROLES = ("officer", "supervisor", "counsel", "auditor", "policy_admin", "public")
SCOPES = ("own", "other", "also")
NO_REVIEW = {**DETAINER, "kind": "status_check"}
READERS = {"officer", "supervisor", "counsel", "auditor"}
EVERYONE = set(ROLES)


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str
    roles: set[str]
    ok: int = 200
    state: str | None = None
    """The state the case must be in ("" : none needed; None: no case in the path)."""
    writes: bool = False
    body: Any = None


TABLE: dict[str, Endpoint] = {
    "me": Endpoint("GET", "/api/me", EVERYONE),
    "intake": Endpoint(
        "POST",
        "/api/cases",
        {"officer", "supervisor", "policy_admin"},
        201,
        writes=True,
        body=DETAINER,
    ),
    "list": Endpoint("GET", "/api/cases", READERS),
    "deadlines": Endpoint("GET", "/api/deadlines", READERS),
    "read case": Endpoint("GET", "/api/cases/{cid}", READERS, state="recommended"),
    "decide": Endpoint(
        "POST",
        "/api/cases/{cid}/decision",
        {"officer", "supervisor"},
        state="recommended",
        writes=True,
        body={"outcome": "refer"},
    ),
    "review": Endpoint(
        "POST",
        "/api/cases/{cid}/review",
        {"supervisor"},
        state="decided",
        writes=True,
        body={"approve": True},
    ),
    "close": Endpoint(
        "POST", "/api/cases/{cid}/close", {"officer", "supervisor"}, state="decided", writes=True
    ),
    "reopen": Endpoint(
        "POST",
        "/api/cases/{cid}/reopen",
        {"supervisor", "counsel"},
        state="closed",
        writes=True,
        body={"reason": "new facts"},
    ),
    "expunge": Endpoint(
        "POST", "/api/cases/{cid}/expunge", {"counsel"}, state="closed", writes=True
    ),
    "verify": Endpoint("GET", "/api/audit/verify", EVERYONE - {"public"}),
    "evaluate": Endpoint("POST", "/api/evaluate", EVERYONE, body=DETAINER),
    "packs": Endpoint("GET", "/api/packs", EVERYONE),
    "pack": Endpoint("GET", f"/api/packs/{HOME}", EVERYONE),
    "schema": Endpoint("GET", "/api/schema", EVERYONE),
}
"""Who may call what in their own agency; everything else follows from the rules below."""


def expected(endpoint: Endpoint, role: str, scope: str) -> int:
    """The status the table implies for a role in a scope."""
    if role not in endpoint.roles:
        return 403
    if endpoint.state is not None and scope == "other":
        return 404  # other agencies' cases are not shown
    if endpoint.writes and scope != "own":
        return 403  # cases of other agencies, or of --also ones, are not the user's to change
    return endpoint.ok


def _case(service: CaseService, state: str) -> str:
    officer = Actor("setup-officer", "officer", HOME)
    request = NO_REVIEW if state != "recommended" else DETAINER
    case = service.intake({**request, "id": f"SETUP-{uuid.uuid4().hex[:12]}"}, officer)
    if state in ("decided", "closed"):
        service.decide(case["id"], officer, case["recommended_outcome"])
    if state == "closed":
        service.close(case["id"], officer)
    return str(case["id"])


@pytest.fixture
def users(client: TestClient) -> dict[tuple[str, str], dict[str, str]]:
    accounts = client.app.state.users  # type: ignore[attr-defined]
    out = {}
    for role in ROLES:
        for scope in SCOPES:
            agency = HOME if scope == "own" else OTHER
            also = (HOME,) if scope == "also" else ()
            name = f"{role.replace('_', '-')}.{scope}"
            accounts.add(
                name,
                role,
                agency,
                Actor("test", "policy_admin", agency, frozenset(also)),
                agencies=also,
            )
            out[role, scope] = {"Authorization": f"Bearer {accounts.issue_token(name)}"}
    return out


def test_the_access_matrix(
    client: TestClient, users: dict[tuple[str, str], dict[str, str]]
) -> None:
    service: CaseService = client.app.state.service  # type: ignore[attr-defined]
    wrong: list[str] = []
    cells = 0
    for n, (name, endpoint) in enumerate(TABLE.items()):
        for role in ROLES:
            for scope in SCOPES:
                path = endpoint.path
                if endpoint.state is not None:
                    path = path.format(cid=_case(service, endpoint.state))
                body = endpoint.body
                if name == "intake":
                    body = {**DETAINER, "id": f"ACCESS-{n}-{role}-{scope}"}
                r = client.request(endpoint.method, path, headers=users[role, scope], json=body)
                want = expected(endpoint, role, scope)
                cells += 1
                if r.status_code != want:
                    wrong.append(f"{name} as {role} ({scope}): {r.status_code}, want {want}")
                elif r.status_code >= 400:
                    problems(r)
    assert wrong == [], "\n".join(wrong)
    assert cells == len(TABLE) * len(ROLES) * len(SCOPES)


def test_no_cell_leaks_another_agencys_case(
    client: TestClient, users: dict[tuple[str, str], dict[str, str]]
) -> None:
    service: CaseService = client.app.state.service  # type: ignore[attr-defined]
    cid = _case(service, "recommended")
    for role in ROLES:
        listed = client.get("/api/cases", headers=users[role, "other"])
        assert cid not in listed.text
        due = client.get(
            "/api/deadlines", params={"within_hours": 24 * 365}, headers=users[role, "other"]
        )
        assert cid not in due.text
