"""Commands on user accounts: add, list, disable, token (reading CASEBYCASE_DATABASE_URL)."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated, Any

import typer

from casebycase.cases.model import Actor
from casebycase.cli.shell import app, listing, out, print_json
from casebycase.cli.shell import errors as _errors
from casebycase.errors import CaseByCaseError, Problem

if TYPE_CHECKING:
    from casebycase.cases.users import Users

users = typer.Typer(help="User accounts, roles and API tokens.", no_args_is_help=True)
app.add_typer(users, name="users")

Database = Annotated[
    str | None,
    typer.Option("--database", metavar="URL", help="Store URL (default: CASEBYCASE_DATABASE_URL)"),
]
Username = Annotated[str, typer.Argument(metavar="USERNAME", help="The user's name")]


def _agency(help_text: str) -> Any:
    return typer.Option("--agency", metavar="PACK", help=help_text)


@contextmanager
def _accounts(database: str | None, read_only: bool = False) -> Iterator[Users]:
    """The user service over the store; a read-only command never creates the store."""
    from casebycase.cases.users import Users
    from casebycase.settings import Settings
    from casebycase.store.database import require_existing
    from casebycase.store.store import Store

    url = database or Settings.from_env().database_url
    if read_only:
        require_existing(url)
    store = Store.open(url)
    try:
        yield Users(store, lambda: dt.datetime.now(dt.UTC))
    finally:
        store.close()


def _admin(agency: str, also: list[str] | None = None) -> Actor:
    """Whoever runs the command line administers the store's users."""
    return Actor("cli", "policy_admin", agency, frozenset(also or ()))


@users.command("add")
def add(
    username: Username,
    role: Annotated[
        str,
        typer.Option(
            metavar="ROLE", help="officer, supervisor, counsel, auditor, policy_admin or public"
        ),
    ],
    agency: Annotated[str, _agency("The user's agency (a pack id)")],
    also: Annotated[
        list[str] | None,
        typer.Option(
            "--also", metavar="PACK", help="Another agency a state-level user may see (repeatable)"
        ),
    ] = None,
    password: Annotated[
        bool,
        typer.Option("--password/--no-password", help="Give a generated password (shown once)"),
    ] = True,
    token: Annotated[
        bool, typer.Option("--token", help="Also issue an API token (shown once)")
    ] = False,
    database: Database = None,
) -> None:
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
def list_users(
    agency: Annotated[str, _agency("Agency whose users to list")],
    database: Database = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """The users of an agency (tab-separated when piped). Never creates a store."""
    with _errors(), _accounts(database, read_only=True) as accounts:
        found = accounts.list(_admin(agency))
    if as_json:
        print_json(
            [
                {
                    "username": u["username"],
                    "role": u["role"],
                    "agency": u["agency"],
                    "also_sees": list(u["agencies"]),
                    "disabled": bool(u["disabled"]),
                    "created_at": u["created_at"],
                }
                for u in found
            ]
        )
        return
    listing(
        ("username", "role", "agency", "also sees", "disabled", "created"),
        [
            (
                u["username"],
                u["role"],
                u["agency"],
                ", ".join(u["agencies"]),
                "yes" if u["disabled"] else "",
                u["created_at"],
            )
            for u in found
        ],
    )


@users.command("disable")
def disable(
    username: Username,
    agency: Annotated[str, _agency("The user's agency")],
    database: Database = None,
) -> None:
    """Disable a user: their password and tokens stop working."""
    with _errors(), _accounts(database) as accounts:
        accounts.disable(username, _admin(agency))
    out.print(f"disabled {username}", markup=False)


@users.command("token")
def token(
    username: Username,
    agency: Annotated[str, _agency("The user's agency")],
    label: Annotated[str | None, typer.Option(metavar="TEXT", help="What the token is for")] = None,
    database: Database = None,
) -> None:
    """Issue an API token for an integration (printed once; only its hash is stored)."""
    with _errors(), _accounts(database) as accounts:
        if not any(
            u["username"] == username and u["agency"] == agency
            for u in accounts.list(_admin(agency))
        ):
            raise CaseByCaseError(
                [
                    Problem(
                        "username",
                        f"no user '{username}' in agency '{agency}'",
                        "check the username and --agency "
                        f"(casebycase users list --agency {agency})",
                    )
                ],
                title="not found",
            )
        issued = accounts.issue_token(username, label)
    out.print(issued, markup=False)
