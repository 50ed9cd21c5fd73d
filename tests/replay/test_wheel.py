"""The wheel alone: built, installed into a fresh venv, replaying the shipped data elsewhere."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from casebycase.cli import app
from casebycase.datasets import ROOT, shipped_sets

REPO = Path(__file__).resolve().parents[2]
PACK = "travis-county-so-2017"


def _run(args: list[str | Path], cwd: Path, env: dict[str, str]) -> str:
    done = subprocess.run(
        [str(a) for a in args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, f"{args}\n{done.stdout}\n{done.stderr}"
    return done.stdout


def test_installed_wheel_replays_the_shipped_data(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CASEBYCASE_DATA_DIR", raising=False)
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"CASEBYCASE_DATA_DIR", "PYTHONPATH", "VIRTUAL_ENV"}
    }
    dist = tmp_path / "dist"
    _run([sys.executable, "-m", "pip", "wheel", REPO, "--no-deps", "-w", dist, "-q"], tmp_path, env)
    [wheel] = dist.glob("casebycase-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    shipped = {f"casebycase/datasets/{s.name}/{f.file}" for s in shipped_sets() for f in s.shipped}
    assert shipped | {"casebycase/datasets/manifest.json"} <= names
    assert "casebycase/packs/travis-county-so-2017/pack.yaml" in names
    assert "casebycase/offenses/catalog/texas.yaml" in names

    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", venv], tmp_path, env)
    python, cli = venv / "bin" / "python", venv / "bin" / "casebycase"
    _run([python, "-m", "pip", "install", "-q", wheel], tmp_path, env)

    empty = tmp_path / "elsewhere"
    empty.mkdir()
    where = _run([python, "-c", "import casebycase.datasets as d; print(d.ROOT)"], empty, env)
    assert Path(where.strip()).is_relative_to(venv) and Path(where.strip()) != ROOT
    _run([cli, "replay", "travis", "--pack", PACK, "--out", "out"], empty, env)
    assert {p.name for p in (empty / "out").iterdir()} == {
        "results.parquet",
        "summary.json",
        "summary.md",
        "rejected.csv",
    }
    installed = json.loads((empty / "out" / "summary.json").read_text())
    listed = json.loads(_run([cli, "data", "list", "--json"], empty, env))
    assert [s["name"] for s in listed] == [s.name for s in shipped_sets()]
    _run([cli, "data", "info", "travis"], empty, env)  # exits 1 if a file does not match

    result = CliRunner().invoke(
        app, ["replay", "travis", "--pack", PACK, "--out", str(tmp_path / "here")]
    )
    assert result.exit_code == 0, result.output
    here = json.loads((tmp_path / "here" / "summary.json").read_text())
    installed.pop("seconds")
    here.pop("seconds")
    assert installed == here
    assert installed["dataset"]["requests"] == 9533
