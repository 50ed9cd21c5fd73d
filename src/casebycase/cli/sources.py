"""`casebycase sources PACK`: what counsel reads before signing a pack."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from casebycase.cli.shell import app, errors, out


@app.command()
def sources(
    pack: Annotated[str, typer.Argument(help="Pack id or path", metavar="PACK")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False,
) -> None:
    """Every source of a pack with its authority, address, dates, UNCONFIRMED marks and the
    rules resting on it, and every quote (verified) or summary (gist)."""
    from casebycase.policy.compile import load_pack
    from casebycase.policy.sources import sources_report

    with errors():
        compiled = load_pack(pack)
    entries = sources_report(compiled)
    if as_json:
        print(json.dumps([e.to_dict() for e in entries], indent=2))
        return
    quotes = sum(c.words == "quote" for e in entries for c in e.citing)
    gists = sum(c.words == "gist" for e in entries for c in e.citing)
    print(
        f"{compiled.id} {compiled.version}: {len(entries)} sources; {quotes} quotes verified "
        f"against stored text, {gists} summaries (gist)"
    )
    for e in entries:
        print()
        dates = ", ".join(
            f"{k} {v}"
            for k, v in (("decided", e.decided), ("effective", e.effective), ("expires", e.expires))
            if v
        )
        print(
            f"{e.citation}  [{e.authority}{', persuasive' if e.weight != 'binding' else ''}"
            f"; {e.layer} layer]" + (f"  ({dates})" if dates else "")
        )
        print(f"  id: {e.id}")
        print(f"  address: {e.url or '-'} ({e.address})")
        print(f"  stored text: {e.stored_text or 'none (it can be summarised, not quoted)'}")
        for mark in e.unconfirmed:
            print(f"  UNCONFIRMED: {mark}")
        print(
            f"  rules resting on it: {len(e.rules)}"
            + (f" ({', '.join(e.rules)})" if e.rules else "")
        )
        for c in e.citing:
            section = f" {c.section}" if c.section else ""
            if c.words == "quote":
                print(f'  - {c.where}{section}: quote (verified) "{c.text}"')
            elif c.words == "gist":
                print(f"  - {c.where}{section}: summary: {c.text}")
            else:
                print(f"  - {c.where}{section}: cited without words")
    out.file.flush()
