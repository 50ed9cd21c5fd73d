"""A store seeded through the case service, on SQLite and PostgreSQL, for every report."""

from __future__ import annotations

import copy
import datetime as dt
import random
from typing import Any

import pytest

from casebycase.cases.model import Actor
from casebycase.cases.service import OUTCOMES, CaseService
from casebycase.store.store import Store
from store.conftest import DETAINER, Clock, clock, store, store_url  # shared: both databases

__all__ = ["Clock", "clock", "store", "store_url"]

OFFICER = Actor("officer-1", "officer", "boone-county-so")
SECRET_REF = "ZQREF-0042"
SECRET_NOTE = "PLUMNOTE distinctive free text"
SECRET_REASON = "KIWIREASON counsel advised otherwise"
KINDS = [
    ("detainer", "civil_immigration", ["I-247A", "I-200"], "ICE", "ERO"),
    ("detainer", "civil_immigration", ["I-247A"], "ICE", "ERO"),
    ("release_notification", "civil_immigration", ["I-247A"], "ICE", "ERO"),
    ("jail_access", "civil_immigration", [], "ICE", "ERO"),
    ("records", "civil_immigration", [], "CBP", "USBP"),
    ("transfer", "civil_immigration", ["I-203"], "ICE", "ERO"),
    ("enforcement_support", "civil_immigration", [], "ICE", "ERO"),
    ("task_force", "criminal", [], "ICE", "HSI"),
    ("task_force", "civil_immigration", [], "ICE", "HSI"),
    ("victim_certification", "criminal", ["I-918B"], "victim_or_counsel", None),
    ("victim_certification", "criminal", ["I-914B"], "victim_or_counsel", None),
]
REASONS = [
    SECRET_REASON,
    "A judge signed a court order",
    "Officer safety concern",
    "Witness in a pending case",
    "Form was unsigned",
    "As the sergeant said",
]


def _request(n: int, rng: random.Random) -> dict[str, Any]:
    kind, purpose, docs, requester, component = KINDS[n % len(KINDS)]
    data = copy.deepcopy(DETAINER)
    month = 1 + n % 12
    data.update(
        id=f"{SECRET_REF}-{n}",
        kind=kind,
        purpose=purpose,
        documents=docs,
        received_at=f"2026-{month:02d}-{1 + n % 27:02d}T10:00:00-06:00",
        requester={"agency": requester, **({"component": component} if component else {})},
        notes=SECRET_NOTE,
    )
    data["subject"] = {
        **data["subject"],
        "ref": f"{SECRET_REF}S{n}",
        "release_at": f"2026-{month:02d}-{2 + n % 27:02d}T09:00:00-06:00",
        "booked_at": f"2026-{month:02d}-{1 + n % 27:02d}T02:00:00-06:00",
        "victim_or_witness": kind == "victim_certification",
    }
    if kind != "detainer":
        data["subject"]["in_custody"] = rng.random() < 0.5
    return data


def seed(service: CaseService, clock: Clock, store: Store, n: int = 60) -> list[str]:
    """Open ``n`` cases in 2026 (and two in 2025 that no 2026 report may count), decide most
    of them, some against the recommendation, and complete some deadlines."""
    rng = random.Random(7)
    ids = []
    for i in range(n):
        case = service.intake(_request(i, rng), OFFICER)
        ids.append(case["id"])
        r = rng.random()
        if r < 0.15:
            continue  # undecided
        if r < 0.45:
            outcome = rng.choice([o for o in OUTCOMES if o != case["recommended_outcome"]])
            service.decide(case["id"], OFFICER, outcome, [], rng.choice(REASONS))
        else:
            service.decide(case["id"], OFFICER, case["recommended_outcome"], [])
    for i in range(2):
        old = _request(i, rng)
        old["received_at"] = "2025-12-30T10:00:00-06:00"
        old["id"] = f"{SECRET_REF}-2025-{i}"  # a request id opens one case only
        service.intake(old, OFFICER)
    with store.transaction() as tx:
        for k, case_id in enumerate(ids):
            for d in tx.history(case_id)["deadlines"]:
                if d["due_at"] is None or k % 3 == 0:
                    continue
                due = d["due_at"] if d["due_at"].tzinfo else d["due_at"].replace(tzinfo=dt.UTC)
                tx.complete_deadline(d["id"], due + dt.timedelta(hours=-1 if k % 3 == 1 else 5))
    return ids


@pytest.fixture
def seeded(store: Store, clock: Clock) -> Store:
    seed(CaseService(store, clock), clock, store)
    return store
