"""The command-line application: one Typer app, two consoles, one error handler."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import typer
from rich.console import Console

from casebycase.errors import CaseByCaseError

app = typer.Typer(help="Decide each federal immigration request case by case, and show the work.",
                  no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)
out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)


@contextmanager
def errors() -> Iterator[None]:
    """Print a library error as what, where and how to fix it; exit with status 2."""
    try:
        yield
    except CaseByCaseError as exc:
        err.print(f"[red]error:[/red] {exc.title}", markup=True)
        for p in exc.problems:
            err.print(f"  {p}", markup=False)
        raise typer.Exit(2) from None
