"""Raw and shipped files as Polars frames in bounded chunks, each row with its raw line.

The columnar twin of :func:`casebycase.replay.dataset.read_rows`: the same records with the
same values (text; column names stripped; national-origin columns dropped; short records
padded with ``""``; blank lines skipped) and the same line numbers, in column
``source_line``, never more than ``rows`` records at a time. A CSV file whose records all
sit on one line each (no quoted line breaks) is cut into blocks of whole lines and each
block parsed by Polars; when a block parses to fewer records than lines (a quoted line
break), the rest of the file is read record by record with the standard library, which is
exact but slower.
"""

from __future__ import annotations

import io
import sys
from collections.abc import Iterator
from pathlib import Path

import polars as pl

from casebycase.datasets import LINE, shipped_name
from casebycase.replay.dataset import NATIONAL_ORIGIN_COLUMNS, read_csv

BLOCK = 1 << 22
"""Bytes read from a CSV file at a time."""
SPACE = "".join(c for c in map(chr, range(sys.maxunicode + 1)) if c.isspace())
"""Every character Python's ``str.strip()`` removes (Polars' own whitespace set differs)."""


def strip(column: str | pl.Expr) -> pl.Expr:
    """``str.strip()`` of a text column, character for character."""
    expr = pl.col(column) if isinstance(column, str) else column
    return expr.str.strip_chars(SPACE)


def frames(
    folder: Path, name: str, rows: int, columns: tuple[str, ...] = ()
) -> Iterator[pl.DataFrame]:
    """The records of the raw file ``name`` in ``folder`` (else its shipped Parquet file),
    ``rows`` at a time. ``columns``: only these are read (the others are never parsed), and
    added as ``""`` when the file lacks them."""
    path = locate(folder, name)
    chunks = (
        csv_frames(path, rows, columns)
        if path.name == name
        else parquet_frames(path, rows, columns)
    )
    for chunk in chunks:
        missing = [c for c in columns if c not in chunk.columns]
        yield chunk.with_columns(pl.lit("").alias(c) for c in missing) if missing else chunk


def records(folder: Path, name: str) -> int:
    """How many records the file holds (for progress; exact unless records span lines)."""
    path = locate(folder, name)
    if path.name == name:
        lines, partial = _scan(path)
        return lines + partial
    return int(pl.scan_parquet(path).select(pl.len()).collect().item())


def locate(folder: Path, name: str) -> Path:
    """The raw file ``name`` in ``folder``, else its shipped Parquet file; FileNotFoundError
    naming the raw file when neither is there."""
    raw = folder / name
    if raw.is_file():
        return raw
    shipped = folder / shipped_name(name)
    if not shipped.is_file():
        raise FileNotFoundError(2, "No such file or directory", str(raw))
    return shipped


def parquet_frames(path: Path, rows: int, columns: tuple[str, ...] = ()) -> Iterator[pl.DataFrame]:
    """A shipped file's rows, ``rows`` at a time (its ``source_line`` column kept)."""
    scan = pl.scan_parquet(path)
    total = int(scan.select(pl.len()).collect().item())
    names = scan.collect_schema().names()
    keep = [
        c
        for c in names
        if c == LINE or (c.lower() not in NATIONAL_ORIGIN_COLUMNS and (not columns or c in columns))
    ]
    for start in range(0, total, rows):
        chunk = scan.select(keep).slice(start, rows).collect()
        yield chunk.with_columns(pl.col(c).cast(pl.String).fill_null("") for c in keep if c != LINE)


def csv_frames(path: Path, rows: int, columns: tuple[str, ...] = ()) -> Iterator[pl.DataFrame]:
    """A CSV file's records, ``rows`` at a time, all columns text (only ``columns``, if
    given)."""
    if rows < 1:
        raise ValueError("rows must be at least 1")
    yield from _fast(path, rows, columns)


def _scan(path: Path) -> tuple[int, bool]:
    """(lines after the header, whether the file ends without a line break)."""
    lines = 0
    last = b"\n"
    with path.open("rb") as handle:
        while block := handle.read(BLOCK):
            lines += block.count(b"\n")
            last = block[-1:]
    return max(lines - (last == b"\n"), 0), last != b"\n"


