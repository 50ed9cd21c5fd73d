"""Commands that decide: evaluate, explain, packs, show, check, test, classify, schema."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from casebycase.cli.shell import app, err, listing, out, print_json, registry, say
from casebycase.cli.shell import errors as _errors
from casebycase.errors import CaseByCaseError, Problem, RequestError

if TYPE_CHECKING:
    from casebycase.policy.compile import CompiledPack
    from casebycase.policy.recommendation import Recommendation

PackOption = Annotated[
    str | None,
    typer.Option(
        "--pack", "-p", metavar="PACK", help="Pack id or path (default: the request's agency)."
    ),
]
RequestFile = Annotated[
    str, typer.Argument(metavar="FILE", help="Request file (JSON or YAML), or - for stdin")
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON.")]
Packs = Annotated[
    list[str] | None,
    typer.Argument(
        metavar="PACK...", help="Pack ids, folders or files (default: every bundled pack)"
    ),
]


def _read_request(file: str) -> dict[str, Any]:
    name = "<stdin>" if file == "-" else file
    try:
        text = sys.stdin.read() if file == "-" else Path(file).read_text(encoding="utf-8")
    except OSError as exc:
        raise RequestError(
            [Problem(name, f"cannot read the file: {exc.strerror}", "check the path")],
            title="invalid request",
        ) from None
    import yaml

    try:
        data = json.loads(text) if text.lstrip().startswith("{") else yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        where = name
        if isinstance(exc, json.JSONDecodeError):
            where = f"{name}:{exc.lineno}:{exc.colno}"
        raise RequestError(
            [Problem(where, f"not valid JSON or YAML: {exc}", "send one JSON object")],
            title="invalid request",
        ) from None
    if not isinstance(data, dict):
        raise RequestError(
            [Problem(name, "expected one object (a mapping)", "send one JSON object per request")],
            title="invalid request",
        )
    return data


def _recommend(file: str, pack: str | None) -> Recommendation:
    from casebycase.policy.compile import load_pack
    from casebycase.policy.recommendation import evaluate
    from casebycase.request import parse_request

    request = parse_request(_read_request(file))
    if pack:  # an id or a pack folder or file
        return evaluate(request, load_pack(pack))
    return evaluate(request, registry=registry())


@app.command("evaluate")
def evaluate_cmd(
    file: RequestFile,
    pack: PackOption = None,
    as_json: JsonOption = False,
    trace: Annotated[
        bool, typer.Option("--trace", help="Also list every rule checked (as `explain` does).")
    ] = False,
) -> None:
    """Recommend what to do with one request."""
    with _errors():
        rec = _recommend(file, pack)
    if as_json:
        print_json(rec.to_dict(trace=trace))
        return
    _print_recommendation(rec)
    if trace:
        _print_trace(rec)
    else:
        out.print()
        say(f"Every rule checked: casebycase explain {file}", style="dim")


def _print_recommendation(rec: Recommendation) -> None:
    colour = {"comply": "green", "partial": "yellow", "decline": "red", "refer": "cyan"}
    out.print(
        f"[bold {colour[rec.outcome]}]{rec.outcome.upper()}[/]  "
        f"pack {rec.pack.id} {rec.pack.version} (digest {rec.pack.digest[:12]})"
    )
    say(rec.explanation, hanging="")
    if rec.actions:
        out.print("\n[bold]Actions[/bold]")
        for a in rec.actions:
            by = (
                f" by {a['by']}"
                if a["by"]
                else (
                    " (no deadline)"
                    if "clock" not in a
                    else " (deadline unknown: its anchor time is missing)"
                )
            )
            say(f"- {a['do']}{by} ({', '.join(a['because'])})", indent="  ", hanging="      ")
            if a.get("note"):
                say(f"note: {a['note']}", indent="      ", hanging="      ")
    if rec.risks:
        out.print("\n[bold]Risks[/bold]")
        for r in rec.risks:
            say(f"- {r['code']}: {r['says']}", indent="  ", hanging="    ")
    out.print("\n[bold]Rules[/bold]")
    say(", ".join(rec.rules), indent="  ", hanging="  ")
    out.print("[bold]Citations[/bold]")
    for c in rec.decision.citations:
        section = f" {c['section']}" if c["section"] else ""
        standing = c.get("authority", "")
        if c.get("weight") == "persuasive":
            standing += ", persuasive"
        if c.get("decided"):
            standing += f", decided {c['decided']}"
        if c["text"] and c.get("words") == "quote":
            words = f' — "{c["text"]}" (quoted; checked against its stored text)'
        elif c["text"]:
            words = f" — summary: {c['text']}"
        else:
            words = ""
        say(f"- {c['source']}{section} [{standing}]{words}", indent="  ", hanging="    ")
        for mark in c.get("unconfirmed", []):
            say(f"UNCONFIRMED: {mark}", indent="      ", hanging="      ")


def _print_trace(rec: Recommendation) -> None:
    rows = rec.trace()
    matched = sum(1 for r in rows if r["matched"])
    out.print(
        f"\n[bold]Every rule checked[/bold] ({matched} of {len(rows)} matched; "
        "most authoritative layer first)"
    )
    for row in rows:
        flags = ", ".join(
            x
            for x in (row["layer"], "binding" if row["binding"] else "", row["outcome"] or "")
            if x
        )
        style = "bold" if row["role"] == "decided" else ("dim" if not row["matched"] else "")
        say(f"{row['rule']} ({flags}): {row['role']}", indent="  ", hanging="      ", style=style)
        say(f"when {row['when']}", indent="      ", hanging="        ", style="dim")
    for o in rec.decision.overridden:
        say(f"overridden: {o.rule} by {o.by} ({o.why})", hanging="  ")


@app.command()
def explain(file: RequestFile, pack: PackOption = None, as_json: JsonOption = False) -> None:
    """The full reasoning: every rule checked, which fired, which were overridden and why."""
    with _errors():
        rec = _recommend(file, pack)
    if as_json:
        print_json(rec.to_dict(trace=True))
        return
    _print_recommendation(rec)
    _print_trace(rec)


@app.command()
def packs(as_json: JsonOption = False) -> None:
    """List the bundled packs (tab-separated when piped)."""
    from casebycase.policy.catalog import pack_headers

    with _errors():
        rows = [(h.id, h.version, h.title, h.rules, " > ".join(h.bases)) for h in pack_headers()]
    if as_json:
        print_json(
            [
                {
                    "pack": i,
                    "version": v,
                    "title": t,
                    "rules": n,
                    "extends": b.split(" > ") if b else [],
                }
                for i, v, t, n, b in rows
            ]
        )
        return
    listing(("pack", "version", "title", "rules", "extends"), rows)


@app.command()
def show(
    pack: Annotated[str, typer.Argument(metavar="PACK", help="Pack id or path")],
    source: Annotated[
        bool,
        typer.Option("--source", help="Print the Python the pack compiles to, and its constants"),
    ] = False,
) -> None:
    """A pack's profile, sources and rules as readable text."""
    from casebycase.policy.compile import load_pack

    with _errors():
        p = load_pack(pack)
    if source:
        print(f"# generated from pack {p.id} {p.version} (digest {p.digest[:12]})")
        print("# constants bound by name:")
        for name, value in p.constants.items():
            print(f"#   {name} = {value!r}")
        print(p.source_code, end="")
        return
    _print_pack(p)


