"""Open data: the published (suppressed) tables of reports as one SQLite file that Datasette
or any SQL tool can browse. Only published values are written: hidden cells are NULL with
their status."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from pathlib import Path

from casebycase.reports.compute import Report
from casebycase.reports.document import document

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
    path.unlink(missing_ok=True)
    with sqlite3.connect(path) as db:
        db.executescript(SCHEMA)
        for report in reports:
            doc = document(report)
            key = (doc.report, " ".join(doc.agencies), doc.period or "")
            db.execute("INSERT INTO reports VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", (
                key[0], doc.title, doc.model, key[1], key[2], doc.period_start,
                doc.period_end, doc.generated_at, int(doc.draft), doc.suppression.rule,
                json.dumps(doc.packs), json.dumps(doc.audit_heads)))
            for t in report.tables:
                p = t.published
                rows = [(r, c, cell) for r, line in zip(p.rows, p.cells, strict=True)
                        for c, cell in zip(p.cols, line, strict=True)]
                rows += [(r, "total", cell) for r, cell in zip(p.rows, p.row_totals,
                                                               strict=False)]
                rows += [("total", c, cell) for c, cell in zip(p.cols, p.col_totals,
                                                               strict=False)]
                rows.append(("total", "total", p.total))
                db.executemany("INSERT INTO cells VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", [
                    (*key, t.spec.id, t.spec.title, t.row_label, r, t.column_label, c,
                     cell.value, cell.status, cell.text(report.rule)) for r, c, cell in rows])
            for li in doc.listings:
                db.executemany("INSERT INTO listings VALUES (?,?,?,?,?,?,?)", [
                    (*key, li.id, n, field, value) for n, line in enumerate(li.rows, 1)
                    for field, value in zip(li.columns, line, strict=True)])
                if li.certification:
                    db.execute("INSERT INTO certifications VALUES (?,?,?,?,?)",
                               (*key, li.id, li.certification))
            for nr in doc.not_recorded:
                db.executemany("INSERT INTO not_recorded VALUES (?,?,?,?,?)",
                               [(*key, m, nr.explain) for m in nr.measures])
    return path
