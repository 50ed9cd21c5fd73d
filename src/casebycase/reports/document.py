"""A report as plain data (the JSON output), with its JSON Schema."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

from casebycase.reports.compute import Report
from casebycase.reports.suppression import Cell

FORMAT = "casebycase-report/1"


class _Doc(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TableDoc(_Doc):
    id: str
    title: str
    explain: str
    counts: str
    where: dict[str, list[str]]
    row_label: str
    column_label: str
    rows: list[str]
    columns: list[str]
    cells: list[list[int | str]]
    """A count, or "small" (1 to threshold-1) or "withheld" (hidden to protect another)."""
    row_totals: list[int | str]
    column_totals: list[int | str]
    total: int | str


class ListingDoc(_Doc):
    id: str
    title: str
    explain: str
    columns: list[str]
    rows: list[list[str]]
    certification: str | None
    """The "none received" certification, when the listing is empty."""


class NotRecordedDoc(_Doc):
    id: str
    title: str
    measures: list[str]
    explain: str


class SuppressionDoc(_Doc):
    threshold: int
    protection: int
    rule: str


class ReportDoc(_Doc):
    format: str
    report: str
    title: str
    model: str
    description: str
    agencies: list[str]
    period: str | None
    period_start: str | None
    period_end: str | None
    generated_at: str
    draft: bool
    definitions: dict[str, str]
    suppression: SuppressionDoc
    packs: list[dict[str, Any]]
    audit_heads: list[dict[str, Any]]
    tables: list[TableDoc]
    listings: list[ListingDoc]
    not_recorded: list[NotRecordedDoc]


def _cells(cells: tuple[Cell, ...]) -> list[int | str]:
    return [c.to_json() for c in cells]


def document(report: Report) -> ReportDoc:
    """The published content of ``report``."""
    d, rule, p = report.definition, report.rule, report.period
    return ReportDoc(
        format=FORMAT,
        report=d.id,
        title=d.title,
        model=d.model,
        description=" ".join(d.description.split()),
        agencies=list(report.agencies),
        period=p.label if p else None,
        period_start=p.start.date().isoformat() if p else None,
        period_end=p.end.date().isoformat() if p else None,
        generated_at=report.generated_at.isoformat(timespec="seconds"),
        draft=report.draft,
        definitions=dict(d.definitions),
        suppression=SuppressionDoc(
            threshold=rule.threshold, protection=rule.protection, rule=rule.describe()
        ),
        packs=list(report.packs),
        audit_heads=list(report.audit_heads),
        tables=[
            TableDoc(
                id=t.spec.id,
                title=t.spec.title,
                explain=t.spec.explain,
                counts=t.spec.unit,
                where=dict(t.spec.where),
                row_label=t.row_label,
                column_label=t.column_label,
                rows=list(t.published.rows),
                columns=list(t.published.cols),
                cells=[_cells(r) for r in t.published.cells],
                row_totals=_cells(t.published.row_totals),
                column_totals=_cells(t.published.col_totals),
                total=t.published.total.to_json(),
            )
            for t in report.tables
        ],
        listings=[
            ListingDoc(
                id=li.spec.id,
                title=li.spec.title,
                explain=li.spec.explain,
                columns=list(li.columns),
                rows=[list(r) for r in li.rows],
                certification=None if li.rows else li.spec.none_received,
            )
            for li in report.listings
        ],
        not_recorded=[
            NotRecordedDoc(id=n.id, title=n.title, measures=list(n.measures), explain=n.explain)
            for n in report.not_recorded
        ],
    )


def schema() -> dict[str, Any]:
    """The JSON Schema of the JSON output."""
    out = ReportDoc.model_json_schema()
    out["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return out
