"""``casebycase report``: list the report definitions, or render one."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from casebycase.cli.shell import app, errors, out
from casebycase.errors import Problem

if TYPE_CHECKING:
    from casebycase.reports.compute import Report


@app.command("report")
def report(
    name: Annotated[
        str | None, typer.Argument(metavar="DEFINITION", help="Report definition (see --list)")
    ] = None,
    list_: Annotated[bool, typer.Option("--list", help="Name the report definitions")] = False,
    agency: Annotated[
        list[str] | None, typer.Option("--agency", help="Agency (repeat for several)")
    ] = None,
    period: Annotated[
        str | None,
        typer.Option("--period", help="2026, 2026-Q1 or 2026-03, as the definition is published"),
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help="html, pdf, csv, json or xlsx")] = "html",
    out_file: Annotated[Path | None, typer.Option("--out", help="Output file")] = None,
    threshold: Annotated[
        int, typer.Option("--threshold", help="Counts from 1 to THRESHOLD-1 are hidden")
    ] = 5,
    draft: Annotated[
        bool, typer.Option("--draft", help="Allow a period not yet over (marked DRAFT)")
    ] = False,
    replay_dir: Annotated[
        Path | None,
        typer.Option("--replay", help="A replay's output folder (for replay definitions)"),
    ] = None,
    open_data_file: Annotated[
        Path | None,
        typer.Option(
            "--open-data",
            help="Write every store report's published tables for --agency and "
            "--period into this SQLite file",
        ),
    ] = None,
    database: Annotated[
        str | None, typer.Option("--database", help="Store URL (default: CASEBYCASE_DATABASE_URL)")
    ] = None,
) -> None:
    """Transparency reports from the case store, with small counts suppressed."""
    from casebycase.reports.compute import build, build_replay
    from casebycase.reports.definition import DefinitionError, definition, definitions
    from casebycase.reports.period import parse_period
    from casebycase.reports.render import FORMATS, render
    from casebycase.reports.suppression import Rule
    from casebycase.settings import Settings
    from casebycase.store.store import Store

    with errors():
        if open_data_file is not None:
            _open_data(open_data_file, agency, period, database, threshold, draft)
            return
        if list_ or name is None:
            for d in definitions().values():
                out.print(f"[bold]{d.id}[/bold]  {d.title} [dim](per {d.period}; {d.model})[/dim]")
            return
        d = definition(name)
        if fmt not in FORMATS:
            raise DefinitionError(
                [
                    Problem(
                        "--format", f"'{fmt}' is not a format", f"use one of {', '.join(FORMATS)}"
                    )
                ],
                title="invalid option",
            )
        try:
            rule = Rule(threshold=threshold)
        except ValueError as exc:
            raise DefinitionError(
                [Problem("--threshold", str(exc), "use 5 or more")], title="invalid option"
            ) from None
        now = dt.datetime.now(dt.UTC)
        if d.source == "replay":
            if replay_dir is None:
                raise DefinitionError(
                    [
                        Problem(
                            "--replay",
                            f"'{d.id}' reads a replay's output",
                            "give --replay DIR (from casebycase replay)",
                        )
                    ],
                    title="missing option",
                )
            built = build_replay(d, replay_dir, now, rule)
        else:
            if not agency or not period:
                raise DefinitionError(
                    [
                        Problem(
                            "--agency" if not agency else "--period",
                            "is required",
                            "e.g. --agency boone-county-so --period 2026",
                        )
                    ],
                    title="missing option",
                )
            store = Store.open(database or Settings.from_env().database_url)
            try:
                built = build(
                    d, store.engine, agency, parse_period(period, d.period), now, rule, draft
                )
            finally:
                store.close()
        data = render(built, fmt)
        target = out_file or Path(
            f"{d.id}-{'-'.join(agency or ['replay'])}-{period or 'all'}.{fmt}"
        )
        target.write_bytes(data)
        out.print(f"wrote {target}")


def _open_data(
    path: Path,
    agency: list[str] | None,
    period: str | None,
    database: str | None,
    threshold: int,
    draft: bool,
) -> None:
    from casebycase.reports.compute import build
    from casebycase.reports.definition import DefinitionError, definitions
    from casebycase.reports.period import parse_period
    from casebycase.reports.suppression import Rule
    from casebycase.settings import Settings
    from casebycase.store.store import Store

    if not agency or not period:
        raise DefinitionError(
            [
                Problem(
                    "--agency" if not agency else "--period",
                    "is required",
                    "e.g. --agency boone-county-so --period 2026",
                )
            ],
            title="missing option",
        )
    now = dt.datetime.now(dt.UTC)
    store = Store.open(database or Settings.from_env().database_url)
    try:
        built = [
            build(
                d,
                store.engine,
                agency,
                parse_period(period, d.period),
                now,
                Rule(threshold=threshold),
                draft,
            )
            for d in definitions().values()
            if d.source == "store"
        ]
    finally:
        store.close()  # each definition may have its own kind of period: one read each
    out.print(f"wrote {open_data(built, path)}")


# --- open data: the published tables as one SQLite file (Datasette or any SQL tool) ----

SCHEMA = """
CREATE TABLE reports (report TEXT, title TEXT, model TEXT, agencies TEXT, period TEXT,
  period_start TEXT, period_end TEXT, generated_at TEXT, draft INTEGER, suppression TEXT,
  packs TEXT, audit_heads TEXT, PRIMARY KEY (report, agencies, period));
