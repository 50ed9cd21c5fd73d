"""Replay from raw CSV at scale: the Travis files grown to N bookings, replayed end to end.

    .venv/bin/python bench/replay_raw.py [--n 1000000] [--seed 11] [--check 20000|all]
                                         [--pack travis-county-so-2017] [--chunk 100000]
                                         [--keep DIR]

1. Writes a raw data folder in the Travis format to a temporary folder: N bookings resampled
   (seeded, with replacement) from the real file found beside the repository or the shipped
   copy, each with a fresh ``booking_seq`` and ``person_seq`` and its booking date and charge
   dispositions shifted by the same random number of days (-4 to +12 years), its charge
   lines copied in file order; one booking in 50,000 spoiled on purpose (a bad date, a
   booking_seq that is not a number, a repeated booking_seq, no charge lines) and one
   charge line in 50,000 emptied or moved to an unknown booking, so the rejected rows are
   checked too.
2. In child processes, wall time and peak memory (``os.wait4``: the child's maximum resident
   set size) of: ``casebycase replay travis --engine columnar`` on the folder (the whole
   replay: read, validate, decide, summarise, write), and the reference for reading, a plain
   ``polars.read_csv`` of both files.
3. In this process: the columnar importer alone (raw files to request frames) and
   ``ColumnarPack.decide`` alone on the million-row frame (the engine's floor).
4. Checks that the replay agrees with the row engine (``--engine row``) on the first
   ``--check`` bookings: a folder holding that prefix of both files (same line numbers) is
   read by the row importer and evaluated request by request; its result rows must equal the
   rows of the timed run for those requests, its rejected rows the timed run's rejected rows
   on those lines, and the columnar summary of the prefix the row summary. ``--check all``
   runs the row engine on every booking (slow: minutes, several GB).

Exit status 1 on any disagreement, or when the replay exceeds 20 s or 1.5 GB.
"""

from __future__ import annotations

import argparse
import csv
import gc
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from functools import partial
from pathlib import Path
from typing import Any

import polars as pl

from casebycase import load_pack
from casebycase.datasets import ROOT as SHIPPED
from casebycase.replay.bulk import replay_frames
from casebycase.replay.columnar import compile_columnar
from casebycase.replay.importers import load_dataset
from casebycase.replay.run import Scenario, evaluate_rows
from casebycase.replay.summary import results_frame, summarize, summarize_frames
from casebycase.replay.travis import BOOKINGS, CHARGES, FOLDER
from casebycase.replay.travis_frames import TravisFrames

REAL = Path(__file__).resolve().parents[2] / "shared" / "data" / "real" / FOLDER
WALL_LIMIT, MEMORY_LIMIT = 20.0, 1.5e9
SPOIL = 50_000
READ = (
    "import polars as pl, sys\n"
    "for name in sys.argv[1:]:\n"
    "    pl.read_csv(name, infer_schema=False)\n"
)


def source_frames() -> tuple[pl.DataFrame, pl.DataFrame]:
    """The real bookings and charges as text (raw files when present, else shipped)."""
    if (REAL / BOOKINGS).is_file():
        return tuple(
            pl.read_csv(REAL / name, infer_schema=False)  # type: ignore[return-value]
            for name in (BOOKINGS, CHARGES)
        )
    folder = SHIPPED / FOLDER
    return tuple(
        pl.read_parquet(folder / (Path(name).stem + ".parquet")).drop(  # type: ignore[return-value]
            "source_line"
        )
        for name in (BOOKINGS, CHARGES)
    )


def shifted(column: str, days: str) -> pl.Expr:
    """A YYYY-MM-DD text column moved by ``days``; text that is not a date is kept."""
    moved = (
        pl.col(column).str.to_date("%Y-%m-%d", strict=False) + pl.duration(days=pl.col(days))
    ).dt.strftime("%Y-%m-%d")
    return pl.coalesce(moved, pl.col(column)).alias(column)


