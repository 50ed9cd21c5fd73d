"""The REST API over a real store, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from typing import Any

from fastapi.testclient import TestClient

from casebycase.store.store import Store

from .conftest import DETAINER, PASSWORD, Clock, problems

H = dict[str, dict[str, str]]


def _open(client: TestClient, tokens: H, who: str = "dep.ames") -> dict[str, Any]:
    r = client.post("/api/cases", json=DETAINER, headers=tokens[who])
    assert r.status_code == 201, r.text
    return r.json()  # type: ignore[no-any-return]


def test_full_life_of_a_case(client: TestClient, tokens: H, clock: Clock) -> None:
    case = _open(client, tokens)
    assert case["state"] == "recommended" and case["recommended_outcome"] == "refer"
    assert case["recommendation"]["outcome"] == "refer"
    cid = case["id"]
    listed = client.get("/api/cases", params={"state": "recommended"}, headers=tokens["dep.ames"])
    assert [c["id"] for c in listed.json()] == [cid] and "request" not in listed.json()[0]
    clock.advance(hours=1)
    r = client.post(
        f"/api/cases/{cid}/decision",
        headers=tokens["dep.ames"],
        json={
            "outcome": "decline",
            "actions_taken": ["notify_subject"],
            "reason": "No judicial warrant",
        },
    )
    assert r.status_code == 200 and r.json()["state"] == "decided"
    r = client.post(f"/api/cases/{cid}/close", headers=tokens["dep.ames"])
    assert r.status_code == 409 and r.json()["error"] == "illegal transition"
    r = client.post(f"/api/cases/{cid}/review", headers=tokens["dep.ames"], json={"approve": True})
    assert r.status_code == 403
    r = client.post(
        f"/api/cases/{cid}/review",
        headers=tokens["sgt.baker"],
        json={"approve": True, "note": "agreed"},
    )
    assert r.json()["state"] == "reviewed"
    assert (
        client.post(f"/api/cases/{cid}/close", headers=tokens["dep.ames"]).json()["state"]
        == "closed"
    )
    r = client.post(
        f"/api/cases/{cid}/reopen",
        headers=tokens["counsel.cruz"],
        json={"reason": "a judicial warrant arrived"},
    )
    assert r.json()["state"] == "recommended"
    detail = client.get(f"/api/cases/{cid}", headers=tokens["aud.diaz"]).json()
    assert [e["tag"] for e in detail["events"]] == [
        "case:request:received",
        "case:recommendation:issued",
        "case:decision:recorded",
        "case:review:approved",
        "case:case:closed",
        "case:case:reopened",
    ]
    assert detail["recommendation"]["rules"]
    verify = client.get("/api/audit/verify", headers=tokens["aud.diaz"])
    assert verify.json() == {"ok": True, "breaks": []}
    clock.advance(days=2)
    due = client.get("/api/deadlines", params={"within_hours": 48}, headers=tokens["dep.ames"])
    assert "verify_status" in {d["action"] for d in due.json() if d["overdue"]}


def test_departure_without_reason_is_refused_and_nothing_stored(
    client: TestClient, tokens: H
) -> None:
    cid = _open(client, tokens)["id"]
    r = client.post(
        f"/api/cases/{cid}/decision",
        headers=tokens["dep.ames"],
        json={"outcome": "comply", "reason": "  "},
    )
    assert r.status_code == 422 and problems(r) == {"reason"}
    after = client.get(f"/api/cases/{cid}", headers=tokens["dep.ames"]).json()
    assert after["state"] == "recommended" and after["decisions"] == []
    assert len(after["events"]) == 2


def test_officer_of_another_agency_reaches_nothing(client: TestClient, tokens: H) -> None:
    cid = _open(client, tokens)["id"]
    other = tokens["ofc.evans"]
    calls = [
        ("get", f"/api/cases/{cid}", None),
        ("post", f"/api/cases/{cid}/decision", {"outcome": "refer"}),
        ("post", f"/api/cases/{cid}/review", {"approve": True}),
        ("post", f"/api/cases/{cid}/close", None),
        ("post", f"/api/cases/{cid}/reopen", {"reason": "x"}),
    ]
    for method, url, body in calls:
        r = client.request(method, url, headers=other, json=body)
        assert r.status_code in (403, 404), (url, r.status_code)
        problems(r)
    assert client.get("/api/cases", headers=other).json() == []
    assert client.get("/api/deadlines", params={"within_hours": 8000}, headers=other).json() == []
    r = client.post("/api/cases", json=DETAINER, headers=other)
    assert r.status_code == 403
    batch = client.post("/api/cases/batch", json={"requests": [DETAINER]}, headers=other)
    assert batch.json()["results"][0]["status"] == 403
    after = client.get(f"/api/cases/{cid}", headers=tokens["dep.ames"]).json()
    assert after["state"] == "recommended" and len(after["events"]) == 2


def test_batch_with_one_bad_item(client: TestClient, tokens: H, store: Store) -> None:
    bad = {**DETAINER, "subject": {**DETAINER["subject"], "place_of_birth": "Honduras"}}
    r = client.post(
        "/api/cases/batch",
        headers=tokens["dep.ames"],
        json={"requests": [DETAINER, bad, "not an object", {**DETAINER, "id": "BCSO-2026-0032"}]},
    )
    assert r.status_code == 200
    body = r.json()
    assert body["created"] == 2 and body["failed"] == 2
    assert [x["status"] for x in body["results"]] == [201, 422, 422, 201]
    assert body["results"][1]["problems"][0]["where"] == "subject.place_of_birth"
    with store.transaction() as tx:
        assert tx.count_cases() == 2


def test_login_and_throttling(client: TestClient, tokens: H) -> None:
    r = client.post("/api/login", json={"username": "dep.ames", "password": PASSWORD})
    assert r.status_code == 200
    me = client.get("/api/me", headers={"Authorization": f"Bearer {r.json()['token']}"})
    assert me.json()["role"] == "officer"
    for _ in range(5):
        r = client.post("/api/login", json={"username": "dep.ames", "password": "wrong"})
        assert r.status_code == 401
    r = client.post("/api/login", json={"username": "dep.ames", "password": PASSWORD})
    assert r.status_code == 429 and int(r.headers["Retry-After"]) > 0
    problems(r)


def test_authentication_is_required(client: TestClient, tokens: H) -> None:
    for method, url in [
        ("get", "/api/cases"),
        ("post", "/api/cases"),
        ("get", "/api/packs"),
        ("post", "/api/evaluate"),
        ("get", "/api/audit/verify"),
    ]:
        r = client.request(method, url)
        assert r.status_code == 401, url
        problems(r)
        r = client.request(method, url, headers={"Authorization": "Bearer nope"})
        assert r.status_code == 401, url
    r = client.get("/api/cases", headers=tokens["pub.fox"])
    assert r.status_code == 403


def test_evaluate_stores_nothing_and_packs(client: TestClient, tokens: H, store: Store) -> None:
    r = client.post("/api/evaluate", json=DETAINER, headers=tokens["pub.fox"])
    assert r.status_code == 200 and r.json()["outcome"] == "refer"
    r = client.post(
        "/api/evaluate", params={"pack": "columbia-pd"}, json=DETAINER, headers=tokens["pub.fox"]
    )
    assert r.json()["policy"]["pack"] == "columbia-pd"
    with store.transaction() as tx:
        assert tx.count_cases() == 0
    packs = client.get("/api/packs", headers=tokens["pub.fox"]).json()
    assert "boone-county-so" in {p["id"] for p in packs}
    shown = client.get("/api/packs/boone-county-so", headers=tokens["pub.fox"]).json()
    assert shown["chain"] == ["federal", "missouri", "boone-county-so"] and shown["rules"]
    assert client.get("/api/packs/nope", headers=tokens["pub.fox"]).status_code == 404


def test_openapi_is_served(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    assert {"/api/cases", "/api/cases/batch", "/api/evaluate", "/api/login"} <= set(spec["paths"])


DEEP: Any = 1
for _ in range(40):
    DEEP = [DEEP]

MALFORMED: list[tuple[str, str, Any]] = [
    # (method, path with {cid}, body)
    ("post", "/api/cases", {}),
    ("post", "/api/cases", []),
    ("post", "/api/cases", "text"),
    ("post", "/api/cases", {**DETAINER, "notes": "a\x00b"}),
    ("post", "/api/cases", {**DETAINER, "id": "\ud800"}),
    ("post", "/api/cases", {**DETAINER, "id": "x" * 201}),
    ("post", "/api/cases", {**DETAINER, "received_at": "0001-01-01T00:00:00+14:00"}),
    ("post", "/api/cases", {**DETAINER, "received_at": "9999-12-31T23:59:59-14:00"}),
    (
        "post",
        "/api/cases",
        {
            **DETAINER,
            "subject": {
                "release_at": "9999-12-31T23:00:00-12:00",
                "booked_at": "0001-01-01T00:00:00+00:00",
                "in_custody": True,
            },
        },
    ),
    ("post", "/api/cases", {**DETAINER, "agency": "../../etc/passwd"}),
    ("post", "/api/cases", {**DETAINER, "x": {"a": DEEP}}),
    ("post", "/api/cases", {**DETAINER, "offenses": [{"code": 5}]}),
    ("post", "/api/cases/batch", {}),
    ("post", "/api/cases/batch", {"requests": []}),
    ("post", "/api/cases/batch", {"requests": "x"}),
    ("post", "/api/cases/batch", {"requests": [None, 1, {"\x00": 1}]}),
    ("get", "/api/cases?limit=0", None),
    ("get", "/api/cases?limit=x", None),
    ("get", "/api/cases?offset=-1", None),
    ("get", "/api/cases?state=open", None),
    ("get", "/api/cases?kind=%00", None),
    ("get", "/api/cases/not-a-uuid", None),
    ("get", "/api/cases/%00", None),
    ("post", "/api/cases/{cid}/decision", {}),
    ("post", "/api/cases/{cid}/decision", {"outcome": "maybe"}),
    ("post", "/api/cases/{cid}/decision", {"outcome": "comply", "reason": "a\x00"}),
    ("post", "/api/cases/{cid}/decision", {"outcome": "refer", "actions_taken": "x"}),
    ("post", "/api/cases/{cid}/decision", {"outcome": "refer", "actions_taken": [1]}),
    ("post", "/api/cases/{cid}/decision", [1]),
    ("post", "/api/cases/{cid}/review", {"approve": "yes"}),
    ("post", "/api/cases/{cid}/review", {"approve": True, "note": "\ud800"}),
    ("post", "/api/cases/{cid}/reopen", {}),
    ("post", "/api/cases/{cid}/reopen", {"reason": ""}),
    ("post", "/api/cases/{cid}/close", {"x": 1}),
    ("get", "/api/deadlines?within_hours=-1", None),
    ("get", "/api/deadlines?within_hours=nan", None),
    ("get", "/api/deadlines?within_hours=1e308", None),
    ("post", "/api/evaluate", {}),
    ("post", "/api/evaluate?pack=../federal", DETAINER),
    ("post", "/api/evaluate?pack=nope", DETAINER),
    ("post", "/api/evaluate", {**DETAINER, "agency": "\x00"}),
    ("get", "/api/packs/..%2Ffederal", None),
    ("get", "/api/packs/%00", None),
    ("post", "/api/login", {}),
    ("post", "/api/login", {"username": "\x00", "password": "x"}),
    ("post", "/api/login", {"username": "a" * 101, "password": "x"}),
    ("post", "/api/login", {"username": ["a"], "password": "x"}),
    ("delete", "/api/cases", None),
    ("get", "/api/nothing-here", None),
]


def test_malformed_input_gets_the_error_shape_never_500(client: TestClient, tokens: H) -> None:
    cid = _open(client, tokens)["id"]
    wrong = []
    for method, path, body in MALFORMED:
        r = client.request(
            method,
            path.format(cid=cid),
            content=json.dumps(body),
            headers={**tokens["sgt.baker"], "Content-Type": "application/json"},
        )
        fine = 400 <= r.status_code < 500 or (
            r.status_code == 200 and ("close" in path or "batch" in path)
        )
        if not fine:
            wrong.append((method, path, str(body)[:60], r.status_code, r.text[:200]))
        elif r.status_code >= 400:
            problems(r)
    assert wrong == []


def test_raw_bodies_that_are_not_json(client: TestClient, tokens: H) -> None:
    for content in [b"{", b"\xff\xfe", b"[" * 5000 + b"]" * 5000, b"1e999999", b"9" * 5000]:
        r = client.post(
            "/api/cases",
            content=content,
            headers={**tokens["dep.ames"], "Content-Type": "application/json"},
        )
        assert 400 <= r.status_code < 500, (content[:10], r.status_code)
        problems(r)
