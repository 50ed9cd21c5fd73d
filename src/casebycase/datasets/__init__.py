"""The real data sets shipped with the package: compact Parquet files and their provenance.

Each set is a folder named like its raw source folder (``travis-county-tx-ice-detainers``)
holding one Parquet file per raw CSV file the importers read, with the same stem. The folder
tree is laid out like a raw data folder, so the importers read either. ``manifest.json``
records, per set, the source address, the snapshot read and its date, the public-record
basis, the transformation, and the sha256 of every raw input and shipped file.
``scripts/build_datasets.py`` rebuilds the files from the raw ones.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict

ROOT = Path(__file__).resolve().parent
"""The shipped data folder (laid out like a raw data folder)."""
MANIFEST = ROOT / "manifest.json"
LINE = "source_line"
"""Column of a shipped file: the line of the record in the raw CSV file."""


def shipped_name(raw_name: str) -> str:
    """The shipped file of a raw file: ``pa_detainers.csv`` -> ``pa_detainers.parquet``."""
    return Path(raw_name).stem + ".parquet"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class RawFile(_Frozen):
    """A raw input file as it was read."""

    file: str
    sha256: str
    bytes: int


class ShippedFile(_Frozen):
    """A shipped Parquet file: the raw file it comes from, its rows and columns."""

    file: str
    source: str
    sha256: str
    bytes: int
    rows: int
    columns: list[str]
    dropped: list[str]


class ShippedSet(_Frozen):
    """One shipped data set with its provenance."""

    name: str
    title: str
    aliases: list[str]
    used_by: list[str]
    source: str
    snapshot: str
    retrieved: str
    basis: str
    license: str
    transformation: str
    script: str
    raw: list[RawFile]
    shipped: list[ShippedFile]

    @property
    def bytes(self) -> int:
        return sum(f.bytes for f in self.shipped)

    @property
    def raw_bytes(self) -> int:
        return sum(f.bytes for f in self.raw)


class UnknownSet(KeyError):
    """No shipped data set has this name or alias."""


def load_manifest(path: Path = MANIFEST) -> list[ShippedSet]:
    """The sets of a manifest file, in its order."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return [ShippedSet.model_validate(s) for s in data["sets"]]


@cache
def shipped_sets() -> tuple[ShippedSet, ...]:
    """The shipped sets, as the package's manifest lists them."""
    return tuple(load_manifest())


def find(name: str) -> ShippedSet:
    """A shipped set by folder name or alias (``travis``); :class:`UnknownSet` if none."""
    for s in shipped_sets():
        if name == s.name or name in s.aliases:
            return s
    raise UnknownSet(name)
