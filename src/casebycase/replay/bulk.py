"""Replay from raw files to results without a Python object per request.

A *stream* (:class:`~casebycase.replay.travis_frames.TravisFrames`) yields request frames
chunk by chunk; :func:`replay_frames` decides each chunk under every scenario with the
columnar engine and gathers the result rows as one frame (the ``results.parquet`` columns,
scenario by scenario, requests in data set order), the same rows the row engine gives.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import polars as pl

from casebycase.replay.columnar import compile_columnar
from casebycase.replay.dataset import Dataset
from casebycase.replay.run import Scenario
from casebycase.replay.summary import RESULT_SCHEMA
from casebycase.replay.travis_frames import CHUNK, Chunk, TravisFrames

StageProgress = Callable[[str, int], None]
"""Called with a stage (``charges``, ``bookings``) and the records done since the last call."""


class Stream(Protocol):
    """What :func:`replay_frames` reads: chunks of request frames and the data set figures."""

    folder: Path
    dataset: Dataset
    requests: int
    with_unclassified: int

    def totals(self) -> dict[str, int]: ...

    def chunks(self, progress: StageProgress | None = None) -> Iterator[Chunk]: ...


STREAMS: dict[str, Callable[[Path, int], Stream]] = {"travis": TravisFrames}
"""Data sets with a columnar importer, by id: how to open their folder."""


@dataclass
class BulkResult:
    """What a columnar replay found: figures, rejected rows, and the result rows."""

    dataset: Dataset
    """Figures, notes and rejected rows (``items`` stays empty)."""
    requests: int
    with_unclassified: int
    results: pl.DataFrame
    """Columns as :data:`~casebycase.replay.summary.RESULT_SCHEMA`."""
    actual: list[str | None]
    """What the data records happened, per request in data set order."""


def open_stream(dataset_id: str, folder: Path, rows: int = CHUNK) -> Stream | None:
    """The columnar importer of ``dataset_id`` over its ``folder``, None when it has none."""
    found = STREAMS.get(dataset_id)
    return None if found is None else found(folder, rows)


def replay_frames(
    stream: Stream, scenarios: Sequence[Scenario], progress: StageProgress | None = None
) -> BulkResult:
    """Decide every chunk of ``stream`` under each scenario."""
    packs = [compile_columnar(sc.pack) for sc in scenarios]
    parts: list[list[pl.DataFrame]] = [[] for _ in scenarios]
    metas: list[pl.DataFrame] = []
    for chunk in stream.chunks(progress):
        if chunk.frame.height:
            metas.append(chunk.meta)
            for sc, pack, out in zip(scenarios, packs, parts, strict=True):
                decided = pack.decide(chunk.frame, sc.at)
                out.append(chunk.meta.hstack(decided.select("outcome", "deciding", "rules")))
        if progress is not None:
            progress("bookings", chunk.rows)
    results = [
        pl.concat(out).select(
            "request_id",
            "date",
            pl.lit(sc.key).alias("scenario"),
            pl.lit(sc.pack.id).alias("pack"),
            pl.lit(sc.at, pl.Date).alias("as_of"),
            "outcome",
            pl.col("deciding").alias("deciding_rule"),
            "rules",
            "actual",
            "unclassified_offenses",
        )
        for sc, out in zip(scenarios, parts, strict=True)
        if out
    ]
    frame = (pl.concat(results) if results else pl.DataFrame(schema=RESULT_SCHEMA)).cast(
        RESULT_SCHEMA  # type: ignore[arg-type]
    )
    actual = pl.concat(metas)["actual"].to_list() if metas else []
    return BulkResult(stream.dataset, stream.requests, stream.with_unclassified, frame, actual)
