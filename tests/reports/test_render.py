"""Outputs: every format renders, states what it must, and leaks no reference, case id or
free text (the seeded cases carry distinctive ones)."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from casebycase.cli import app
from casebycase.reports.compute import Report, build
from casebycase.reports.definition import definition, definitions
from casebycase.reports.document import ReportDoc, schema
from casebycase.reports.period import parse_period
from casebycase.reports.render import FORMATS, render
from casebycase.store.store import Store
from casebycase.store.tables import cases

from .conftest import SECRET_NOTE, SECRET_REASON, SECRET_REF

AFTER = dt.datetime(2027, 1, 10, tzinfo=dt.UTC)
STORE_REPORTS = [d.id for d in definitions().values() if d.source == "store"]


@pytest.fixture
def store_url(tmp_path: Path) -> str:
    """SQLite only: the outputs do not depend on the database (test_compute covers both)."""
    return f"sqlite:///{tmp_path / 'cases.sqlite3'}"


@pytest.fixture
def reports(seeded: Store) -> dict[str, Report]:
    return {
        name: build(
            definition(name),
            seeded.engine,
            ["boone-county-so"],
            parse_period("2026", "year"),
            AFTER,
        )
        for name in STORE_REPORTS
    }


def _case_ids(store: Store) -> list[str]:
    with store.engine.connect() as conn:
        return [r[0] for r in conn.execute(cases.select().with_only_columns(cases.c.id))]


def _text(fmt: str, data: bytes) -> str:
    if fmt == "xlsx":
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            return "\n".join(z.read(n).decode("utf-8", "replace") for n in z.namelist())
    if fmt == "pdf":
        return data.decode("latin-1")
    return data.decode("utf-8")


@pytest.mark.parametrize("fmt", [f for f in FORMATS if f != "pdf"])
def test_no_output_names_a_subject_a_case_or_free_text(
    seeded: Store, reports: dict[str, Report], fmt: str
) -> None:
    ids = _case_ids(seeded)
    secrets = [
        SECRET_REF,
        SECRET_NOTE.split()[0],
        SECRET_REASON.split()[0],
        "sergeant",
        *ids,
        *(i[:8] for i in ids),
    ]
    for name, report in reports.items():
        text = _text(fmt, render(report, fmt))  # type: ignore[arg-type]
        for secret in secrets:
            assert secret.lower() not in text.lower(), f"{name}.{fmt} holds {secret}"


def test_pdf_renders_from_the_same_page(reports: dict[str, Report]) -> None:
    data = render(reports["illinois-trust"], "pdf")
    assert data.startswith(b"%PDF")


def test_every_report_states_period_definitions_rule_and_packs(reports: dict[str, Report]) -> None:
    for name, report in reports.items():
        page = render(report, "html").decode()
        assert "period 2026" in page and "fewer than 5" in page, name
        assert report.packs[0]["digest"] in page and report.audit_heads[0]["hash"] in page
        for term in report.definition.definitions:
            assert term in page
        assert "<script" not in page and "http://" not in page.replace("http://www.w3.org", "")


def test_charts_are_inline_svg(reports: dict[str, Report]) -> None:
    page = render(reports["truth-forum"], "html").decode()
    assert "<svg" in page


def test_json_follows_its_schema(reports: dict[str, Report]) -> None:
    for report in reports.values():
        doc = json.loads(render(report, "json"))
        ReportDoc.model_validate(doc)
        assert set(schema()["required"]) <= set(doc)
    doc = json.loads(render(reports["victim-certification"], "json"))
    assert doc["not_recorded"][0]["measures"] == ["signed", "denied", "withdrawn"]


def test_csv_and_xlsx_hold_the_published_values(reports: dict[str, Report]) -> None:
    report = reports["truth-forum"]
    lines = render(report, "csv").decode().splitlines()
    table = report.tables[0].published
    total = table.total.text(report.rule)
    assert any(line.endswith(f"channel_by_decision,total,total,{total}") for line in lines)
    wb = load_workbook(io.BytesIO(render(report, "xlsx")))
    assert wb.sheetnames[:2] == ["About", "channel_by_decision"]
    assert wb["channel_by_decision"].cell(2 + len(table.rows) + 1, 2 + len(table.cols)).value == (
        table.total.value or total
    )


def test_empty_listing_prints_the_certification(seeded: Store) -> None:
    report = build(
        definition("illinois-trust"),
        seeded.engine,
        ["boone-county-so"],
        parse_period("2024", "year"),
        AFTER,
    )
    page = render(report, "html").decode()
    assert "certifies that it received no immigration detainer" in page


def test_cli_lists_and_renders(seeded: Store, store_url: str, tmp_path: Path) -> None:
    runner = CliRunner()
    listed = runner.invoke(app, ["report", "--list"])
    assert listed.exit_code == 0 and "illinois-trust" in listed.output
    out = tmp_path / "forum.csv"
    args = [
        "report",
        "truth-forum",
        "--agency",
        "boone-county-so",
        "--period",
        "2026",
        "--format",
        "csv",
        "--out",
        str(out),
        "--database",
        store_url,
    ]
    now = dt.datetime.now(dt.UTC)
    result = runner.invoke(app, args if now.year > 2026 else [*args, "--draft"])
    assert result.exit_code == 0, result.output
    assert out.read_text().startswith("report,agencies,period")
    bad = runner.invoke(
        app,
        [
            "report",
            "truth-forum",
            "--agency",
            "boone-county-so",
            "--period",
            "2026-Q1",
            "--database",
            store_url,
        ],
    )
    assert bad.exit_code == 2 and re.search(r"published per\s+year", bad.output)


def test_open_data_holds_only_published_values(
    seeded: Store, store_url: str, tmp_path: Path
) -> None:
    import sqlite3

    out = tmp_path / "open.sqlite3"
    args = [
        "report",
        "--open-data",
        str(out),
        "--agency",
        "boone-county-so",
        "--period",
        "2026",
        "--database",
        store_url,
    ]
    now = dt.datetime.now(dt.UTC)
    result = CliRunner().invoke(app, args if now.year > 2026 else [*args, "--draft"])
    assert result.exit_code == 0, result.output
    with sqlite3.connect(out) as db:
        assert db.execute("SELECT count(*) FROM reports").fetchone()[0] == len(STORE_REPORTS)
        assert (
            db.execute(
                "SELECT count(*) FROM cells WHERE status != 'shown' AND value IS NOT NULL"
            ).fetchone()[0]
            == 0
        )
        assert db.execute("SELECT count(*) FROM cells WHERE status = 'small'").fetchone()[0]
        dump = "\n".join(db.iterdump())
    assert SECRET_REF not in dump and SECRET_NOTE.split()[0] not in dump
    assert all(i not in dump for i in _case_ids(seeded))
