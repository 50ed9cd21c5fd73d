"""Settings: one table of CASEBYCASE_* environment variables with defaults and help.

Only the shells (command line, server) read the environment; the core takes values.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

DEFAULT_URL = "sqlite:///casebycase.sqlite3"
"""The case store when CASEBYCASE_DATABASE_URL is unset: a file in the working directory."""

TABLE: dict[str, tuple[str, str]] = {
    "CASEBYCASE_DATABASE_URL": (
        DEFAULT_URL,
        "SQLAlchemy URL of the case store: sqlite:///file.sqlite3 (default, in the working "
        "directory) or postgresql+psycopg://user@host:5432/db for multi-agency deployments"),
}


@dataclass(frozen=True)
class Settings:
    """Resolved settings."""

    database_url: str = DEFAULT_URL

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        values = os.environ if env is None else env
        return cls(database_url=values.get("CASEBYCASE_DATABASE_URL", DEFAULT_URL))
