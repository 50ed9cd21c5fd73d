"""One version, from src/casebycase/__init__.py: the package metadata and the CLI agree."""

from __future__ import annotations

import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import casebycase


def test_version_has_one_source() -> None:
    assert version("casebycase") == casebycase.__version__


def test_cli_prints_the_version() -> None:
    exe = Path(sys.executable).parent / "casebycase"
    done = subprocess.run([str(exe), "--version"], capture_output=True, text=True, check=False)
    assert (done.returncode, done.stdout, done.stderr) == (
        0,
        f"casebycase {casebycase.__version__}\n",
        "",
    )
