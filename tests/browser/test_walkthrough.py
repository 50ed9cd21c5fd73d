"""An officer logs a detainer and watches the recommendation change as the form does, saves,
decides with a departure and a reason; another supervisor reviews; the deadline board shows
the deadlines; the public page shows no case data; another agency's officer cannot open the
case; stored script never runs."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from .conftest import Site, Tab

OFFICER = "officer@boone-county-so"
SUPERVISOR = "supervisor@boone-county-so"
OTHER = "officer@columbia-pd"
SCRIPT = "<script>window.__pwned = 1</script>"
IMG = '"><img src=x onerror="window.__pwned=1">'
REF = "S-0042"
REFERENCE = "BCSO-PW-0001"


def _local(when: dt.datetime) -> str:
    return when.astimezone(dt.timezone(dt.timedelta(hours=-6))).strftime("%Y-%m-%dT%H:%M")


def _outcome(page: Any) -> str:
    page.wait_for_selector("#preview .rec .outcome strong")
    return str(page.locator("#preview .rec .outcome strong").inner_text())


def _no_script_ran(tab: Tab) -> None:
    assert tab.page.evaluate("() => window.__pwned === undefined")
    assert not [e for e in tab.errors if "dialog" in e]


def test_detainer_from_intake_to_review(browser: Any, site: Site) -> None:
    officer = Tab(browser, site)
    try:
        officer.sign_in(OFFICER)
        officer.go("/cases/new")
        officer.page.get_by_label(re.compile(r"^Detainer")).check()
        officer.page.get_by_role("button", name="Continue").click()
        officer.page.wait_for_url("**/cases/new?kind=detainer")
        page = officer.page
        # the form is valid as it opens (received now, from ICE, civil): a recommendation shows
        assert _outcome(page) == "refer"
        # an incomplete form says what is missing, in the request format's words
        page.get_by_label(re.compile(r"^Received")).fill("")
        page.wait_for_selector("#preview >> text=Not complete yet")
        assert "received_at" in page.locator("#preview").inner_text()
        page.get_by_label(re.compile(r"^Received")).fill(_local(dt.datetime.now(dt.UTC)))
        assert _outcome(page) == "refer"
        # a judge's warrant changes the recommendation, live
        page.get_by_label("A judge signed a warrant or order for this").check()
        page.wait_for_function(
            "() => document.querySelector('#preview .outcome strong')?.textContent === 'comply'"
        )
        page.get_by_label("A judge signed a warrant or order for this").uncheck()
        page.wait_for_function(
            "() => document.querySelector('#preview .outcome strong')?.textContent === 'refer'"
        )
        # deadlines appear as local times once the release time is known
        page.get_by_label("In our custody now").check()
        release = dt.datetime.now(dt.UTC) + dt.timedelta(days=1)
        page.get_by_label(re.compile(r"^Would be released")).fill(_local(release))
        page.wait_for_selector("#preview .actions time")
        preview = page.locator("#preview").inner_text()
        assert re.search(r"by \w{3} \d+ \w{3} \d{4}, \d\d:\d\d C[SD]T", preview), preview
        assert "Rules that fired" in preview and "UNCONFIRMED" in preview
        assert page.locator("#preview a[href^='https://']").count() > 0
        # free text carrying script, in every free-text field
        page.get_by_label(re.compile(r"^Your reference")).fill(REFERENCE)
        page.get_by_label(re.compile(r"^Subject reference")).fill(SCRIPT)
        page.get_by_label("Notes (optional)").fill(SCRIPT + IMG)
        page.get_by_label("Charge text").first.fill(SCRIPT + " assault")
        page.get_by_label("Statute or code").first.fill(IMG[:60])
        page.get_by_role("button", name="Save the case").click()
        # the subject reference is refused with the API's message, next to its field
        error = page.locator("#err-subject-ref")
        assert "a subject reference must be a short code without spaces" in error.inner_text()
        assert (
            page.get_by_label(re.compile(r"^Subject reference")).get_attribute("aria-invalid")
            == "true"
        )
        page.get_by_label(re.compile(r"^Subject reference")).fill(REF)
        page.get_by_role("button", name="Save the case").click()
        page.wait_for_url(re.compile(r"/cases/[0-9a-f-]{36}$"))
        case_url = page.url
        case_id = case_url.rsplit("/", 1)[1]
        assert SCRIPT in page.locator(".facts").inner_text()
        _no_script_ran(officer)
        # a departure without a reason is refused with the service's message
        page.get_by_label("Decision", exact=True).select_option("decline")
        page.get_by_role("button", name="Record the decision").click()
        assert "needs a reason" in page.locator("#err-decision-reason").inner_text()
        page.get_by_label("Decision", exact=True).select_option("decline")
        page.get_by_label(re.compile(r"^Reason")).fill("No judge signed anything. " + SCRIPT)
        page.get_by_role("button", name="Record the decision").click()
        page.wait_for_selector("text=departs from the recommendation")
        assert page.locator(".badge.state").inner_text() == "decided"
        _no_script_ran(officer)
        # the board shows the case's deadlines
        officer.go("/deadlines")
        assert page.locator(f"a[href='/cases/{case_id}']").count() >= 2
        assert REFERENCE in page.locator("table").inner_text()
        officer.go("/cases?kind=detainer&outcome=refer&state=decided")
        assert page.locator(f"a[href='/cases/{case_id}']").count() == 1
    finally:
        officer.close()

    supervisor = Tab(browser, site)
    try:
        supervisor.sign_in(SUPERVISOR)
        supervisor.go(f"/cases/{case_id}")
        page = supervisor.page
        page.get_by_label("Approve the decision").check()
        page.get_by_label("Note (optional)").fill("Agreed. " + IMG)
        page.get_by_role("button", name="Record the review").click()
        page.wait_for_selector("text=approved")
        assert page.locator(".badge.state").inner_text() == "reviewed"
        page.get_by_role("button", name="Close the case").click()
        page.wait_for_selector(".badge.state >> text=closed")
        page.get_by_label("Reason for reopening").fill("New papers arrived. " + SCRIPT)
        page.get_by_role("button", name="Reopen").click()
        page.wait_for_selector(".badge.state >> text=recommended")
        assert "The audit chain of boone-county-so verifies" in page.content()
        events = page.locator("#audit-h + p + .scroll tbody tr").count()
        assert events >= 6
        _no_script_ran(supervisor)
    finally:
        supervisor.close()

    stranger = Tab(browser, site)
    try:
        stranger.sign_in(OTHER)
        response = stranger.page.goto(f"{site.url}/cases/{case_id}")
        assert response is not None and response.status == 404
        assert REF not in stranger.page.content()
        stranger.go("/cases?state=all")
        assert case_id not in stranger.page.content()
    finally:
        stranger.close()

    public = Tab(browser, site)
    try:
        for path in ("/public/boone-county-so", "/", "/try"):
            public.go(path)
            html = public.page.content()
            for secret in (REF, case_id, REFERENCE, "window.__pwned", "No judge signed"):
                assert secret not in html, (path, secret)
    finally:
        public.close()