def _print_pack(p: CompiledPack) -> None:
    from casebycase.policy.condition import describe

    pk = p.pack
    out.print(f"[bold]{pk.title}[/bold]  ({pk.id} {pk.version}, digest {pk.digest[:12]})")
    if pk.summary:
        out.print(pk.summary.strip(), markup=False)
    a = pk.agency
    jail = "yes" if a.runs_jail else "no"
    out.print(f"\nAgency: {a.name}; {a.type}; {a.state}; runs a jail: {jail}", markup=False)
    for prog in a.programs_287g:
        out.print(f"  287(g) {prog.model} from {prog.effective or '?'} to {prog.expires or 'now'}")
    for ag in a.agreements:
        out.print(
            f"  agreement {ag.id}: {ag.title} with {ag.counterparty} from {ag.effective or '?'}",
            markup=False,
        )
    out.print("\n[bold]Sources[/bold]")
    for s in pk.sources.values():
        dates = f"{s.effective or '…'} to {s.expires or 'now'}"
        out.print(f"  [{s.layer}] {s.citation}: {s.title} ({dates}) {s.url or ''}", markup=False)
        for u in s.unconfirmed:
            out.print(f"      UNCONFIRMED: {u}", markup=False)
    out.print("\n[bold]Rules[/bold] (most authoritative layer first)")
    for rd in sorted(pk.rules, key=lambda r: r.rank):
        r = rd.rule
        flags = ", ".join(
            x
            for x in (
                rd.layer,
                "binding" if r.binding else "",
                f"priority {r.priority}" if r.priority else "",
            )
            if x
        )
        out.print(f"\n  [bold]{r.id}[/bold] ({flags}) → {r.outcome or 'adds actions/risks'}")
        out.print(f"    {' '.join(r.says.split())}", markup=False)
        out.print(f"    when {describe(rd.node)}", markup=False)
        if rd.start or rd.end:
            out.print(f"    in force {rd.start or '…'} to {rd.end or 'now'}")
        for act in r.actions:
            by = ""
            if act.by:
                amount = f"{act.by.hours} h" if act.by.hours is not None else f"{act.by.days} days"
                side = "before" if act.by.before else "after"
                by = f" {amount} {side} {act.by.anchor} ({act.by.clock} clock)"
            out.print(f"    do {act.do}{by}", markup=False)
        for c in r.because:
            quote = f' "{c.quote}"' if c.quote else ""
            out.print(
                f"    because {pk.sources[c.source].citation} {c.section or ''}{quote}",
                markup=False,
            )
    out.print(f"\nDefault ({pk.default.id}): {pk.default.outcome}. {pk.default.says}", markup=False)


