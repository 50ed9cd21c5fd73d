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

from sqlalchemy import Connection, Engine, delete, func, insert, select, text, update
from sqlalchemy.dialects import postgresql, sqlite

from casebycase.audit.chain import Entry, Event, Head
from casebycase.store.database import READ, engine_for, migrate
from casebycase.store.tables import (
    api_tokens,
    audit_events,
    audit_heads,
    cases,
    deadlines,
    decisions,
    intake_keys,
    login_attempts,
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

    @contextmanager
    def read(self) -> Iterator[Transaction]:
        """A unit of work that only reads: a consistent snapshot that never takes SQLite's
        write lock (REPEATABLE READ, READ ONLY on PostgreSQL)."""
        with self.engine.connect() as conn:
            conn.execution_options(**{READ: True})
            with conn.begin():
                if self.dialect == "postgresql":
                    conn.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY"))
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

    def case(self, case_id: str, lock: bool = False) -> dict[str, Any] | None:
        """A case row; ``lock`` holds it (PostgreSQL: FOR UPDATE) until the transaction ends,
        so concurrent changes of one case queue behind each other."""
        query = select(cases).where(cases.c.id == case_id)
        if lock and self.dialect == "postgresql":
            query = query.with_for_update()
        found = self.conn.execute(query).mappings().first()
        return dict(found) if found else None

    def update_case(self, case_id: str, **values: Any) -> None:
        self.conn.execute(update(cases).where(cases.c.id == case_id).values(**values))

    def change_case(self, case_id: str, version: int, **values: Any) -> bool:
        """Change a case only if it is still at ``version`` (and move it to the next);
        False when another change came first."""
        result = self.conn.execute(
            update(cases)
            .where(cases.c.id == case_id, cases.c.version == version)
            .values(version=version + 1, **values)
        )
        return bool(result.rowcount == 1)

    def cases(
        self,
        agencies: frozenset[str],
        state: str | None = None,
        kind: str | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> list[dict[str, Any]]:
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

        return {
            "decisions": rows(decisions),
            "reviews": rows(reviews),
            "reopenings": rows(reopenings),
            "deadlines": rows(deadlines),
            "events": rows(audit_events),
        }

    # deadlines -----------------------------------------------------------------------------

    def insert_deadlines(self, rows: list[dict[str, Any]]) -> None:
        if rows:
            self.conn.execute(insert(deadlines), rows)

    def open_deadlines(self, agencies: frozenset[str], until: dt.datetime) -> list[dict[str, Any]]:
        query = (
            select(deadlines)
            .where(
                deadlines.c.agency.in_(sorted(agencies)),
                deadlines.c.done_at.is_(None),
                deadlines.c.due_at <= until,
            )
            .order_by(deadlines.c.due_at, deadlines.c.id)
        )
        return [dict(r) for r in self.conn.execute(query).mappings()]

    def complete_deadline(self, deadline_id: int, at: dt.datetime) -> dict[str, Any] | None:
        self.conn.execute(update(deadlines).where(deadlines.c.id == deadline_id).values(done_at=at))
        found = (
            self.conn.execute(select(deadlines).where(deadlines.c.id == deadline_id))
            .mappings()
            .first()
        )
        return dict(found) if found else None

    # audit ---------------------------------------------------------------------------------

    def chain_head(self, agency: str) -> Head | None:
        """Hold the agency's chain until this transaction ends; its last event, if any."""
        if self.dialect == "postgresql":  # one writer per agency chain at a time
            self.conn.execute(text("SELECT pg_advisory_xact_lock(hashtext(:a))"), {"a": agency})
        last = self.conn.execute(
            select(audit_events.c.seq, audit_events.c.hash)
            .where(audit_events.c.agency == agency)
            .order_by(audit_events.c.seq.desc())
            .limit(1)
        ).first()
        return Head(last[0], last[1]) if last else None

    def insert_event(self, entry: Entry) -> None:
        """Store one sealed event as it is, and move the agency's head to it."""
        self.conn.execute(insert(audit_events).values(**asdict(entry)))
        self._upsert(
            audit_heads,
            {"agency": entry.agency, "seq": entry.seq, "hash": entry.hash},
            ["agency"],
            ["seq", "hash"],
        )

    def events(self, agency: str) -> list[Event]:
        query = (
            select(audit_events).where(audit_events.c.agency == agency).order_by(audit_events.c.id)
        )
        return [Event(**dict(r)) for r in self.conn.execute(query).mappings()]

    def iter_events(self, agency: str) -> Iterator[Event]:
        """The agency's events in (seq, id) order, fetched in batches (bounded memory)."""
        query = (
            select(audit_events)
            .where(audit_events.c.agency == agency)
            .order_by(audit_events.c.seq, audit_events.c.id)
            .execution_options(yield_per=2000)
        )
        for row in self.conn.execute(query).mappings():
            yield Event(**dict(row))

    def chain_agencies(self) -> list[str]:
        """Every agency with events or a recorded head."""
        found = {r[0] for r in self.conn.execute(select(audit_events.c.agency).distinct())}
        found |= {r[0] for r in self.conn.execute(select(audit_heads.c.agency))}
        return sorted(found)

    def recorded_head(self, agency: str) -> Head | None:
        """The head the store recorded with the agency's last append."""
        found = self.conn.execute(
            select(audit_heads.c.seq, audit_heads.c.hash).where(audit_heads.c.agency == agency)
        ).first()
        return Head(found[0], found[1]) if found else None

    def case_records(self, agency: str) -> dict[str, dict[str, Any]]:
        """Per case of the agency: its row and its decisions, reviews, reopenings and
        deadlines."""
        out: dict[str, dict[str, Any]] = {}
        for row in self.conn.execute(select(cases).where(cases.c.agency == agency)).mappings():
            out[row["id"]] = {
                "case": dict(row),
                "decisions": [],
                "reviews": [],
                "reopenings": [],
                "deadlines": [],
            }
        for name, table in (
            ("decisions", decisions),
            ("reviews", reviews),
            ("reopenings", reopenings),
            ("deadlines", deadlines),
        ):
            query = (
                select(table)
                .join(cases, cases.c.id == table.c.case_id)
                .where(cases.c.agency == agency)
                .order_by(table.c.id)
            )
            for row in self.conn.execute(query).mappings():
                out[row["case_id"]][name].append(dict(row))
        return out

    def expunge_payloads(self, case_id: str) -> int:
        """Remove the payloads of a case's events; their hashes keep the chain whole."""
        result = self.conn.execute(
            update(audit_events).where(audit_events.c.case_id == case_id).values(payload=None)
        )
        return int(result.rowcount or 0)

    def expunge_case(self, case_id: str) -> None:
        """Remove every free text and reference of a case: request, recommendation, its
        reference, decision reasons and actions, review notes, reopening reasons, keys."""
        self.conn.execute(
            update(decisions)
            .where(decisions.c.case_id == case_id)
            .values(actions_taken=[], reason=None)
        )
        self.conn.execute(update(reviews).where(reviews.c.case_id == case_id).values(note=None))
        self.conn.execute(
            update(reopenings).where(reopenings.c.case_id == case_id).values(reason="")
        )
        self.conn.execute(delete(intake_keys).where(intake_keys.c.case_id == case_id))

    # intake keys ---------------------------------------------------------------------------

    def intake_key(self, agency: str, key: str) -> str | None:
        """The case opened earlier under this idempotency key, if any."""
        found = self.conn.execute(
            select(intake_keys.c.case_id).where(
                intake_keys.c.agency == agency, intake_keys.c.key == key
            )
        ).first()
        return str(found[0]) if found else None

    def claim_intake_key(self, agency: str, key: str, case_id: str) -> bool:
        """Record ``key`` for ``case_id``; False when the agency used it before (a
        concurrent claim on PostgreSQL waits for the other transaction to end)."""
        stmt = (
            self._insert_for(intake_keys)
            .values(agency=agency, key=key, case_id=case_id)
            .on_conflict_do_nothing(index_elements=["agency", "key"])
            .returning(intake_keys.c.case_id)
        )
        return self.conn.execute(stmt).first() is not None

    # login throttling ----------------------------------------------------------------------

    def login_failures(self, keys: list[str]) -> dict[str, tuple[int, dt.datetime]]:
        """Failed logins and the time of the last one, per key that has any."""
        query = select(login_attempts).where(login_attempts.c.key.in_(keys))
        return {
            r["key"]: (int(r["failures"]), r["last_at"])
            for r in self.conn.execute(query).mappings()
        }

    def count_failure(self, key: str, at: dt.datetime, restart: bool) -> int:
        """Add one failed login to ``key`` atomically (``restart``: count from one)."""
        stmt = self._insert_for(login_attempts).values(key=key, failures=1, last_at=at)
        failures = stmt.excluded.failures if restart else login_attempts.c.failures + 1
        stmt = stmt.on_conflict_do_update(
            index_elements=["key"], set_={"failures": failures, "last_at": at}
        )
        return int(self.conn.execute(stmt.returning(login_attempts.c.failures)).scalar_one())

    def clear_failures(self, key: str) -> None:
        self.conn.execute(delete(login_attempts).where(login_attempts.c.key == key))

    def _insert_for(self, table: Any) -> Any:
        return postgresql.insert(table) if self.dialect == "postgresql" else sqlite.insert(table)

    def _upsert(
        self, table: Any, values: dict[str, Any], keys: list[str], changed: list[str]
    ) -> None:
        stmt = self._insert_for(table).values(**values)
        self.conn.execute(
            stmt.on_conflict_do_update(
                index_elements=keys, set_={k: stmt.excluded[k] for k in changed}
            )
        )

    # users and tokens ----------------------------------------------------------------------

    def insert_user(self, row: dict[str, Any]) -> None:
        self.conn.execute(insert(users).values(**row))

    def user(self, username: str) -> dict[str, Any] | None:
        found = (
            self.conn.execute(select(users).where(users.c.username == username)).mappings().first()
        )
        return dict(found) if found else None

    def users(self, agencies: frozenset[str]) -> list[dict[str, Any]]:
        query = (
            select(users)
            .where(users.c.agency.in_(sorted(agencies)))
            .order_by(users.c.agency, users.c.username)
        )
        return [dict(r) for r in self.conn.execute(query).mappings()]

    def update_user(self, user_id: str, **values: Any) -> None:
        self.conn.execute(update(users).where(users.c.id == user_id).values(**values))

    def insert_token(self, row: dict[str, Any]) -> None:
        self.conn.execute(insert(api_tokens).values(**row))

    def delete_token(self, token_hash: str) -> bool:
        result = self.conn.execute(delete(api_tokens).where(api_tokens.c.token_hash == token_hash))
        return bool(result.rowcount)

    def token_user(self, token_hash: str) -> dict[str, Any] | None:
        """The user holding a token, with the token's ``kind`` and ``expires_at``."""
        query = (
            select(users, api_tokens.c.kind, api_tokens.c.expires_at)
            .join(api_tokens, api_tokens.c.user_id == users.c.id)
            .where(api_tokens.c.token_hash == token_hash)
        )
        found = self.conn.execute(query).mappings().first()
        return dict(found) if found else None
