"""Where report rows come from: the case store (SQLite or PostgreSQL) or a replay's Parquet.

The shell hands in the store's SQLAlchemy engine; this module reads only the columns
reports use (from the stored request only its structured fields) with plain SQL through
the engine's driver into Arrow, and registers them in an in-memory DuckDB, which needs no
extension: this works offline and the same way on both databases. It imports no driver.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, Protocol

import duckdb
import pyarrow as pa  # type: ignore[import-untyped]

BATCH = 100_000


class Engine(Protocol):
    """What is needed of a SQLAlchemy engine."""

    @property
    def dialect(self) -> Any: ...

    def connect(self) -> Any: ...


def _utc(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).replace(tzinfo=None) if value.tzinfo else value
    if isinstance(value, str):  # SQLite JSON text
        try:
            return _utc(dt.datetime.fromisoformat(value))
        except ValueError:
            return None
    return value


def _plain(value: Any, kind: pa.DataType) -> Any:
    if value is None:
        return None
    if pa.types.is_boolean(kind):
        return bool(value)
    if pa.types.is_string(kind) and not isinstance(value, str):
        return "true" if value is True else str(value)
    return value


def _arrow(engine: Engine, sql: str, params: Any, schema: pa.Schema, times: set[str]) -> pa.Table:
    batches = []
    with engine.connect() as conn:
        result = conn.execution_options(stream_results=True).exec_driver_sql(sql, params)
        while rows := result.fetchmany(BATCH):
            columns = list(zip(*rows, strict=True))
            arrays = [
                pa.array(
                    [_utc(v) for v in col]
                    if name in times
                    else [_plain(v, schema.field(name).type) for v in col],
                    type=schema.field(name).type,
                )
                for name, col in zip(schema.names, columns, strict=True)
            ]
            batches.append(pa.record_batch(arrays, schema=schema))
    return pa.Table.from_batches(batches, schema=schema)


def _json(dialect: str, *path: str) -> str:
    """SQL for a text field of the stored request, by dialect."""
    if dialect == "sqlite":
        return f"json_extract(request, '$.{'.'.join(path)}')"
    head = "".join(f"->'{p}'" for p in path[:-1])
    return f"(request::json{head}->>'{path[-1]}')"


CASES = pa.schema(
    [
        ("case_id", pa.string()),
        ("agency", pa.string()),
        ("kind", pa.string()),
        ("received_at", pa.timestamp("us")),
        ("state", pa.string()),
        ("recommended", pa.string()),
        ("decided", pa.string()),
        ("pack", pa.string()),
        ("pack_version", pa.string()),
        ("pack_digest", pa.string()),
        ("requester", pa.string()),
        ("component", pa.string()),
        ("purpose", pa.string()),
        ("documents", pa.string()),
        ("judicial_warrant", pa.string()),
        ("release_at", pa.timestamp("us")),
    ]
)
DECISIONS = pa.schema(
    [
        ("id", pa.int64()),
        ("case_id", pa.string()),
        ("at", pa.timestamp("us")),
        ("outcome", pa.string()),
        ("departs", pa.bool_()),
        ("reason", pa.string()),
    ]
)
DEADLINES = pa.schema(
    [
        ("case_id", pa.string()),
        ("action", pa.string()),
        ("due_at", pa.timestamp("us")),
        ("done_at", pa.timestamp("us")),
    ]
)


def load_store(
    engine: Engine, agencies: list[str], start: dt.datetime, end: dt.datetime, as_of: dt.datetime
) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with views ``facts`` (one row per case received in
    [start, end) by the agencies) and ``deadline_facts`` (one row per deadline of those)."""
    dialect = engine.dialect.name
    lo, hi = start.astimezone(dt.UTC), end.astimezone(dt.UTC)
    if dialect == "sqlite":  # SQLAlchemy keeps naive UTC text there
        mark = "?"
        bounds: list[Any] = [
            lo.replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds"),
            hi.replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds"),
        ]
    else:
        mark = "%s"
        bounds = [lo, hi]
    where = (
        f"agency IN ({', '.join(mark for _ in agencies)}) AND received_at >= {mark} "
        f"AND received_at < {mark}"
    )
    params = tuple([*agencies, *bounds])
    ids = f"SELECT id FROM cases WHERE {where}"

    def j(*path: str) -> str:
        return _json(dialect, *path)

    q_cases = (
        "SELECT id, agency, kind, received_at, state, recommended_outcome, decided_outcome, "
        f"pack, pack_version, pack_digest, {j('requester', 'agency')}, "
        f"{j('requester', 'component')}, {j('purpose')}, {j('documents')}, "
        f"{j('judicial_warrant')}, {j('subject', 'release_at')} FROM cases WHERE {where}"
    )
    q_decisions = (
        f"SELECT id, case_id, at, outcome, departs, reason FROM decisions WHERE case_id IN ({ids})"
    )
    q_deadlines = f"SELECT case_id, action, due_at, done_at FROM deadlines WHERE case_id IN ({ids})"
    db = duckdb.connect()
    db.register("cases_raw", _arrow(engine, q_cases, params, CASES, {"received_at", "release_at"}))
    db.register("decisions_raw", _arrow(engine, q_decisions, params, DECISIONS, {"at"}))
    db.register(
        "deadlines_raw", _arrow(engine, q_deadlines, params, DEADLINES, {"due_at", "done_at"})
    )
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
    mark = "?" if engine.dialect.name == "sqlite" else "%s"
    sql = (
        "SELECT e.agency, e.seq, e.hash, e.at FROM audit_events e JOIN (SELECT agency, "
        "max(seq) AS seq FROM audit_events WHERE agency IN "
        f"({', '.join(mark for _ in agencies)}) GROUP BY agency) last ON "
        "last.agency = e.agency AND last.seq = e.seq ORDER BY e.agency"
    )
    with engine.connect() as conn:
        rows = conn.exec_driver_sql(sql, tuple(agencies)).all()
    return [{"agency": a, "seq": s, "hash": h, "at": str(at)} for a, s, h, at in rows]


def load_replay(path: Path) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with view ``replay_facts`` over a replay's results.parquet."""
    db = duckdb.connect()
    file = path / "results.parquet" if path.is_dir() else path
    escaped = str(file).replace("'", "''")
    db.execute(
        f"CREATE VIEW replay_facts AS SELECT scenario, outcome, actual, "
        f"CAST(date AS TIMESTAMP) AS received_at FROM read_parquet('{escaped}')"
    )
    return db
