"""The tests' PostgreSQL server: named by the environment, or started for the session."""

from __future__ import annotations

import os
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from postgres_server import (
    HOW_TO_GET_ONE,
    URL_ENV,
    NoServer,
    PostgresServer,
    find_bindir,
    from_env,
    session_server,
    temporary_server,
)


@pytest.mark.parametrize(
    "value",
    [
        "postgresql://postgres@db.example:6543/admin",
        "postgresql+psycopg://postgres@db.example:6543/admin",
        "host=db.example port=6543 user=postgres dbname=admin",
    ],
)
def test_admin_url_or_dsn(value: str) -> None:
    server = from_env(value)
    assert server.params == {
        "host": "db.example",
        "port": "6543",
        "user": "postgres",
        "dbname": "admin",
    }
    url = make_url(server.url("cbc_x"))
    assert (url.drivername, url.username, url.database) == (
        "postgresql+psycopg",
        "postgres",
        "cbc_x",
    )
    assert dict(url.query) == {"host": "db.example", "port": "6543"}


def test_admin_database_defaults_to_postgres() -> None:
    assert from_env("postgresql://postgres@127.0.0.1:5432").params["dbname"] == "postgres"


def test_bad_url_names_the_variable() -> None:
    with pytest.raises(NoServer, match=URL_ENV):
        from_env("postgresql://[")


def test_unreachable_server_says_what_to_do(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv(URL_ENV, f"host={tmp_path} port=1 user=postgres")
    with pytest.raises(NoServer, match=f"unset {URL_ENV}"), session_server():
        pass


def test_no_binaries_fails_with_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(URL_ENV, raising=False)
    monkeypatch.setattr("postgres_server.find_bindir", lambda: None)
    with pytest.raises(NoServer) as caught, session_server():
        pass
    assert URL_ENV in str(caught.value)
    assert "apt-get install postgresql" in str(caught.value)
    assert "pip install pgserver" in str(caught.value)


def test_session_server_takes_throwaway_databases(postgres_server: PostgresServer) -> None:
    with postgres_server.connect() as admin:
        admin.execute('CREATE DATABASE "cbc_probe"')
    try:
        engine = create_engine(postgres_server.url("cbc_probe"))
        with engine.connect() as conn:
            assert conn.execute(text("SELECT current_database()")).scalar() == "cbc_probe"
        engine.dispose()
    finally:
        with postgres_server.connect() as admin:
            admin.execute('DROP DATABASE "cbc_probe" WITH (FORCE)')


def test_temporary_server_is_gone_afterwards() -> None:
    bindir = find_bindir()
    if bindir is None and os.environ.get(URL_ENV):
        pytest.skip(f"no PostgreSQL server binaries to start one ({URL_ENV} names the server)")
    if bindir is None:
        pytest.fail(f"no PostgreSQL server binaries: {HOW_TO_GET_ONE}")
    with temporary_server(bindir) as server:
        folder = Path(server.params["host"])
        with server.connect() as conn:
            assert conn.execute("SELECT 1").fetchone() == (1,)
    assert not folder.exists()
    with pytest.raises(psycopg.OperationalError):
        server.connect(connect_timeout=2)
