"""Replay benchmark: the columnar path (Polars) against the row evaluator, and their equality.

    .venv/bin/python bench/replay.py [--n 1000000] [--seed 7] [--sample 20000]
                                     [--check all|sample] [--chunk 50000] [--repeat 5]

1. Generates N seeded synthetic requests directly as a Polars request frame
   (``casebycase.replay.columnar.SCHEMA``): every kind, purpose, requester, component,
   document, subject flag, 0-3 offenses with missing or present level and status, missing
   and present booking and release times, received times from 2005 to 2027 with one row in
   ten on or beside a date where a rule, a cited source or an agency entry of the packs
   starts or stops. No Request object is built for this.
2. For each pack (``boone-county-so``, ``travis-county-so-2017``): times
   ``ColumnarPack.decide`` on all N rows (median of ``--repeat`` runs).
3. Turns rows back into :class:`casebycase.Request` objects, ``--chunk`` at a time (not
   timed), times ``casebycase.evaluate`` on them under each pack, and compares outcome,
   deciding rule and the ``rules`` list with the columnar result row by row. ``--check all``
   (default) does this for all N rows, so the row path is timed on all N as well;
   ``--check sample`` only for the first ``--sample`` rows.
4. On the first ``--sample`` rows (at least 20,000): ``frame_of`` of the rebuilt requests
   must equal the generated frame, and both paths must agree under two as-of dates.

Timed sections run with the garbage collector off. Both paths share the pack's memo of
resolved decisions (warm after a few thousand requests either way). Exit status 1 on any
disagreement.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import os
import platform
import random
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any, TypeVar

import polars as pl

from casebycase import Request, evaluate, load_pack
from casebycase.policy.compile import CompiledPack
from casebycase.replay.columnar import (
    OFFENSE,
    SCHEMA,
    compile_columnar,
    frame_of,
    with_offense_facts,
)
from casebycase.request import (
    CATEGORIES,
    COMPONENTS,
    DOCUMENTS,
    KINDS,
    LEVELS,
    OFFENSE_STATUSES,
    PURPOSES,
    REQUESTER_AGENCIES,
)

PACKS = ("boone-county-so", "travis-county-so-2017")
FIRST_DAY = dt.datetime(2005, 1, 1, tzinfo=dt.UTC)
DAYS = (dt.datetime(2028, 1, 1, tzinfo=dt.UTC) - FIRST_DAY).days
ZONE = dt.timezone(dt.timedelta(hours=-6))
AS_OF = (dt.date(2017, 6, 1), dt.date(2026, 1, 15))
RAW = ("_confined", "_booked_at", "_release_at")
"""Generator columns beyond SCHEMA, needed to rebuild the request each row came from."""

T = TypeVar("T")


class Draw:
    """Seeded draws of whole columns (each draw its own seed, derived from the base seed)."""

    def __init__(self, n: int, seed: int) -> None:
        self.n, self.seed, self.k = n, seed, 0

    def pick(self, values: list[Any], dtype: pl.DataType | None = None) -> pl.Series:
        self.k += 1
        return pl.Series(values, dtype=dtype).sample(
            self.n, with_replacement=True, seed=self.seed * 7919 + self.k
        )

    def below(self, m: int) -> pl.Series:
        """Uniform integers in [0, m)."""
        self.k += 1
        return pl.int_range(0, m, eager=True).sample(
            self.n, with_replacement=True, seed=self.seed * 7919 + self.k
        )

    def chance(self, p: float) -> pl.Series:
        return self.below(1000) < int(p * 1000)


def boundaries(packs: list[CompiledPack]) -> list[float]:
    """Every instant at which a rule (its own dates or a cited source's) or agency entry
    starts or stops, in the packs' zones."""
    out: set[float] = set()
    for pack in packs:
        for rd in pack.rules:
            out |= {pack.pack.instant(d, 0.0) for d in (rd.start, rd.end) if d is not None}
        for d in (*pack.pack.profile.programs, *pack.pack.profile.agreements):
            out |= {x for x in (d.start, d.end) if abs(x) != float("inf")}
    return sorted(out)


def document_lists(rng: random.Random, k: int) -> pl.Series:
    """``k`` random document lists (0 to 5 papers, in the request format's order)."""
    lists = []
    for _ in range(k):
        size = rng.choice([0, 0, 0, 1, 1, 1, 2, 2, 3, 5])
        chosen = set(rng.sample(DOCUMENTS, size))
        lists.append([d for d in DOCUMENTS if d in chosen])
    return pl.Series("documents", lists, SCHEMA["documents"])


def offense_lists(rng: random.Random, k: int) -> pl.DataFrame:
    """``k`` random offense lists (0 to 3 offenses; level and status may be missing), with
    their sets and counts derived by ``with_offense_facts``."""
    lists = [
        [
            {
                "category": rng.choice(CATEGORIES),
                "level": rng.choice([*LEVELS, None]),
                "status": rng.choice([*OFFENSE_STATUSES, None]),
            }
            for _ in range(rng.choice([0, 0, 1, 1, 1, 2, 3]))
        ]
        for _ in range(k)
    ]
    return with_offense_facts(
        pl.DataFrame({"offenses": lists}, schema={"offenses": pl.List(OFFENSE)})
    )


def synthetic_frame(n: int, seed: int, edges: list[float]) -> pl.DataFrame:
    """N synthetic requests as a request frame (plus the generator's raw columns).

    Scalar columns are drawn row by row; documents and offenses are drawn from tables of
    4,096 and 8,192 random lists (building a million Polars lists row by row is slow).
    """
    draw = Draw(n, seed)
    rng = random.Random(seed)
    base = FIRST_DAY.timestamp()
    uniform = base + draw.below(DAYS) * 86_400 + draw.below(86_400)
    near = draw.pick(edges, pl.Float64()) + draw.pick([0, -1, 1, -3600, 3600, -86_400])
    ts = pl.select(
        pl.when(draw.chance(0.1)).then(near).otherwise(uniform).cast(pl.Float64)
    ).to_series()
    hours = [-48, 0, 24, 47, 48, 49, 72, 200]
    booked_back = pl.select(
        pl.when(draw.chance(0.3))
        .then(draw.pick(hours) * 3600)
        .otherwise(draw.below(300 * 3600) - 48 * 3600)
    ).to_series()
    release_ahead = pl.select(
        pl.when(draw.chance(0.3))
        .then(draw.pick(hours) * 3600)
        .otherwise(draw.below(240 * 3600) - 24 * 3600)
    ).to_series()
    documents = document_lists(rng, 4096)
    offenses = offense_lists(rng, 8192)
    columns: dict[str, Any] = {
        "index": pl.int_range(0, n, eager=True, dtype=pl.Int64),
        "timestamp": ts,
        "kind": draw.pick(list(KINDS), SCHEMA["kind"]),
        "purpose": draw.pick(list(PURPOSES), SCHEMA["purpose"]),
        "requester_agency": draw.pick(list(REQUESTER_AGENCIES), SCHEMA["requester_agency"]),
        "requester_component": draw.pick(
            [*COMPONENTS, "none", "none"], SCHEMA["requester_component"]
        ),
        "documents": documents.gather(draw.below(documents.len())),
        "judicial_warrant": draw.chance(0.2),
        "in_custody": draw.chance(0.6),
        "charged": draw.chance(0.5),
        "status_established": draw.chance(0.2),
        "unlawfully_present": draw.chance(0.3),
        "juvenile": draw.chance(0.05),
        "victim_or_witness": draw.chance(0.1),
        "_confined": pl.select(pl.when(draw.chance(0.4)).then(draw.chance(0.5))).to_series(),
        "_booked_at": pl.select(pl.when(draw.chance(0.6)).then(ts - booked_back)).to_series(),
        "_release_at": pl.select(pl.when(draw.chance(0.6)).then(ts + release_ahead)).to_series(),
        # a column, not a literal: Polars divides by a scalar through its reciprocal, which
        # can differ in the last bit from the division the row path does
        "_hour": pl.repeat(3600.0, n, eager=True),
    }
    frame = (
        pl.DataFrame(columns)
        .hstack(offenses[draw.below(offenses.height)])
        .with_columns(
            id=pl.format("b{}", pl.col("index")),
            confined=pl.coalesce("_confined", "in_custody"),
            booked=pl.col("_booked_at").is_not_null(),
            hours_until_release=(pl.col("_release_at") - pl.col("timestamp")) / pl.col("_hour"),
            hours_since_booking=(pl.col("timestamp") - pl.col("_booked_at")) / pl.col("_hour"),
        )
    )
    return frame.select([*SCHEMA, *RAW])


def to_request(row: dict[str, Any]) -> Request:
    """The request a frame row stands for."""
    subject: dict[str, Any] = {
        name: row[name]
        for name in (
            "in_custody",
            "charged",
            "status_established",
            "unlawfully_present",
            "juvenile",
            "victim_or_witness",
        )
    }
    if row["_confined"] is not None:
        subject["confined"] = row["_confined"]
    for key in ("booked_at", "release_at"):
        if row[f"_{key}"] is not None:
            subject[key] = dt.datetime.fromtimestamp(row[f"_{key}"], ZONE)
    requester: dict[str, Any] = {"agency": row["requester_agency"]}
    if row["requester_component"] != "none":
        requester["component"] = row["requester_component"]
    return Request.model_validate(
        {
            "id": row["id"],
            "agency": "bench",
            "received_at": dt.datetime.fromtimestamp(row["timestamp"], ZONE),
            "requester": requester,
            "kind": row["kind"],
            "purpose": row["purpose"],
            "documents": row["documents"],
            "judicial_warrant": row["judicial_warrant"],
            "subject": subject,
            "offenses": [{k: v for k, v in o.items() if v is not None} for o in row["offenses"]],
        }
    )


def requests_of(frame: pl.DataFrame) -> list[Request]:
    return [to_request(row) for row in frame.iter_rows(named=True)]


def timed(fn: Callable[[], T]) -> tuple[T, float]:
    """``fn()`` and its wall time in seconds, with the garbage collector off meanwhile."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        start = time.perf_counter()
        out = fn()
        return out, time.perf_counter() - start
    finally:
        if enabled:
            gc.enable()


Result = tuple[int, str | None, str, str, list[str]]


def row_path(
    pack: CompiledPack, requests: list[Request], at: dt.date | None = None
) -> list[Result]:
    """The row evaluator's (index, id, outcome, deciding, rules) for each request."""
    out: list[Result] = []
    for i, r in enumerate(requests):
        rec = evaluate(r, pack, at=at)
        d = rec.decision
        out.append((i, r.id, d.outcome, d.deciding, list(d.rules)))
    return out


def disagreements(want: list[Result], got: pl.DataFrame, offset: int = 0) -> list[str]:
    """Rows where the columnar result differs (row indices shifted by ``offset``)."""
    bad = []
    for w, g in zip(want, got.iter_rows(), strict=True):
        if (w[0] + offset, *w[1:]) != g:
            bad.append(f"row {g[0]}: row path {w[2:]}, columnar {g[2:]}")
    return bad


@dataclass
class Report:
    """What one pack's runs measured and found."""

    pack: CompiledPack
    columnar_runs: list[float] = field(default_factory=list)
    patterns: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)
    row_seconds: float = 0.0
    row_count: int = 0
    bad: list[str] = field(default_factory=list)
    bad_as_of: list[str] = field(default_factory=list)


