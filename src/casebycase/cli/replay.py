"""Commands over real data: replay (a data set under packs) and agencies (287(g) directory)."""

from __future__ import annotations

import datetime as dt
import os
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from casebycase.cli.shell import app, err, out, plain_line, print_json, registry
from casebycase.cli.shell import errors as _errors

if TYPE_CHECKING:
    from casebycase.replay.agencies import Agency, Directory
    from casebycase.replay.bulk import Stream
    from casebycase.replay.run import Scenario

DATA_ENV = "CASEBYCASE_DATA_DIR"
DATASET_NAMES = ("travis", "pa", "mn-sample", "boone-roster")
"""``replay.importers.DATASETS``, named here so that help needs no Polars (a test checks)."""
ENGINE_NAMES = ("row", "columnar")

DataOption = Annotated[
    Path | None,
    typer.Option(
        "--data",
        metavar="DIR",
        help=f"Folder of raw data sets, one folder per set (default: ${DATA_ENV}, "
        "else the data shipped with casebycase: see `casebycase data list`).",
    ),
]


def _data_dir(data: Path | None) -> Path:
    from casebycase.datasets import ROOT as SHIPPED

    if data is not None:
        return data
    env = os.environ.get(DATA_ENV)
    return Path(env) if env else SHIPPED


def _date(text: str | None, option: str) -> dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        err.print(f"error: {option} {text!r} is not a date (write it as YYYY-MM-DD)")
        raise typer.Exit(2) from None