def scaled(n: int, seed: int) -> tuple[pl.DataFrame, pl.DataFrame]:
    """N bookings and their charge lines, resampled from the real ones (see the module doc)."""
    bookings, charges = source_frames()
    picks = pl.int_range(0, bookings.height, eager=True).sample(n, with_replacement=True, seed=seed)
    shift = pl.int_range(-4 * 365, 12 * 365, eager=True).sample(
        n, with_replacement=True, seed=seed + 1
    )
    new = bookings[picks].with_columns(
        pl.Series("_days", shift), pl.int_range(1, n + 1).alias("_seq")
    )
    plan = new.select(pl.col("booking_seq").alias("_old"), "_seq", "_days")
    lines = (
        charges.with_row_index("_line")
        .join(plan, left_on="booking_seq", right_on="_old", how="inner")
        .sort("_seq", "_line")
        .with_columns(
            shifted("disposition_date", "_days"),
            pl.col("_seq").cast(pl.String).alias("booking_seq"),
        )
    )
    new = new.with_columns(
        shifted("booking_date", "_days"),
        pl.col("_seq").cast(pl.String).alias("booking_seq"),
        (pl.col("_seq") + 500_000).cast(pl.String).alias("person_seq"),
    )
    k = pl.col("_seq")
    new = new.with_columns(
        booking_date=pl.when(k % SPOIL == 1).then(pl.lit("2011-13-45")).otherwise("booking_date"),
        booking_seq=pl.when(k % SPOIL == 2)
        .then(pl.lit("x") + pl.col("booking_seq"))
        .when(k % SPOIL == 3)
        .then((k - 1).cast(pl.String))
        .otherwise("booking_seq"),
    )
    row = pl.int_range(pl.len())
    lines = lines.filter(k % SPOIL != 4).with_columns(
        charge_code=pl.when(row % SPOIL == 5).then(pl.lit(None)).otherwise("charge_code"),
        charge_literal=pl.when(row % SPOIL == 5).then(pl.lit(None)).otherwise("charge_literal"),
        booking_seq=pl.when(row % SPOIL == 6)
        .then((k + 10 * n).cast(pl.String))
        .otherwise("booking_seq"),
    )
    return (new.select(bookings.columns), lines.select(*charges.columns, "_seq"))


def write_folder(folder: Path, bookings: pl.DataFrame, charges: pl.DataFrame) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    bookings.write_csv(folder / BOOKINGS)
    charges.drop("_seq").write_csv(folder / CHARGES)


def prefix(data: Path, out: Path, bookings: int, charges: int) -> None:
    """Copy the first ``bookings`` bookings and the first ``charges`` charge lines (those
    generated for them: the files are written booking by booking)."""
    folder = out / FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    for name, count in ((BOOKINGS, bookings), (CHARGES, charges)):
        with (data / FOLDER / name).open() as src, (folder / name).open("w") as dst:
            for i, line in enumerate(src):
                if i > count:
                    break
                dst.write(line)


LAUNCH = (
    "import os, subprocess, sys, time\n"
    "start = time.perf_counter()\n"
    "proc = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL)\n"
    "_, status, usage = os.wait4(proc.pid, 0)\n"
    "print(time.perf_counter() - start, usage.ru_maxrss, "
    "usage.ru_utime + usage.ru_stime, os.waitstatus_to_exitcode(status))\n"
)
"""Runs a command and prints its wall seconds, peak RSS (KiB), CPU seconds and exit code.
A child's peak RSS counts what it held before exec, a copy of its parent's pages, so the
measured command is started by this small process, not by the benchmark holding a million
rows."""


def child(args: list[str]) -> tuple[float, float, float, str]:
    """Run ``args``; its wall seconds, peak resident bytes, CPU seconds and stderr."""
    done = subprocess.run(
        [sys.executable, "-S", "-c", LAUNCH, *args], capture_output=True, text=True, check=True
    )
    seconds, rss, cpu, code = done.stdout.split()
    if int(code):
        raise SystemExit(f"{' '.join(args)} failed ({code}):\n{done.stderr}")
    return float(seconds), int(rss) * 1024, float(cpu), done.stderr


def timed(fn: Any) -> tuple[Any, float]:
    start = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - start


