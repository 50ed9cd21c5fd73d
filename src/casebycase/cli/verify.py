"""Commands that read a whole pack at once: verify (what can go wrong) and diff (what changed)."""

from __future__ import annotations

import datetime as dt
import json
import time
from typing import TYPE_CHECKING, Annotated, Any

import typer

from casebycase.cli.shell import app, out, print_json
from casebycase.cli.shell import errors as _errors
from casebycase.errors import CaseByCaseError, Problem

if TYPE_CHECKING:
    from casebycase.policy.diff import Change, Comparison
    from casebycase.policy.verify import Verification

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON.")]
TITLES = {
    "gap": "gap",
    "conflict": "conflict",
    "dead_rule": "dead rule",
    "overridden_everywhere": "overridden everywhere",
    "restricts_status_communication": "restricts status communication",
}


@app.command("verify")
def verify_cmd(
    packs: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="PACK...", help="Pack ids, folders or files (default: every bundled pack)"
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Check packs over every request they can tell apart: gaps, conflicts, dead rules, rules
    overridden everywhere, rules that would restrict status communication (exit 1 if any)."""
    from casebycase.policy.load import bundled_ids
    from casebycase.policy.verify import verify

    reports: list[tuple[Verification, float]] = []
    for pack in packs or bundled_ids():
        start = time.perf_counter()
        with _errors():
            report = verify(pack)
        reports.append((report, time.perf_counter() - start))
    if as_json:
        print_json([r.to_dict() for r, _ in reports])
    else:
        for report, seconds in reports:
            _print_verification(report, seconds)
    if any(not r.clean for r, _ in reports):
        raise typer.Exit(1)


def _print_verification(r: Verification, seconds: float) -> None:
    cells, combos = sum(r.cells.values()), sum(r.combinations.values())
    head = "[green]clean[/green]" if r.clean else f"[red]{len(r.findings)} finding(s)[/red]"
    out.print(
        f"{head} {r.pack} {r.version}: {cells:,} cells cover {combos:,} combinations of "
        f"request attributes ({seconds:.2f} s)"
    )
    if not r.default_declared:
        out.print("  the pack declares no default: requests no rule decides are gaps", style="dim")
    for f in r.findings:
        out.print(f"  [bold]{TITLES[f.kind]}[/bold]: ", end="")
        out.print(f.says, markup=False)
        for region in f.region:
            out.print(f"    where: {region}", markup=False)
        if f.example is not None:
            _print_example(f.example)


def _print_example(example: dict[str, Any]) -> None:
    extra = [f"date {example['date']}"]
    if "at" in example:
        extra = [f"rules in force on {example['at'][0]} and on {example['at'][1]}"]
    if "agency_profile" in example:
        extra.append(f"agency profile {json.dumps(example['agency_profile'])}")
    out.print(
        f"    e.g. ({'; '.join(extra)}) {json.dumps(example['request'])}", markup=False, style="dim"
    )


@app.command("diff")
def diff_cmd(
    old: Annotated[str, typer.Argument(metavar="OLD", help="Pack id or path: the old side")],
    new: Annotated[
        str | None,
        typer.Argument(
            metavar="NEW",
            help="Pack id or path: the new side (default: OLD, at a second --at date)",
        ),
    ] = None,
    at: Annotated[
        list[str] | None,
        typer.Option(
            "--at",
            metavar="DATE",
            help="Decision date YYYY-MM-DD; give it twice for the old and the new "
            "side, once for both",
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Where two packs, or one pack at two dates, recommend differently: the regions of
    requests whose outcome or actions change, each with an example (exit 1 if any)."""
    from casebycase.policy.diff import diff

    start = time.perf_counter()
    with _errors():
        dates = _dates(at or [], new is None)
        result = diff(old, new or old, dates)
    if as_json:
        print_json(result.to_dict())
    else:
        _print_comparison(result, time.perf_counter() - start)
    if result.changes:
        raise typer.Exit(1)


def _dates(given: list[str], one_pack: bool) -> tuple[dt.date | None, dt.date | None]:
    problems = []
    days: list[dt.date] = []
    for text in given:
        try:
            days.append(dt.date.fromisoformat(text))
        except ValueError:
            problems.append(Problem(f"--at {text}", "not a date", "write it as YYYY-MM-DD"))
    if one_pack and len(given) != 2:
        problems.append(
            Problem(
                "--at",
                "one pack is compared with itself at two dates",
                "give --at twice, e.g. --at 2024-01-01 --at 2026-01-01",
            )
        )
    if len(given) > 2:
        problems.append(
            Problem(
                "--at",
                "at most two dates: the old side's and the new side's",
                "give --at once (both sides) or twice",
            )
        )
    if problems:
        raise CaseByCaseError(problems, title="invalid diff")
    if not days:
        return None, None
    return days[0], days[-1]


def _print_comparison(c: Comparison, seconds: float) -> None:
    out.print(
        f"[bold]{c.old}[/bold] -> [bold]{c.new}[/bold]: {len(c.changes)} change(s) over "
        f"{c.changed:,} of {c.combinations:,} combinations of request attributes "
        f"({c.cells:,} cells, {seconds:.2f} s)"
    )
    for note in c.notes:
        out.print(f"  note: {note}", markup=False, style="dim")
    for title, changes in (
        ("Outcome changes", c.outcomes),
        ("Action changes (same outcome)", c.actions),
    ):
        if changes:
            out.print(f"\n[bold]{title}[/bold]")
        for ch in changes:
            _print_change(ch)


def _print_change(ch: Change) -> None:
    out.print("  - ", end="")
    out.print(ch.summary(), markup=False)
    _print_example(ch.example)