@app.command("replay")
def replay_cmd(
    dataset: Annotated[
        str, typer.Argument(metavar="DATASET", help=f"Data set: {', '.join(DATASET_NAMES)}")
    ],
    pack: Annotated[
        list[str],
        typer.Option(
            "--pack",
            "-p",
            metavar="PACK[@DATE]",
            help="Pack id, or PACK@YYYY-MM-DD for the rules in force that day; repeat for several.",
        ),
    ],
    out_dir: Annotated[Path, typer.Option("--out", metavar="DIR", help="Folder for the results.")],
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            metavar="DATE",
            help="Apply the rules in force on this date (YYYY-MM-DD) to every request "
            "(default: each request's own date).",
        ),
    ] = None,
    data: DataOption = None,
    engine: Annotated[
        str,
        typer.Option(
            "--engine",
            metavar="ENGINE",
            help="columnar (Polars, raw files read in chunks straight into frames; default) or "
            "row (one request object at a time, the reference); both give the same "
            "results.",
        ),
    ] = "columnar",
    chunk: Annotated[
        int,
        typer.Option(
            "--chunk", min=1, metavar="N", help="Records read at a time by the columnar engine."
        ),
    ] = 100_000,  # travis_frames.CHUNK
) -> None:
    """Evaluate every request of a real data set under each pack; write and print a summary."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    from casebycase.replay.bulk import open_stream
    from casebycase.replay.importers import find_folder, load_dataset, unreadable
    from casebycase.replay.run import ENGINES, replay, scenario
    from casebycase.replay.summary import markdown, summarize, write

    if engine not in ENGINES:
        err.print(f"error: --engine: '{engine}' is not an engine (use columnar or row)")
        raise typer.Exit(2)
    day = _date(as_of, "--as-of")
    with _errors():
        try:
            scenarios = [scenario(spec, day, registry()) for spec in pack]
        except ValueError as exc:
            err.print(f"error: --pack: {exc} (write PACK or PACK@YYYY-MM-DD)")
            raise typer.Exit(2) from None
        folder = find_folder(dataset, _data_dir(data))
        stream = open_stream(dataset, folder, chunk) if engine == "columnar" else None
        if stream is not None:
            try:
                _replay_stream(stream, scenarios, out_dir)
            except OSError as exc:
                raise unreadable(exc, folder) from None
            return
        with err.status(f"importing {dataset}"):
            ds = load_dataset(dataset, _data_dir(data))
    reasons = ", ".join(f"{why} ({n})" for why, n in ds.reasons().most_common(3))
    err.print(
        f"{ds.id}: {ds.rows_read:,} rows read, {len(ds.items):,} requests, "
        f"{len(ds.rejected):,} rejected" + (f": {reasons}" if reasons else ""),
        markup=False,
    )
    total = len(ds.items) * len(scenarios)
    start = time.perf_counter()
    with Progress(
        TextColumn("replaying"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    ) as bar:
        task = bar.add_task("replay", total=total)
        rows = replay(ds, scenarios, ENGINES[engine], progress=lambda n: bar.advance(task, n))
    seconds = time.perf_counter() - start
    summary = summarize(ds, scenarios, rows, seconds)
    paths = write(out_dir, ds, rows, summary)
    out.print(markdown(summary), markup=False, highlight=False)
    out.print("Written: " + ", ".join(str(p) for p in paths.values()), markup=False)


def _replay_stream(stream: Stream, scenarios: list[Scenario], out_dir: Path) -> None:
    """Replay from raw files with the columnar importer, a progress bar over the chunks."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    from casebycase.replay.bulk import replay_frames
    from casebycase.replay.summary import markdown, summarize_frames, write

    start = time.perf_counter()
    totals = stream.totals()
    with Progress(
        TextColumn("{task.description:<9}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    ) as bar:
        tasks = {
            stage: bar.add_task(stage if stage == "charges" else "replaying", total=total)
            for stage, total in totals.items()
        }
        result = replay_frames(
            stream, scenarios, progress=lambda stage, n: bar.advance(tasks[stage], n)
        )
    seconds = time.perf_counter() - start
    ds = result.dataset
    reasons = ", ".join(f"{why} ({n})" for why, n in ds.reasons().most_common(3))
    err.print(
        f"{ds.id}: {ds.rows_read:,} rows read, {result.requests:,} requests, "
        f"{len(ds.rejected):,} rejected" + (f": {reasons}" if reasons else ""),
        markup=False,
    )
    summary = summarize_frames(
        ds,
        scenarios,
        result.results,
        result.actual,
        result.requests,
        result.with_unclassified,
        seconds,
    )
    paths = write(out_dir, ds, result.results, summary)
    out.print(markdown(summary), markup=False, highlight=False)
    out.print("Written: " + ", ".join(str(p) for p in paths.values()), markup=False)


@app.command("agencies")
def agencies_cmd(
    state: Annotated[
        str, typer.Option("--state", metavar="STATE", help="Two-letter state code.")
    ] = "MO",
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    data: DataOption = None,
) -> None:
    """Agencies on ICE's 287(g) lists: agreements (JEM/TFM/WSO), since when, FBI roster type.

    On a terminal a table; piped, tab-separated lines (a header first); then the totals."""
    from casebycase.replay.agencies import STATES, build_directory

    if state.upper() not in STATES:
        err.print(f"error: unknown state code {state!r} (use a two-letter code such as MO)")
        raise typer.Exit(2)
    folder = _data_dir(data)
    directory = build_directory(folder, state)
    if not directory.files:
        err.print(
            f"error: no 287(g) lists found under {folder} (pass --data DIR or set {DATA_ENV})"
        )
        raise typer.Exit(2)
    if as_json:
        print_json(directory.to_dict())
        return
    if not out.is_terminal:  # piped: one tab-separated line per agency, names never cut
        _print_plain(directory.agencies)
        out.print()
    else:
        _print_table(directory)
    for line in _totals(directory.agencies, directory.newest):
        out.print(line, markup=False)
    out.print("Spelling and format quirks handled:", markup=False)
    for quirk, n in directory.quirks.most_common():
        out.print(f"  - {quirk}: {n}", markup=False)


def _print_table(directory: Directory) -> None:
    from rich.table import Table

    from casebycase.replay.agencies import STATES

    table = Table(
        title=f"287(g) agreements, {STATES[directory.state].title()} "
        f"(newest ICE list {directory.newest})"
    )
    for col in ("agency", "county", "JEM", "TFM", "WSO", "FBI roster"):
        table.add_column(col, overflow="fold")
    for a in directory.agencies:
        fbi = f"{a.fbi.type} {a.fbi.ori}" if a.fbi else "not found"
        table.add_row(a.name, a.county, *(_cell(a, m) for m in ("JEM", "TFM", "WSO")), fbi)
    out.print(table)


def _print_plain(agencies: list[Agency]) -> None:
    columns = ["agency", "county", "JEM", "TFM", "WSO", "FBI roster"]
    plain_line("\t".join(columns))
    for a in agencies:
        fbi = f"{a.fbi.type} {a.fbi.ori}" if a.fbi else "not found"
        cells = [a.name, a.county, *(_cell(a, m, plain=True) for m in ("JEM", "TFM", "WSO")), fbi]
        plain_line("\t".join(c or "" for c in cells))


def _cell(a: Agency, model: str, plain: bool = False) -> str:
    ag = a.agreements.get(model)
    pending = a.pending.get(model)
    if ag is None:
        return f"pending {pending[0]}..{pending[1]}" if pending else ""
    text = f"signed {ag.signed or '?'}, listed {ag.first_seen}"
    if not ag.current:
        dropped = f"(dropped after {ag.last_seen})"
        text += f" {dropped}" if plain else f" [dim]{dropped}[/dim]"
    return text


def _totals(agencies: list[Agency], newest: dt.date | None) -> list[str]:
    current = {
        m: sum(1 for a in agencies if a.agreements.get(m) and a.agreements[m].current)
        for m in ("JEM", "TFM", "WSO")
    }
    dropped = sum(1 for a in agencies for g in a.agreements.values() if not g.current)
    holding = sum(1 for a in agencies if any(g.current for g in a.agreements.values()))
    matched = sum(1 for a in agencies if a.fbi)
    return [
        f"{len(agencies)} agencies seen on the lists; {holding} hold at least one agreement "
        f"on the newest list ({newest}): "
        + ", ".join(f"{m} {n}" for m, n in current.items())
        + f"; {dropped} agreements listed earlier are no longer listed.",
        f"FBI roster matched for {matched} of {len(agencies)} agencies.",
    ]
