"""Integrity of the API: four eyes, idempotent intake, expunge, read-only extra agencies,
bounded input, duplicate keys, sessions, correlation ids — on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from fastapi.testclient import TestClient

from casebycase.cases.model import Actor
from casebycase.store.store import Store

from .conftest import DETAINER, PASSWORD, problems

H = dict[str, dict[str, str]]


def _user(
    client: TestClient,
    name: str,
    role: str,
    agency: str = "boone-county-so",
    also: tuple[str, ...] = (),
) -> dict[str, str]:
    users = client.app.state.users  # type: ignore[attr-defined]
    users.add(
        name, role, agency, Actor("test", "policy_admin", agency, frozenset(also)), agencies=also
    )
    return {"Authorization": f"Bearer {users.issue_token(name)}"}


def _open(client: TestClient, tokens: H, request: dict[str, Any] = DETAINER) -> str:
    r = client.post("/api/cases", json=request, headers=tokens["dep.ames"])
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


def test_four_eyes_the_decider_may_not_review(client: TestClient, tokens: H) -> None:
    cid = _open(client, tokens)
    r = client.post(
        f"/api/cases/{cid}/decision",
        headers=tokens["sgt.baker"],
        json={"outcome": "decline", "reason": "county practice"},
    )
    assert r.status_code == 200
    for approve in (True, False):
        r = client.post(
            f"/api/cases/{cid}/review", headers=tokens["sgt.baker"], json={"approve": approve}
        )
        assert r.status_code == 403 and "four eyes" in r.json()["problems"][0]["why"]
        problems(r)
    r = client.post(f"/api/cases/{cid}/close", headers=tokens["sgt.baker"])
    assert r.status_code == 409
    other = _user(client, "sgt.cole", "supervisor")
    r = client.post(f"/api/cases/{cid}/review", headers=other, json={"approve": True})
    assert r.status_code == 200 and r.json()["state"] == "reviewed"


def test_intake_is_idempotent(client: TestClient, tokens: H, store: Store) -> None:
    key = {**tokens["dep.ames"], "Idempotency-Key": "intake-7f3a"}
    first = client.post("/api/cases", json=DETAINER, headers=key)
    assert first.status_code == 201
    again = client.post("/api/cases", json=DETAINER, headers=key)
    assert again.status_code == 200 and again.headers["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]
    by_id = client.post("/api/cases", json=DETAINER, headers=tokens["dep.ames"])
    assert by_id.status_code == 200 and by_id.json()["id"] == first.json()["id"]
    changed = client.post("/api/cases", json={**DETAINER, "id": "BCSO-2026-0099"}, headers=key)
    assert changed.status_code == 409 and problems(changed) == {"Idempotency-Key"}
    reused = client.post(
        "/api/cases", headers=tokens["dep.ames"], json={**DETAINER, "kind": "records"}
    )
    assert reused.status_code == 409 and problems(reused) == {"id"}
    batch = {"requests": [{**DETAINER, "id": f"B-{i}"} for i in range(3)]}
    r = client.post("/api/cases/batch", json=batch, headers=tokens["dep.ames"])
    assert (r.json()["created"], r.json()["replayed"]) == (3, 0)
    r = client.post("/api/cases/batch", json=batch, headers=tokens["dep.ames"])
    assert (r.json()["created"], r.json()["replayed"]) == (0, 3)
    with store.read() as tx:
        assert tx.count_cases() == 4


def test_expunge_removes_every_free_text_and_keeps_the_chain(client: TestClient, tokens: H) -> None:
    cid = _open(client, tokens)
    client.post(
        f"/api/cases/{cid}/decision",
        headers=tokens["dep.ames"],
        json={
            "outcome": "decline",
            "actions_taken": ["told S-0107's lawyer"],
            "reason": "private reason",
        },
    )
    client.post(
        f"/api/cases/{cid}/review",
        headers=tokens["sgt.baker"],
        json={"approve": True, "note": "private note"},
    )
    client.post(f"/api/cases/{cid}/close", headers=tokens["dep.ames"])
    client.post(
        f"/api/cases/{cid}/reopen",
        headers=tokens["counsel.cruz"],
        json={"reason": "private reopening"},
    )
    assert client.post(f"/api/cases/{cid}/expunge", headers=tokens["dep.ames"]).status_code == 403
    r = client.post(f"/api/cases/{cid}/expunge", headers=tokens["counsel.cruz"])
    assert r.status_code == 200 and r.json()["payloads_removed"] == 6
    text = client.get(f"/api/cases/{cid}", headers=tokens["counsel.cruz"]).text
    for secret in ("BCSO-2026-0031", "S-0107", "private", "DWI"):
        assert secret not in text, secret
    verify = client.get("/api/audit/verify", headers=tokens["aud.diaz"])
    assert verify.json() == {"ok": True, "breaks": []}


def test_extra_agencies_are_read_only(client: TestClient, tokens: H) -> None:
    cid = _open(client, tokens)
    state = _user(client, "state.sup", "supervisor", "columbia-pd", ("boone-county-so",))
    assert client.get(f"/api/cases/{cid}", headers=state).status_code == 200
    r = client.post(f"/api/cases/{cid}/decision", headers=state, json={"outcome": "refer"})
    assert r.status_code == 403 and "not change" in r.json()["problems"][0]["why"]
    r = client.post("/api/cases", headers=state, json=DETAINER)
    assert r.status_code == 403


def test_a_policy_admin_cannot_read_case_files(client: TestClient, tokens: H) -> None:
    cid = _open(client, tokens)
    admin = _user(client, "admin.gray", "policy_admin")
    for url in ("/api/cases", f"/api/cases/{cid}", "/api/deadlines"):
        r = client.get(url, headers=admin)
        assert r.status_code == 403, url
        problems(r)


def test_get_batch_is_method_not_allowed(client: TestClient, tokens: H) -> None:
    r = client.get("/api/cases/batch", headers=tokens["dep.ames"])
    assert r.status_code == 405 and r.headers["Allow"] == "POST"
    problems(r)


def test_duplicate_json_keys_are_refused(client: TestClient, tokens: H) -> None:
    body = json.dumps(DETAINER)[:-1] + ', "kind": "records"}'
    r = client.post(
        "/api/cases",
        content=body,
        headers={**tokens["dep.ames"], "Content-Type": "application/json"},
    )
    assert r.status_code == 422 and "'kind' appears twice" in r.json()["problems"][0]["why"]


@pytest.mark.parametrize(
    "field",
    [
        "countryOfBirth",
        "N\u0430tionality",
        "place-of-birth",
        "\uff2e\uff21\uff34\uff29\uff2f\uff2e\uff21\uff2c\uff29\uff34\uff39",
        "citizenship",
    ],
)
def test_national_origin_variants_are_refused_with_the_reason(
    client: TestClient, tokens: H, field: str
) -> None:
    request = {**DETAINER, "subject": {**DETAINER["subject"], field: "x"}}
    r = client.post("/api/cases", json=request, headers=tokens["dep.ames"])
    assert r.status_code == 422
    assert "national origin" in r.json()["problems"][0]["why"], r.json()


def test_oversized_bodies_and_error_lists_are_bounded(client: TestClient, tokens: H) -> None:
    huge = {**DETAINER, "notes": "x" * 1_100_000}
    r = client.post("/api/cases", json=huge, headers=tokens["dep.ames"])
    assert r.status_code == 413 and r.json()["error"] == "request too large"
    many = {**DETAINER, "documents": ["nope"] * 20_000}
    r = client.post("/api/cases", json=many, headers=tokens["dep.ames"])
    assert r.status_code == 422 and len(r.json()["problems"]) <= 50
    assert "more problems" in r.json()["problems"][-1]["why"]
    r = client.post(
        "/api/login",
        content=b"{" + b" " * 2_000_000 + b"}",
        headers={"Content-Type": "application/json"},
    )
    assert r.status_code == 413


def test_sessions_are_not_cached_and_end_at_logout(client: TestClient, tokens: H) -> None:
    r = client.post("/api/login", json={"username": "dep.ames", "password": PASSWORD})
    assert r.status_code == 200 and r.headers["Cache-Control"] == "no-store"
    session = {"Authorization": f"Bearer {r.json()['token']}"}
    assert client.get("/api/me", headers=session).status_code == 200
    r = client.post("/api/logout", headers=session)
    assert r.status_code == 204 and r.headers["Cache-Control"] == "no-store"
    assert client.get("/api/me", headers=session).status_code == 401


def test_unknown_users_look_like_known_ones(client: TestClient, tokens: H) -> None:
    answers = {}
    for name in ("dep.ames", "nobody.here"):
        seen = []
        for _ in range(7):
            r = client.post("/api/login", json={"username": name, "password": "wrong pass"})
            seen.append((r.status_code, r.json()))
        answers[name] = seen
    assert answers["dep.ames"] == answers["nobody.here"]
    assert answers["nobody.here"][-1][0] == 429


def test_unexpected_failures_answer_the_shape_with_a_correlation_id(
    client: TestClient, tokens: H, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_: object, **__: object) -> None:
        raise RuntimeError("SELECT * FROM cases WHERE subject = 'S-0107'")

    monkeypatch.setattr(client.app.state.service, "find", broken)  # type: ignore[attr-defined]
    with caplog.at_level(logging.ERROR, logger="casebycase.web"):
        r = client.get("/api/cases", headers=tokens["dep.ames"])
    assert r.status_code == 500
    problems(r)
    cid = r.headers["X-Correlation-Id"]
    assert cid in r.json()["problems"][0]["why"]
    assert cid in caplog.text and "RuntimeError" in caplog.text
    assert "S-0107" not in caplog.text and "SELECT" not in caplog.text
    ok = client.get("/api/me", headers={**tokens["dep.ames"], "X-Correlation-Id": "req-42"})
    assert ok.headers["X-Correlation-Id"] == "req-42"


def test_openapi_documents_the_error_answers(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    responses = spec["paths"]["/api/cases"]["post"]["responses"]
    assert {"400", "401", "409", "413", "422", "429", "500"} <= set(responses)
    assert "/api/logout" in spec["paths"] and "/api/cases/{case_id}/expunge" in spec["paths"]
