"""The pages over HTTP (no browser): field-level messages identical to the API's, CSRF and
cookie rules, offline docs, no case data on public pages, and no 500 for any input tried."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from casebycase.cases.model import Actor
from casebycase.settings import Settings
from casebycase.store.store import Store
from casebycase.web.app import create_app
from casebycase.web.pages import intake

from .conftest import CHEAP, PASSWORD

CSRF = re.compile(r'name="csrf" value="([^"]+)"')
ZONE = ZoneInfo("America/Chicago")


class Browserless:
    """A signed-in client of the pages, with the API token of the same user."""

    def __init__(self, client: TestClient, username: str) -> None:
        self.client = client
        self.csrf = CSRF.search(client.get("/login").text).group(1)  # type: ignore[union-attr]
        r = client.post(
            "/login",
            data={"csrf": self.csrf, "username": username, "password": PASSWORD},
            follow_redirects=False,
        )
        assert r.status_code == 303, r.text
        self.cookie = r.headers["set-cookie"]
        token = client.post("/api/login", json={"username": username, "password": PASSWORD})
        self.api = {"Authorization": f"Bearer {token.json()['token']}"}

    def post(self, path: str, form: dict[str, Any]) -> Any:
        body = urlencode({"csrf": self.csrf, **form}, doseq=True, errors="surrogatepass")
        return self.client.post(
            path,
            content=body,
            follow_redirects=False,
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )


def _app(tmp: Path) -> tuple[Any, Store]:
    store = Store.open(f"sqlite:///{tmp / 'forms.sqlite3'}")
    app = create_app(
        Settings(database_url="unused"), store=store, clock=lambda: dt.datetime.now(dt.UTC)
    )
    app.state.users.hasher = CHEAP
    admin = Actor("test", "policy_admin", "boone-county-so")
    for name, role, agency in (
        ("ofc.a", "officer", "boone-county-so"),
        ("sgt.b", "supervisor", "boone-county-so"),
        ("ofc.c", "officer", "columbia-pd"),
    ):
        app.state.users.add(
            name,
            role,
            agency,
            Actor("test", "policy_admin", agency) if agency != admin.agency else admin,
            PASSWORD,
        )
    return app, store


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    app, store = _app(tmp_path)
    with TestClient(app, base_url="https://testserver", raise_server_exceptions=False) as c:
        yield c
    store.close()


def _form(**changes: str) -> dict[str, Any]:
    now = dt.datetime.now(ZONE).strftime("%Y-%m-%dT%H:%M")
    form: dict[str, Any] = {
        "kind": "detainer",
        "received_at": now,
        "requester.agency": "ICE",
        "purpose": "civil_immigration",
        "subject.in_custody": "true",
    }
    form.update(changes)
    return form


BAD = [
    {"subject.ref": "John Smith"},
    {"received_at": "yesterday"},
    {"received_at": "2026-13-40T99:00"},
    {"received_at": "1800-01-01T00:00"},
    {"received_at": ""},
    {"purpose": "civil"},
    {"requester.agency": "DHS"},  # letter case is forgiven ("ice" is ICE); a wrong name is not
    {"requester.component": "XYZ"},
    {"offenses[0].description": "theft", "offenses[0].status": "maybe"},
    {"offenses[1].category": "felonyish"},
    {"documents": "I-999"},
    {"subject.release_at": "soon"},
    {"notes": "x\x00y"},
    {"requester.office": "o" * 300},
]


@pytest.mark.parametrize("change", BAD, ids=[",".join(c) for c in BAD])
def test_field_messages_are_the_apis(client: TestClient, change: dict[str, str]) -> None:
    officer = Browserless(client, "ofc.a")
    form = _form(**change)
    parsed = {k: [v] for k, v in {"csrf": "", **form}.items()}
    request = intake.to_request(parsed, "detainer", "boone-county-so", ZONE)
    api = client.post("/api/evaluate", json=request, headers=officer.api)
    assert api.status_code == 422, api.text
    expected = {(intake.field_of(p["where"], parsed), p["why"]) for p in api.json()["problems"]}
    page = officer.post("/cases/new", form)
    assert page.status_code == 422
    for where, why in expected:
        escaped = why.replace("'", "&#39;").replace('"', "&#34;")
        assert escaped in page.text, (where, why)
        field = re.sub(r"[.\[]", "-", where).replace("]", "")
        if where in intake.field_names("detainer"):
            assert f'id="err-{field}"' in page.text, where
    preview = officer.post("/cases/preview", form)
    assert preview.status_code == 200 and "Not complete yet" in preview.text


def test_csrf_and_cookies(client: TestClient) -> None:
    page = client.get("/login")
    assert "HttpOnly" in page.headers["set-cookie"] and "Secure" in page.headers["set-cookie"]
    assert (
        client.post("/login", data={"username": "ofc.a", "password": PASSWORD}).status_code == 403
    )
    assert "script-src 'self'" in page.headers["content-security-policy"]
    bad = client.post("/login", data={"csrf": "x" * 43, "username": "ofc.a", "password": PASSWORD})
    assert bad.status_code == 403 and "security token" in bad.text
    officer = Browserless(client, "ofc.a")
    cookie = officer.cookie.lower()
    assert all(flag in cookie for flag in ("httponly", "secure", "samesite=strict"))
    wrong = client.post(
        "/login", data={"csrf": officer.csrf, "username": "ofc.a", "password": "wrong"}
    )
    assert wrong.status_code == 401 and "wrong" in wrong.text
    for path in ("/cases/preview", "/cases/new", "/logout", "/try"):
        r = client.post(path, data=_form(), follow_redirects=False)
        assert r.status_code == 403, path


def test_docs_are_served_offline(client: TestClient) -> None:
    for path in ("/docs", "/redoc"):
        html = client.get(path).text
        assets = re.findall(r'(?:src|href)="([^"]+)"', html) + re.findall(r"url: '([^']+)'", html)
        assert assets, html
        for asset in assets:
            assert asset.startswith("/"), (path, asset)
            assert client.get(asset).status_code == 200, asset
        assert "https://" not in html.replace("https://testserver", "")
    redoc = client.get("/static/vendor/redoc/redoc.standalone.js").text
    assert "https://cdn." not in redoc


def test_public_pages_hold_no_case_data(client: TestClient) -> None:
    officer = Browserless(client, "ofc.a")
    saved = officer.post(
        "/cases/new",
        _form(
            **{
                "id": "BCSO-SECRET-9",
                "subject.ref": "S-9999",
                "notes": "Secret note text",
                "offenses[0].description": "Secret charge",
            }
        ),
    )
    assert saved.status_code == 303
    case_id = saved.headers["location"].rsplit("/", 1)[1]
    anonymous = TestClient(client.app, base_url="https://testserver")
    for path in ("/", "/public/boone-county-so", "/try", "/try?kind=detainer"):
        html = anonymous.get(path).text
        for secret in ("BCSO-SECRET-9", "S-9999", "Secret", case_id):
            assert secret not in html, (path, secret)
    assert anonymous.get(f"/cases/{case_id}", follow_redirects=False).status_code == 303
    other = Browserless(TestClient(client.app, base_url="https://testserver"), "ofc.c")
    assert other.client.get(f"/cases/{case_id}").status_code == 404


ODD = st.one_of(
    st.text(max_size=80),
    st.sampled_from(
        [
            "",
            "\x00",
            "\ud800",
            "%00",
            "<script>alert(1)</script>",
            "9" * 400,
            "true",
            "false",
            "2026-02-30T10:00",
            "0001-01-01T00:00",
            "9999-12-31T23:59",
            "NaN",
            "-1",
            "💥",
        ]
    ),
)
FIELDS = [
    "kind",
    "agency",
    "received_at",
    "requester.agency",
    "requester.component",
    "requester.office",
    "purpose",
    "documents",
    "judicial_warrant",
    "subject.ref",
    "subject.in_custody",
    "subject.confined",
    "subject.booked_at",
    "subject.release_at",
    "offenses[0].code",
    "offenses[0].description",
    "offenses[0].category",
    "offenses[2].status",
    "notes",
    "id",
    "outcome",
    "reason",
    "approve",
    "note",
    "actions_taken",
    "username",
    "password",
    "next",
]


@pytest.fixture(scope="module")
def fuzz(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Browserless, str]]:
    """A supervisor signed in, and a case of theirs, shared by every generated example."""
    app, store = _app(tmp_path_factory.mktemp("fuzz"))
    with TestClient(app, base_url="https://testserver", raise_server_exceptions=False) as c:
        sergeant = Browserless(c, "sgt.b")
        saved = sergeant.post("/cases/new", _form())
        yield sergeant, saved.headers["location"].rsplit("/", 1)[1]
    store.close()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    form=st.dictionaries(st.sampled_from(FIELDS), ODD, max_size=8),
    path=st.sampled_from(
        [
            "/cases/preview",
            "/cases/new",
            "/try",
            "/login",
            "/cases/{case}/decision",
            "/cases/{case}/review",
            "/cases/{case}/reopen",
            "/cases/{case}/close",
            "/cases/not-a-case/decision",
        ]
    ),
)
def test_no_input_answers_500(
    fuzz: tuple[Browserless, str], form: dict[str, str], path: str
) -> None:
    sergeant, case_id = fuzz
    r = sergeant.post(path.format(case=case_id), {"kind": "detainer", **form})
    assert r.status_code < 500, (path, form, r.text[:500])


@pytest.mark.parametrize(
    "path",
    [
        "/cases?kind=%00&outcome=x&state=zzz",
        "/deadlines?days=-5",
        "/deadlines?days=99999999",
        "/cases/new?kind=%ED%A0%80",
        "/cases/..%2F..%2Fetc",
        "/packs/..%2Fx",
        "/packs/NOPE",
        "/public/federal",
        "/public/%00",
        "/try?kind=<b>",
        "/login?next=//evil.example",
        "/cases/00000000-0000-0000-0000-000000000000",
        "/static/../app.py",
    ],
)
def test_odd_urls(client: TestClient, path: str) -> None:
    Browserless(client, "ofc.a")
    r = client.get(path, follow_redirects=False)
    assert r.status_code < 500, (path, r.text[:300])
    assert "<b>" not in r.text and "evil.example" not in r.headers.get("location", "")


def test_pack_changes_between_dates(client: TestClient) -> None:
    Browserless(client, "ofc.a")
    page = client.get("/packs/boone-county-so?since=2025-01-01&until=2026-01-01")
    assert page.status_code == 200 and "changes from 2025-01-01 to 2026-01-01" in page.text
    assert "Example request" in page.text and "scenario" in page.text.lower()
    bad = client.get("/packs/boone-county-so?since=2025-02-30&until=2026-01-01")
    assert bad.status_code == 422 and 'id="err-since"' in bad.text


def test_public_user_lands_on_the_home_page(client: TestClient) -> None:
    client.app.state.users.add(  # type: ignore[attr-defined]
        "pub.d",
        "public",
        "boone-county-so",
        Actor("test", "policy_admin", "boone-county-so"),
        PASSWORD,
    )
    page = client.get("/login")
    csrf = CSRF.search(page.text).group(1)  # type: ignore[union-attr]
    r = client.post(
        "/login",
        data={"csrf": csrf, "username": "pub.d", "password": PASSWORD},
        follow_redirects=False,
    )
    assert r.headers["location"] == "/"
    assert client.get("/cases").status_code == 403


def test_decision_and_review_messages(client: TestClient) -> None:
    sergeant = Browserless(client, "sgt.b")
    case = sergeant.post("/cases/new", _form()).headers["location"]
    bad = sergeant.post(f"{case}/decision", {"outcome": "maybe"})
    assert bad.status_code == 422 and "&#39;maybe&#39; is not an outcome" in bad.text
    assert 'id="err-decision-outcome"' in bad.text
    departs = sergeant.post(f"{case}/decision", {"outcome": "decline", "reason": "  "})
    assert departs.status_code == 422 and "needs a reason" in departs.text
    assert (
        sergeant.post(
            f"{case}/decision", {"outcome": "decline", "reason": "Papers missing."}
        ).status_code
        == 303
    )
    page = client.get(case).text
    assert "another supervisor reviews it" in page and "Record the review" not in page
    own = sergeant.post(f"{case}/review", {"approve": "true"})
    assert own.status_code == 422 and "you made this decision" in own.text
    closed = sergeant.post(f"{case}/close", {})
    assert closed.status_code == 409 and "needs a supervisor" in closed.text
