"""Commands on user accounts: add, list, disable, token (reading CASEBYCASE_DATABASE_URL)."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import typer
from rich.table import Table

from casebycase.cases.model import Actor
from casebycase.cases.users import Users
from casebycase.cli.shell import app, out
from casebycase.cli.shell import errors as _errors
from casebycase.settings import Settings
from casebycase.store.store import Store

users = typer.Typer(help="User accounts, roles and API tokens.", no_args_is_help=True)
app.add_typer(users, name="users")

Database = Annotated[str | None, typer.Option(
    "--database", help="Store URL (default: CASEBYCASE_DATABASE_URL)")]


@contextmanager
def _accounts(database: str | None) -> Iterator[Users]:
    store = Store.open(database or Settings.from_env().database_url)
    try:
        yield Users(store, lambda: dt.datetime.now(dt.UTC))
    finally:
        store.close()


def _admin(agency: str, also: list[str] | None = None) -> Actor:
    """Whoever runs the command line administers the store's users."""
    return Actor("cli", "policy_admin", agency, frozenset(also or ()))


@users.command("add")
def add(username: str,
        role: Annotated[str, typer.Option(help="officer, supervisor, counsel, auditor, "
                                               "policy_admin or public")],
        agency: Annotated[str, typer.Option(help="The user's agency (a pack id)")],
        also: Annotated[list[str] | None, typer.Option(
            "--also", help="Another agency a state-level user may see (repeatable)")] = None,
        password: Annotated[bool, typer.Option(
            "--password/--no-password", help="Give a generated password (shown once)")] = True,
        token: Annotated[bool, typer.Option(
            "--token", help="Also issue an API token (shown once)")] = False,
        database: Database = None) -> None:
    """Create a user; the generated password and token are printed once."""
    secret = secrets.token_urlsafe(18) if password else None
    with _errors(), _accounts(database) as accounts:
        user = accounts.add(username, role, agency, _admin(agency, also), secret, also or ())
        issued = accounts.issue_token(username, "cli") if token else None
    out.print(f"created {user['username']} ({user['role']}, {user['agency']})", markup=False)
    if secret:
        out.print(f"password: {secret}", markup=False)
    if issued:
        out.print(f"token: {issued}", markup=False)


@users.command("list")
def list_users(agency: Annotated[str, typer.Option(help="Agency whose users to list")],
               database: Database = None) -> None:
    """The users of an agency."""
    with _errors(), _accounts(database) as accounts:
        found = accounts.list(_admin(agency))
    table = Table("username", "role", "agency", "also sees", "disabled", "created")
    for u in found:
        table.add_row(u["username"], u["role"], u["agency"], ", ".join(u["agencies"]),
                      "yes" if u["disabled"] else "", u["created_at"])
    out.print(table)


@users.command("disable")
def disable(username: str,
            agency: Annotated[str, typer.Option(help="The user's agency")],
            database: Database = None) -> None:
    """Disable a user: their password and tokens stop working."""
    with _errors(), _accounts(database) as accounts:
        accounts.disable(username, _admin(agency))
    out.print(f"disabled {username}", markup=False)


@users.command("token")
def token(username: str,
          label: Annotated[str | None, typer.Option(help="What the token is for")] = None,
          database: Database = None) -> None:
    """Issue an API token for an integration (printed once; only its hash is stored)."""
    with _errors(), _accounts(database) as accounts:
        issued = accounts.issue_token(username, label)
    out.print(issued, markup=False)
