"""The command line: a thin shell over the library (exit 2 on invalid input, no tracebacks).

Each module registers its commands on the one app; add a module here to add commands.
"""

from typing import Annotated

import typer

from casebycase import __version__
from casebycase.cli import cases as cases
from casebycase.cli import data as data
from casebycase.cli import decide as decide
from casebycase.cli import replay as replay
from casebycase.cli import report as report
from casebycase.cli import serve as serve
from casebycase.cli import sources as sources
from casebycase.cli import users as users
from casebycase.cli import verify as verify
from casebycase.cli.shell import app, out

__all__ = ["app"]


def _version(shown: bool) -> None:
    if shown:
        out.print(f"casebycase {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    pass