@app.command()
def check(
    paths: Annotated[
        list[str], typer.Argument(metavar="PACK...", help="Pack ids, folders or files")
    ],
) -> None:
    """Validate packs: every problem with file:line:column and a hint."""
    from casebycase.policy.compile import load_pack

    failed = False
    for path in paths:
        try:
            p = load_pack(path)
            out.print(
                f"[green]ok[/green] {p.id} {p.version}: {len(p.rules)} rules, "
                f"{len(p.pack.sources)} sources, {len(p.pack.tests)} scenario tests"
            )
            for warning in p.pack.warnings:
                err.print(f"  [yellow]warning[/yellow] {warning}", markup=True)
        except CaseByCaseError as exc:
            failed = True
            err.print(f"[red]{path}[/red]: {exc.title}")
            for prob in exc.problems:
                err.print(f"  {prob}", markup=False)
    if failed:
        raise typer.Exit(2)


@app.command("test")
def test_cmd(paths: Packs = None) -> None:
    """Run the packs' scenario tests and report rule coverage."""
    from casebycase.policy.compile import load_pack
    from casebycase.policy.load import bundled_ids
    from casebycase.policy.scenarios import run_scenarios

    failed = False
    for path in paths or bundled_ids():
        with _errors():
            report = run_scenarios(load_pack(path))
        for r in report.results:
            if not r.passed:
                failed = True
                err.print(f"[red]FAIL[/red] {report.pack}: {r.name} ({r.where})")
                for f in r.failures:
                    err.print(f"    {f}", markup=False)
        passed = sum(r.passed for r in report.results)
        cover = f"{len(report.covered & set(report.rules))}/{len(report.rules)}"
        out.print(
            f"{report.pack}: {passed}/{len(report.results)} scenarios passed; "
            f"rule coverage {cover} ({report.coverage:.0%})"
        )
        if report.uncovered:
            failed = True
            err.print(f"  rules no scenario exercises: {', '.join(report.uncovered)}")
    if failed:
        raise typer.Exit(1)


@app.command()
def classify(
    description: Annotated[str | None, typer.Argument(metavar="TEXT", help="Charge text")] = None,
    code: Annotated[
        str | None, typer.Option("--code", metavar="CITATION", help="Statute citation")
    ] = None,
    level: Annotated[
        str | None, typer.Option("--level", metavar="LEVEL", help="Level as written")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """What the offense catalog derives from a charge text and/or statute code."""
    from casebycase.offenses import classify as classify_offense

    if description is None and code is None:
        err.print("error: give a charge text, --code, or both (e.g. --code 'RSMo 566.209')")
        raise typer.Exit(2)
    found = classify_offense(code, description, level)
    data = {
        "category": found.category,
        "level": found.level,
        "entry": found.entry,
        "citation": found.citation,
        "title": found.title,
        "matched_by": found.matched_by,
        "is_hold": found.is_hold,
    }
    if as_json:
        print_json(data)
        return
    for key, value in data.items():
        out.print(f"{key:>10}: {value}", markup=False)


@app.command()
def schema() -> None:
    """Print the JSON Schema of the request format."""
    from casebycase.request import request_schema

    print_json(request_schema())
