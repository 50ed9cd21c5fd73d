"""Build a report: run each section of a definition in DuckDB, then suppress small cells.

The result holds only published values: suppressed tables, listings of allowed fields,
the period, the rule, the packs in force and the audit heads. Nothing in it names a person,
a case or carries free text.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path
from typing import Any

import duckdb

from casebycase.errors import Problem
from casebycase.reports.definition import LISTING_FIELDS, Definition, Listing, NotRecorded, Table
from casebycase.reports.definition import dimensions as all_dimensions
from casebycase.reports.period import Period, PeriodError
from casebycase.reports.source import Engine, audit_heads, load_replay, load_store
from casebycase.reports.suppression import Grid, Link, Published, Rule, Side, suppress_linked

VIEWS = {"cases": "facts", "deadlines": "deadline_facts", "replay": "replay_facts"}


@dataclass(frozen=True, slots=True)
class TableResult:
    spec: Table
    row_label: str
    column_label: str
    published: Published


@dataclass(frozen=True, slots=True)
class ListingResult:
    spec: Listing
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True, slots=True)
class Report:
    """A rendered-ready report: published values only."""

    definition: Definition
    agencies: tuple[str, ...]
    period: Period | None
    generated_at: dt.datetime
    draft: bool
    rule: Rule
    packs: tuple[dict[str, Any], ...]
    audit_heads: tuple[dict[str, Any], ...]
    tables: tuple[TableResult, ...]
    listings: tuple[ListingResult, ...]
    not_recorded: tuple[NotRecorded, ...] = field(default=())


def links(specs: Sequence[Table]) -> list[Link]:
    """Tables of one report that count the same rows (same unit and filter) share their
    grand total, and their totals by any dimension both break down by."""
    out = []
    for a, b in combinations(range(len(specs)), 2):
        ta, tb = specs[a], specs[b]
        if (ta.unit, ta.where) != (tb.unit, tb.where):
            continue
        out.append(Link(a, b))
        sides_a: dict[str, Side] = {ta.rows: "rows", ta.columns: "cols"}
        sides_b: dict[str, Side] = {tb.rows: "rows", tb.columns: "cols"}
        out += [
            Link(a, b, side, sides_b[name])
            for name, side in sides_a.items()
            if name in sides_b and name != "total"
        ]
    return out


def _filter(where: dict[str, list[str]]) -> tuple[str, list[Any]]:
    dims = all_dimensions()
    parts, params = ["TRUE"], []
    for name, values in where.items():
        parts.append(f"({dims[name].sql}) IN ({', '.join('?' for _ in values)})")
        params.extend(values)
    return " AND ".join(parts), params


def count_table(db: duckdb.DuckDBPyConnection, spec: Table) -> Grid:
    """The true counts of one table (before suppression)."""
    dims = all_dimensions()
    rows_dim, cols_dim = dims[spec.rows], dims[spec.columns]
    cond, params = _filter(spec.where)
    found = db.execute(
        f"SELECT ({rows_dim.sql}) AS r, ({cols_dim.sql}) AS c, count(*) AS n "
        f"FROM {VIEWS[spec.unit]} WHERE {cond} GROUP BY ALL",
        params,
    ).fetchall()
    counts = {(str(r), str(c)): int(n) for r, c, n in found}
    rows = rows_dim.categories or tuple(sorted({r for r, _ in counts})) or ("none",)
    cols = cols_dim.categories or tuple(sorted({c for _, c in counts})) or ("none",)
    return Grid(rows, cols, tuple(tuple(counts.get((r, c), 0) for c in cols) for r in rows))


_DOCUMENTS = (
    "I-247A",
    "I-247D",
    "I-247N",
    "I-247X",
    "I-247",
    "I-203",
    "I-205",
    "I-200",
    "I-918B",
    "I-914B",
)
_LISTING_SQL = {
    "date_received": "strftime(received_at, '%Y-%m-%d')",
    "kind": "replace(kind, '_', ' ')",
    "document": "CASE "
    + " ".join(f"WHEN documents LIKE '%\"{d}\"%' THEN '{d}'" for d in _DOCUMENTS)
    + " ELSE 'not given' END",
    "disposition": "CASE decided WHEN 'comply' THEN 'transferred' WHEN 'partial' THEN "
    "'released (notice given)' WHEN 'decline' THEN 'released' WHEN 'refer' "
    "THEN 'referred for review' ELSE 'pending' END",
    "disposition_date": "CASE WHEN decided IN ('comply', 'partial', 'decline') THEN "
    "coalesce(strftime(release_at, '%Y-%m-%d'), 'not recorded') "
    "ELSE '' END",
    "receiving_agency": "CASE WHEN decided = 'comply' THEN requester ELSE 'none' END",
}


def listing_rows(db: duckdb.DuckDBPyConnection, spec: Listing) -> tuple[tuple[str, ...], ...]:
    """The lines of a listing, in date order then by content (never by case)."""
    sql = {**_LISTING_SQL, "handling": all_dimensions()["handling"].sql}
    cond, params = _filter(spec.where)
    cols = ", ".join(f"coalesce(CAST(({sql[f]}) AS VARCHAR), '')" for f in spec.fields)
    found = db.execute(f"SELECT {cols} FROM facts WHERE {cond} ORDER BY ALL", params).fetchall()
    return tuple(tuple(str(v) for v in row) for row in found)


def _packs(db: duckdb.DuckDBPyConnection) -> tuple[dict[str, Any], ...]:
    found = db.execute(
        "SELECT agency, pack, pack_version, pack_digest, count(*) FROM facts "
        "GROUP BY ALL ORDER BY ALL"
    ).fetchall()
    return tuple(
        {"agency": a, "pack": p, "version": v, "digest": d, "cases": n} for a, p, v, d, n in found
    )


def build(
    definition: Definition,
    engine: Engine,
    agencies: list[str],
    period: Period,
    now: dt.datetime,
    rule: Rule | None = None,
    draft: bool = False,
    loaded: duckdb.DuckDBPyConnection | None = None,
) -> Report:
    """The report of ``definition`` for ``agencies`` over ``period`` from the case store.

    A period not yet over is refused unless ``draft`` (a draft says so on every page):
    publishing a part of a period and later the whole would reveal hidden counts.
    ``loaded``: the same agencies and period already read by :func:`load_store` (several
    reports from one read); it is left open.
    """
    if definition.source != "store":
        raise PeriodError(
            [
                Problem(
                    "DEFINITION", f"'{definition.id}' reads a replay's output", "give --replay DIR"
                )
            ],
            title="wrong source",
        )
    if not period.ended(now) and not draft:
        raise PeriodError(
            [
                Problem(
                    "--period",
                    f"{period.label} is not over yet; a report of part of a period and "
                    "a later one of the whole would give hidden counts away by their difference",
                    "wait until the period ends, or make a --draft that is not published",
                )
            ],
            title="period not over",
        )
    rule = rule or Rule()
    db = loaded or load_store(engine, agencies, period.start, period.end, now)
    try:
        return _report(
            definition,
            db,
            tuple(agencies),
            period,
            now,
            rule,
            draft,
            _packs(db),
            tuple(audit_heads(engine, agencies)),
        )
    finally:
        if loaded is None:
            db.close()


def build_replay(
    definition: Definition, results: Path, now: dt.datetime, rule: Rule | None = None
) -> Report:
    """A report of a replay's results (``results.parquet``, or the folder holding it)."""
    db = load_replay(results)
    try:
        packs = tuple(
            {"scenario": s, "requests": n}
            for s, n in db.execute(
                "SELECT scenario, count(*) FROM replay_facts GROUP BY ALL ORDER BY ALL"
            ).fetchall()
        )
        return _report(definition, db, (), None, now, rule or Rule(), False, packs, ())
    finally:
        db.close()


def _report(
    definition: Definition,
    db: duckdb.DuckDBPyConnection,
    agencies: tuple[str, ...],
    period: Period | None,
    now: dt.datetime,
    rule: Rule,
    draft: bool,
    packs: tuple[dict[str, Any], ...],
    heads: tuple[dict[str, Any], ...],
) -> Report:
    dims = all_dimensions()
    specs = definition.tables
    published = suppress_linked([count_table(db, t) for t in specs], links(specs), rule)
    tables = tuple(
        TableResult(t, dims[t.rows].label, dims[t.columns].label, p)
        for t, p in zip(specs, published, strict=True)
    )
    listings = tuple(
        ListingResult(li, tuple(LISTING_FIELDS[f] for f in li.fields), listing_rows(db, li))
        for li in definition.listings
    )
    return Report(
        definition,
        agencies,
        period,
        now,
        draft,
        rule,
        packs,
        heads,
        tables,
        listings,
        tuple(definition.not_recorded),
    )