def run_columnar(report: Report, frame: pl.DataFrame, repeat: int) -> pl.DataFrame:
    """Time ``decide`` on the whole frame ``repeat`` times; the last result."""
    columnar = compile_columnar(report.pack)
    result = pl.DataFrame()
    for _ in range(repeat):
        result, seconds = timed(lambda: columnar.decide(frame))
        report.columnar_runs.append(seconds)
    report.patterns = columnar.fired_columns(frame).n_unique()
    report.outcomes = dict(result.group_by("outcome").len().sort("outcome").iter_rows())
    return result


def run_rows(
    reports: list[Report], results: list[pl.DataFrame], frame: pl.DataFrame, rows: int, chunk: int
) -> float:
    """Build the first ``rows`` requests chunk by chunk (untimed), time the row evaluator on
    them under each pack, and compare with the columnar results; the conversion time."""
    convert = 0.0
    for lo in range(0, rows, chunk):
        gc.collect()
        part = frame.slice(lo, min(chunk, rows - lo))
        requests, seconds = timed(partial(requests_of, part))
        convert += seconds
        for report, result in zip(reports, results, strict=True):
            want, seconds = timed(partial(row_path, report.pack, requests))
            report.row_seconds += seconds
            report.row_count += len(requests)
            report.bad += disagreements(want, result.slice(lo, len(requests)), offset=lo)
    return convert


