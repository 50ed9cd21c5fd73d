"""Every store test runs on SQLite and on PostgreSQL, over real connections."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from casebycase.cases.model import Actor
from casebycase.cases.service import CaseService
from casebycase.store.store import Store
from postgres_server import PostgresServer


def _postgres_url(server: PostgresServer) -> Iterator[str]:
    """A throw-away database on the session's server, dropped afterwards."""
    name = f"cbc_{uuid.uuid4().hex[:12]}"
    with server.connect() as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield server.url(name)
    finally:
        with server.connect() as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'cases.sqlite3'}"
    else:  # the server starts on first use, so SQLite-only runs need none
        yield from _postgres_url(request.getfixturevalue("postgres_server"))


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    s = Store.open(store_url)
    yield s
    s.close()


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, start: dt.datetime) -> None:
        self.now = start

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += dt.timedelta(**delta)


@pytest.fixture
def clock() -> Clock:
    return Clock(dt.datetime(2026, 3, 5, 22, 30, tzinfo=dt.UTC))


@pytest.fixture
def service(store: Store, clock: Clock) -> CaseService:
    return CaseService(store, clock)


OFFICER = Actor("officer-1", "officer", "boone-county-so")
SUPERVISOR = Actor("sergeant-1", "supervisor", "boone-county-so")
OTHER_AGENCY = Actor("officer-9", "officer", "columbia-pd")
COUNSEL = Actor("counsel-1", "counsel", "boone-county-so")

DETAINER: dict[str, Any] = {
    "id": "BCSO-2026-0031",
    "agency": "boone-county-so",
    "received_at": "2026-03-05T16:20:00-06:00",
    "requester": {"agency": "ICE", "component": "ERO"},
    "kind": "detainer",
    "purpose": "civil_immigration",
    "documents": ["I-247A", "I-200"],
    "subject": {
        "ref": "S-0107",
        "in_custody": True,
        "charged": True,
        "booked_at": "2026-03-05T02:10:00-06:00",
        "release_at": "2026-03-06T09:00:00-06:00",
    },
    "offenses": [{"description": "DWI - ALCOHOL", "status": "charged"}],
}
