"""Fixtures for the replay tests: hand-written excerpts in the real formats, the real data."""

from __future__ import annotations

from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parents[1] / "data" / "replay"
REAL = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "real"


@pytest.fixture
def data() -> Path:
    """The fixture data folder, laid out like the shared data folder."""
    return DATA


@pytest.fixture
def real() -> Path:
    """The shared real data folder; the test is skipped when it is absent."""
    if not (REAL / "travis-county-tx-ice-detainers").is_dir():
        pytest.skip(f"real data not found at {REAL} (../shared/data/real beside the repo)")
    return REAL