CREATE TABLE cells (report TEXT, agencies TEXT, period TEXT, "table" TEXT, title TEXT,
  row_label TEXT, "row" TEXT, column_label TEXT, "column" TEXT, value INTEGER,
  status TEXT, shown_as TEXT);
CREATE TABLE listings (report TEXT, agencies TEXT, period TEXT, listing TEXT, line INTEGER,
  field TEXT, value TEXT);
CREATE TABLE certifications (report TEXT, agencies TEXT, period TEXT, listing TEXT,
  statement TEXT);
CREATE TABLE not_recorded (report TEXT, agencies TEXT, period TEXT, measure TEXT,
  explain TEXT);
"""


def open_data(reports: Sequence[Report], path: Path) -> Path:
    """Write ``reports`` into a new SQLite file at ``path`` (replaced if it exists)."""
    from casebycase.reports.document import document

    path.unlink(missing_ok=True)
    with sqlite3.connect(path) as db:
        db.executescript(SCHEMA)
        for report in reports:
            doc = document(report)
            key = (doc.report, " ".join(doc.agencies), doc.period or "")
            db.execute(
                "INSERT INTO reports VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                (
                    key[0],
                    doc.title,
                    doc.model,
                    key[1],
                    key[2],
                    doc.period_start,
                    doc.period_end,
                    doc.generated_at,
                    int(doc.draft),
                    doc.suppression.rule,
                    json.dumps(doc.packs),
                    json.dumps(doc.audit_heads),
                ),
            )
            for t in report.tables:
                p = t.published
                rows = [
                    (r, c, cell)
                    for r, line in zip(p.rows, p.cells, strict=True)
                    for c, cell in zip(p.cols, line, strict=True)
                ]
                rows += [(r, "total", cell) for r, cell in zip(p.rows, p.row_totals, strict=False)]
                rows += [("total", c, cell) for c, cell in zip(p.cols, p.col_totals, strict=False)]
                rows.append(("total", "total", p.total))
                db.executemany(
                    "INSERT INTO cells VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                    [
                        (
                            *key,
                            t.spec.id,
                            t.spec.title,
                            t.row_label,
                            r,
                            t.column_label,
                            c,
                            cell.value,
                            cell.status,
                            cell.text(report.rule),
                        )
                        for r, c, cell in rows
                    ],
                )
            for li in doc.listings:
                db.executemany(
                    "INSERT INTO listings VALUES (?,?,?,?,?,?,?)",
                    [
                        (*key, li.id, n, field, value)
                        for n, line in enumerate(li.rows, 1)
                        for field, value in zip(li.columns, line, strict=True)
                    ],
                )
                if li.certification:
                    db.execute(
                        "INSERT INTO certifications VALUES (?,?,?,?,?)",
                        (*key, li.id, li.certification),
                    )
            for nr in doc.not_recorded:
                db.executemany(
                    "INSERT INTO not_recorded VALUES (?,?,?,?,?)",
                    [(*key, m, nr.explain) for m in nr.measures],
                )
    return path
