"""Shared fixtures: the repository, the real data beside it, and a PostgreSQL server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from postgres_server import NoServer, PostgresServer, session_server

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


@pytest.fixture
def root() -> Path:
    return ROOT


@pytest.fixture
def shared() -> Path:
    if not SHARED.is_dir():
        pytest.skip(f"the shared folder is not beside the repository ({SHARED})")
    return SHARED


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """One PostgreSQL server for the whole session (see tests/postgres_server.py)."""
    failure = None
    try:
        with session_server() as server:
            yield server
    except NoServer as exc:
        failure = str(exc)
    if failure:
        pytest.fail(f"no PostgreSQL server for the tests: {failure}", pytrace=False)
