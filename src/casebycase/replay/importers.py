"""The data sets replay knows, by short id, and how to find them in a data folder.

>>> sorted(DATASETS)
['boone-roster', 'mn-sample', 'pa', 'travis']

``load_dataset("travis")`` reads the data shipped with the package (Parquet);
``load_dataset("travis", data_dir)`` reads ``data_dir/travis-county-tx-ice-detainers``, raw
CSV files (a newer download) or shipped files. Nothing here reads the environment.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from casebycase.datasets import ROOT as SHIPPED
from casebycase.errors import CaseByCaseError, Problem
from casebycase.replay import boone, ddp, pa, travis
from casebycase.replay.dataset import Dataset


@dataclass(frozen=True, slots=True)
class Source:
    """A data set: its folder under the data directory and its importer."""

    id: str
    folder: str
    read: Callable[[Path], Dataset]


DATASETS: dict[str, Source] = {
    s.id: s
    for s in (
        Source("travis", travis.FOLDER, travis.import_travis),
        Source("pa", pa.FOLDER, pa.import_pa),
        Source("mn-sample", ddp.FOLDER, ddp.import_mn_sample),
        Source("boone-roster", boone.FOLDER, boone.import_boone_roster),
    )
}


class DatasetError(CaseByCaseError):
    """A data set id is unknown or its files are missing."""


def load_dataset(dataset_id: str, data_dir: Path = SHIPPED) -> Dataset:
    """Import the data set ``dataset_id`` from its folder under ``data_dir`` (default: the
    shipped data)."""
    folder = find_folder(dataset_id, data_dir)
    try:
        return DATASETS[dataset_id].read(folder)
    except OSError as exc:
        raise unreadable(exc, folder) from None


def unreadable(exc: OSError, folder: Path) -> DatasetError:
    """The error for a data set file that cannot be read."""
    return DatasetError(
        [
            Problem(
                str(exc.filename or folder),
                f"cannot read the file: {exc.strerror}",
                "the folder needs this CSV file (or its shipped .parquet); "
                "without --data and CASEBYCASE_DATA_DIR the shipped "
                "data are read",
            )
        ],
        title="data set not readable",
    )


def find_folder(dataset_id: str, data_dir: Path) -> Path:
    """The folder of ``dataset_id`` under ``data_dir``; DatasetError when unknown or absent."""
    source = DATASETS.get(dataset_id)
    if source is None:
        raise DatasetError(
            [Problem(dataset_id, "unknown data set", f"use one of: {', '.join(DATASETS)}")],
            title="unknown data set",
        )
    folder = data_dir / source.folder
    if not folder.is_dir():
        raise DatasetError(
            [
                Problem(
                    str(folder),
                    "folder not found",
                    "pass --data DIR or set CASEBYCASE_DATA_DIR to a folder "
                    "holding the data set's folder; without either the "
                    "shipped data are read",
                )
            ],
            title="data set not found",
        )
    return folder