def _cut(buf: bytes, rows: int, total: int) -> int:
    """The end of the first ``rows`` lines of ``buf``, which holds ``total`` >= ``rows``."""
    guess = len(buf) * rows // total
    found = buf.count(b"\n", 0, guess)  # newlines before the guess: numbers 1 .. found
    pos = guess
    if found < rows:
        for _ in range(rows - found):
            pos = buf.find(b"\n", pos) + 1
        return pos
    for _ in range(found - rows + 1):
        pos = buf.rfind(b"\n", 0, pos)
    return pos + 1


def _blocks(path: Path, rows: int) -> Iterator[tuple[bytes, int, bytes, int]]:
    """(header line, first line number, whole lines, their number), ``rows`` lines at most."""
    with path.open("rb") as handle:
        header = handle.readline()
        line = 2
        buf = b""
        total = 0  # line breaks in buf
        done = False
        while True:
            if total >= rows:
                cut = _cut(buf, rows, total)
                yield header, line, buf[:cut], rows
                line += rows
                buf, total = buf[cut:], total - rows
                continue
            if done:
                if buf:
                    yield header, line, buf, total + (not buf.endswith(b"\n"))
                return
            more = handle.read(BLOCK)
            done = not more
            total += more.count(b"\n")
            buf += more


def _fast(path: Path, rows: int, columns: tuple[str, ...]) -> Iterator[pl.DataFrame]:
    names: list[str] = []
    wanted: list[int] = []
    for header, first, body, count in _blocks(path, rows):
        if not names:
            names = [h.strip() for h in pl.read_csv(io.BytesIO(header), infer_schema=False).columns]
            wanted = [
                i
                for i, c in enumerate(names)
                if c.lower() not in NATIONAL_ORIGIN_COLUMNS and (not columns or c in columns)
            ]
        try:
            frame = pl.read_csv(
                body,
                has_header=False,
                truncate_ragged_lines=True,
                schema={f"_{i}": pl.String for i in range(len(names))},
                columns=wanted,
                missing_columns="insert",
                extra_columns="ignore",
            )
        except pl.exceptions.ComputeError:  # a quoted line break cut by the block
            yield from _exact(path, rows, columns, skip=first - 2)
            return
        if frame.height != count:  # not one record per line: read the rest the exact way
            yield from _exact(path, rows, columns, skip=first - 2)
            return
        frame.columns = [names[i] for i in wanted]
        numbers = pl.int_range(first, first + count, eager=True, dtype=pl.Int64)
        # Polars reads a blank line as a record of nulls; the csv module skips it
        if frame.select(pl.all_horizontal(pl.all().is_null()).any()).item():
            lines = body.split(b"\n")[:count]
            keep = pl.Series([bool(text.rstrip(b"\r")) for text in lines])
            frame, numbers = frame.filter(keep), numbers.filter(keep)
        yield frame.select(pl.all().fill_null("")).with_columns(numbers.alias(LINE))


def _exact(
    path: Path, rows: int, columns: tuple[str, ...] = (), skip: int = 0
) -> Iterator[pl.DataFrame]:
    """Record by record through the standard library (records spanning lines)."""
    batch: list[dict[str, str]] = []
    lines: list[int] = []
    for line, row in read_csv(path):
        if line - 2 < skip:
            continue
        batch.append({k: v for k, v in row.items() if k in columns} if columns else row)
        lines.append(line)
        if len(batch) == rows:
            yield _frame(batch, lines)
            batch, lines = [], []
    if batch:
        yield _frame(batch, lines)


def _frame(batch: list[dict[str, str]], lines: list[int]) -> pl.DataFrame:
    names = list(batch[0])
    return pl.DataFrame(
        {c: [r[c] for r in batch] for c in names}, schema=dict.fromkeys(names, pl.String)
    ).with_columns(pl.Series(LINE, lines, pl.Int64))
