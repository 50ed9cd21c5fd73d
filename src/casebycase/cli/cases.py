"""Commands on the case store: audit verification, expungement."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import typer

from casebycase.cli.shell import app, err, out
from casebycase.cli.shell import errors as _errors

audit = typer.Typer(help="The tamper-evident audit trail.", no_args_is_help=True)
app.add_typer(audit, name="audit")
cases = typer.Typer(help="Cases in the store.", no_args_is_help=True)
app.add_typer(cases, name="cases")


@audit.command("verify")
def verify(
    database: Annotated[
        str | None,
        typer.Option(
            "--database", metavar="URL", help="Store URL (default: CASEBYCASE_DATABASE_URL)"
        ),
    ] = None,
) -> None:
    """Recompute every agency's hash chain; name the first bad event. Exit 1 if any.

    Read-only: a store that does not exist is an error, never created."""
    from casebycase.cases.service import CaseService
    from casebycase.settings import Settings
    from casebycase.store.database import require_existing
    from casebycase.store.store import Store

    url = database or Settings.from_env().database_url
    with _errors():
        require_existing(url)
        store = Store.open(url)
    try:
        breaks = CaseService(store, lambda: dt.datetime.now(dt.UTC)).verify_audit()
    finally:
        store.close()
    if not breaks:
        out.print("[green]ok[/green] every audit chain verifies")
        return
    for b in breaks:
        err.print(f"[red]{b.agency}[/red]: event {b.seq} (id {b.event_id}): {b.why}")
    raise typer.Exit(1)


@cases.command("expunge")
def expunge(
    case_id: Annotated[str, typer.Argument(help="The case id (a UUID)")],
    as_user: Annotated[
        str, typer.Option("--as", help="The counsel user who orders the expungement")
    ],
    database: Annotated[
        str | None, typer.Option("--database", help="Store URL (default: CASEBYCASE_DATABASE_URL)")
    ] = None,
) -> None:
    """Remove every free text and reference of a case; the audit chain keeps only hashes
    and still verifies. The expungement itself is an audit event."""
    from casebycase.cases.service import CaseService
    from casebycase.cases.users import Users
    from casebycase.settings import Settings
    from casebycase.store.store import Store

    store = Store.open(database or Settings.from_env().database_url)
    clock = lambda: dt.datetime.now(dt.UTC)  # noqa: E731
    try:
        with _errors():
            actor = Users(store, clock).actor(as_user)
            removed = CaseService(store, clock).expunge(case_id, actor)
    finally:
        store.close()
    out.print(
        f"expunged case {case_id}: {removed} event payloads removed, the chain verifies",
        markup=False,
    )
