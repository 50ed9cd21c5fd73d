"""Demo data: users for each role and a few dozen cases from the packs' own scenarios.

``seed(store, clock)`` fills an empty store through the same services the API uses, so the
demo's audit chains verify like real ones.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from argon2 import PasswordHasher

from casebycase.cases.model import Actor
from casebycase.cases.service import CaseService, DecisionError, IllegalTransition
from casebycase.cases.users import Users
from casebycase.errors import RequestError
from casebycase.policy.compile import load_pack
from casebycase.store.store import Store

AGENCIES = (
    "boone-county-so",
    "columbia-pd",
    "st-louis-county-pd",
    "travis-county-so-2017",
    "example-287g-jem",
)
"""Agency packs the demo opens cases for (the layer packs have no agency)."""
PER_AGENCY = 8
HOME = "boone-county-so"
ROLES = ("officer", "supervisor", "counsel", "auditor", "policy_admin", "public")


@dataclass(frozen=True)
class DemoUser:
    """A demo account and its secrets (shown once, at start)."""

    username: str
    role: str
    agency: str
    password: str
    token: str


def scenario_requests(agency: str, limit: int = PER_AGENCY) -> list[dict[str, Any]]:
    """Requests from the pack's own scenario tests (those with no what-if date or profile)."""
    pack = load_pack(agency)
    chosen = [
        t.scenario
        for t in pack.pack.tests
        if t.pack == agency and t.scenario.at is None and t.scenario.agency is None
    ]
    step = max(1, len(chosen) // limit)
    return [
        {**s.request, "agency": agency, "id": f"DEMO-{agency[:4].upper()}-{i:03d}", "notes": s.name}
        for i, s in enumerate(chosen[::step][:limit], 1)
    ]


def seed(
    store: Store, clock: Callable[[], dt.datetime], hasher: PasswordHasher | None = None
) -> list[DemoUser]:
    """Create the demo users and cases; returns the users with their password and token."""
    users = Users(store, clock, hasher)
    service = CaseService(store, clock)
    made: list[DemoUser] = []

    def add(username: str, role: str, agency: str, also: tuple[str, ...] = ()) -> Actor:
        password = secrets.token_urlsafe(12)
        user = users.add(
            username,
            role,
            agency,
            Actor("demo", "policy_admin", agency, frozenset(also)),
            password,
            also,
        )
        made.append(DemoUser(username, role, agency, password, users.issue_token(username, "demo")))
        return Actor(user["id"], role, agency, frozenset(also))  # type: ignore[arg-type]

    home = {role: add(f"{role.replace('_', '-')}@{HOME}", role, HOME) for role in ROLES}
    add("state.auditor", "auditor", "missouri", AGENCIES)
    for agency in AGENCIES:
        officer = home["officer"] if agency == HOME else add(f"officer@{agency}", "officer", agency)
        supervisor = (
            home["supervisor"]
            if agency == HOME
            else add(f"supervisor@{agency}", "supervisor", agency)
        )
        for i, request in enumerate(scenario_requests(agency)):
            try:
                case = service.intake(request, officer)
            except RequestError:
                continue
            _advance(service, case, i, officer, supervisor, home["counsel"])
    return made


def _advance(
    service: CaseService,
    case: dict[str, Any],
    i: int,
    officer: Actor,
    supervisor: Actor,
    counsel: Actor,
) -> None:
    """Move a case along its life: some stay open, some are decided, reviewed, closed."""
    cid, recommended = case["id"], case["recommended_outcome"]
    step = i % 4
    if step == 0:
        return
    try:
        if step == 3 and recommended != "decline":
            service.decide(
                cid, officer, "decline", [], "Demo: no judicial warrant came with the request"
            )
            service.review(cid, supervisor, approve=True, note="Demo review")
        else:
            service.decide(cid, officer, recommended)
            if service.get(cid, officer)["needs_review"]:
                service.review(cid, supervisor, approve=True)
        if step >= 2:
            service.close(cid, officer)
        if step == 3 and officer.agency == counsel.agency:
            service.reopen(cid, counsel, "Demo: new paperwork arrived")
    except (DecisionError, IllegalTransition):
        return
