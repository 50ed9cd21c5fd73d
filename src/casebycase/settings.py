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
        "directory) or postgresql+psycopg://user@host:5432/db for multi-agency deployments",
    ),
    "CASEBYCASE_MAX_BODY": (
        "1000000",
        "Largest request body the API reads, in bytes; a larger one is refused with 413 "
        "before it is read",
    ),
    "CASEBYCASE_MAX_BATCH_BODY": (
        "16000000",
        "Largest body of POST /api/cases/batch, in bytes (up to 500 requests)",
    ),
}


@dataclass(frozen=True)
class Settings:
    """Resolved settings."""

    database_url: str = DEFAULT_URL
    max_body: int = 1_000_000
    max_batch_body: int = 16_000_000

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Settings from ``env`` (default: the environment); a bad number is a ValueError
        naming the variable."""
        values = os.environ if env is None else env

        def size(name: str) -> int:
            text = values.get(name, TABLE[name][0])
            if not text.isdigit() or int(text) < 1000:
                raise ValueError(
                    f"{name}={text!r}: expected a number of bytes of at least "
                    f"1000 (default {TABLE[name][0]})"
                )
            return int(text)

        return cls(
            database_url=values.get("CASEBYCASE_DATABASE_URL", DEFAULT_URL),
            max_body=size("CASEBYCASE_MAX_BODY"),
            max_batch_body=size("CASEBYCASE_MAX_BATCH_BODY"),
        )
