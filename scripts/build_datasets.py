"""Rebuild the shipped data sets (src/casebycase/datasets) from the raw files.

    .venv/bin/python scripts/build_datasets.py [--raw ../shared/data/real] [--out DIR]

Each raw CSV file an importer reads becomes one Parquet file (Polars, zstd) with the same
stem: the rows as the importers' CSV reader yields them, only the columns they use, every
value as text, and ``source_line``, the record's line in the raw file (rejected rows and
request ids cite it). ``manifest.json`` records the provenance and the sha256 of every raw
and shipped file. The output depends only on the raw files: the same input gives the same
frames (and, with the same Polars version, the same bytes).
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from casebycase.datasets import LINE, ROOT, shipped_name
from casebycase.replay import agencies, boone, ddp, pa, travis
from casebycase.replay.dataset import NATIONAL_ORIGIN_COLUMNS, read_csv

SCRIPT = "scripts/build_datasets.py"
RAW = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "real"
ZSTD_LEVEL = 19
ALL = ("*",)
"""Keep every named column (count tables)."""

LISTS = ("STATE", "LAW ENFORCEMENT AGENCY", "TYPE", "COUNTY", "SUPPORT TYPE", "SIGNED")
PENDING = ("STATE", "LAW ENFORCEMENT AGENCY", "COUNTY", "SUPPORT TYPE")
READ = (
    "Each raw CSV file read with the importers' reader (UTF-8, byte-order mark and spaces "
    "around column names stripped, empty records skipped, short records padded); rows kept "
    "in file order, none dropped; values kept as text, unchanged; column source_line added "
    "(the record's first line in the raw file); written as Parquet (Polars, zstd)."
)
LIST_BASIS = (
    "ICE's own 287(g) participating and pending agency lists, published at "
    "https://www.ice.gov/identify-and-arrest/287g (U.S. federal government works)."
)


@dataclass(frozen=True)
class Spec:
    """One data set: its raw folder, provenance, and the columns kept per raw file."""

    name: str
    title: str
    aliases: tuple[str, ...]
    used_by: tuple[str, ...]
    source: str
    snapshot: str
    retrieved: str
    basis: str
    license: str
    files: dict[str, tuple[str, ...]]
    note: str


SPECS = (
    Spec(
        "travis-county-tx-ice-detainers",
        "Travis County, TX: jail bookings with an ICE detainer and their charges, 1991-2016",
        ("travis",),
        ("replay travis",),
        "https://github.com/statesman/ice-travis-county",
        "commit 62fec51148bdedde06b31438153f1681309bde38 (2016-10-13); workbook "
        "raw_data/ICE - Detainer Added.xlsx from 64bf8f28a7c8b503a8ef2ae6dae4677ae5eddac1",
        "2016-10-13",
        "Sheriff's report 'In Custody Inmates with an INS Detainer added' (generated "
        "2016-10-04), released under the Texas Public Information Act.",
        "none stated; public-records data",
        {
            travis.BOOKINGS: travis.BOOKING_KEEP,
            travis.CHARGES: (
                "booking_seq",
                "charge_code",
                "charge_literal",
                "level",
                "disposition_date",
                "disposition_type",
            ),
        },
        "The raw tables were converted from the report layout and de-identified (names and "
        "booking numbers replaced by sequence numbers) before this step. Race, sex, place "
        "of birth and the sentence text are not shipped.",
    ),
    Spec(
        "eads-pa-detainers",
        "Pennsylvania: ICE detainers issued to PA facilities, 2007-2015",
        ("pa",),
        ("replay pa",),
        "https://github.com/eads/geocode-pa-detainers",
        "commit bbd824aadcddee2cece66fe8bf69e9e1aa717ed2 (2016-06-04); data file from "
        "ecc87ce3bda4eb3d7bc5cfa9cb943eb319d405d2",
        "2016-06-04",
        "ICE I-247 detainer records FY2008-FY2015 obtained under the Freedom of Information "
        "Act (the NPR release), filtered to Pennsylvania by the repository.",
        "none stated; FOIA release of federal records",
        {pa.FILE: pa.KEEP},
        "Every column of the file is kept (it holds no person).",
    ),
    Spec(
        "ddp-detainers-mn-sample",
        "Minnesota: I-247A detainers declined by MCF-St. Cloud, 2026, and MN detainer "
        "counts (Deportation Data Project records)",
        ("mn-sample",),
        ("replay mn-sample",),
        "https://github.com/alyssc/mn-deportation-data",
        "commit 37abc581144c7fde8f166631f8e3db83071a9062 (2026-06-22); files from "
        "772e6b2243323c94cb503c2f07571a9f5e1b667a",
        "2026-06-22",
        "ICE ERO-LESA detainer records released under the Freedom of Information Act to the "
        "Deportation Data Project (2026-ICLI-00005_Detainers_FY26_20260311_Redacted.xlsx).",
        "none stated; the underlying DDP data are described as CC0 by a third party "
        "(to verify before redistribution)",
        {ddp.FILE: ddp.KEEP, **dict.fromkeys(ddp.AGGREGATES, ALL)},
        "st_cloud_denied: only the columns the importer maps or keeps; gender, birth year, "
        "citizenship and birth country, and the other record fields are not shipped. Count "
        "tables: every named column (the unnamed row index is dropped).",
    ),
    Spec(
        "boone-county-mo-jail-roster",
        "Boone County, MO: jail roster of 2023-04-25 (one row per charge or hold)",
        ("boone-roster",),
        ("replay boone-roster",),
        "https://github.com/MizzouDataJournalism/bc-jail-data",
        "commit caecb716737bdfedeb393c82d94653b59b8b22b4 (2025-03-06); data/detainees.xlsx "
        "from 469c159d696c3488851a7c989e7dbebb19b01b93 (2023-04-25)",
        "2025-03-06",
        "Public Boone County Sheriff web report of current detainees (report.boonecountymo.org).",
        "none stated; public-records data",
        {boone.FILE: boone.KEEP},
        "The raw roster was de-identified (names and case numbers replaced by a sequence "
        "number) before this step. Sex, race, city and state of residence and court time "
        "are not shipped; the 07:00 booking report is not used and not shipped.",
    ),
    Spec(
        "ice-287g-sheets-relevantresearch",
        "ICE 287(g) participating and pending agency lists, 2021-Q1 to 2026-05-18",
        (),
        ("agencies",),
        "https://github.com/RelevantResearch/287g-DetentionData",
        "commit 4f9d1c35b402db277e61c03bc85f8230713c4f3b (2026-05-18); extracted 2026-11-27",
        "2026-11-27",
        LIST_BASIS,
        "none stated in the repository; the ICE lists are U.S. government works",
        {
            agencies.PARTICIPATING[0][1]: ("snapshot_date", *LISTS),
            agencies.PARTICIPATING[1][1]: ("snapshot_date", *LISTS),
            agencies.PENDING[0][1]: ("snapshot_date", *PENDING),
        },
        "Only the list date and the columns the agency directory reads; MOA links, "
        "addenda and source file names are not shipped.",
    ),
    Spec(
        "ice-287g-sheets-appelson",
        "ICE 287(g) participating and pending agency sheets, 2025-05-15 to 2025-07-18",
        (),
        ("agencies",),
        "https://github.com/appelson/Tracking_287g",
        "commit 1946c799ae59af836cbc5b0b5c063237546f9a86 (2025-07-19)",
        "2025-07-19",
        LIST_BASIS,
        "MIT (repository); the ICE lists are U.S. government works",
        {
            agencies.PARTICIPATING[2][1]: ("ice_file_date", *LISTS),
            agencies.PENDING[1][1]: ("ice_file_date", *PENDING),
        },
        "Only the stacked long files the agency directory reads, with the list date and the "
        "columns it uses; the latest-sheet copies and workbooks are not shipped.",
    ),
    Spec(
        "ice-287g-recoveredfactory",
        "287(g) agreements joined to FBI ORIs, and the FBI law-enforcement employees roster",
        (),
        ("agencies",),
        "https://github.com/recoveredfactory/287g-watch",
        "commit 0517b8110c2a9bfecd28fb988ada93e4f1c14816 (2026-08-01)",
        "2026-08-01",
        "FBI Crime Data Explorer Law Enforcement Employees data (U.S. government work); "
        "agreements derived from ICE's 287(g) sheets joined to the 2018 Census of State and "
        "Local Law Enforcement Agencies.",
        "MIT (repository); FBI and ICE data are U.S. government works",
        {
            agencies.FBI_ROSTER: (
                "ori",
                "pub_agency_name",
                "state_abbr",
                "county_name",
                "agency_type_name",
                "population",
                "officer_ct",
            ),
            agencies.JOINED: ("state", "agency", "ori"),
        },
        "Only the columns the agency directory uses to match agencies to the FBI roster.",
    ),
)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def frame(path: Path, keep: tuple[str, ...]) -> tuple[pl.DataFrame, list[str]]:
    """The rows of ``path`` as the importers read them, ``keep`` columns: frame, dropped."""
    lines: list[int] = []
    rows: list[dict[str, str]] = []
    for line, row in read_csv(path):
        lines.append(line)
        rows.append(row)
    with path.open(encoding="utf-8-sig", newline="") as handle:
        header = [h.strip() for h in next(csv.reader(handle))]
    named = [h for h in header if h]
    columns = named if keep == ALL else list(keep)
    missing = [c for c in columns if rows and c not in rows[0]]
    if missing:
        raise SystemExit(f"{path}: columns {missing} not found (the raw file changed?)")
    bad = [c for c in columns if c.lower() in NATIONAL_ORIGIN_COLUMNS]
    if bad:
        raise SystemExit(f"{path}: refusing to ship national-origin columns {bad}")
    data: dict[str, Any] = {LINE: pl.Series(LINE, lines, dtype=pl.Int32)}
    for c in columns:
        data[c] = pl.Series(c, [r.get(c, "") for r in rows], dtype=pl.String)
    dropped = [h for h in header if h not in columns]
    return pl.DataFrame(data), dropped


def build_set(spec: Spec, raw: Path, out: Path) -> dict[str, Any]:
    """Write the shipped files of ``spec`` under ``out``; its manifest entry."""
    folder = raw / spec.name
    target = out / spec.name
    target.mkdir(parents=True, exist_ok=True)
    raws: list[dict[str, Any]] = []
    shipped: list[dict[str, Any]] = []
    for name, keep in spec.files.items():
        path = folder / name
        if not path.is_file():
            raise SystemExit(f"{path}: raw file not found (pass --raw DIR)")
        table, dropped = frame(path, keep)
        dest = target / shipped_name(name)
        table.write_parquet(
            dest, compression="zstd", compression_level=ZSTD_LEVEL, statistics=False
        )
        raws.append({"file": name, "sha256": sha256(path), "bytes": path.stat().st_size})
        shipped.append(
            {
                "file": dest.name,
                "source": name,
                "sha256": sha256(dest),
                "bytes": dest.stat().st_size,
                "rows": table.height,
                "columns": table.columns,
                "dropped": dropped,
            }
        )
    return {
        "name": spec.name,
        "title": spec.title,
        "aliases": list(spec.aliases),
        "used_by": list(spec.used_by),
        "source": spec.source,
        "snapshot": spec.snapshot,
        "retrieved": spec.retrieved,
        "basis": spec.basis,
        "license": spec.license,
        "transformation": f"{READ} {spec.note}",
        "script": SCRIPT,
        "raw": raws,
        "shipped": shipped,
    }


def build(raw: Path, out: Path) -> Path:
    """Rebuild every shipped set from ``raw`` into ``out``; the manifest written."""
    sets = [build_set(spec, raw, out) for spec in SPECS]
    manifest = out / "manifest.json"
    manifest.write_text(
        json.dumps({"sets": sets}, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    return manifest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--raw", type=Path, default=RAW, help="the raw data folder")
    parser.add_argument("--out", type=Path, default=ROOT, help="where to write the sets")
    args = parser.parse_args(argv)
    manifest = build(args.raw, args.out)
    total = 0
    for s in json.loads(manifest.read_text(encoding="utf-8"))["sets"]:
        size = sum(f["bytes"] for f in s["shipped"])
        raw_size = sum(f["bytes"] for f in s["raw"])
        total += size
        print(f"{s['name']}: {size / 1024:,.0f} KiB shipped (raw {raw_size / 1024:,.0f} KiB)")
    print(f"total: {total / 1024:,.0f} KiB; manifest {manifest}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