def check(
    data: Path,
    work: Path,
    bookings: int | None,
    charge_lines: int | None,
    scenario: Scenario,
    full_results: pl.DataFrame,
    full_rejected: list[list[str]],
) -> list[str]:
    """Problems found comparing the row engine with the timed run (and the columnar summary
    of the checked folder with the row summary)."""
    if bookings is None or charge_lines is None:
        folder = data
    else:
        folder = work / "prefix"
        prefix(data, folder, bookings, charge_lines)
    gc.collect()
    ds, row_import = timed(lambda: load_dataset("travis", folder))
    rows, row_eval = timed(lambda: evaluate_rows(ds, [scenario]))
    want = results_frame(rows)
    got = full_results.filter(pl.col("request_id").is_in(want["request_id"].implode()))
    bad: list[str] = []
    if not got.equals(want):
        diff = want.with_row_index().join(got.with_row_index(), on="index", how="full")
        bad.append(
            f"result rows differ from the row engine's ({want.height:,} rows); "
            f"first: {diff.head(3)}"
        )
    last_booking = (bookings or 10**12) + 1
    mine = [
        [w, y]
        for w, y in full_rejected
        if (w.startswith(BOOKINGS) and int(w.rsplit(":", 1)[1]) <= last_booking)
        or (
            w.startswith(CHARGES)
            and (charge_lines is None or int(w.rsplit(":", 1)[1]) <= charge_lines + 1)
        )
    ]
    theirs = [[r.where, r.why] for r in ds.rejected]
    if mine != theirs:
        bad.append(f"rejected rows differ: row engine {len(theirs)}, columnar {len(mine)}")
    result = replay_frames(TravisFrames(folder / FOLDER), [scenario])
    cols = summarize_frames(
        result.dataset,
        [scenario],
        result.results,
        result.actual,
        result.requests,
        result.with_unclassified,
    )
    if cols != summarize(ds, [scenario], rows):
        bad.append("the columnar summary differs from the row summary")
    print(
        f"check     row engine on {len(ds.items):,} requests ({ds.rows_read:,} rows, "
        f"{len(ds.rejected)} rejected): import {row_import:.1f} s, evaluate {row_eval:.1f} s"
        f" -> {len(ds.items) / (row_import + row_eval):,.0f} requests/s"
    )
    return bad


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--check", default="20000", help="bookings to check, or 'all'")
    parser.add_argument("--pack", default="travis-county-so-2017")
    parser.add_argument("--chunk", type=int, default=100_000)
    parser.add_argument("--keep", type=Path, help="write the data folder here and keep it")
    args = parser.parse_args(argv)
    checked = None if args.check == "all" else int(args.check)

    print(
        f"python {platform.python_version()}, polars {pl.__version__}, {platform.machine()}, "
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}"
    )
    with tempfile.TemporaryDirectory(prefix="replay-raw-") as tmp:
        work = Path(tmp)
        data = args.keep or work / "data"
        (bookings, charges), seconds = timed(lambda: scaled(args.n, args.seed))
        write_folder(data / FOLDER, bookings, charges)
        charge_lines = None if checked is None else int((charges["_seq"] <= checked).sum())
        size = sum(f.stat().st_size for f in (data / FOLDER).iterdir())
        print(
            f"generated {bookings.height:,} bookings and {charges.height:,} charge lines "
            f"({size / 1e6:.0f} MB of CSV) in {seconds:.1f} s"
        )
        del bookings, charges
        gc.collect()

        files = [str(data / FOLDER / name) for name in (BOOKINGS, CHARGES)]
        read_s, read_mem, read_cpu, _ = child([sys.executable, "-c", READ, *files])
        out = work / "out"
        cli = [
            str(Path(sys.executable).with_name("casebycase")),
            "replay",
            "travis",
            "--pack",
            args.pack,
            "--data",
            str(data),
            "--out",
            str(out),
            "--engine",
            "columnar",
            "--chunk",
            str(args.chunk),
        ]
        run_s, run_mem, run_cpu, err = child(cli)
        summary = json.loads((out / "summary.json").read_text())
        requests = summary["dataset"]["requests"]
        print(f"replay    {' '.join(['casebycase', *cli[1:]])}\n          {err.strip()}")

        pack = load_pack(args.pack)
        parts, import_s = timed(
            lambda: [c.frame for c in TravisFrames(data / FOLDER, args.chunk).chunks()]
        )
        whole = pl.concat(parts)
        del parts
        columnar = compile_columnar(pack)
        columnar.decide(whole.head(1000))
        _, decide_s = timed(partial(columnar.decide, whole))
        del whole
        gc.collect()

        print(f"\n{'':10}{'wall':>9}{'CPU':>9}{'peak memory':>14}{'requests/s':>13}")
        print(
            f"{'replay':10}{run_s:8.1f}s{run_cpu:8.1f}s{run_mem / 1e9:12.2f}GB"
            f"{requests / run_s:13,.0f}   the whole command (limits {WALL_LIMIT:.0f} s, "
            f"{MEMORY_LIMIT / 1e9} GB)"
        )
        print(
            f"{'read csv':10}{read_s:8.1f}s{read_cpu:8.1f}s{read_mem / 1e9:12.2f}GB{'':13}"
            f"   reference: polars.read_csv of both files, all columns"
        )
        print(
            f"{'import':10}{import_s:8.1f}s{'':9}{'':14}{requests / import_s:13,.0f}"
            f"   columnar importer alone: raw files to request frames"
        )
        print(
            f"{'decide':10}{decide_s:8.1f}s{'':9}{'':14}{requests / decide_s:13,.0f}"
            f"   ColumnarPack.decide alone on the {requests:,}-row frame"
        )
        print(
            f"\nratios    replay / read csv: {run_s / read_s:.1f}x wall, "
            f"{run_cpu / read_cpu:.1f}x CPU, {run_mem / read_mem:.1f}x memory; "
            f"replay / (read csv + decide): {run_s / (read_s + decide_s):.1f}x wall; "
            f"import / read csv: {import_s / read_s:.1f}x wall"
        )

        results = pl.read_parquet(out / "results.parquet")
        with (out / "rejected.csv").open(newline="") as handle:
            rejected = list(csv.reader(handle))[1:]
        bad = check(
            data, work, checked, charge_lines, Scenario(pack, None, pack.id), results, rejected
        )
    failed = bool(bad) or run_s > WALL_LIMIT or run_mem > MEMORY_LIMIT
    for line in bad:
        print(f"DISAGREEMENT: {line}")
    what = "every booking" if checked is None else f"the first {checked:,} bookings"
    print(
        ("FAILED" if failed else "OK") + f": columnar and row engines compared on {what}: "
        f"{len(bad)} disagreements; replay {run_s:.1f} s, {run_mem / 1e9:.2f} GB"
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
