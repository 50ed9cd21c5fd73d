"""The columnar Travis importer against the row importer: same frame, rejections, results."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from casebycase.cli import app
from casebycase.datasets import LINE
from casebycase.datasets import ROOT as SHIPPED
from casebycase.policy.compile import load_pack
from casebycase.replay.bulk import open_stream, replay_frames
from casebycase.replay.chunks import frames
from casebycase.replay.columnar import SCHEMA, frame_of
from casebycase.replay.dataset import Dataset, read_csv
from casebycase.replay.importers import load_dataset
from casebycase.replay.run import Scenario, evaluate_rows
from casebycase.replay.summary import results_frame, summarize, summarize_frames
from casebycase.replay.travis import BOOKINGS, CHARGES, FOLDER
from casebycase.replay.travis_frames import TravisFrames

runner = CliRunner()


def columnar(data_dir: Path, rows: int) -> tuple[TravisFrames, pl.DataFrame, pl.DataFrame]:
    stream = TravisFrames(data_dir / FOLDER, rows)
    chunks = list(stream.chunks())
    frame = pl.concat([c.frame for c in chunks]) if chunks else pl.DataFrame(schema=SCHEMA)
    return stream, frame, pl.concat([c.meta for c in chunks])


def assert_same_import(data_dir: Path, rows: int) -> Dataset:
    """The columnar importer gives the row importer's frame, rows, rejections and figures."""
    ds = load_dataset("travis", data_dir)
    stream, frame, meta = columnar(data_dir, rows)
    assert frame.schema == pl.Schema(SCHEMA)
    assert frame.equals(frame_of(ds.requests))
    assert [(r.where, r.why) for r in stream.dataset.rejected] == [
        (r.where, r.why) for r in ds.rejected
    ]
    assert stream.dataset.rows_read == ds.rows_read
    assert stream.dataset.charges == ds.charges
    assert stream.dataset.charges is not None and ds.charges is not None
    assert list(stream.dataset.charges.unclassified_texts.items()) == list(
        ds.charges.unclassified_texts.items()
    )
    assert stream.dataset.notes == ds.notes
    assert stream.requests == len(ds.items)
    assert meta["request_id"].to_list() == [i.request.id for i in ds.items]
    assert meta["actual"].to_list() == [i.actual for i in ds.items]
    assert meta["date"].to_list() == [i.request.received_at.date() for i in ds.items]
    assert meta["unclassified_offenses"].to_list() == [
        sum(1 for o in i.request.offenses if o.derived[0] == "unknown") for i in ds.items
    ]
    return ds


def test_shipped_travis_data_gives_the_row_importers_frame() -> None:
    assert_same_import(SHIPPED, 100_000)


def test_raw_travis_files_give_the_row_importers_frame(real: Path) -> None:
    assert_same_import(real, 4_000)


def test_rejected_rows_same_words_lines_and_order(data: Path) -> None:
    ds = assert_same_import(data, 100_000)
    reasons = {r.why.split(":")[0] for r in ds.rejected}
    assert {
        "booking_seq is not a number",
        "booking_seq is repeated",
        "booking_date is not a date",
        "booking has no ICE DETAINER line",
        "charge line has no code or text",
        "charge of an unknown booking",
    } <= reasons


@pytest.mark.parametrize("rows", [1, 2, 7])
def test_chunk_boundaries_change_nothing(data: Path, rows: int) -> None:
    assert_same_import(data, rows)


def test_chunks_of_seven_on_real_bookings(tmp_path: Path) -> None:
    """300 real bookings written back to CSV (quoted fields), read 7 records at a time."""
    folder = tmp_path / FOLDER
    folder.mkdir()
    bookings = (
        pl.read_parquet(SHIPPED / FOLDER / (Path(BOOKINGS).stem + ".parquet")).drop(LINE).head(300)
    )
    charges = pl.read_parquet(SHIPPED / FOLDER / (Path(CHARGES).stem + ".parquet")).drop(LINE)
    bookings.write_csv(folder / BOOKINGS, quote_style="always")
    charges.filter(
        pl.col("booking_seq").is_in(bookings["booking_seq"].implode())
        | (pl.int_range(pl.len()) % 97 == 0)
    ).write_csv(folder / CHARGES)
    ds = assert_same_import(tmp_path, 7)
    assert len(ds.items) > 250 and ds.rejected  # charges of bookings left out