def run_sample(reports: list[Report], sample: pl.DataFrame) -> bool:
    """On the sample: the frame is what ``frame_of`` makes of its requests, and both paths
    agree under each as-of date. Whether the frame round-trips."""
    requests = requests_of(sample)
    faithful = frame_of(requests).equals(sample.select(list(SCHEMA)))
    for report in reports:
        columnar = compile_columnar(report.pack)
        for at in AS_OF:
            got = columnar.decide(sample, at=at)
            report.bad_as_of += [
                f"as of {at}: {b}" for b in disagreements(row_path(report.pack, requests, at), got)
            ]
    return faithful


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--sample", type=int, default=20_000)
    parser.add_argument("--check", choices=("all", "sample"), default="all")
    parser.add_argument("--chunk", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)

    print(
        f"python {platform.python_version()}, polars {pl.__version__}, "
        f"{platform.machine()}, {os.cpu_count()} CPUs, {pl.thread_pool_size()} polars threads"
    )
    reports = [Report(load_pack(p)) for p in PACKS]
    edges = boundaries([r.pack for r in reports])
    frame, seconds = timed(lambda: synthetic_frame(args.n, args.seed, edges))
    n = frame.height
    print(
        f"generated {n:,} requests as a Polars frame in {seconds:.1f} s (seed {args.seed}; "
        f"{frame.select(list(SCHEMA)).estimated_size() / 1e6:.0f} MB)"
    )

    results = [run_columnar(r, frame, args.repeat) for r in reports]
    rows = n if args.check == "all" else min(args.sample, n)
    start = time.perf_counter()
    convert = run_rows(reports, results, frame, rows, args.chunk)
    seconds = time.perf_counter() - start
    sample = frame.head(min(max(args.sample, 20_000), n))
    faithful = run_sample(reports, sample)

    print(
        f"row path: {rows:,} frame rows turned into Request objects in {convert:.1f} s "
        f"(not timed below); row-path check took {seconds:.1f} s in all"
    )
    failed = not faithful
    for r in reports:
        col_seconds = statistics.median(r.columnar_runs)
        col_rate = n / col_seconds
        row_rate = r.row_count / r.row_seconds
        runs = ", ".join(f"{s:.3f}" for s in r.columnar_runs)
        print(
            f"\n{r.pack.id}: {len(r.pack.rules)} rules, {r.patterns:,} distinct fired "
            f"patterns; outcomes {r.outcomes}"
        )
        print(
            f"  columnar  decide on {n:,} rows: {col_seconds:.3f} s (median of runs {runs})"
            f"  -> {col_rate:,.0f} requests/s"
        )
        print(
            f"  row path  evaluate on {r.row_count:,} requests: {r.row_seconds:.2f} s"
            f"  -> {row_rate:,.0f} requests/s"
        )
        print(f"  ratio     columnar / row throughput: {col_rate / row_rate:,.1f}x")
        print(
            f"  equal     outcome, deciding rule and rules compared on {r.row_count:,} rows: "
            f"{len(r.bad)} disagreements; on the first {sample.height:,} rows as of "
            f"{AS_OF[0]} and {AS_OF[1]}: {len(r.bad_as_of)} disagreements"
        )
        for line in [*r.bad, *r.bad_as_of][:5]:
            print(f"    {line}")
        failed |= bool(r.bad or r.bad_as_of)
    print(
        f"\nframe_of(requests) == generated frame on the first {sample.height:,} rows: {faithful}"
    )
    print("DISAGREEMENT" if failed else "OK: both paths agree on every compared row")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
