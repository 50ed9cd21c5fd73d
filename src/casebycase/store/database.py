"""Opening a database: URL, engine with safe settings, and the schema migrated to head."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

from casebycase.errors import CaseByCaseError, Problem

MIGRATIONS = Path(__file__).parent / "migrations"
READ = "casebycase_read"
"""Execution option marking a connection whose transaction only reads."""


class StoreMissing(CaseByCaseError):
    """A command that only reads was pointed at a SQLite file that does not exist."""


def sqlite_file(url: str) -> Path | None:
    """The file a SQLite URL names (None for other databases and in-memory SQLite)."""
    parsed = make_url(url)
    name = parsed.database or ""
    if not parsed.drivername.startswith("sqlite") or name in ("", ":memory:"):
        return None
    if name.startswith("file:"):  # URI filename (?uri=true)
        name = name.removeprefix("file:").split("?", 1)[0]
        if name in ("", ":memory:") or "mode=memory" in (parsed.database or ""):
            return None
    return Path(name)


def require_existing(url: str) -> None:
    """Raise :class:`StoreMissing` unless the store exists: opening a SQLite URL creates the
    file, which a command that only reads must never do."""
    path = sqlite_file(url)
    if path is not None and not path.is_file():
        raise StoreMissing(
            [
                Problem(
                    str(path),
                    "no case store at this path (a command that only reads never creates one)",
                    "pass --database URL or set CASEBYCASE_DATABASE_URL to the store to read",
                )
            ],
            title="no case store",
        )


def engine_for(url: str) -> Engine:
    """An engine; SQLite runs in WAL mode, syncs on every commit, and serialises writers.

    SQL parameters never enter error messages or logs (they may hold personal data).
    A connection marked ``casebycase_read`` begins a deferred (read) transaction on SQLite,
    so reads never take the write lock; every other transaction takes it up front.
    """
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False}, hide_parameters=True)

        @event.listens_for(engine, "connect")
        def _pragmas(conn: Any, _record: Any) -> None:
            conn.isolation_level = None  # transactions are begun explicitly below
            cursor = conn.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=FULL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=10000")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _begin(conn: Any) -> None:
            if conn.get_execution_options().get(READ):
                conn.exec_driver_sql("BEGIN")  # a snapshot, without the write lock
            else:
                conn.exec_driver_sql("BEGIN IMMEDIATE")  # take the write lock up front

        return engine
    return create_engine(url, pool_pre_ping=True, hide_parameters=True)


def migrate(engine: Engine) -> None:
    """Bring the schema to the latest migration (idempotent)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
