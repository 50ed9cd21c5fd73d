"""The replay loop, the summary and the files, on the Travis County fixture."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from pathlib import Path

import polars as pl
import pytest

from casebycase import PackNotFound, evaluate, load_pack
from casebycase.replay.dataset import Dataset
from casebycase.replay.importers import load_dataset
from casebycase.replay.run import Progress, ResultRow, Scenario, replay, scenario
from casebycase.replay.summary import OUTCOMES, markdown, summarize, write

TRAVIS = "travis-county-so-2017"


@pytest.fixture
def travis(data: Path) -> Dataset:
    return load_dataset("travis", data)


def outcomes(rows: Sequence[ResultRow], key: str) -> dict[str, str]:
    return {r.request_id: r.outcome for r in rows if r.scenario == key}


def test_scenario_specs() -> None:
    own = scenario(TRAVIS)
    assert (own.key, own.at) == (TRAVIS, None)
    fixed = scenario(TRAVIS, dt.date(2018, 6, 1))
    assert (fixed.key, fixed.at) == (TRAVIS, dt.date(2018, 6, 1))
    dated = scenario(f"{TRAVIS}@2017-03-01", dt.date(2018, 6, 1))
    assert (dated.key, dated.at) == (f"{TRAVIS}@2017-03-01", dt.date(2017, 3, 1))
    with pytest.raises(ValueError):
        scenario(f"{TRAVIS}@March")
    with pytest.raises(PackNotFound):
        scenario("no-such-pack")


def test_each_request_on_its_own_date_and_as_of(travis: Dataset) -> None:
    scenarios = [
        scenario(TRAVIS),
        scenario(f"{TRAVIS}@2017-03-01"),
        scenario(f"{TRAVIS}@2018-06-01"),
    ]
    rows = replay(travis, scenarios)
    assert len(rows) == 3 * len(travis.items)
    own = outcomes(rows, TRAVIS)
    assert set(own.values()) == {"comply"}  # 2010-2016: detainers honored generally
    county = outcomes(rows, f"{TRAVIS}@2017-03-01")
    # the 2017 list names statutes: a charge the catalog ties to a listed section is honored;
    # a charge known only by its text goes to a person
    assert county["travis-2"] == "refer"  # "MURDER" with an unknown jail code: text only
    assert county["travis-11"] == "comply"  # aggravated sexual assault, Tex. Penal Code 22.021
    assert county["travis-1"] == "decline"  # DWI
    assert set(outcomes(rows, f"{TRAVIS}@2018-06-01").values()) == {"comply"}  # SB 4
    first = next(r for r in rows if r.scenario == f"{TRAVIS}@2017-03-01")
    assert first.as_of == dt.date(2017, 3, 1) and first.pack == TRAVIS
    assert first.deciding_rule == first.rules[0]


def test_rows_match_the_row_evaluator(travis: Dataset) -> None:
    pack = load_pack(TRAVIS)
    rows = replay(travis, [Scenario(pack, dt.date(2017, 3, 1))])
    for item, row in zip(travis.items, rows, strict=True):
        rec = evaluate(item.request, pack, at=dt.date(2017, 3, 1))
        assert (row.request_id, row.outcome, row.rules) == (item.request.id, rec.outcome, rec.rules)
        assert row.actual == item.actual
        assert row.date == item.request.received_at.date()


def test_progress_counts_every_evaluation(travis: Dataset) -> None:
    seen: list[int] = []
    replay(travis, [scenario(TRAVIS), scenario("columbia-pd")], progress=seen.append)
    assert sum(seen) == 2 * len(travis.items)


def test_another_evaluator_can_stand_in(travis: Dataset) -> None:
    def everyone_refers(
        ds: Dataset, scenarios: Sequence[Scenario], progress: Progress | None
    ) -> list[ResultRow]:
        return [
            ResultRow(
                i.request.id or "",
                i.request.received_at.date(),
                s.key,
                s.pack.id,
                s.at,
                "refer",
                "x",
                ("x",),
                i.actual,
                0,
            )
            for s in scenarios
            for i in ds.items
        ]

    sc = [scenario(TRAVIS)]
    summary = summarize(travis, sc, replay(travis, sc, evaluator=everyone_refers))
    assert summary["outcomes"][TRAVIS] == {
        "comply": 0,
        "partial": 0,
        "decline": 0,
        "refer": len(travis.items),
    }


def test_summary_counts_cross_tables_and_practice(travis: Dataset) -> None:
    sc = [scenario(f"{TRAVIS}@2017-03-01"), scenario(f"{TRAVIS}@2018-06-01")]
    summary = summarize(travis, sc, replay(travis, sc), seconds=0.25)
    a, b = (s.key for s in sc)
    assert summary["outcomes"][a] == {"comply": 1, "partial": 0, "decline": 5, "refer": 1}
    assert summary["outcomes"][b]["comply"] == 7
    assert summary["cross"][f"{a} vs {b}"]["decline"]["comply"] == 5
    assert summary["patterns"][0] == {"outcomes": {a: "decline", b: "comply"}, "requests": 5}
    assert summary["practice"][a]["refer"] == {"WARRANT WITHDRAWN": 1}
    assert summary["practice"][a]["comply"] == {"(not recorded)": 1}
    assert summary["actual"]["counts"]["RELEASED TO ICE"] == 3
    assert summary["dataset"]["charges"]["unclassified"] == 1
    assert summary["dataset"]["rejected"] == 7
    assert summary["scenarios"][a]["as_of"] == "2017-03-01"
    text = markdown(summary)
    for heading in (
        "## Outcomes",
        "## Cross-table between packs",
        "## Policy versus practice",
        "## Charges the catalog could not classify",
        "## Rows not imported",
    ):
        assert heading in text
    assert "| decline | comply | 5 |" in text


def test_written_files_parse(travis: Dataset, tmp_path: Path) -> None:
    sc = [scenario(TRAVIS), scenario("boone-county-so", dt.date(2026, 11, 30))]
    rows = replay(travis, sc)
    summary = summarize(travis, sc, rows)
    paths = write(tmp_path / "out", travis, rows, summary)
    frame = pl.read_parquet(paths["results.parquet"])
    assert frame.height == 2 * len(travis.items)
    assert frame.columns == [
        "request_id",
        "date",
        "scenario",
        "pack",
        "as_of",
        "outcome",
        "deciding_rule",
        "rules",
        "actual",
        "unclassified_offenses",
    ]
    assert frame.schema["rules"] == pl.List(pl.String())
    assert frame.filter(pl.col("scenario") == TRAVIS)["as_of"].null_count() == len(travis.items)
    assert set(frame["outcome"]) <= set(OUTCOMES)
    assert json.loads(paths["summary.json"].read_text())["outcomes"]["boone-county-so"][
        "refer"
    ] == len(travis.items)
    assert paths["summary.md"].read_text().startswith("# Replay: Travis County")
    assert len(paths["rejected.csv"].read_text().splitlines()) == 1 + len(travis.rejected)


def test_columnar_engine_gives_the_row_results(data: Path) -> None:
    from casebycase.replay.run import evaluate_columnar, evaluate_rows

    travis_dataset = load_dataset("travis", data)
    scenarios = [
        scenario("travis-county-so-2017@2017-03-01"),
        scenario("boone-county-so"),
        scenario("travis-county-so-2017"),
    ]
    assert evaluate_columnar(travis_dataset, scenarios) == evaluate_rows(travis_dataset, scenarios)
