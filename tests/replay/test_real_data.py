"""End to end on the real data beside the repository (skipped when it is absent)."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
from typer.testing import CliRunner

from casebycase.cli import app
from casebycase.replay.agencies import build_directory
from casebycase.replay.importers import load_dataset

TRAVIS = "travis-county-so-2017"
SCENARIOS = [
    f"{TRAVIS}@2017-03-01",
    f"{TRAVIS}@2018-06-01",
    "boone-county-so",
    "columbia-pd",
    "example-287g-jem",
]


def test_travis_replayed_under_five_scenarios(real: Path, tmp_path: Path) -> None:
    ds = load_dataset("travis", real)
    assert len(ds.items) == 9533 and not ds.rejected
    assert ds.charges is not None and ds.charges.share_unclassified < 0.06
    args = [
        "replay",
        "travis",
        "--as-of",
        "2026-11-30",
        "--data",
        str(real),
        "--out",
        str(tmp_path),
    ]
    for spec in SCENARIOS:
        args += ["--pack", spec]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert list(summary["outcomes"]) == SCENARIOS
    for counts in summary["outcomes"].values():
        assert sum(counts.values()) == 9533
    assert summary["outcomes"][f"{TRAVIS}@2018-06-01"]["comply"] == 9533  # SB 4
    county = summary["outcomes"][f"{TRAVIS}@2017-03-01"]
    # the importer gives each offense's category, not its statute, so an offense in a listed
    # category is confirmed first (refer) rather than honored on the category alone
    assert county["decline"] > 9000 and county["refer"] > 100
    assert summary["outcomes"]["columbia-pd"]["decline"] == 9533
    assert summary["scenarios"]["columbia-pd"]["as_of"] == "2026-11-30"
    assert sum(p["requests"] for p in summary["patterns"]) == 9533
    practice = summary["practice"][f"{TRAVIS}@2017-03-01"]
    assert sum(sum(v.values()) for v in practice.values()) == 9533
    assert summary["actual"]["counts"]["RELEASED TO ICE"] > 7800
    frame = pl.read_parquet(tmp_path / "results.parquet")
    assert frame.height == 5 * 9533
    assert frame.filter(pl.col("scenario") == f"{TRAVIS}@2018-06-01")[
        "deciding_rule"
    ].unique().to_list() == ["tx.sb4.detainer-mandate"]
    assert (tmp_path / "summary.md").read_text().count("### ") == 5


def test_other_real_datasets_import(real: Path) -> None:
    pa = load_dataset("pa", real)
    assert pa.rows_read == 32757 and len(pa.items) + len(pa.rejected) == 32757
    assert set(pa.reasons()) == {"federal custody, not a state or local agency"}
    mn = load_dataset("mn-sample", real)
    assert len(mn.items) == 22 and mn.aggregates["mn_detainers_by_month.csv"]
    boone = load_dataset("boone-roster", real)
    assert sorted(i.request.id or "" for i in boone.items) == [
        "boone-roster-151",
        "boone-roster-156",
        "boone-roster-65",
    ]


def test_missouri_agency_directory(real: Path) -> None:
    mo = build_directory(real, "MO")
    names = {a.name: a for a in mo.agencies}
    signed = names["Hallsville Police Department"].agreements["TFM"].signed
    assert signed is not None and signed.isoformat() == "2026-04-15"
    assert not any(a.name.startswith("Boone County Sheriff") for a in mo.agencies)
    current = sum(1 for a in mo.agencies for g in a.agreements.values() if g.current)
    assert current == 103  # rows of the newest list, 2026-05-18
