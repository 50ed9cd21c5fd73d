"""Commands on the data shipped with casebycase: list the sets, show one's provenance."""

from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING, Annotated, Any

import typer

from casebycase.cli.shell import app, err, out

if TYPE_CHECKING:
    from casebycase.datasets import ShippedSet

data = typer.Typer(
    help="Real data sets shipped with casebycase, with their provenance.", no_args_is_help=True
)
app.add_typer(data, name="data")

Json = Annotated[bool, typer.Option("--json", help="Print JSON.")]


def _kib(n: int) -> str:
    return f"{n / 1024:,.0f} KiB"


def _checked(s: ShippedSet) -> dict[str, Any]:
    """The manifest entry with, per shipped file, whether its sha256 still matches."""
    from casebycase.datasets import ROOT

    entry = s.model_dump()
    for f in entry["shipped"]:
        path = ROOT / s.name / f["file"]
        f["verified"] = (
            path.is_file() and hashlib.sha256(path.read_bytes()).hexdigest() == f["sha256"]
        )
    return entry


@data.command("list")
def list_cmd(as_json: Json = False) -> None:
    """The shipped data sets: name, what they hold, who uses them, size, source."""
    from casebycase.datasets import ROOT, shipped_sets

    sets = shipped_sets()
    if as_json:
        out.print_json(
            json.dumps(
                [
                    {
                        "name": s.name,
                        "aliases": s.aliases,
                        "title": s.title,
                        "used_by": s.used_by,
                        "source": s.source,
                        "retrieved": s.retrieved,
                        "bytes": s.bytes,
                        "raw_bytes": s.raw_bytes,
                        "files": [f.file for f in s.shipped],
                        "rows": {f.file: f.rows for f in s.shipped},
                    }
                    for s in sets
                ]
            )
        )
        return
    out.print(f"Data shipped with casebycase ({ROOT}):", markup=False)
    for s in sets:
        rows = sum(f.rows for f in s.shipped)
        alias = f" (alias {', '.join(s.aliases)})" if s.aliases else ""
        out.print(
            f"  {s.name}{alias}: {_kib(s.bytes)}, {rows:,} rows, retrieved "
            f"{s.retrieved}\n    used by {', '.join(s.used_by)}; source {s.source}",
            markup=False,
        )
    total = sum(s.bytes for s in sets)
    out.print(
        f"{len(sets)} sets, {_kib(total)} in all (raw files "
        f"{_kib(sum(s.raw_bytes for s in sets))}). `casebycase data info NAME` shows "
        "the provenance of one.",
        markup=False,
    )


@data.command("info")
def info_cmd(
    name: Annotated[str, typer.Argument(help="A set's name or alias (see `data list`).")],
    as_json: Json = False,
) -> None:
    """One shipped set: source, snapshot, public-record basis, transformation, files."""
    from casebycase.datasets import UnknownSet, find, shipped_sets

    try:
        s = find(name)
    except UnknownSet:
        names = ", ".join(x for t in shipped_sets() for x in (t.name, *t.aliases))
        err.print(f"error: no shipped data set named {name!r} (use one of: {names})", markup=False)
        raise typer.Exit(2) from None
    entry = _checked(s)
    if as_json:
        out.print_json(json.dumps(entry))
        return
    lines = [
        f"{s.name}: {s.title}",
        f"  used by:        {', '.join(s.used_by)}",
        f"  source:         {s.source}",
        f"  snapshot:       {s.snapshot}",
        f"  retrieved:      {s.retrieved}",
        f"  basis:          {s.basis}",
        f"  license:        {s.license}",
        f"  transformation: {s.transformation}",
        f"  script:         {s.script}",
        "  raw files:",
        *(f"    {f.file} ({_kib(f.bytes)}) sha256 {f.sha256}" for f in s.raw),
        "  shipped files:",
    ]
    for f in entry["shipped"]:
        check = "verified" if f["verified"] else "DOES NOT MATCH the manifest"
        lines += [
            f"    {f['file']} ({_kib(f['bytes'])}, {f['rows']:,} rows) "
            f"sha256 {f['sha256']} [{check}]",
            f"      from {f['source']}; columns: {', '.join(f['columns'])}",
            "      not shipped: "
            + (", ".join(c or "(unnamed index)" for c in f["dropped"]) or "none"),
        ]
    out.print("\n".join(lines), markup=False)
    if not all(f["verified"] for f in entry["shipped"]):
        raise typer.Exit(1)
