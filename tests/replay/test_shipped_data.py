"""The data shipped with the package: manifest, privacy, rebuild from raw, same results as raw."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import polars as pl
import pytest
from typer.testing import CliRunner

from casebycase.cli import app
from casebycase.datasets import LINE, ROOT, find, load_manifest, shipped_sets
from casebycase.replay.agencies import build_directory
from casebycase.replay.dataset import NATIONAL_ORIGIN_COLUMNS, Dataset
from casebycase.replay.importers import DATASETS, load_dataset

runner = CliRunner()
SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "build_datasets.py"
NAME_COLUMNS = {
    "name",
    "first name",
    "last name",
    "middle name",
    "first",
    "last",
    "suffix",
    "booking name",
    "address",
    "date of birth",
    "dob",
}


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("build_datasets", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_manifest_matches_the_shipped_files() -> None:
    sets = shipped_sets()
    assert {s.name for s in sets} >= {DATASETS[i].folder for i in DATASETS}
    on_disk = {p.relative_to(ROOT).as_posix() for p in ROOT.rglob("*.parquet")}
    listed = {f"{s.name}/{f.file}" for s in sets for f in s.shipped}
    assert on_disk == listed
    for s in sets:
        assert s.source.startswith("https://") and s.basis and s.transformation
        assert s.script == "scripts/build_datasets.py" and len(s.retrieved) == 10
        for f in s.shipped:
            path = ROOT / s.name / f.file
            assert hashlib.sha256(path.read_bytes()).hexdigest() == f.sha256, path
            assert path.stat().st_size == f.bytes
            assert pl.read_parquet_schema(path) == {
                LINE: pl.Int32,
                **{c: pl.String for c in f.columns if c != LINE},
            }
    assert sum(s.bytes for s in sets) < 4 * 1024 * 1024  # a few MB at most


def test_no_national_origin_or_personal_name_column_is_shipped() -> None:
    for s in shipped_sets():
        for f in s.shipped:
            columns = {c.lower() for c in pl.read_parquet_schema(ROOT / s.name / f.file)}
            assert not columns & NATIONAL_ORIGIN_COLUMNS, (s.name, f.file)
            assert not columns & NAME_COLUMNS, (s.name, f.file)
            assert not any("birth" in c or "citizen" in c or c == "race" for c in columns)


def test_find_by_name_or_alias() -> None:
    assert find("travis").name == "travis-county-tx-ice-detainers"
    assert find("eads-pa-detainers").aliases == ["pa"]
    with pytest.raises(KeyError):
        find("nope")


def test_importers_read_the_shipped_data_by_default() -> None:
    ds = load_dataset("travis")
    assert len(ds.items) == 9533 and ds.rows_read == 34372 and not ds.rejected
    assert ds.items[0].where.startswith("bookings_with_ice_detainer_1991-2016_deidentified.csv:")
    assert len(load_dataset("boone-roster").items) == 3
    mo = build_directory(ROOT, "MO")
    assert sum(1 for a in mo.agencies for g in a.agreements.values() if g.current) == 103


def _same(shipped: Dataset, raw: Dataset) -> None:
    assert (shipped.id, shipped.rows_read, shipped.notes, shipped.skipped) == (
        raw.id,
        raw.rows_read,
        raw.notes,
        raw.skipped,
    )
    assert shipped.rejected == raw.rejected
    assert shipped.items == raw.items
    assert shipped.aggregates == raw.aggregates
    assert shipped.charges == raw.charges


@pytest.mark.parametrize("dataset", sorted(DATASETS))
def test_shipped_and_raw_import_alike(real: Path, dataset: str) -> None:
    _same(load_dataset(dataset), load_dataset(dataset, real))


@pytest.mark.parametrize("state", ["MO", "TX"])
def test_shipped_and_raw_agency_directories_alike(real: Path, state: str) -> None:
    assert build_directory(ROOT, state).to_dict() == build_directory(real, state).to_dict()


def _replay(tmp: Path, *data: str) -> tuple[dict[str, Any], pl.DataFrame, str]:
    result = runner.invoke(
        app,
        [
            "replay",
            "travis",
            "--pack",
            "travis-county-so-2017",
            "--pack",
            "columbia-pd",
            *data,
            "--out",
            str(tmp),
        ],
    )
    assert result.exit_code == 0, result.output
    summary = json.loads((tmp / "summary.json").read_text())
    summary.pop("seconds")
    return (summary, pl.read_parquet(tmp / "results.parquet"), (tmp / "rejected.csv").read_text())


def test_replay_from_shipped_equals_replay_from_raw(
    real: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CASEBYCASE_DATA_DIR", raising=False)
    shipped = _replay(tmp_path / "shipped")
    raw = _replay(tmp_path / "raw", "--data", str(real))
    assert shipped[0] == raw[0]
    assert shipped[1].equals(raw[1])
    assert shipped[2] == raw[2]


def test_rebuild_from_raw_equals_the_shipped_files(shared: Path, tmp_path: Path) -> None:
    raw = shared / "data" / "real"
    manifest = _script().build(raw, tmp_path)
    rebuilt = {s.name: s for s in load_manifest(manifest)}
    for s in shipped_sets():
        again = rebuilt[s.name]
        for f in s.raw:
            assert hashlib.sha256((raw / s.name / f.file).read_bytes()).hexdigest() == f.sha256, (
                f"{s.name}/{f.file} changed since the data were built: "
                "run .venv/bin/python scripts/build_datasets.py"
            )
        assert again.model_dump(exclude={"shipped"}) == s.model_dump(exclude={"shipped"})
        for old, new in zip(s.shipped, again.shipped, strict=True):
            assert old.model_dump(exclude={"sha256", "bytes"}) == new.model_dump(
                exclude={"sha256", "bytes"}
            )
            assert pl.read_parquet(tmp_path / s.name / new.file).equals(
                pl.read_parquet(ROOT / s.name / old.file)
            ), f"{s.name}/{old.file}"


def test_data_list_and_info() -> None:
    result = runner.invoke(app, ["data", "list"])
    assert result.exit_code == 0, result.output
    assert "travis-county-tx-ice-detainers" in result.stdout and "KiB in all" in result.stdout
    result = runner.invoke(app, ["data", "list", "--json"])
    listed = json.loads(result.stdout)
    assert {s["name"] for s in listed} == {s.name for s in shipped_sets()}
    assert all(s["bytes"] > 0 and s["source"] for s in listed)
    result = runner.invoke(app, ["data", "info", "travis"])
    assert result.exit_code == 0, result.output
    for text in (
        "https://github.com/statesman/ice-travis-county",
        "Public Information Act",
        "scripts/build_datasets.py",
        "[verified]",
        "not shipped: race, sex",
    ):
        assert text in result.stdout
    result = runner.invoke(app, ["data", "info", "pa", "--json"])
    info = json.loads(result.stdout)
    assert info["name"] == "eads-pa-detainers" and all(f["verified"] for f in info["shipped"])
    assert len(info["raw"][0]["sha256"]) == 64


def test_data_info_unknown_set_exits_2() -> None:
    result = runner.invoke(app, ["data", "info", "nope"])
    assert result.exit_code == 2 and "no shipped data set named 'nope'" in result.stderr


def test_agencies_read_the_shipped_lists_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CASEBYCASE_DATA_DIR", raising=False)
    result = runner.invoke(app, ["agencies", "--state", "MO", "--json"])
    assert result.exit_code == 0, result.output
    listed = json.loads(result.stdout)
    assert listed["newest_list"] == "2026-05-18"
    assert any(a["name"] == "Hallsville Police Department" for a in listed["agencies"])


def test_a_data_folder_without_the_files_names_the_raw_file(tmp_path: Path) -> None:
    (tmp_path / DATASETS["travis"].folder).mkdir()
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
            str(tmp_path / "out"),
        ],
    )
    assert result.exit_code == 2
    assert "booking_charges_1991-2016.csv: cannot read the file" in result.stderr
    assert "Traceback" not in result.output
