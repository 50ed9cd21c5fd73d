"""Every page at 1280x800 and 390x844: axe-core finds no serious or critical violation, no
script error, no request leaves the server, and a screenshot is written."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from casebycase.cases.service import CaseService
from casebycase.cases.users import Users

from .conftest import SIZES, Site, Tab, report

PUBLIC = [
    "/",
    "/login",
    "/try",
    "/try?kind=detainer",
    "/public/boone-county-so",
    "/public/columbia-pd",
]
STAFF = [
    "/cases",
    "/deadlines",
    "/cases/new",
    "/cases/new?kind=detainer",
    "/cases/new?kind=victim_certification",
    "/packs",
    "/packs/boone-county-so",
    "/cases/00000000-0000-0000-0000-000000000000",
]


def _clock() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@pytest.fixture(scope="module")
def decided_case(site: Site) -> str:
    """A detainer decided by the officer, waiting for a supervisor's review."""
    users = Users(site.store, _clock)
    officer = users.authenticate(site.users["officer@boone-county-so"].token)
    service = CaseService(site.store, _clock)
    now = dt.datetime.now(dt.UTC)
    case = service.intake(
        {
            "id": "BCSO-SHOT-1",
            "agency": "boone-county-so",
            "received_at": now.isoformat(),
            "requester": {"agency": "ICE", "component": "ERO"},
            "kind": "detainer",
            "purpose": "civil_immigration",
            "documents": ["I-247A"],
            "subject": {
                "ref": "S-0007",
                "in_custody": True,
                "charged": True,
                "release_at": (now + dt.timedelta(hours=30)).isoformat(),
            },
            "offenses": [{"description": "DWI", "status": "charged"}],
            "notes": "Arrived by fax.",
        },
        officer,
    )
    service.decide(case["id"], officer, "refer", ["supervisor_review"], None)
    return str(case["id"])


def _name(path: str) -> str:
    if path.startswith("/cases/0000"):
        return "case_not_found"
    if path.startswith("/cases/") and "new" not in path:
        return "case"
    return path.strip("/").replace("/", "_").replace("?", "_").replace("=", "-") or "home"


def _check(tab: Tab, path: str, size: str, found: dict[str, Any]) -> None:
    tab.go(path)
    if "/cases/new?" in path:
        tab.page.wait_for_selector("#preview .rec")
    violations = tab.axe(found.setdefault("moderate or minor", []))
    if violations:
        found[f"{path} @ {size}"] = violations
    tab.shot(_name(path), size)


@pytest.mark.parametrize("size", list(SIZES))
def test_every_page(browser: Any, site: Site, decided_case: str, size: str) -> None:
    found: dict[str, Any] = {}
    anonymous = Tab(browser, site, size)
    try:
        for path in PUBLIC:
            _check(anonymous, path, size, found)
        anonymous.go("/try?kind=detainer")
        anonymous.page.get_by_label("In our custody now").check()
        anonymous.page.get_by_role("button", name="Compare the policies").click()
        anonymous.page.wait_for_selector("#results")
        assert anonymous.page.locator(".results .column").count() >= 5
        violations = anonymous.axe(found.setdefault("moderate or minor", []))
        if violations:
            found[f"/try results @ {size}"] = violations
        anonymous.shot("try_results", size)
        for path in ("/docs", "/redoc"):
            anonymous.go(path)
            anonymous.page.wait_for_selector(".swagger-ui .info, .api-info", timeout=20_000)
            anonymous.shot(_name(path), size)
        assert not anonymous.errors, anonymous.errors
        assert not anonymous.outside, anonymous.outside
    finally:
        anonymous.close()
    for username, paths in (
        ("officer@boone-county-so", STAFF),
        ("sgt.second@boone-county-so", [f"/cases/{decided_case}"]),
    ):
        staff = Tab(browser, site, size)
        try:
            staff.sign_in(username)
            for path in paths:
                _check(staff, path, size, found)
            assert not staff.errors, staff.errors
            assert not staff.outside, staff.outside
        finally:
            staff.close()
    report(f"axe-{size}", found)
    serious = {k: v for k, v in found.items() if k != "moderate or minor"}
    assert not serious, serious


def test_review_form_for_another_supervisor_only(
    browser: Any, site: Site, decided_case: str
) -> None:
    tab = Tab(browser, site)
    try:
        tab.sign_in("sgt.second@boone-county-so")
        tab.go(f"/cases/{decided_case}")
        assert tab.page.get_by_role("button", name="Record the review").count() == 1
        tab.go("/logout")  # GET is not a way out: only the form with its token
        tab.page.goto(f"{site.url}/cases/{decided_case}")
        assert tab.page.get_by_role("button", name="Sign out").count() == 1
        tab.page.get_by_role("button", name="Sign out").click()
        tab.page.wait_for_url("**/login")
        tab.page.goto(f"{site.url}/cases/{decided_case}")
        tab.page.wait_for_url("**/login?next=*")
    finally:
        tab.close()


def test_keyboard_only(browser: Any, site: Site) -> None:
    """Sign in, choose a kind and see its recommendation with the keyboard alone."""
    tab = Tab(browser, site)
    try:
        page = tab.page
        tab.go("/login")
        page.keyboard.press("Tab")
        assert page.evaluate("() => document.activeElement.textContent") == "Skip to content"
        page.keyboard.press("Enter")
        page.keyboard.press("Tab")
        assert page.evaluate("() => document.activeElement.id") == "username"
        page.keyboard.type("officer@boone-county-so")
        page.keyboard.press("Tab")
        page.keyboard.type(site.password("officer@boone-county-so"))
        page.keyboard.press("Enter")
        page.wait_for_url("**/cases")
        tab.go("/cases/new")
        page.keyboard.press("Tab")
        page.keyboard.press("Enter")
        page.keyboard.press("Tab")
        assert page.evaluate("() => document.activeElement.value") == "detainer"
        page.keyboard.press("Space")
        page.keyboard.press("Tab")
        page.keyboard.press("Enter")
        page.wait_for_url("**/cases/new?kind=detainer")
        page.wait_for_selector("#preview .rec")
        assert not tab.errors and not tab.outside
    finally:
        tab.close()