def test_frames_read_what_the_csv_reader_reads(tmp_path: Path) -> None:
    """Byte-order mark, padded header, blank lines, short and long records, CRLF, and a
    quoted line break (read the exact way from there on)."""
    path = tmp_path / "x.csv"
    path.write_bytes(
        b'\xef\xbb\xbf a ,Race,b\r\n1,W,"x, y"\r\n\r\n2\r\n3,B,z,extra\r\n'
        b'4,W,"two\r\nlines"\r\n5,,\r\n6,W,last'
    )
    want = [(line, row) for line, row in read_csv(path)]
    for rows in (1, 2, 3, 7, 100):
        got = [
            (r[LINE], {k: v for k, v in r.items() if k != LINE})
            for f in frames(tmp_path, "x.csv", rows)
            for r in f.iter_rows(named=True)
        ]
        assert got == want, rows


def test_replay_frames_gives_the_row_engines_results_and_summary() -> None:
    ds = load_dataset("travis")
    pack = load_pack("travis-county-so-2017")
    scenarios = [
        Scenario(pack, None, pack.id),
        Scenario(load_pack("columbia-pd"), None, "columbia-pd"),
        Scenario(pack, dt.date(2020, 1, 1), f"{pack.id}@2020-01-01"),
    ]
    rows = evaluate_rows(ds, scenarios)
    stream = open_stream("travis", SHIPPED / FOLDER, 3_000)
    assert stream is not None
    seen: list[tuple[str, int]] = []
    result = replay_frames(stream, scenarios, progress=lambda stage, n: seen.append((stage, n)))
    assert result.results.equals(results_frame(rows))
    assert summarize_frames(
        result.dataset,
        scenarios,
        result.results,
        result.actual,
        result.requests,
        result.with_unclassified,
    ) == summarize(ds, scenarios, rows)
    assert sum(n for stage, n in seen if stage == "bookings") == 9_533
    assert [stage for stage, _ in seen].count("bookings") == 4
    assert open_stream("pa", SHIPPED, 10) is None


def test_rejected_csv_is_the_same_with_either_engine(data: Path, tmp_path: Path) -> None:
    outs = {}
    for engine in ("row", "columnar"):
        out = tmp_path / engine
        result = runner.invoke(
            app,
            [
                "replay",
                "travis",
                "--pack",
                "columbia-pd",
                "--data",
                str(data),
                "--out",
                str(out),
                "--engine",
                engine,
                "--chunk",
                "5",
            ],
        )
        assert result.exit_code == 0, result.output
        with (out / "rejected.csv").open() as handle:
            outs[engine] = (list(csv.reader(handle)), pl.read_parquet(out / "results.parquet"))
    assert outs["row"][0] == outs["columnar"][0] and len(outs["row"][0]) == 8
    assert outs["row"][1].equals(outs["columnar"][1])


def test_rows_the_request_model_refuses(tmp_path: Path) -> None:
    """A malformed subject reference, a year out of range, an over-long charge text, odd
    booking seqs: the row importer's verdict, word for word."""
    folder = tmp_path / FOLDER
    folder.mkdir()
    (folder / BOOKINGS).write_text(
        "booking_seq,person_seq,age,booking_date\n"
        "1,a b,30,2010-01-02\n2,7,30,1850-01-02\n3,8,17,2010-01-03\n4,9,x,2010-01-04\n"
        " 5 ,10,,2010-01-05\n007,11,40,2010-01-06\n7,12,40,2010-01-07\n\u00b2,13,1,2010-01-08\n"
        "8, ,3,2010-1-9\n",
        encoding="utf-8",
    )
    long = "X" * 600
    (folder / CHARGES).write_text(
        "booking_seq,charge_code,charge_literal,level,disposition_type,disposition_date\n"
        + "".join(
            f"{s},4200,ICE DETAINER,F,RELEASED TO ICE,2010-02-01\n"
            for s in (1, 2, 3, 4, 5, "007", 7, "\u00b2", 8)
        )
        + f"3,1,{long},F,,\n4,2,  THEFT   PROP ,MA,,\n",
        encoding="utf-8",
    )
    ds = assert_same_import(tmp_path, 3)
    assert any("not a valid request" in r.why for r in ds.rejected)
    assert {i.request.id for i in ds.items} >= {"travis-4", "travis-5", "travis-007"}
