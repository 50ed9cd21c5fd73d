"""The store: every read and write of cases and audit events, inside one transaction.

The services call these methods (through casebycase.cases.storage, which this store
satisfies); no SQL leaves this module. Audit events arrive sealed: the store persists them
and never computes a hash.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from typing import Any

from sqlalchemy import Connection, Engine, func, insert, select, text, update

from casebycase.audit.chain import Entry, Event, Head
from casebycase.store.database import engine_for, migrate
from casebycase.store.tables import (
    api_tokens,
    audit_events,
    cases,
    deadlines,
    decisions,
    reopenings,
    reviews,
    users,
)


class Store:
    """A database of cases and audit chains (SQLite or PostgreSQL)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.dialect = engine.dialect.name

    @classmethod
    def open(cls, url: str) -> Store:
        """Connect and migrate the schema to the latest version."""
        engine = engine_for(url)
        migrate(engine)
        return cls(engine)

    @contextmanager
    def transaction(self) -> Iterator[Transaction]:
        """One unit of work: committed (and synced) when the block ends without error."""
        with self.engine.begin() as conn:
            yield Transaction(conn, self.dialect)

    def close(self) -> None:
        self.engine.dispose()


class Transaction:
    """Reads and writes within one database transaction."""

    def __init__(self, conn: Connection, dialect: str) -> None:
        self.conn, self.dialect = conn, dialect

    # cases ---------------------------------------------------------------------------------

    def insert_case(self, row: dict[str, Any]) -> None:
        self.conn.execute(insert(cases).values(**row))

    def case(self, case_id: str) -> dict[str, Any] | None:
        found = self.conn.execute(select(cases).where(cases.c.id == case_id)).mappings().first()
        return dict(found) if found else None

    def update_case(self, case_id: str, **values: Any) -> None:
        self.conn.execute(update(cases).where(cases.c.id == case_id).values(**values))

    def cases(self, agencies: frozenset[str], state: str | None = None, kind: str | None = None,
              limit: int = 100, offset: int = 0) -> list[dict[str, Any]]:
        query = select(cases).where(cases.c.agency.in_(sorted(agencies)))
        if state:
            query = query.where(cases.c.state == state)
        if kind:
            query = query.where(cases.c.kind == kind)
        query = query.order_by(cases.c.received_at.desc(), cases.c.id).limit(limit).offset(offset)
        return [dict(r) for r in self.conn.execute(query).mappings()]

    def count_cases(self) -> int:
        return int(self.conn.execute(select(func.count()).select_from(cases)).scalar_one())

    def insert_decision(self, row: dict[str, Any]) -> None:
        self.conn.execute(insert(decisions).values(**row))

    def insert_review(self, row: dict[str, Any]) -> None:
        self.conn.execute(insert(reviews).values(**row))

    def insert_reopening(self, row: dict[str, Any]) -> None:
        self.conn.execute(insert(reopenings).values(**row))

    def history(self, case_id: str) -> dict[str, list[dict[str, Any]]]:
        def rows(table: Any) -> list[dict[str, Any]]:
            query = select(table).where(table.c.case_id == case_id).order_by(table.c.id)
            return [dict(r) for r in self.conn.execute(query).mappings()]
        return {"decisions": rows(decisions), "reviews": rows(reviews),
                "reopenings": rows(reopenings), "deadlines": rows(deadlines),
                "events": rows(audit_events)}

    # deadlines -----------------------------------------------------------------------------

    def insert_deadlines(self, rows: list[dict[str, Any]]) -> None:
        if rows:
            self.conn.execute(insert(deadlines), rows)

    def open_deadlines(self, agencies: frozenset[str], until: dt.datetime
                       ) -> list[dict[str, Any]]:
        query = (select(deadlines).where(deadlines.c.agency.in_(sorted(agencies)),
                                         deadlines.c.done_at.is_(None),
                                         deadlines.c.due_at <= until)
                 .order_by(deadlines.c.due_at, deadlines.c.id))
        return [dict(r) for r in self.conn.execute(query).mappings()]

    def complete_deadline(self, deadline_id: int, at: dt.datetime) -> dict[str, Any] | None:
        self.conn.execute(update(deadlines).where(deadlines.c.id == deadline_id)
                          .values(done_at=at))
        found = self.conn.execute(select(deadlines).where(deadlines.c.id == deadline_id)
                                  ).mappings().first()
        return dict(found) if found else None

    # audit ---------------------------------------------------------------------------------

    def chain_head(self, agency: str) -> Head | None:
        """Hold the agency's chain until this transaction ends; its last event, if any."""
        if self.dialect == "postgresql":  # one writer per agency chain at a time
            self.conn.execute(text("SELECT pg_advisory_xact_lock(hashtext(:a))"), {"a": agency})
        last = self.conn.execute(
            select(audit_events.c.seq, audit_events.c.hash)
            .where(audit_events.c.agency == agency)
            .order_by(audit_events.c.seq.desc()).limit(1)).first()
        return Head(last[0], last[1]) if last else None

    def insert_event(self, entry: Entry) -> None:
        """Store one sealed event as it is."""
        self.conn.execute(insert(audit_events).values(**asdict(entry)))

    def events(self, agency: str) -> list[Event]:
        query = select(audit_events).where(audit_events.c.agency == agency).order_by(
            audit_events.c.id)
        return [Event(**dict(r)) for r in self.conn.execute(query).mappings()]

    def chain_agencies(self) -> list[str]:
        query = select(audit_events.c.agency).distinct().order_by(audit_events.c.agency)
        return [r[0] for r in self.conn.execute(query)]

    def expunge_payloads(self, case_id: str) -> int:
        """Remove the payloads of a case's events; their hashes keep the chain whole."""
        result = self.conn.execute(update(audit_events).where(audit_events.c.case_id == case_id)
                                   .values(payload=None))
        return int(result.rowcount or 0)

    # users and tokens ----------------------------------------------------------------------

    def insert_user(self, row: dict[str, Any]) -> None:
        self.conn.execute(insert(users).values(**row))

    def user(self, username: str) -> dict[str, Any] | None:
        found = self.conn.execute(select(users).where(users.c.username == username)
                                  ).mappings().first()
        return dict(found) if found else None

    def users(self, agencies: frozenset[str]) -> list[dict[str, Any]]:
        query = (select(users).where(users.c.agency.in_(sorted(agencies)))
                 .order_by(users.c.agency, users.c.username))
        return [dict(r) for r in self.conn.execute(query).mappings()]

    def update_user(self, user_id: str, **values: Any) -> None:
        self.conn.execute(update(users).where(users.c.id == user_id).values(**values))

    def insert_token(self, row: dict[str, Any]) -> None:
        self.conn.execute(insert(api_tokens).values(**row))

    def token_user(self, token_hash: str) -> dict[str, Any] | None:
        """The user holding a token, with the token's ``kind`` and ``expires_at``."""
        query = (select(users, api_tokens.c.kind, api_tokens.c.expires_at)
                 .join(api_tokens, api_tokens.c.user_id == users.c.id)
                 .where(api_tokens.c.token_hash == token_hash))
        found = self.conn.execute(query).mappings().first()
        return dict(found) if found else None
