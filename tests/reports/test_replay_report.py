"""A report over a replay's results.parquet, computed in DuckDB."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

import polars as pl

from casebycase.reports.compute import build_replay
from casebycase.reports.definition import definition
from casebycase.reports.render import render


def test_replay_outcomes_match_a_direct_count(tmp_path: Path) -> None:
    outcomes = ["comply", "decline", "decline", "refer", "partial", "decline"] * 7
    scenarios = ["county-2017", "sb4"] * 21
    pl.DataFrame(
        {
            "request_id": [f"R{i}" for i in range(42)],
            "date": [dt.date(2017, 1 + i % 12, 1) for i in range(42)],
            "scenario": scenarios,
            "outcome": outcomes,
            "actual": ["released"] * 42,
        }
    ).write_parquet(tmp_path / "results.parquet")
    report = build_replay(
        definition("replay-outcomes"), tmp_path, dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    )
    table = report.tables[0].published
    direct = Counter(zip(scenarios, outcomes, strict=True))
    for i, s in enumerate(table.rows):
        for j, o in enumerate(table.cols):
            cell = table.cells[i][j]
            assert cell.value == direct[s, o] or (cell.value is None and direct[s, o] > 0)
    assert table.total.value == 42
    assert b"county-2017" in render(report, "html")
