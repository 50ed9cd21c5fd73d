"""The API over a real store: every web test runs on SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient

from casebycase.cases.model import Actor
from casebycase.settings import Settings
from casebycase.store.store import Store
from casebycase.web.app import create_app
from store.conftest import DETAINER, Clock, clock, store, store_url  # shared: both databases

__all__ = ["DETAINER", "Clock", "clock", "store", "store_url"]

PASSWORD = "correct horse battery"
CHEAP = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
"""Fast hashing for tests only."""


@pytest.fixture
def client(store: Store, clock: Clock) -> Iterator[TestClient]:
    app = create_app(Settings(database_url="unused"), store=store, clock=clock)
    app.state.users.hasher = CHEAP
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


USERS = [  # username, role, agency
    ("dep.ames", "officer", "boone-county-so"),
    ("sgt.baker", "supervisor", "boone-county-so"),
    ("counsel.cruz", "counsel", "boone-county-so"),
    ("aud.diaz", "auditor", "boone-county-so"),
    ("ofc.evans", "officer", "columbia-pd"),
    ("pub.fox", "public", "boone-county-so"),
]


@pytest.fixture
def tokens(client: TestClient) -> dict[str, dict[str, str]]:
    """An Authorization header per username (the officer also has a password)."""
    users = client.app.state.users  # type: ignore[attr-defined]
    out: dict[str, dict[str, str]] = {}
    for name, role, agency in USERS:
        admin = Actor("test", "policy_admin", agency)
        users.add(name, role, agency, admin, PASSWORD if name == "dep.ames" else None)
        out[name] = {"Authorization": f"Bearer {users.issue_token(name, 'test')}"}
    return out


def problems(response: Any) -> set[str]:
    """The ``where`` of each problem in an error answer (checking the one shape)."""
    body = response.json()
    assert set(body) == {"error", "problems"}, body
    assert all(set(p) == {"where", "why", "hint"} for p in body["problems"]), body
    return {p["where"] for p in body["problems"]}
