"""The replay and agencies commands on the fixture data."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from casebycase.cli import app

runner = CliRunner()


def test_replay_writes_and_prints_the_summary(data: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = runner.invoke(
        app,
        [
            "replay",
            "travis",
            "--pack",
            "travis-county-so-2017",
            "--pack",
            "columbia-pd",
            "--as-of",
            "2017-03-01",
            "--data",
            str(data),
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "## Outcomes" in result.stdout
    assert "| travis-county-so-2017 | 2017-03-01 | 1 | 0 | 5 | 1 | 7 |" in result.stdout
    summary = json.loads((out / "summary.json").read_text())
    assert set(summary["outcomes"]) == {"travis-county-so-2017", "columbia-pd"}
    assert pl.read_parquet(out / "results.parquet").height == 14
    assert (out / "summary.md").read_text().startswith("# Replay:")
    assert "7 rejected" in result.stderr


def test_replay_reads_the_data_folder_from_the_environment(
    data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CASEBYCASE_DATA_DIR", str(data))
    result = runner.invoke(
        app, ["replay", "boone-roster", "--pack", "boone-county-so", "--out", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    assert (
        json.loads((tmp_path / "summary.json").read_text())["outcomes"]["boone-county-so"]["refer"]
        == 3
    )  # received 2023: the default applies


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nope", "--pack", "columbia-pd"], "unknown data set"),
        (["travis", "--pack", "no-such-pack"], "no-such-pack"),
        (["travis", "--pack", "columbia-pd@someday"], "PACK@YYYY-MM-DD"),
        (["travis", "--pack", "columbia-pd", "--as-of", "2017-13-01"], "not a date"),
    ],
)
def test_replay_bad_input_exits_2(
    data: Path, tmp_path: Path, args: list[str], message: str
) -> None:
    result = runner.invoke(app, ["replay", *args, "--data", str(data), "--out", str(tmp_path)])
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.output


def test_replay_missing_data_folder(tmp_path: Path) -> None:
    result = runner.invoke(
        app,
        [
            "replay",
            "travis",
            "--pack",
            "columbia-pd",
            "--data",
            str(tmp_path),
            "--out",
            str(tmp_path / "o"),
        ],
    )
    assert result.exit_code == 2
    assert "CASEBYCASE_DATA_DIR" in result.stderr


def test_agencies_table_and_json(data: Path) -> None:
    result = runner.invoke(app, ["agencies", "--state", "MO", "--data", str(data)])
    assert result.exit_code == 0, result.output
    assert "Hallsville" in result.stdout
    assert "8 agencies seen on the lists" in result.stdout
    assert "Spelling and format quirks handled" in result.stdout
    result = runner.invoke(app, ["agencies", "--state", "MO", "--json", "--data", str(data)])
    assert result.exit_code == 0, result.output
    listed = json.loads(result.stdout)
    assert listed["state"] == "MO" and len(listed["agencies"]) == 8


def test_agencies_bad_state_or_folder(data: Path, tmp_path: Path) -> None:
    assert runner.invoke(app, ["agencies", "--state", "ZZ", "--data", str(data)]).exit_code == 2
    result = runner.invoke(app, ["agencies", "--data", str(tmp_path)])
    assert result.exit_code == 2 and "no 287(g) lists" in result.stderr


def test_replay_engines_agree(data: Path, tmp_path: Path) -> None:
    outputs = {}
    for engine in ("row", "columnar"):
        result = runner.invoke(
            app,
            [
                "replay",
                "travis",
                "--pack",
                "travis-county-so-2017",
                "--data",
                str(data),
                "--engine",
                engine,
                "--out",
                str(tmp_path / engine),
            ],
        )
        assert result.exit_code == 0, result.output
        outputs[engine] = json.loads((tmp_path / engine / "summary.json").read_text())
    assert outputs["row"]["outcomes"] == outputs["columnar"]["outcomes"]
