"""Report outputs: self-contained HTML (inline SVG charts), PDF, CSV, JSON and XLSX."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any, Literal

from jinja2 import Environment, PackageLoader, select_autoescape
from openpyxl import Workbook
from openpyxl.styles import Font

from casebycase.errors import CaseByCaseError, Problem
from casebycase.reports.charts import table_svg
from casebycase.reports.compute import Report
from casebycase.reports.document import document
from casebycase.reports.suppression import Cell, Rule

Format = Literal["html", "pdf", "csv", "json", "xlsx"]
FORMATS: tuple[Format, ...] = ("html", "pdf", "csv", "json", "xlsx")


class RenderError(CaseByCaseError):
    """A report cannot be rendered in this format here."""


def _texts(cells: tuple[Cell, ...], rule: Rule) -> list[str]:
    return [c.text(rule) for c in cells]


def _css(cells: tuple[Cell, ...]) -> list[str]:
    return ["" if c.status == "shown" else c.status for c in cells]


def html(report: Report, charts: bool = True) -> str:
    """One self-contained HTML page: no scripts, no links, charts as inline SVG."""
    env = Environment(
        loader=PackageLoader("casebycase.reports", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
    )
    doc = document(report)
    rule = report.rule
    tables = []
    for t, d in zip(report.tables, doc.tables, strict=True):
        p = t.published
        tables.append(
            {
                "doc": d,
                "text": {
                    "cells": [_texts(r, rule) for r in p.cells],
                    "row_totals": _texts(p.row_totals, rule),
                    "column_totals": _texts(p.col_totals, rule),
                    "total": p.total.text(rule),
                },
                "css": {
                    "cells": [_css(r) for r in p.cells],
                    "row_totals": _css(p.row_totals),
                    "column_totals": _css(p.col_totals),
                    "total": _css((p.total,))[0],
                },
                "svg": table_svg(t) if charts and t.spec.chart else None,
            }
        )
    return env.get_template("report.html.j2").render(doc=doc.model_dump(), tables=tables)


def pdf(report: Report) -> bytes:
    """The HTML page as PDF (WeasyPrint; needs the system's Pango library)."""
    try:
        from weasyprint import HTML  # type: ignore[import-untyped]
    except OSError as exc:  # Pango missing
        raise RenderError(
            [
                Problem(
                    "--format pdf",
                    f"PDF needs the Pango library ({exc})",
                    "install it (Debian: apt-get install libpango-1.0-0 "
                    "libpangoft2-1.0-0) or choose --format html",
                )
            ],
            title="cannot render PDF",
        ) from None
    out: bytes = HTML(string=html(report)).write_pdf()
    return out


def to_json(report: Report) -> str:
    return document(report).model_dump_json(indent=2) + "\n"


def to_csv(report: Report) -> str:
    """Long format: one line per published value, tables and listings alike."""
    doc = document(report)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["report", "agencies", "period", "section", "row", "column", "value"])
    base = [doc.report, " ".join(doc.agencies), doc.period or ""]
    w.writerow([*base, "about", "suppression", "rule", doc.suppression.rule])
    for pk in doc.packs:
        w.writerow(
            [
                *base,
                "about",
                "pack",
                pk.get("pack", pk.get("scenario", "")),
                pk.get("version", pk.get("requests", "")),
            ]
        )
    rule = report.rule
    for t in report.tables:
        p = t.published
        for r, row in zip(p.rows, p.cells, strict=True):
            for c, cell in zip(p.cols, row, strict=True):
                w.writerow([*base, t.spec.id, r, c, cell.text(rule)])
        for r, cell in zip(p.rows, p.row_totals, strict=False):
            w.writerow([*base, t.spec.id, r, "total", cell.text(rule)])
        for c, cell in zip(p.cols, p.col_totals, strict=False):
            w.writerow([*base, t.spec.id, "total", c, cell.text(rule)])
        w.writerow([*base, t.spec.id, "total", "total", p.total.text(rule)])
    for li in doc.listings:
        if not li.rows:
            w.writerow([*base, li.id, "", "certification", li.certification])
        for n, line in enumerate(li.rows, 1):
            for col, value in zip(li.columns, line, strict=True):
                w.writerow([*base, li.id, n, col, value])
    for nr in doc.not_recorded:
        for m in nr.measures:
            w.writerow([*base, nr.id, m, "value", "not recorded"])
    return buf.getvalue()


def xlsx(report: Report) -> bytes:
    """A workbook: an About sheet, then one sheet per table and per listing."""
    doc = document(report)
    rule = report.rule
    wb = Workbook()
    about = wb.active
    assert about is not None
    about.title = "About"
    bold = Font(bold=True)
    lines: list[list[Any]] = [
        [doc.title],
        ["agencies", ", ".join(doc.agencies)],
        ["period", doc.period or ""],
        ["made", doc.generated_at],
        ["follows", doc.model],
        ["description", doc.description],
        ["small numbers", doc.suppression.rule],
        ["draft", "yes" if doc.draft else "no"],
        [],
        ["definitions"],
        *[[k, v] for k, v in doc.definitions.items()],
        [],
        ["packs in force"],
        *[[str(v) for v in pk.values()] for pk in doc.packs],
        [],
        ["audit heads"],
        *[[h["agency"], h["seq"], h["hash"]] for h in doc.audit_heads],
        *[[n.title, "not recorded: " + ", ".join(n.measures)] for n in doc.not_recorded],
    ]
    for line in lines:
        about.append(line)
    about["A1"].font = Font(bold=True, size=14)
    for t in report.tables:
        ws = wb.create_sheet(t.spec.id[:31])
        p = t.published
        ws.append([t.spec.title])
        ws.append([t.row_label, *p.cols, *(["total"] if p.row_totals else [])])
        for r, row, tot in zip(p.rows, p.cells, p.row_totals or [None] * len(p.rows), strict=True):
            ws.append([r, *[_xl(c, rule) for c in row], *([_xl(tot, rule)] if tot else [])])
        if p.col_totals:
            ws.append(
                [
                    "total",
                    *[_xl(c, rule) for c in p.col_totals],
                    *([_xl(p.total, rule)] if p.row_totals else []),
                ]
            )
        elif not p.row_totals:
            ws.append(["total", _xl(p.total, rule)])
        ws["A1"].font = bold
    for li in doc.listings:
        ws = wb.create_sheet(li.id[:31])
        ws.append(li.columns)
        for line in li.rows:
            ws.append(line)
        if not li.rows:
            ws.append([li.certification])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _xl(cell: Cell, rule: Rule) -> int | str:
    return cell.value if cell.value is not None else cell.text(rule)


RENDERERS: dict[Format, Callable[[Report], str | bytes]] = {
    "html": html,
    "pdf": pdf,
    "csv": to_csv,
    "json": to_json,
    "xlsx": xlsx,
}


def render(report: Report, fmt: Format) -> bytes:
    out = RENDERERS[fmt](report)
    return out.encode("utf-8") if isinstance(out, str) else out
