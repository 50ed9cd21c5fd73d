"""Where report rows come from: the case store (SQLite or PostgreSQL) or a replay's Parquet.

The store's tables are read through SQLAlchemy (only the columns reports use; from the
stored request only its structured fields) into Arrow and registered in an in-memory DuckDB,
which needs no extension: this works offline and the same way on both databases.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa  # type: ignore[import-untyped]
from sqlalchemy import Engine, String, cast, func, select

from casebycase.store.tables import audit_events, cases, deadlines, decisions

BATCH = 100_000


def _utc(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).replace(tzinfo=None) if value.tzinfo else value
    if isinstance(value, str):  # SQLite JSON text
        try:
            return _utc(dt.datetime.fromisoformat(value))
        except ValueError:
            return None
    return value


def _arrow(engine: Engine, query: Any, schema: pa.Schema, times: set[str]) -> pa.Table:
    batches = []
    with engine.connect() as conn:
        result = conn.execution_options(stream_results=True).execute(query)
        while rows := result.fetchmany(BATCH):
            columns = list(zip(*rows, strict=True))
            arrays = [pa.array([_utc(v) for v in col] if name in times else list(col),
                               type=schema.field(name).type)
                      for name, col in zip(schema.names, columns, strict=True)]
            batches.append(pa.record_batch(arrays, schema=schema))
    return pa.Table.from_batches(batches, schema=schema)


def _text(column: Any, *path: str) -> Any:
    node = column
    for p in path:
        node = node[p]
    return node.as_string()


CASES = pa.schema([("case_id", pa.string()), ("agency", pa.string()), ("kind", pa.string()),
                   ("received_at", pa.timestamp("us")), ("state", pa.string()),
                   ("recommended", pa.string()), ("decided", pa.string()),
                   ("pack", pa.string()), ("pack_version", pa.string()),
                   ("pack_digest", pa.string()), ("requester", pa.string()),
                   ("component", pa.string()), ("purpose", pa.string()),
                   ("documents", pa.string()), ("judicial_warrant", pa.string()),
                   ("release_at", pa.timestamp("us"))])
DECISIONS = pa.schema([("id", pa.int64()), ("case_id", pa.string()),
                       ("at", pa.timestamp("us")), ("outcome", pa.string()),
                       ("departs", pa.bool_()), ("reason", pa.string())])
DEADLINES = pa.schema([("case_id", pa.string()), ("action", pa.string()),
                       ("due_at", pa.timestamp("us")), ("done_at", pa.timestamp("us"))])


def load_store(engine: Engine, agencies: list[str], start: dt.datetime, end: dt.datetime,
               as_of: dt.datetime) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with views ``facts`` (one row per case received in
    [start, end) by the agencies) and ``deadline_facts`` (one row per deadline of those)."""
    lo, hi = start.astimezone(dt.UTC), end.astimezone(dt.UTC)
    req = cases.c.request
    where = (cases.c.agency.in_(agencies), cases.c.received_at >= lo, cases.c.received_at < hi)
    q_cases = select(
        cases.c.id, cases.c.agency, cases.c.kind, cases.c.received_at, cases.c.state,
        cases.c.recommended_outcome, cases.c.decided_outcome, cases.c.pack,
        cases.c.pack_version, cases.c.pack_digest, _text(req, "requester", "agency"),
        _text(req, "requester", "component"), _text(req, "purpose"),
        cast(req["documents"], String), cast(req["judicial_warrant"], String),
        _text(req, "subject", "release_at")).where(*where)
    ids = select(cases.c.id).where(*where)
    q_decisions = select(decisions.c.id, decisions.c.case_id, decisions.c.at,
                         decisions.c.outcome, decisions.c.departs, decisions.c.reason
                         ).where(decisions.c.case_id.in_(ids))
    q_deadlines = select(deadlines.c.case_id, deadlines.c.action, deadlines.c.due_at,
                         deadlines.c.done_at).where(deadlines.c.case_id.in_(ids))
    db = duckdb.connect()
    db.register("cases_raw", _arrow(engine, q_cases, CASES, {"received_at", "release_at"}))
    db.register("decisions_raw", _arrow(engine, q_decisions, DECISIONS, {"at"}))
    db.register("deadlines_raw", _arrow(engine, q_deadlines, DEADLINES, {"due_at", "done_at"}))
    as_of_naive = as_of.astimezone(dt.UTC).replace(tzinfo=None)
    db.execute(f"""
        CREATE VIEW facts AS
        WITH last AS (
            SELECT * FROM decisions_raw
            QUALIFY row_number() OVER (PARTITION BY case_id ORDER BY id DESC) = 1)
        SELECT c.*, c.judicial_warrant = 'true' OR c.judicial_warrant = '1' AS jw,
               -- a reopened case has no decided outcome until decided again
               CASE WHEN c.decided IS NULL THEN NULL ELSE last.departs END AS departs,
               CASE WHEN c.decided IS NULL THEN NULL ELSE last.reason END AS reason,
               CASE WHEN c.decided IS NULL THEN NULL ELSE last.at END AS decided_at
        FROM cases_raw c LEFT JOIN last ON last.case_id = c.case_id;
        CREATE VIEW deadline_facts AS
        SELECT d.*, f.kind, f.received_at, f.agency, TIMESTAMP '{as_of_naive.isoformat()}'
               AS as_of
        FROM deadlines_raw d JOIN facts f ON f.case_id = d.case_id;
    """)
    return db


def audit_heads(engine: Engine, agencies: list[str]) -> list[dict[str, Any]]:
    """The last event of each agency's audit chain: its sequence number and hash."""
    with engine.connect() as conn:
        last = (select(audit_events.c.agency, func.max(audit_events.c.seq).label("seq"))
                .where(audit_events.c.agency.in_(agencies))
                .group_by(audit_events.c.agency).subquery())
        rows = conn.execute(select(audit_events.c.agency, audit_events.c.seq,
                                   audit_events.c.hash, audit_events.c.at)
                            .join(last, (last.c.agency == audit_events.c.agency)
                                  & (last.c.seq == audit_events.c.seq))
                            .order_by(audit_events.c.agency)).all()
    return [{"agency": a, "seq": s, "hash": h, "at": at} for a, s, h, at in rows]


def load_replay(path: Path) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with view ``replay_facts`` over a replay's results.parquet."""
    db = duckdb.connect()
    file = path / "results.parquet" if path.is_dir() else path
    escaped = str(file).replace("'", "''")
    db.execute(f"CREATE VIEW replay_facts AS SELECT scenario, outcome, actual, "
               f"CAST(date AS TIMESTAMP) AS received_at FROM read_parquet('{escaped}')")
    return db
